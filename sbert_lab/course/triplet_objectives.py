"""Lesson 12's comparison: four objectives on the same NLI triplets, for the same number of steps.

Each (premise, entailment, contradiction) triplet is read by every objective,
``profile.triplet_objectives_batch_size`` triplets a step, with the recipes' lr, warm-up and seed
(``course.recipes``):

==============================  ===============================================================
objective                       examples made of a triplet, and the loss
==============================  ===============================================================
"softmax"                       (premise, entailment, 0) and (premise, contradiction, 2):
                                SBERT's SoftmaxLoss (Section 3); 2 pairs a triplet, so 2x batch
"positives only"                (premise, entailment): in-batch negatives (lesson 3)
"hard negatives"                the triplet: in-batch negatives plus the contradiction as a
                                hard negative (supervised SimCSE, Gao et al. 2021, Section 4)
"hard negatives + Matryoshka"   the triplet: the same loss summed over prefixes of the vector
                                (``MatryoshkaLoss``, Kusupati et al. 2022)
==============================  ===============================================================
"""

from __future__ import annotations

import torch

from ..data import NLIPair, Triplet
from ..encoder import SentenceEncoder
from ..losses import MatryoshkaLoss, MultipleNegativesRankingLoss, SoftmaxLoss
from ..train import History, fit
from .lesson import as_profile
from .profiles import Profile
from .recipes import MNRL_SCALE, SEED, WARMUP

OBJECTIVES = ("softmax", "positives only", "hard negatives", "hard negatives + Matryoshka")
ENTAILMENT, CONTRADICTION = 0, 2  # sbert_lab.data.NLI_LABELS


def matryoshka_dims(width: int) -> tuple[int, ...]:
    """The prefixes the Matryoshka loss trains: width/8, width/4, width/2, width (32 ... 256 for
    the small BERT; 96 ... 768 for BERT-base)."""
    return tuple(width // f for f in (8, 4, 2, 1))


def examples_for(triplets: list[Triplet], objective: str) -> list:
    """What ``objective`` trains on, made of ``triplets`` (module table)."""
    if objective == "softmax":
        return [
            pair
            for t in triplets
            for pair in (
                NLIPair(t.anchor, t.positive, ENTAILMENT),
                NLIPair(t.anchor, t.negative, CONTRADICTION),
            )
        ]
    if objective == "positives only":
        return [(t.anchor, t.positive) for t in triplets]
    if objective in OBJECTIVES:
        return list(triplets)
    raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")


def loss_for(objective: str, width: int):
    """The loss of ``objective`` for a ``width``-dimensional encoder (module table)."""
    if objective == "softmax":
        torch.manual_seed(SEED)  # the classifier's initial weights
        return SoftmaxLoss(width, num_labels=3)
    if objective == "hard negatives + Matryoshka":
        return MatryoshkaLoss(MultipleNegativesRankingLoss(MNRL_SCALE), matryoshka_dims(width))
    if objective in OBJECTIVES:
        return MultipleNegativesRankingLoss(MNRL_SCALE)
    raise ValueError(f"objective must be one of {OBJECTIVES}, got {objective!r}")


def train_on_triplets(
    profile: Profile | str,
    triplets: list[Triplet],
    objective: str,
    progress: bool = True,
    length_grouping: bool = True,
) -> tuple[SentenceEncoder, History]:
    """``profile.raw_model`` (mean pooling) trained with ``objective`` on ``triplets``: the same
    triplets and the same number of steps for every objective. ``length_grouping=False`` draws
    plain random batches, as sentence-transformers does (``fit``'s setting of the same name)."""
    profile = as_profile(profile)
    encoder = SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
    examples = examples_for(triplets, objective)
    per_step = profile.triplet_objectives_batch_size * len(examples) // len(triplets)
    history = fit(
        encoder,
        loss_for(objective, encoder.dim),
        examples,
        epochs=profile.epochs,
        batch_size=per_step,
        lr=profile.lr,
        warmup=WARMUP,
        seed=SEED,
        progress=progress,
        length_grouping=length_grouping,
    )
    return encoder, history


def steps(profile: Profile | str, triplets: int) -> int:
    """Optimizer steps of each objective's run on ``triplets`` triplets."""
    profile = as_profile(profile)
    return -(-triplets // profile.triplet_objectives_batch_size) * profile.epochs
