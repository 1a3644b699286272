"""How much NLI data each objective needs: the data-size record behind lesson 3.

The paper trains SBERT-NLI on all 942,069 pairs of SNLI + MultiNLI (Section 3.1) and lifts STS-B
test from 46.35 (raw BERT, mean pooling) to 77.03 (Table 1). No CPU lesson can train on that much,
so ``tools/nli_data_size.py`` trains the offline raw BERT once per objective and size (2,000 ...
62,556 of the shipped NLI pairs) and writes ``measured/nli_data_size.json``; lesson 3 plots it
beside its own live runs and extrapolates a trend to 942k pairs.

The trend: STS-B test grows about linearly in log(pairs) over this range (each doubling of the data
adds a similar number of points), ``fit_trend`` fits ``a + b · log10(pairs)`` by least squares to
the runs of one objective, and ``extrapolate`` reads it at another size. A straight line in
log(pairs) cannot go on for ever (Spearman stops at 100, and a 4-layer BERT stops far below), so the
extrapolated figure is an upper-bound sketch of the trend, not a prediction: the lesson says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import records
from .profiles import Profile
from .recipes import SEED, WARMUP, batch_size

RECORD = records.path_of("nli_data_size")
PAPER_PAIRS = 942_069  # AllNLI train (Section 3.1)
PAPER_BEFORE, PAPER_AFTER = 46.35, 77.03  # STS-B test, raw BERT mean -> SBERT-NLI-base (Table 1)


@dataclass(frozen=True)
class Trend:
    """STS-B test ≈ intercept + slope · log10(pairs), fitted to ``points`` runs."""

    intercept: float
    slope: float
    points: int

    def at(self, pairs: float) -> float:
        return self.intercept + self.slope * math.log10(pairs)

    @property
    def per_doubling(self) -> float:
        """Points of STS-B test gained each time the data doubles."""
        return self.slope * math.log10(2)


def recipe(profile: Profile) -> dict:
    """What decides the record's numbers; the record is valid only while this is unchanged."""
    return {
        "model": profile.raw_model,
        "data": [list(source) for source in profile.nli_train],
        "max_length": profile.max_length,
        "lr": profile.lr,
        "warmup": WARMUP,
        "seed": SEED,
        "epochs": profile.epochs,
        "batch_size": {o: batch_size(profile, o) for o in ("softmax", "mnrl")},
    }


def load_record() -> dict:
    """The record written by ``tools/nli_data_size.py`` (raw BERT's figures and one row per run)."""
    return records.load("nli_data_size")


def runs_of(record: dict, objective: str) -> list[dict]:
    """The record's runs of ``objective``, smallest first."""
    return sorted(
        (r for r in record["runs"] if r["objective"] == objective), key=lambda r: r["pairs"]
    )


def fit_trend(runs: list[dict], key: str = "stsb_test") -> Trend:
    """Least-squares line through (log10(pairs), ``key``) of ``runs`` (at least two sizes)."""
    if len({r["pairs"] for r in runs}) < 2:
        raise ValueError("a trend needs runs at two or more data sizes")
    xs = [math.log10(r["pairs"]) for r in runs]
    ys = [r[key] for r in runs]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mean_x) ** 2 for x in xs
    )
    return Trend(mean_y - slope * mean_x, slope, len(runs))


def pairs_for(trend: Trend, score: float) -> float:
    """How many pairs the trend needs to reach ``score`` (inf when it does not rise)."""
    if trend.slope <= 0:
        return math.inf
    return 10 ** ((score - trend.intercept) / trend.slope)


__all__ = [
    "RECORD",
    "PAPER_PAIRS",
    "PAPER_BEFORE",
    "PAPER_AFTER",
    "Trend",
    "recipe",
    "load_record",
    "runs_of",
    "fit_trend",
    "pairs_for",
]
