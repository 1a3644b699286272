"""Semantic search with a bi-encoder, re-ranking with a cross-encoder, and paraphrase mining.

This is the use the paper was written for (Section 1): BERT as a cross-encoder needs
n(n-1)/2 forward passes to find the most similar pair among n sentences (65 hours for 10,000),
while SBERT encodes each sentence once and compares vectors with cosine similarity (seconds).

    corpus  --encode, unit length-->  E (n, d)
    queries --encode, unit length-->  Q (q, d)
    scores = Q @ E.T                  (q, n)   cosine similarity, one chunk of queries at a time
    top-k  = argpartition + sort      (q, k)

The retrieve-then-re-rank pattern (bi-encoder for recall over the whole corpus, cross-encoder for
precision over the top k) is the one sentence-transformers documents for retrieval; the paper's
Table 2 is why it works: the cross-encoder scores pairs better (88.77 vs 86.10 on STS-B) but cannot
be run on every pair.

Nothing here builds an (n, n) matrix: ``top_k_cosine`` and ``mine_paraphrases`` work on chunks of
rows and keep only the best candidates, so memory is O(chunk_size * n), not O(n^2).

Example::

    index = build_index(encoder, corpus)                        # unit-length embeddings
    scores, ids = index.search(encoder, ["How do I bake bread?"], k=5)
    pairs = mine_paraphrases(index.embeddings, top_n=10)        # [(cosine, i, j), ...] best first
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ..checks import vector_rows
from ..encoder import check_sentences
from ..evaluation import unit_rows


# -- vectors ---------------------------------------------------------------------------------------
def normalize_rows(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, float32; an all-zero row stays zero (its cosine with anything is
    0)."""
    return unit_rows(vector_rows("vectors", x))


def _check_k(k: int, n: int, name: str = "k") -> int:
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"{name} must be a positive integer, got {k!r}")
    return min(int(k), n)


def _check_chunk(chunk_size: int) -> int:
    if not isinstance(chunk_size, (int, np.integer)) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    return int(chunk_size)


def _top_k_rows(scores: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` columns of each row of ``scores`` (q, n), best first (equal scores by column)."""
    if k < scores.shape[1]:
        candidates = np.argpartition(-scores, k - 1, axis=1)[:, :k]  # (q, k), unordered
    else:
        candidates = np.broadcast_to(np.arange(scores.shape[1]), scores.shape)
    candidate_scores = np.take_along_axis(scores, candidates, axis=1)
    order = np.lexsort((candidates, -candidate_scores), axis=1)  # score descending, then column
    ids = np.take_along_axis(candidates, order, axis=1)
    return np.take_along_axis(scores, ids, axis=1), ids


# -- top-k retrieval -------------------------------------------------------------------------------
def top_k_cosine(
    queries: np.ndarray,
    corpus: np.ndarray,
    k: int = 10,
    chunk_size: int = 1024,
    exclude: Sequence[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` corpus rows most cosine-similar to each query row.

    Args:
        queries: (q, d) query vectors; corpus: (n, d) corpus vectors (normalised here, so any scale
            works).
        k: neighbours per query (at most n, or n - 1 with ``exclude``).
        chunk_size: queries scored at once; memory is chunk_size * n floats.
        exclude: for each query, one corpus row it may not return (its own row when the queries are
            corpus sentences), or -1 for none.

    Returns:
        (scores (q, k) float32 cosines, best first; ids (q, k) int64 corpus rows).
    """
    q, c = normalize_rows(queries), normalize_rows(corpus)
    if q.shape[1] != c.shape[1] or len(c) == 0:
        d = q.shape[1]
        raise ValueError(f"queries have {d} dimensions: the corpus must be (n>=1, {d}): {c.shape}")
    exclude = _exclude_rows(exclude, len(q), len(c))
    excluding = exclude is not None and bool((exclude >= 0).any())
    k = _check_k(k, len(c) - 1 if excluding else len(c))
    chunk_size = _check_chunk(chunk_size)
    all_scores = np.empty((len(q), k), dtype=np.float32)
    all_ids = np.empty((len(q), k), dtype=np.int64)
    for start in range(0, len(q), chunk_size):
        stop = min(start + chunk_size, len(q))
        scores = q[start:stop] @ c.T  # (chunk, n)
        if exclude is not None:
            rows = np.flatnonzero(exclude[start:stop] >= 0)
            scores[rows, exclude[start:stop][rows]] = -np.inf
        all_scores[start:stop], all_ids[start:stop] = _top_k_rows(scores, k)
    return all_scores, all_ids


def _exclude_rows(exclude, queries: int, rows: int) -> np.ndarray | None:
    """``exclude`` as an int64 array of one corpus row (or -1) per query; ValueError otherwise."""
    if exclude is None:
        return None
    exclude = np.asarray(exclude, dtype=np.int64)
    if exclude.shape != (queries,) or (exclude >= rows).any() or (exclude < -1).any():
        raise ValueError(
            f"exclude must hold one corpus row (0..{rows - 1}) or -1 per query ({queries}); got "
            f"shape {exclude.shape}, {exclude.tolist()[:5]}: outside the corpus, or a wrong count"
        )
    return exclude


@dataclass
class CorpusIndex:
    """A corpus and its unit-length embeddings: the whole "index" a bi-encoder needs.

    ``embeddings[i]`` belongs to ``sentences[i]``; ``row`` maps a sentence back to its row.
    """

    sentences: list[str]
    embeddings: np.ndarray  # (n, d), unit rows

    def __post_init__(self) -> None:
        if len(self.sentences) != len(self.embeddings):
            raise ValueError(
                f"{len(self.sentences)} sentences but {len(self.embeddings)} embeddings"
            )
        self.row = {sentence: i for i, sentence in enumerate(self.sentences)}
        if len(self.row) != len(self.sentences):
            raise ValueError(
                "the corpus holds duplicate sentences; build it with build_index, which removes "
                "them"
            )

    def __len__(self) -> int:
        return len(self.sentences)

    def search(
        self, encoder, queries: Sequence[str], k: int = 10, batch_size: int = 32
    ) -> tuple[np.ndarray, np.ndarray]:
        """Encode ``queries`` with ``encoder`` and return ``top_k_cosine`` against the corpus."""
        vectors = encoder.encode(check_sentences(queries), batch_size=batch_size)
        return top_k_cosine(vectors, self.embeddings, k=k)


def build_index(
    encoder, sentences: Iterable[str], batch_size: int = 32, progress: bool = False
) -> CorpusIndex:
    """Encode each distinct sentence once (first occurrence kept, order kept) and unit-normalise."""
    unique = list(
        dict.fromkeys(check_sentences(sentences))
    )  # a single string is refused, not split
    if not unique:
        raise ValueError("no sentences to index")
    vectors = encoder.encode(unique, batch_size=batch_size, progress=progress)
    return CorpusIndex(unique, normalize_rows(vectors))


# -- paraphrase mining -----------------------------------------------------------------------------
def mine_paraphrases(
    embeddings: np.ndarray,
    top_n: int = 100,
    chunk_size: int = 256,
) -> list[tuple[float, int, int]]:
    """The ``top_n`` most cosine-similar pairs (i < j) of rows, best first, without an (n, n)
    matrix.

    Rows are scored ``chunk_size`` at a time against the rows after them (each pair once, no
    diagonal); each chunk's best ``top_n`` candidates are found with ``argpartition`` and merged
    into a heap that holds the best ``top_n`` seen so far. Memory: chunk_size * n scores, never n *
    n. Pairs with exactly equal scores are listed by (i, j).

    Returns:
        [(cosine, i, j), ...] sorted by cosine descending, then i, then j.
    """
    e = normalize_rows(embeddings)
    n = len(e)
    if n < 2:
        raise ValueError(f"paraphrase mining needs at least 2 rows, got {n}")
    top_n = _check_k(top_n, n * (n - 1) // 2, "top_n")
    chunk_size = _check_chunk(chunk_size)
    best: list[
        tuple[float, int, int]
    ] = []  # a min-heap on (score, -i, -j): the root is the worst kept pair
    for start in range(0, n - 1, chunk_size):
        stop = min(start + chunk_size, n - 1)
        scores = e[start:stop] @ e[start:].T  # (chunk, n - start): rows i, columns j >= start
        i_local, j_local = np.meshgrid(
            np.arange(stop - start), np.arange(n - start), indexing="ij", sparse=True
        )
        scores = np.where(j_local > i_local, scores, -np.inf)  # keep j > i only
        flat = scores.ravel()
        take = min(top_n, int(np.isfinite(flat).sum()))
        candidates = (
            np.argpartition(-flat, take - 1)[:take] if take < flat.size else np.arange(flat.size)
        )
        for position in candidates:
            score = float(flat[position])
            if not np.isfinite(score):
                continue
            i, j = divmod(int(position), n - start)
            item = (score, -(start + i), -(start + j))
            if len(best) < top_n:
                heapq.heappush(best, item)
            elif item > best[0]:
                heapq.heapreplace(best, item)
    return sorted(((s, -i, -j) for s, i, j in best), key=lambda t: (-t[0], t[1], t[2]))


# -- evaluation ------------------------------------------------------------------------------------
def paraphrase_queries(
    pairs: Iterable[tuple[str, str]], index: CorpusIndex
) -> tuple[np.ndarray, list[set[int]]]:
    """Turn paraphrase pairs into retrieval queries over ``index``.

    Each sentence of a pair is a query whose relevant answers are all its known paraphrases (both
    directions, gathered over all pairs). Pairs with a sentence outside the corpus are skipped.

    Returns:
        (query rows (q,) into the corpus, relevant rows: one set per query).
    """
    relevant: dict[int, set[int]] = {}
    for a, b in pairs:
        if a == b or a not in index.row or b not in index.row:
            continue
        ia, ib = index.row[a], index.row[b]
        relevant.setdefault(ia, set()).add(ib)
        relevant.setdefault(ib, set()).add(ia)
    rows = np.array(sorted(relevant), dtype=np.int64)
    return rows, [relevant[int(r)] for r in rows]


def recall_at_k(
    retrieved: np.ndarray | Sequence[Sequence[int]], relevant: Sequence[set[int]], k: int
) -> float:
    """Mean over queries of |relevant ∩ first k retrieved| / |relevant|.

    With one relevant item per query this is the share of queries whose answer is in the top k.

    Args:
        retrieved: (q, >= k) retrieved ids per query, best first.
        relevant: one non-empty set of relevant ids per query.
    """
    if len(retrieved) != len(relevant):
        raise ValueError(f"{len(retrieved)} retrieved rows but {len(relevant)} relevant sets")
    if not relevant:
        raise ValueError("no queries to evaluate")
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    recalls = []
    for q, (ids, wanted) in enumerate(zip(retrieved, relevant, strict=True)):
        if not wanted:
            raise ValueError(f"query {q} has no relevant items")
        if len(ids) < k:
            raise ValueError(f"query {q} has {len(ids)} retrieved ids, fewer than k={k}")
        recalls.append(len(set(int(i) for i in ids[:k]) & set(wanted)) / len(wanted))
    return float(np.mean(recalls))


# -- re-ranking ------------------------------------------------------------------------------------
def rerank(
    cross_encoder,
    queries: Sequence[str],
    candidate_ids: np.ndarray,
    sentences: Sequence[str],
    batch_size: int = 32,
    progress: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """Re-order each query's bi-encoder candidates by the cross-encoder's score of (query,
    candidate).

    All q * k pairs go to ``cross_encoder.predict`` in one call (it batches them). Re-ranking only
    permutes the k candidates: recall@k is unchanged, recall@1..k-1 can move.

    Returns:
        (scores (q, k), ids (q, k)) with each row sorted by cross-encoder score, best first.
    """
    candidate_ids = np.asarray(candidate_ids, dtype=np.int64)
    if candidate_ids.ndim != 2 or len(candidate_ids) != len(queries):
        raise ValueError(
            f"candidate_ids must be (len(queries)={len(queries)}, k), got shape "
            f"{candidate_ids.shape}"
        )
    outside = (candidate_ids < 0) | (candidate_ids >= len(sentences))
    if outside.any():
        q, position = np.argwhere(outside)[0]
        raise ValueError(
            f"candidate_ids[{q}, {position}] = {candidate_ids[q, position]} is not a row of the "
            f"{len(sentences)} sentences (0..{len(sentences) - 1})"
        )
    pairs = [
        (query, sentences[j])
        for query, row in zip(queries, candidate_ids, strict=True)
        for j in row
    ]
    scores = np.asarray(
        cross_encoder.predict(pairs, batch_size=batch_size, progress=progress), dtype=np.float32
    )
    if scores.shape != (len(pairs),):
        raise ValueError(
            f"cross_encoder.predict returned shape {scores.shape} for {len(pairs)} pairs; expected "
            f"({len(pairs)},)"
        )
    scores = scores.reshape(candidate_ids.shape)
    order = np.argsort(-scores, axis=1, kind="stable")  # ties keep the bi-encoder's order
    return np.take_along_axis(scores, order, axis=1), np.take_along_axis(
        candidate_ids, order, axis=1
    )


__all__ = [
    "CorpusIndex",
    "build_index",
    "mine_paraphrases",
    "normalize_rows",
    "paraphrase_queries",
    "recall_at_k",
    "rerank",
    "top_k_cosine",
]
