"""Lesson 3's data-size record (sbert_lab/course/measured/nli_data_size.json) and its trend."""

import math
from dataclasses import replace

import numpy as np
import pytest

from sbert_lab import course
from sbert_lab.course import nli_scale


def test_the_trend_is_a_least_squares_line_in_log_pairs():
    runs = [{"pairs": n, "stsb_test": 30 + 4 * math.log2(n / 1000) + e} for n, e in
            ((1000, 0.3), (4000, -0.2), (16000, 0.1), (64000, -0.4))]  # fmt: skip
    trend = nli_scale.fit_trend(runs)
    slope, intercept = np.polyfit([math.log10(r["pairs"]) for r in runs],
                                  [r["stsb_test"] for r in runs], 1)  # fmt: skip
    assert trend.slope == pytest.approx(slope) and trend.intercept == pytest.approx(intercept)
    assert trend.per_doubling == pytest.approx(slope * math.log10(2))
    assert nli_scale.pairs_for(trend, trend.at(500_000)) == pytest.approx(500_000)
    flat = nli_scale.fit_trend([{"pairs": 10, "stsb_test": 5}, {"pairs": 100, "stsb_test": 4}])
    assert nli_scale.pairs_for(flat, 50) == math.inf
    with pytest.raises(ValueError, match="two or more data sizes"):
        nli_scale.fit_trend(runs[:1])


def test_the_shipped_record_was_made_by_today_s_recipe_on_the_shipped_pairs():
    record = nli_scale.load_record()
    profile = course.profiles.get_profile("offline")
    assert record["recipe"] == nli_scale.recipe(profile), (
        "the offline recipe changed since the record was made: rerun tools/nli_data_size.py"
    )
    total = len(course.recipes.nli_pairs(replace(profile, nli_train_size=None)))
    for objective in course.recipes.NLI_OBJECTIVES:
        runs = nli_scale.runs_of(record, objective)
        assert len({r["pairs"] for r in runs}) >= 3 and runs[-1]["pairs"] == total
        assert all(0 < r["stsb_test"] < 100 for r in runs)
    # the claims lesson 3 prints from it (course.claims: measured +5.05 and +24.3)
    raw = record["raw"]["stsb_test"]
    assert nli_scale.runs_of(record, "softmax")[-1]["stsb_test"] > raw + 4
    assert nli_scale.runs_of(record, "mnrl")[-1]["stsb_test"] > raw + 15
