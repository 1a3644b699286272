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


class PairScorer(Protocol):
    def predict(self, pairs: list[tuple[str, str]], batch_size: int = 32) -> np.ndarray: ...


def encode_unique(
    encoder: Encoder, sentences: Sequence[str], batch_size: int = 32
) -> dict[str, np.ndarray]:
    """Encode each distinct sentence once; return sentence -> vector."""
    unique = list(dict.fromkeys(sentences))
    vectors = encoder.encode(unique, batch_size=batch_size)
    return dict(zip(unique, vectors))


def unit_rows(x: np.ndarray) -> np.ndarray:
    """Each row of ``x`` (n, d) scaled to length 1, in ``x``'s dtype; an all-zero row stays zero."""
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


def row_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Cosine similarity of matching rows of a and b, (n, d) x (n, d) -> (n,). A zero row gives
    0."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide((a * b).sum(axis=1), norms, out=np.zeros(len(a)), where=norms > 0)


def mean_pairwise_cosine(x: np.ndarray, chunk_size: int = 2048) -> float:
    """Mean cosine over all pairs (i, j), i != j, of the rows of ``x`` (n, d): the anisotropy of
    lesson 7.

    Exact, in blocks of ``chunk_size`` rows, so 20,000 sentences never need a 20,000 x 20,000
    matrix. Ethayarajh (2019) measured this for BERT's layers; a zero row counts with cosine 0.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need an (n, d) array with n >= 2 rows, got shape {x.shape}")
    unit = unit_rows(x)
    total = sum(
        float((unit[i : i + chunk_size] @ unit.T).sum()) for i in range(0, len(unit), chunk_size)
    )
    diagonal = float(unit.any(axis=1).sum())  # a zero row has no cosine with itself
    n = len(unit)
    return (total - diagonal) / (n * (n - 1))


def alignment(x: np.ndarray, y: np.ndarray, alpha: float = 2.0) -> float:
    """Wang & Isola (2020)'s alignment: how close the two sides of positive pairs are (lower is
    better), as used by SimCSE (Gao et al. 2021, Section 5).

        align = mean_i || x_i/|x_i| - y_i/|y_i| ||^alpha     x, y: (n, d); row i: a positive pair

    Between 0 (each pair identical) and 2^alpha (opposite vectors).
    """
    x, y = unit_rows(np.asarray(x, dtype=np.float64)), unit_rows(np.asarray(y, dtype=np.float64))
    if x.ndim != 2 or x.shape != y.shape or len(x) == 0:
        raise ValueError(f"x, y must be (n, d) arrays of one shape, got {x.shape}, {y.shape}")
    return float((np.linalg.norm(x - y, axis=1) ** alpha).mean())


def uniformity(x: np.ndarray, t: float = 2.0, chunk_size: int = 2048) -> float:
    """Wang & Isola (2020)'s uniformity: how evenly the unit vectors spread over the sphere (lower
    is better; an anisotropic space — lesson 7 — scores near 0).

        uniform = log mean_{i<j} exp(-t || x_i / |x_i| - x_j / |x_j| ||^2)      x: (n, d), n >= 2

    For unit rows ||a - b||^2 = 2 - 2 cos(a, b); computed in blocks of ``chunk_size`` rows, with
    the log-sum-exp taken stably.
    """
    x = unit_rows(np.asarray(x, dtype=np.float64))
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"need an (n, d) array with n >= 2 rows, got shape {x.shape}")
    n, blocks = len(x), []
    for start in range(0, n, chunk_size):
        squared = 2.0 - 2.0 * (x[start : start + chunk_size] @ x.T)  # (rows, n)
        rows, cols = np.triu_indices(len(squared), k=1, m=n - start)
        blocks.append(-t * squared[rows, cols + start])  # the pairs i < j of these rows
    exponents = np.concatenate(blocks)
    top = exponents.max()
    return float(top + np.log(np.exp(exponents - top).mean()))


def sts_cosines(
    encoder: Encoder, pairs: Sequence[STSPair], batch_size: int = 32
) -> tuple[np.ndarray, np.ndarray]:
    """(cosine of each pair, gold score of each pair)."""
    gold = check_sts_pairs(pairs)
    vectors = encode_unique(encoder, [s for p in pairs for s in (p.s1, p.s2)], batch_size)
    u = np.stack([vectors[p.s1] for p in pairs])
    v = np.stack([vectors[p.s2] for p in pairs])
    return row_cosine(u, v), gold


def sts_spearman(encoder: Encoder, pairs: Sequence[STSPair], batch_size: int = 32) -> float:
    """Spearman rank correlation x 100 of cosine similarity vs gold score (the paper's metric)."""
    cosines, gold = sts_cosines(encoder, pairs, batch_size)
    return float(spearmanr(cosines, gold).statistic * 100)


def cross_encoder_spearman(
    model: PairScorer, pairs: Sequence[STSPair], batch_size: int = 32
) -> float:
    """Spearman x 100 of a cross-encoder's score for each pair vs the gold score (Table 2's BERT
    rows).

    The same metric as ``sts_spearman``; only where the similarity comes from differs: one forward
    pass over both sentences together instead of the cosine of two sentence vectors.
    """
    gold = check_sts_pairs(pairs)
    scores = model.predict([(p.s1, p.s2) for p in pairs], batch_size=batch_size)
    return float(spearmanr(scores, gold).statistic * 100)


def sts_pearson(encoder: Encoder, pairs: Sequence[STSPair], batch_size: int = 32) -> float:
    """Pearson correlation x 100 of cosine similarity vs gold score."""
    cosines, gold = sts_cosines(encoder, pairs, batch_size)
    return float(pearsonr(cosines, gold).statistic * 100)


def triplet_distances(
    encoder: Encoder, triplets: Sequence[Triplet], batch_size: int = 32
) -> tuple[np.ndarray, np.ndarray]:
    """Euclidean d(anchor, positive) and d(anchor, negative) of each triplet: two (n,) arrays."""
    if not triplets:
        raise ValueError("no triplets to evaluate")
    for index, triplet in enumerate(triplets):
        if (
            isinstance(triplet, str)
            or len(triplet) != 3
            or not all(isinstance(s, str) for s in triplet)
        ):
            raise TypeError(
                f"triplets[{index}] must be a Triplet(anchor, positive, negative) of three "
                f"sentences, got {triplet!r}"
            )
    vectors = encode_unique(encoder, [s for t in triplets for s in t], batch_size)
    a, p, n = (np.stack([vectors[t[i]] for t in triplets]) for i in range(3))  # (n, H) each
    return np.linalg.norm(a - p, axis=1), np.linalg.norm(a - n, axis=1)


def triplet_accuracy(encoder: Encoder, triplets: Sequence[Triplet], batch_size: int = 32) -> float:
    """Share of triplets with d(anchor, positive) < d(anchor, negative), Euclidean (Section 4.4)."""
    d_pos, d_neg = triplet_distances(encoder, triplets, batch_size)
    return float((d_pos < d_neg).mean())


def nli_accuracy(
    encoder: Encoder, softmax_loss, pairs: Sequence[NLIPair], batch_size: int = 32
) -> float:
    """Share of NLI pairs whose label the trained SoftmaxLoss classifier predicts, from u and v
    (Section 3).

    ``softmax_loss`` is the ``sbert_lab.losses.SoftmaxLoss`` trained together with ``encoder``; its
    classifier reads (u, v, |u - v|) of the premise and hypothesis embeddings. Chance is about 1/3.
    """
    import torch

    if not pairs:
        raise ValueError("no NLI pairs to evaluate")
    softmax_loss.check(pairs, encoder)  # the classifier's own check, naming the pair
    vectors = encode_unique(
        encoder, [s for p in pairs for s in (p.premise, p.hypothesis)], batch_size
    )
    device = softmax_loss.classifier.weight.device
    u = torch.from_numpy(np.stack([vectors[p.premise] for p in pairs])).to(device)  # (n, dim)
    v = torch.from_numpy(np.stack([vectors[p.hypothesis] for p in pairs])).to(device)  # (n, dim)
    with torch.inference_mode():
        predicted = softmax_loss.logits(u, v).argmax(dim=-1).cpu().numpy()
    gold = np.array([p.label for p in pairs])
    return float((predicted == gold).mean())


# -- checks: what the functions above refuse, out of their way -------------------------------------
def check_sts_pairs(pairs: Sequence[STSPair]) -> np.ndarray:
    """The gold scores as an array; TypeError / ValueError naming the first pair that cannot be
    evaluated.

    A correlation with gold scores that hold NaN, an infinity, or a single value is not a number a
    student should see ("nan", or -40 from a tie-break): it is refused, naming the pair.
    """
    if isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__len__"):
        raise TypeError(
            f"pairs must be a list of STSPair(s1, s2, score), got {type(pairs).__name__}"
        )
    if len(pairs) < 2:
        raise ValueError(f"a rank correlation needs at least 2 STS pairs, got {len(pairs)}")
    for index, pair in enumerate(pairs):
        s1, s2, score = (getattr(pair, name, None) for name in ("s1", "s2", "score"))
        if not (isinstance(s1, str) and isinstance(s2, str)):
            raise TypeError(
                f"pairs[{index}] must be an STSPair with two sentences (str), got {pair!r}"
            )
        if (
            isinstance(score, bool)
            or not isinstance(score, (int, float, np.number))
            or not np.isfinite(score)
        ):
            raise ValueError(f"pairs[{index}] has gold score {score!r}: it must be a finite number")
    gold = np.array([p.score for p in pairs], dtype=np.float64)
    if len(gold) > 1 and np.all(gold == gold[0]):
        raise ValueError(
            f"all {len(gold)} pairs have the same gold score {gold[0]:g}: a correlation with it is "
            "undefined"
        )
    return gold
