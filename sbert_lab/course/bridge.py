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
from ..train import warmup_steps
from .lesson import as_profile
from .profiles import Profile
from .recipes import MNRL_SCALE, SEED, WARMUP
from .triplet_objectives import steps as triplet_steps


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
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )

    profile = as_profile(profile)
    device = None if torch.cuda.is_available() else "cpu"
    with quiet_transformers():  # no report on the raw checkpoint's unused MLM heads
        model = SentenceTransformer(
            resolve_model(profile.raw_model), device=device, model_kwargs={"dtype": torch.float32}
        )
    model.max_seq_length = profile.max_length
    per_step = profile.triplet_objectives_batch_size
    steps = triplet_steps(profile, len(triplets))
    names = {"hard negatives": 3, "positives only": 2}
    if objective not in names:
        raise ValueError(f"objective must be one of {tuple(names)}, got {objective!r}")
    columns = {name: [] for name in ("anchor", "positive", "negative")[: names[objective]]}
    for triplet in triplets:
        for name, text in zip(columns, triplet[: len(columns)], strict=True):
            columns[name].append(text)
    arguments = SentenceTransformerTrainingArguments(
        output_dir=scratch,
        num_train_epochs=profile.epochs,
        per_device_train_batch_size=per_step,
        learning_rate=profile.lr,
        warmup_steps=warmup_steps(WARMUP, steps),
        weight_decay=0.01,
        max_grad_norm=1.0,
        seed=SEED,
        report_to="none",
        save_strategy="no",
        logging_steps=max(1, steps // 4),
    )
    trainer = SentenceTransformerTrainer(
        model=model,
        args=arguments,
        train_dataset=Dataset.from_dict(columns),
        loss=losses.MultipleNegativesRankingLoss(model, scale=MNRL_SCALE),
    )
    trainer.train()
    return model
