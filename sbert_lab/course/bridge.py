"""Lesson 13's bridge: the same training run in sentence-transformers (v3+), for comparison.

``train_with_sentence_transformers`` trains ``profile.raw_model`` (mean pooling) on NLI triplets
with sentence-transformers' ``SentenceTransformerTrainer`` and
``losses.MultipleNegativesRankingLoss``, with the recipe of
``course.triplet_objectives.train_on_triplets(..., "hard negatives")``: batch, lr, linear warm-up
over 10 % of the steps, one epoch, seed, max_length, fp32. What differs is the library's own
batching (random order, no length grouping) and random streams.
"""

from __future__ import annotations

import math

import torch

from ..data import Triplet
from ..models import resolve_model
from ..train import warmup_steps
from .lesson import as_profile
from .profiles import Profile
from .recipes import MNRL_SCALE, SEED, WARMUP, batch_size


def train_with_sentence_transformers(profile: Profile | str, triplets: list[Triplet], scratch: str):
    """A ``SentenceTransformer`` trained on ``triplets``; ``scratch`` is a folder for the
    trainer's files. Needs ``pip install sentence-transformers``."""
    from datasets import Dataset
    from sentence_transformers import (
        SentenceTransformer,
        SentenceTransformerTrainer,
        SentenceTransformerTrainingArguments,
        losses,
    )

    profile = as_profile(profile)
    model = SentenceTransformer(
        resolve_model(profile.raw_model), device="cpu" if not torch.cuda.is_available() else None,
        model_kwargs={"dtype": torch.float32},
    )  # fmt: skip
    model.max_seq_length = profile.max_length
    per_step = batch_size(profile, "mnrl")
    steps = math.ceil(len(triplets) / per_step) * profile.epochs
    columns = {"anchor": [], "positive": [], "negative": []}
    for triplet in triplets:
        for name, text in zip(columns, triplet, strict=True):
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
