"""Lesson 13's bridge: the same training run in sentence-transformers (v3+), for comparison.

``train_with_sentence_transformers`` trains ``profile.raw_model`` (mean pooling) on NLI triplets
with sentence-transformers' ``SentenceTransformerTrainer`` and
``losses.MultipleNegativesRankingLoss``, with the recipe of
``course.triplet_objectives.train_on_triplets`` for the same objective: batch, lr, linear warm-up
over 10 % of the steps, one epoch, seed, max_length, fp32. What differs is the library's own
batching (random order, no length grouping) and random streams.
"""

from __future__ import annotations

import torch

from ..data import Triplet
from ..model_sources import quiet_transformers, resolve_model
from ..train import FitSettings, warmup_steps
from .lesson import as_profile
from .profiles import Profile
from .recipes import MNRL_SCALE, SEED, WARMUP
from .triplet_objectives import steps as triplet_steps

OBJECTIVE_COLUMNS = {  # what each objective reads of a triplet, as sentence-transformers' columns
    "hard negatives": ("anchor", "positive", "negative"),
    "positives only": ("anchor", "positive"),
}


def train_with_sentence_transformers(
    profile: Profile | str,
    triplets: list[Triplet],
    scratch: str,
    objective: str = "hard negatives",
):
    """A ``SentenceTransformer`` trained on ``triplets`` with ``objective`` ("hard negatives": the
    whole triplets; "positives only": (anchor, positive) pairs); ``scratch`` is a folder for the
    trainer's files. Needs ``pip install sentence-transformers``."""
    from datasets import Dataset
    from sentence_transformers import SentenceTransformer, SentenceTransformerTrainer, losses

    profile = as_profile(profile)
    columns = triplet_columns(triplets, objective)
    device = None if torch.cuda.is_available() else "cpu"
    with quiet_transformers():  # no report on the raw checkpoint's unused MLM heads
        model = SentenceTransformer(
            resolve_model(profile.raw_model), device=device, model_kwargs={"dtype": torch.float32}
        )
    model.max_seq_length = profile.max_length
    trainer = SentenceTransformerTrainer(
        model=model,
        args=training_arguments(profile, len(triplets), scratch),
        train_dataset=Dataset.from_dict(columns),
        loss=losses.MultipleNegativesRankingLoss(model, scale=MNRL_SCALE),
    )
    trainer.train()
    return model


def triplet_columns(triplets: list[Triplet], objective: str) -> dict[str, list[str]]:
    """The columns of the trainer's data set: {column: texts}, one row per triplet."""
    if objective not in OBJECTIVE_COLUMNS:
        raise ValueError(f"objective must be one of {tuple(OBJECTIVE_COLUMNS)}, got {objective!r}")
    names = OBJECTIVE_COLUMNS[objective]
    return {name: [triplet[i] for triplet in triplets] for i, name in enumerate(names)}


def training_arguments(profile: Profile | str, triplets: int, scratch: str):
    """sentence-transformers' trainer arguments for ``train_on_triplets``' recipe on ``triplets``
    triplets: the profile's batch, learning rate and epochs, the course's seed and warm-up share,
    and ``fit``'s own weight decay and gradient clipping (``FitSettings``' defaults)."""
    from sentence_transformers import SentenceTransformerTrainingArguments

    profile = as_profile(profile)
    steps = triplet_steps(profile, triplets)
    fit_defaults = FitSettings()
    return SentenceTransformerTrainingArguments(
        output_dir=scratch,
        num_train_epochs=profile.epochs,
        per_device_train_batch_size=profile.triplet_objectives_batch_size,
        learning_rate=profile.lr,
        warmup_steps=warmup_steps(WARMUP, steps),
        weight_decay=fit_defaults.weight_decay,
        max_grad_norm=fit_defaults.max_grad_norm,
        seed=SEED,
        report_to="none",
        save_strategy="no",
        logging_steps=max(1, steps // 4),
    )
