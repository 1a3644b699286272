"""Approximate nearest-neighbour search: what makes SBERT's "milliseconds in 40 M questions" true.

The paper (Section 1) motivates SBERT with search: "finding the most similar question in 40 million
existent questions of Quora ... can be reduced to milliseconds" once every question is a vector and
the vectors sit in an index made for the job. Brute force (``search.top_k_cosine``) reads all n
vectors for every query, so its time grows like n. An index reads a small part of them:

    HNSW (Malkov & Yashunin 2018): a graph whose nodes are the vectors; a query walks from an entry
        point towards its neighbours, layer by layer, visiting ~ log n nodes. Exact vectors are kept
        (4·d bytes each) plus 2·M links per vector.
    IVF-PQ (Jégou et al. 2011): k-means splits the space into ``lists`` cells; a query scans only
        the ``probe`` nearest cells, and each vector is stored as ``sub_vectors`` one-byte codes
        (product quantisation) instead of d floats: 48 bytes instead of 1,536 for d = 384.

Both come from FAISS (``pip install faiss-cpu``). ``bench/ann.py`` measured it against hnswlib on
the same HNSW graph (50,000 MiniLM vectors, M 32): hnswlib answered a query in 0.79-0.91 of FAISS's
time at equal recall and built in 0.95 of it; FAISS is used because one library then gives exact,
graph and compressed (PQ) indexes, and it installs as a wheel where hnswlib compiles from source.
Vectors must be unit length, so that the inner product FAISS maximises is the cosine similarity.

    corpus E (n, d) unit --index--> index;  queries Q (q, d) unit --search(k)--> ids (q, k)
    recall@k vs exact = mean over queries of |approximate top k ∩ exact top k| / k

Example::

    exact, hnsw = exact_index(E), hnsw_index(E)
    recall = recall_vs_exact(search(hnsw, Q, 10), search(exact, Q, 10))
"""

from __future__ import annotations

import time

import numpy as np

from ..checks import integer, vector_rows
from .search import normalize_rows


def _faiss():
    try:
        import faiss
    except ImportError as err:  # an optional dependency for one lesson
        raise ImportError("approximate search needs FAISS: pip install faiss-cpu") from err
    return faiss


def _checked_unit_rows(vectors: np.ndarray, name: str) -> np.ndarray:
    """``vectors`` as C-contiguous float32 rows that must already be unit length (or zero)."""
    x = vector_rows(name, vectors, empty_ok=False)
    norms = np.linalg.norm(x, axis=1)
    off = np.flatnonzero((np.abs(norms - 1) > 1e-3) & (norms > 0))
    if len(off):
        raise ValueError(
            f"{name}: {len(off)} of {len(x)} rows are not unit length (row {off[0]} has norm "
            f"{norms[off[0]]:.3f}); pass course.search.normalize_rows(vectors): inner product is "
            "cosine only for unit vectors"
        )
    return x


# -- indexes ---------------------------------------------------------------------------------------
def exact_index(vectors: np.ndarray):
    """Brute force in FAISS (``IndexFlatIP``): every query reads all n vectors; the recall
    reference."""
    x = _checked_unit_rows(vectors, "vectors")
    index = _faiss().IndexFlatIP(x.shape[1])
    index.add(x)
    return index


def hnsw_index(
    vectors: np.ndarray, links: int = 32, build_breadth: int = 80, search_breadth: int = 64
):
    """An HNSW graph over ``vectors``: ``links`` (M) neighbours per node, candidate lists of
    ``build_breadth`` while building and ``search_breadth`` while searching (larger: slower, higher
    recall).
    """
    x = _checked_unit_rows(vectors, "vectors")
    faiss = _faiss()
    index = faiss.IndexHNSWFlat(x.shape[1], links, faiss.METRIC_INNER_PRODUCT)
    index.hnsw.efConstruction = build_breadth
    index.hnsw.efSearch = search_breadth
    index.add(x)
    return index


def ivfpq_index(
    vectors: np.ndarray,
    lists: int | None = None,
    sub_vectors: int = 48,
    probe: int = 16,
    seed: int = 0,
):
    """An IVF-PQ index: ``lists`` k-means cells (default 4·√n, at most n / 39), each vector stored
    as ``sub_vectors`` one-byte product-quantisation codes; a query scans the ``probe`` nearest
    cells.

    Trained on the corpus itself, which must hold at least 10,000 vectors: each sub-quantiser learns
    256 centroids, and k-means wants ~39 points per centroid.
    """
    x = _checked_unit_rows(vectors, "vectors")
    n, d = x.shape
    integer("sub_vectors", sub_vectors, at_least=1)
    if d % sub_vectors:
        raise ValueError(f"sub_vectors={sub_vectors} must divide the vector width {d}")
    faiss = _faiss()
    lists = lists or min(int(4 * np.sqrt(n)), n // 39)
    if n < max(39 * 256, 39 * lists):
        raise ValueError(
            f"{n:,} vectors are too few to train {lists} cells and 256 codes per sub-vector (FAISS "
            f"wants 39 training vectors per centroid: at least {max(39 * 256, 39 * lists):,})"
        )
    quantizer = faiss.IndexFlatIP(d)
    index = faiss.IndexIVFPQ(quantizer, d, lists, sub_vectors, 8, faiss.METRIC_INNER_PRODUCT)
    index.cp.seed = seed
    index.pq.cp.seed = seed
    index.train(x)
    index.add(x)
    index.nprobe = probe
    return index


# -- fewer bytes per vector: int8 and binary codes (lesson 12) -------------------------------------
def int8_index(vectors: np.ndarray):
    """Each dimension scaled to 256 levels between its smallest and largest corpus value (FAISS
    ``IndexScalarQuantizer``, 8 bits; the corpus is the calibration set): d bytes a vector, 4x less
    than float32, searched exactly on the decoded values."""
    x = _checked_unit_rows(vectors, "vectors")
    faiss = _faiss()
    index = faiss.IndexScalarQuantizer(
        x.shape[1], faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
    )
    index.train(x)
    index.add(x)
    return index


class BinaryIndex:
    """One bit per dimension — the sign of each coordinate — searched by Hamming distance (FAISS
    ``IndexBinaryFlat``): d / 8 bytes a vector in memory, 32x less than float32 (the "binary
    embeddings" of sentence-transformers' quantisation study, 2024).

    ``rescore`` > 0 re-ranks the best ``rescore × k`` Hamming candidates by the inner product of
    the float query with their int8 vectors (each dimension scaled to 256 levels, as
    ``int8_index``): the study's recipe, where the int8 copy stays on disk and only the shortlist
    is read, so the memory per vector stays d / 8 bytes (``rescore_bytes_per_vector`` more on disk).
    Same ``search(queries, k)`` as a FAISS index.
    """

    def __init__(self, vectors: np.ndarray, rescore: int = 0):
        x = _checked_unit_rows(vectors, "vectors")
        if x.shape[1] % 8:
            raise ValueError(f"binary codes pack 8 dimensions a byte: width {x.shape[1]} is not")
        faiss = _faiss()
        self.rescore = integer("rescore", rescore, at_least=0)
        self.d = x.shape[1]
        self.codes = np.packbits(x > 0, axis=1)  # (n, d / 8) uint8
        self.index = faiss.IndexBinaryFlat(self.d)
        self.index.add(self.codes)
        self.int8 = self.int8_codes = None
        if self.rescore:
            self.int8 = faiss.ScalarQuantizer(self.d, faiss.ScalarQuantizer.QT_8bit)
            self.int8.train(x)
            self.int8_codes = self.int8.compute_codes(x)  # (n, d) uint8: "on disk"

    @property
    def ntotal(self) -> int:
        return self.index.ntotal

    @property
    def rescore_bytes_per_vector(self) -> int:
        """Bytes per vector of the int8 copy that rescoring reads (0 without rescoring)."""
        return self.d if self.rescore else 0

    def search(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, ids), each (q, k), best first: Hamming distances, or rescored inner
        products."""
        shortlist = min(self.ntotal, k * max(1, self.rescore))
        distances, ids = self.index.search(np.packbits(queries > 0, axis=1), shortlist)
        if not self.rescore:
            return distances[:, :k], ids[:, :k]
        candidates = self.int8.decode(self.int8_codes[ids.ravel()]).reshape(*ids.shape, self.d)
        scores = np.einsum("qd,qcd->qc", queries, candidates)  # float query · int8 vector
        best = np.argsort(-scores, axis=1, kind="stable")[:, :k]
        return np.take_along_axis(scores, best, 1), np.take_along_axis(ids, best, 1)


# -- measuring them --------------------------------------------------------------------------------
def search(index, queries: np.ndarray, k: int) -> np.ndarray:
    """The ids (q, k) of each query's k nearest corpus rows, best first; k is capped at the
    index's size, as in ``search.top_k_cosine`` (FAISS would fill the missing places with -1)."""
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    _, ids = index.search(_queries(index, queries), min(int(k), index.ntotal))
    return ids


def _queries(index, queries: np.ndarray) -> np.ndarray:
    """``queries`` as unit float32 rows of the index's width (FAISS only asserts the width)."""
    q = _checked_unit_rows(queries, "queries")
    if q.shape[1] != index.d:
        raise ValueError(
            f"queries have {q.shape[1]} dimensions but the index holds {index.d}-dimensional "
            "vectors: encode the queries with the model that encoded the corpus"
        )
    return q


def recall_vs_exact(approximate: np.ndarray, exact: np.ndarray) -> float:
    """Mean over queries of the share of the exact top k that the approximate top k also holds."""
    if approximate.shape != exact.shape:
        raise ValueError(
            f"approximate ids {approximate.shape} and exact ids {exact.shape} differ in shape"
        )
    k = exact.shape[1]
    return float(
        np.mean(
            [
                len(set(a.tolist()) & set(e.tolist())) / k
                for a, e in zip(approximate, exact, strict=True)
            ]
        )
    )


def query_milliseconds(index, queries: np.ndarray, k: int = 10, repeats: int = 3) -> float:
    """Mean wall milliseconds to answer one query, asked one at a time (a user's lookup).

    The fastest of ``repeats`` passes over all queries, divided by their number, so that a moment of
    load elsewhere on the machine does not count; timings still vary between machines and runs.
    """
    q = _queries(index, queries)
    faiss = _faiss()
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # one lookup, one core: the latency a single user sees
    try:
        best = np.inf
        for _ in range(repeats):
            started = time.perf_counter()
            for row in q:
                index.search(row[None, :], k)
            best = min(best, time.perf_counter() - started)
    finally:
        faiss.omp_set_num_threads(threads)
    return 1000 * best / len(q)


def bytes_per_vector(index) -> float:
    """The index's serialised size divided by the vectors it holds: what one more vector costs."""
    if isinstance(index, BinaryIndex):
        return len(_faiss().serialize_index_binary(index.index)) / index.ntotal
    return len(_faiss().serialize_index(index)) / index.ntotal


def growth_exponent(sizes, values) -> tuple[float, float]:
    """Fit ``value = a * size**b`` by least squares in log-log space; returns (a, b)."""
    b, log_a = np.polyfit(np.log(np.asarray(sizes, float)), np.log(np.asarray(values, float)), 1)
    return float(np.exp(log_a)), float(b)


# -- a bigger corpus than the sentences we have ----------------------------------------------------
def jittered_copies(vectors: np.ndarray, n: int, noise: float = 0.5, seed: int = 0) -> np.ndarray:
    """``n`` synthetic unit vectors, each a real row plus Gaussian noise of total length ``noise``.

    For growing a corpus past the real sentences available; the copies are not sentences and say
    nothing about semantics, but they spread around the real ones instead of piling onto them
    (with ``noise`` 0.5 a copy keeps a cosine of about 0.9 with its source).
    """
    x = _checked_unit_rows(vectors, "vectors")
    rng = np.random.default_rng(seed)
    sources = x[rng.integers(0, len(x), size=n)]
    jitter = rng.standard_normal(sources.shape).astype(np.float32) * (noise / np.sqrt(x.shape[1]))
    return normalize_rows(sources + jitter)


def grown_corpus(real: np.ndarray, size: int, seed: int = 0) -> np.ndarray:
    """``size`` unit vectors: the rows of ``real`` first, then ``jittered_copies`` of them (drawn
    with ``seed``) for the rest; only the first ``size`` rows of ``real`` when it has more."""
    x = _checked_unit_rows(real, "real")
    return np.concatenate([x, jittered_copies(x, max(0, size - len(x)), seed=seed)])[:size]
