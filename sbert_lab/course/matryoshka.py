"""Lesson 12's measure of Matryoshka embeddings (Kusupati et al. 2022): how good is a prefix?

A Matryoshka model (trained with ``sbert_lab.losses.MatryoshkaLoss``) should keep most of its
quality when only the first d numbers of each vector are kept. ``prefix_quality`` measures, for
each d, STS-B Spearman and paraphrase retrieval recall@k on the truncated, renormalised vectors; the
sentences are encoded once.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import spearmanr

from ..data import STSPair
from ..evaluation import Encoder, check_sts_pairs, encode_unique, row_cosine
from .search import CorpusIndex, normalize_rows, paraphrase_queries, recall_at_k, top_k_cosine

PARAPHRASE_SCORE = 4.0  # STS-B pairs scored this or more are paraphrases to retrieve


def truncate(vectors: np.ndarray, dims: int) -> np.ndarray:
    """The first ``dims`` numbers of each row, renormalised to unit length (n, dims)."""
    if not 1 <= dims <= vectors.shape[1]:
        raise ValueError(f"dims must be in 1..{vectors.shape[1]}, got {dims!r}")
    return normalize_rows(np.ascontiguousarray(vectors[:, :dims]))


def prefix_quality(
    encoder: Encoder,
    pairs: Sequence[STSPair],
    dims: Sequence[int],
    k: int = 10,
    batch_size: int = 32,
) -> dict[int, tuple[float, float]]:
    """``{d: (STS Spearman × 100, recall@k)}`` of the first d dimensions, for each d in ``dims``.

    Retrieval: the corpus is every distinct sentence of ``pairs``; each sentence of a pair scored
    ``PARAPHRASE_SCORE`` or more queries it (its own row excluded) for its paraphrases."""
    gold = check_sts_pairs(pairs)
    vectors = encode_unique(encoder, [s for p in pairs for s in (p.s1, p.s2)], batch_size)
    sentences = list(vectors)
    full = np.stack([vectors[s] for s in sentences])
    paraphrases = [
        (p.s1, p.s2) for p, score in zip(pairs, gold, strict=True) if score >= PARAPHRASE_SCORE
    ]
    quality = {}
    for d in dims:
        unit = truncate(full, d)
        index = CorpusIndex(sentences, unit)
        u = np.stack([unit[index.row[p.s1]] for p in pairs])
        v = np.stack([unit[index.row[p.s2]] for p in pairs])
        spearman = float(spearmanr(row_cosine(u, v), gold).statistic * 100)
        rows, relevant = paraphrase_queries(paraphrases, index)
        _, retrieved = top_k_cosine(unit[rows], unit, k=k, exclude=rows)
        quality[d] = (spearman, recall_at_k(retrieved, relevant, k))
    return quality
