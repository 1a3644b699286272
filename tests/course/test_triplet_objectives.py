"""Lesson 12's four objectives on one set of triplets (sbert_lab.course.triplet_objectives). The
measure of truncated vectors: test_matryoshka.py."""

import pytest

from sbert_lab import course
from sbert_lab.course import triplet_objectives
from sbert_lab.data import NLIPair, Triplet
from sbert_lab.losses import MatryoshkaLoss, MultipleNegativesRankingLoss, SoftmaxLoss

TRIPLETS = [Triplet(f"premise {i}", f"entailed {i}", f"contradicted {i}") for i in range(3)]


def test_each_objective_reads_the_same_triplets_its_own_way():
    softmax = triplet_objectives.examples_for(TRIPLETS, "softmax")
    assert softmax[:2] == [
        NLIPair("premise 0", "entailed 0", 0),
        NLIPair("premise 0", "contradicted 0", 2),
    ]
    assert len(softmax) == 2 * len(TRIPLETS)
    assert triplet_objectives.examples_for(TRIPLETS, "positives only")[1] == (
        "premise 1",
        "entailed 1",
    )
    assert triplet_objectives.examples_for(TRIPLETS, "hard negatives") == TRIPLETS
    with pytest.raises(ValueError, match="objective must be one of"):
        triplet_objectives.examples_for(TRIPLETS, "cosine")


def test_losses_and_prefixes():
    assert triplet_objectives.matryoshka_dims(256) == (32, 64, 128, 256)
    assert isinstance(triplet_objectives.loss_for("softmax", 8), SoftmaxLoss)
    assert type(triplet_objectives.loss_for("hard negatives", 8)) is MultipleNegativesRankingLoss
    matryoshka_loss = triplet_objectives.loss_for("hard negatives + Matryoshka", 768)
    assert isinstance(matryoshka_loss, MatryoshkaLoss) and matryoshka_loss.dims[0] == 96


def test_every_objective_takes_the_same_number_of_steps():
    triplets = course.recipes.nli_triplets("smoke")[:40]
    steps = {
        objective: triplet_objectives.train_on_triplets(
            "smoke", triplets, objective, progress=False
        )[1].steps
        for objective in triplet_objectives.OBJECTIVES
    }
    assert len(set(steps.values())) == 1, steps
