"""Lesson 11's SimCSE pieces (sbert_lab.course.simcse) and its record."""

import numpy as np
import pytest
import torch

from sbert_lab import course, data
from sbert_lab.course import records, simcse
from sbert_lab.evaluation import alignment


def test_unlabelled_sentences_are_distinct_seeded_and_never_evaluation_sentences():
    profile = course.profiles.get_profile("offline")
    sentences = simcse.unlabelled_sentences(profile)
    assert len(sentences) == len(set(sentences)) > 10_000
    assert simcse.unlabelled_sentences(profile, 50) == sentences[:50]  # the same order every run
    held_out = {
        s
        for name, split in simcse.HELD_OUT
        for pair in data.load_sts(name, split, profile.data_dir)
        for s in (pair.s1, pair.s2)
    }
    pool = {t for p in course.recipes.nli_pairs(profile) for t in (p.premise, p.hypothesis)}
    assert pool & held_out  # SICK's NLI pairs share sentences with SICK-R test: they are removed
    assert not set(sentences) & held_out


@pytest.mark.parametrize("variant", simcse.VARIANTS)
def test_each_variant_trains_with_the_recipe_and_the_controls_remove_the_noise(variant):
    sentences = simcse.unlabelled_sentences("smoke", 32)
    encoder, history = simcse.train_simcse("smoke", sentences, variant, progress=False)
    assert history.steps == course.recipes.steps(course.profiles.get_profile("smoke"), 32, "simcse")
    assert all(np.isfinite(history.losses))
    dropouts = [m.p for m in encoder.modules() if isinstance(m, torch.nn.Dropout)]
    assert dropouts and all(p == (0.0 if variant == "no dropout" else 0.1) for p in dropouts)


def test_set_dropout_refuses_a_probability_outside_0_1(tiny_bert):
    with pytest.raises(ValueError, match=r"p must be in \[0, 1\)"):
        simcse.set_dropout(tiny_bert, 1.0)


def test_alignment_uniformity_uses_the_pairs_scored_4_or_more(minilm):
    pairs = [
        data.STSPair("A man plays a guitar.", "A man is playing a guitar.", 4.8),
        data.STSPair("A dog runs.", "A dog is running.", 4.2),
        data.STSPair("A cat sleeps.", "The stock market fell.", 0.0),
    ]
    align, uniform = simcse.alignment_uniformity(minilm, pairs)
    vectors = minilm.encode([p.s1 for p in pairs[:2]]), minilm.encode([p.s2 for p in pairs[:2]])
    assert align == pytest.approx(alignment(*vectors), rel=1e-5)
    assert uniform < 0
    with pytest.raises(ValueError, match="alignment needs 2 pairs scored >= 4"):
        simcse.alignment_uniformity(minilm, pairs[1:])


def test_the_controls_record_was_made_by_today_s_recipe():
    record = records.load("simcse_controls")
    assert record["recipe"] == simcse.record_recipe("offline"), (
        "the offline recipe changed since the record was made: rerun tools/simcse_controls.py"
    )
    runs = simcse.load_controls()
    assert sorted(runs) == sorted(simcse.VARIANTS)
    for run in runs.values():
        assert run["steps"] == simcse.RECORD_STEPS
        assert 0 < run["stsb_dev"] < 100 and 0 < run["stsb_test"] < 100
        assert 0 < run["alignment"] < 4 and run["uniformity"] < 0
