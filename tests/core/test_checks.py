"""sbert_lab.checks: a wrong setting fails before any work, naming itself. (Each public function's
refusals: the bad-input rows; these are the checks' own rules.)"""

import math

import numpy as np
import pytest

from sbert_lab import checks


@pytest.mark.parametrize("value", [64.0, True, "64", None])
def test_an_integer_setting_refuses_what_is_not_an_int(value):
    with pytest.raises(checks.NotAnInt, match="batch_size must be an int >= 1, got") as caught:
        checks.integer("batch_size", value)
    # either except clause catches it: a TypeError (the kind of value), a ValueError (fit's rule)
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ValueError)


def test_an_integer_setting_takes_numpy_ints_and_names_its_minimum():
    assert checks.integer("epochs", np.int64(3)) == 3
    assert type(checks.integer("epochs", np.int8(2))) is int
    with pytest.raises(ValueError, match="max_length must be an int >= 2, got 1"):
        checks.integer("max_length", 1, at_least=2)


@pytest.mark.parametrize(
    "value, error, message",
    [
        ("2e-5", TypeError, "lr must be a number, got str '2e-5'"),
        (True, TypeError, "lr must be a number, got bool True"),
        (math.nan, ValueError, "lr must be a finite number, got nan"),
        (0.0, ValueError, "lr must be > 0, got 0"),
    ],
)
def test_a_number_setting_is_finite_and_in_range(value, error, message):
    with pytest.raises(error, match=message):
        checks.number("lr", value, above=0)
    assert checks.number("lr", np.float32(2e-5), above=0) == pytest.approx(2e-5)


def test_vector_rows_are_float32_2d_and_finite():
    rows = checks.vector_rows("corpus", [[1, 2], [3, 4]])
    assert rows.dtype == np.float32 and rows.flags.c_contiguous and rows.shape == (2, 2)
    with pytest.raises(ValueError, match="corpus must be a 2-D array of row vectors, got shape"):
        checks.vector_rows("corpus", np.zeros(3))
    with pytest.raises(ValueError, match=r"corpus: 1 of 3 rows hold NaN .*first: row 1"):
        checks.vector_rows("corpus", [[0, 1], [np.nan, 1], [1, 0]])
    with pytest.raises(ValueError, match="a non-empty 2-D array"):
        checks.vector_rows("queries", np.zeros((0, 4)), empty_ok=False)


def test_pairs_flags_and_text():
    assert checks.pair("score_range", [0, 5]) == (0, 5)
    with pytest.raises(TypeError, match="score_range must be a pair"):
        checks.pair("score_range", 5)
    with pytest.raises(TypeError, match="normalize must be True or False, got str 'no'"):
        checks.flag("normalize", "no")
    with pytest.raises(ValueError, match="sentence 3 is not encodable UTF-8 text: character 2"):
        checks.utf8_text("sentence 3", "ab\udcffcd")
    checks.utf8_text("sentence 4", "naïve café")  # any real text passes
