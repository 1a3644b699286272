"""course.errors: a model's worst STS predictions, measured in ranks (lessons 1 and 4)."""

import numpy as np
import pytest

from sbert_lab.course import errors


def test_worst_predictions_are_measured_in_ranks():
    np.testing.assert_allclose(errors.percentile_ranks([10, 30, 20, 40]), [0, 2 / 3, 1 / 3, 1])
    np.testing.assert_allclose(errors.percentile_ranks([1, 1, 2]), [0.25, 0.25, 1])
    gold = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]
    cosines = [0.1, 0.2, 0.3, 0.4, 0.95, 0.6]  # pair 4 ranked above pair 5: a small error
    cosines_bad = [0.9, 0.2, 0.3, 0.4, 0.5, 0.6]  # pair 0 (gold 0) ranked most similar
    assert errors.worst_pairs(cosines_bad, gold, k=1) == [0]
    assert errors.rank_errors(cosines_bad, gold)[0] == pytest.approx(1.0)
    assert errors.disagreements(cosines, cosines_bad, k=1) == [0]
    with pytest.raises(ValueError, match="3 cosines for 2 gold scores"):
        errors.rank_errors([1, 2, 3], [1, 2])
