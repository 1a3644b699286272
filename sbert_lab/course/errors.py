"""Look at the worst predictions: the STS pairs a model ranks furthest from the gold score.

Spearman's correlation (the paper's metric) compares *ranks*, so an error is measured in ranks
too: each pair's gold score and each model's cosine become percentile ranks in [0, 1] (0: the
least similar pair of the set, 1: the most similar), and a pair's error is the gap between the
model's rank and the gold rank. A gap of 0.8 means "the model put this pair among the most similar
fifth, the annotators among the least similar fifth". Lessons 1 and 4 print the worst pairs of a
raw and a trained model, and the pairs the two disagree on most, so that a student sees *what kind*
of pair each gets wrong (shared words with another meaning, negation, numbers...).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

from ..data import STSPair


def percentile_ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks scaled to [0, 1] (ties share their mean rank); one value gives 0.5."""
    values = np.asarray(values, dtype=np.float64)
    if len(values) < 2:
        return np.full(len(values), 0.5)
    return (rankdata(values) - 1) / (len(values) - 1)


def rank_errors(cosines: Sequence[float], gold: Sequence[float]) -> np.ndarray:
    """Model rank minus gold rank of each pair: > 0 the model finds the pair too similar."""
    if len(cosines) != len(gold):
        raise ValueError(f"{len(cosines)} cosines for {len(gold)} gold scores")
    return percentile_ranks(cosines) - percentile_ranks(gold)


def worst_pairs(cosines: Sequence[float], gold: Sequence[float], k: int = 5) -> list[int]:
    """Indices of the ``k`` pairs with the largest rank error, worst first."""
    return list(np.argsort(-np.abs(rank_errors(cosines, gold)), kind="stable")[:k])


def disagreements(first: Sequence[float], second: Sequence[float], k: int = 5) -> list[int]:
    """Indices of the ``k`` pairs whose ranks under two models differ most, largest first."""
    gap = np.abs(percentile_ranks(first) - percentile_ranks(second))
    return list(np.argsort(-gap, kind="stable")[:k])


def show(
    pairs: Sequence[STSPair],
    cosines: dict[str, Sequence[float]],
    indices: Sequence[int],
    title: str,
    width: int = 96,
) -> None:
    """Print ``pairs[indices]``: the gold score and its rank, each model's rank, both sentences."""
    gold = np.array([p.score for p in pairs])
    gold_ranks = percentile_ranks(gold)
    ranks = {name: percentile_ranks(values) for name, values in cosines.items()}
    print(title)
    for i in indices:
        models = "   ".join(f"{name} {ranks[name][i]:.2f}" for name in cosines)
        print(f"  gold {gold[i]:.1f}/5 (rank {gold_ranks[i]:.2f})   rank under {models}")
        for sentence in (pairs[i].s1, pairs[i].s2):
            print(textwrap.indent(textwrap.fill(sentence, width - 6), "      "))
    print()


__all__ = ["percentile_ranks", "rank_errors", "worst_pairs", "disagreements", "show"]
