"""Evaluation as in the paper: correlation of cosine similarity with gold STS scores (Section 4).

The paper reports Spearman's rank correlation x 100 between cos(u, v) and the gold score, and
argues for Spearman over Pearson (Section 4.1). Anything with an ``encode(list[str]) -> array``
method can be evaluated: ``SentenceEncoder``, the GloVe baseline, a saved model.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from scipy.stats import pearsonr, spearmanr

from .data import NLIPair, STSPair, Triplet


class Encoder(Protocol):
    def encode(self, sentences: list[str], batch_size: int = 32) -> np.ndarray: ...


def encode_unique(encoder: Encoder, sentences: Sequence[str], batch_size: int = 32) -> dict[str, np.ndarray]:
    """Encode each distinct sentence once; return sentence -> vector."""
    unique = list(dict.fromkeys(sentences))
    vectors = encoder.encode(unique, batch_size=batch_size)
    return dict(zip(unique, vectors))


def row_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of matching rows of a and b, (n, d) x (n, d) -> (n,). A zero row gives 0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide((a * b).sum(axis=1), norms, out=np.zeros(len(a)), where=norms > 0)


def sts_cosines(encoder: Encoder, pairs: Sequence[STSPair], batch_size: int = 32) -> tuple[np.ndarray, np.ndarray]:
    """(cosine of each pair, gold score of each pair)."""
    if not pairs:
        raise ValueError("no STS pairs to evaluate")
    vectors = encode_unique(encoder, [s for p in pairs for s in (p.s1, p.s2)], batch_size)
    u = np.stack([vectors[p.s1] for p in pairs])
    v = np.stack([vectors[p.s2] for p in pairs])
    return row_cosine(u, v), np.array([p.score for p in pairs], dtype=np.float64)


def sts_spearman(encoder: Encoder, pairs: Sequence[STSPair], batch_size: int = 32) -> float:
    """Spearman rank correlation x 100 of cosine similarity vs gold score (the paper's metric)."""
    cosines, gold = sts_cosines(encoder, pairs, batch_size)
    return float(spearmanr(cosines, gold).statistic * 100)


def sts_pearson(encoder: Encoder, pairs: Sequence[STSPair], batch_size: int = 32) -> float:
    """Pearson correlation x 100 of cosine similarity vs gold score."""
    cosines, gold = sts_cosines(encoder, pairs, batch_size)
    return float(pearsonr(cosines, gold).statistic * 100)


def triplet_accuracy(encoder: Encoder, triplets: Sequence[Triplet], batch_size: int = 32) -> float:
    """Share of triplets with d(anchor, positive) < d(anchor, negative), Euclidean (Section 4.4)."""
    if not triplets:
        raise ValueError("no triplets to evaluate")
    vectors = encode_unique(encoder, [s for t in triplets for s in t], batch_size)
    a, p, n = (np.stack([vectors[t[i]] for t in triplets]) for i in range(3))
    closer = np.linalg.norm(a - p, axis=1) < np.linalg.norm(a - n, axis=1)
    return float(closer.mean())


def nli_accuracy(encoder: Encoder, softmax_loss, pairs: Sequence[NLIPair], batch_size: int = 32) -> float:
    """Share of NLI pairs whose label the trained SoftmaxLoss classifier predicts, from u and v (Section 3).

    ``softmax_loss`` is the ``sbert_lab.losses.SoftmaxLoss`` trained together with ``encoder``; its
    classifier reads (u, v, |u - v|) of the premise and hypothesis embeddings. Chance is about 1/3.
    """
    import torch

    if not pairs:
        raise ValueError("no NLI pairs to evaluate")
    vectors = encode_unique(encoder, [s for p in pairs for s in (p.premise, p.hypothesis)], batch_size)
    device = softmax_loss.classifier.weight.device
    u = torch.from_numpy(np.stack([vectors[p.premise] for p in pairs])).to(device)  # (n, dim)
    v = torch.from_numpy(np.stack([vectors[p.hypothesis] for p in pairs])).to(device)  # (n, dim)
    with torch.inference_mode():
        predicted = softmax_loss.logits(u, v).argmax(dim=-1).cpu().numpy()
    gold = np.array([p.label for p in pairs])
    return float((predicted == gold).mean())
