"""Table 6's pooling half (Section 6): MEAN, MAX or [CLS] pooling, after NLI and after STS-B
regression, STS-B dev Spearman × 100. Lesson 4 shows the shipped record of
``tools/pooling_ablation.py`` beside the paper's figures (``records``)."""

from __future__ import annotations

from . import records
from .profiles import Profile
from .recipes import SEED, WARMUP, batch_size

POOLINGS = ("mean", "max", "cls")
PAPER = {  # Table 6, BERT-base, STS-B dev
    "nli": {"mean": 80.78, "max": 79.07, "cls": 79.80},
    "sts": {"mean": 87.44, "max": 69.92, "cls": 86.62},
}


def recipe(profile: Profile) -> dict:
    """What decides the record's numbers; the record is valid only while this is unchanged."""
    return {
        "model": profile.raw_model,
        "nli": {
            "objective": profile.nli_objective,
            "data": [list(source) for source in profile.nli_train],
            "size": profile.nli_train_size,
            "batch_size": batch_size(profile, profile.nli_objective),
        },
        "sts": {"data": "stsb train", "size": None, "batch_size": profile.batch_size},
        "max_length": profile.max_length,
        "lr": profile.lr,
        "warmup": WARMUP,
        "seed": SEED,
        "epochs": profile.epochs,
    }


def load_table() -> dict[str, dict[str, float]]:
    """``{"nli" | "sts": {pooling: STS-B dev}}`` from the shipped record."""
    table: dict[str, dict[str, float]] = {"nli": {}, "sts": {}}
    for run in records.load("pooling_ablation")["runs"]:
        table[run["objective"]][run["pooling"]] = run["stsb_dev"]
    return table


__all__ = ["POOLINGS", "PAPER", "recipe", "load_table"]
