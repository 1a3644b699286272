"""course.matryoshka (lesson 12): the quality of truncated vectors, and the truncation itself."""

import numpy as np
import pytest

from sbert_lab.course import matryoshka
from sbert_lab.evaluation import sts_spearman


def test_prefix_quality_at_full_width_is_the_usual_spearman(minilm, stsb_test):
    pairs = stsb_test[:300]
    quality = matryoshka.prefix_quality(minilm, pairs, (48, 384), k=10)
    assert quality[384][0] == pytest.approx(sts_spearman(minilm, pairs), abs=1e-6)
    assert 0 < quality[48][1] <= quality[384][1] <= 1  # the full vector retrieves at least as well
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(np.linalg.norm(matryoshka.truncate(x, 2), axis=1), 1.0)
    with pytest.raises(ValueError, match="dims must be in 1..4"):
        matryoshka.truncate(x, 5)
