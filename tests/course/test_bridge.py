"""course.bridge (lesson 13): sentence-transformers is given sbert_lab's recipe, setting for
setting, and the same texts. (The trained models' STS-B gap is lesson 13's claim, on every run.)"""

import pytest

import sbert_lab as sl
from sbert_lab.course import bridge, profiles, recipes, triplet_objectives
from sbert_lab.data import Triplet

TRIPLETS = [Triplet(f"anchor {i}", f"positive {i}", f"negative {i}") for i in range(70)]


def test_the_trainer_gets_fit_s_recipe():
    profile = profiles.get_profile("offline")
    arguments = bridge.training_arguments(profile, len(TRIPLETS), "scratch")
    steps = triplet_objectives.steps(profile, len(TRIPLETS))
    fit_defaults = sl.train.FitSettings()
    assert arguments.per_device_train_batch_size == profile.triplet_objectives_batch_size
    assert (arguments.learning_rate, arguments.num_train_epochs) == (profile.lr, profile.epochs)
    assert arguments.warmup_steps == sl.train.warmup_steps(recipes.WARMUP, steps) > 0
    assert arguments.weight_decay == fit_defaults.weight_decay
    assert arguments.max_grad_norm == fit_defaults.max_grad_norm
    assert arguments.seed == recipes.SEED
    assert arguments.lr_scheduler_type == "linear"  # fit's schedule: linear warm-up, then decay


def test_each_objective_reads_the_triplet_columns_it_trains_on():
    both = bridge.triplet_columns(TRIPLETS[:2], "hard negatives")
    assert both == {
        "anchor": ["anchor 0", "anchor 1"],
        "positive": ["positive 0", "positive 1"],
        "negative": ["negative 0", "negative 1"],
    }
    assert bridge.triplet_columns(TRIPLETS[:2], "positives only").keys() == {"anchor", "positive"}
    with pytest.raises(ValueError, match="objective must be one of"):
        bridge.triplet_columns(TRIPLETS, "softmax")
