"""Which approximate-nearest-neighbour library lesson 9 uses: FAISS vs hnswlib, measured in one run.

    HF_HUB_OFFLINE=1 .venv/bin/python bench/ann.py [--real 8000] [--size 50000]

Workload: the packaged all-MiniLM-L6-v2 encodes ``--real`` unique sentences of the shipped STS-B,
SNLI and SICK sets (unit vectors, d = 384); the corpus is grown to ``--size`` with
``course.ann.jittered_copies``; 500 further real sentences are the queries. Both libraries build the
same HNSW graph (M = 32, efConstruction 80) with their default thread count, then answer the queries
one at a time at several efSearch values. Reported: build seconds, median ms per query (best of 3
passes), recall@10 against FAISS brute force, bytes per vector. The ratio hnswlib / FAISS of
build and query time is what decides, never one library's absolute time.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab import course  # noqa: E402


def shipped_sentences() -> list[str]:
    sentences = [
        s
        for split in ("train", "dev", "test")
        for p in sl.data.load_sts("stsb", split)
        for s in (p.s1, p.s2)
    ]
    for name, splits in (("snli", ("dev", "test")), ("sick", ("train", "trial", "test"))):
        sentences += [
            s
            for split in splits
            for p in sl.data.load_nli(name, split)
            for s in (p.premise, p.hypothesis)
        ]
    return list(dict.fromkeys(sentences))


def hnswlib_index(vectors: np.ndarray, links: int, build_breadth: int):
    import hnswlib

    index = hnswlib.Index(space="ip", dim=vectors.shape[1])
    index.init_index(
        max_elements=len(vectors), M=links, ef_construction=build_breadth, random_seed=0
    )
    index.add_items(vectors)
    return index


def hnswlib_query(index, queries: np.ndarray, k: int, breadth: int) -> tuple[np.ndarray, float]:
    index.set_ef(breadth)
    index.set_num_threads(1)
    best, ids = np.inf, None
    for _ in range(3):
        started = time.perf_counter()
        ids = np.stack([index.knn_query(q[None, :], k=k)[0][0] for q in queries])
        best = min(best, time.perf_counter() - started)
    return ids.astype(np.int64), 1000 * best / len(queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=int, default=8000)
    parser.add_argument("--size", type=int, default=50_000)
    args = parser.parse_args()
    import faiss

    sentences = shipped_sentences()
    encoder = sl.SentenceEncoder(sl.model_sources.PACKAGED_MINILM)
    vectors = course.search.normalize_rows(
        encoder.encode(sentences[: args.real + 500], batch_size=64)
    )
    real, queries = vectors[: args.real], vectors[args.real :]
    corpus = np.concatenate([real, course.ann.jittered_copies(real, args.size - len(real))])
    k = 10
    exact = course.ann.search(course.ann.exact_index(corpus), queries, k)
    print(
        f"corpus {len(corpus):,} vectors ({len(real):,} real sentences), {len(queries)} queries, "
        f"d={corpus.shape[1]}"
    )

    started = time.perf_counter()
    ours = course.ann.hnsw_index(corpus, links=32, build_breadth=80)
    faiss_build = time.perf_counter() - started
    started = time.perf_counter()
    theirs = hnswlib_index(corpus, 32, 80)
    hnswlib_build = time.perf_counter() - started
    print(
        f"build: faiss {faiss_build:.1f} s, hnswlib {hnswlib_build:.1f} s (ratio hnswlib/faiss "
        f"{hnswlib_build / faiss_build:.2f})"
    )
    faiss.omp_set_num_threads(1)
    print("efSearch | faiss ms  recall@10 | hnswlib ms  recall@10 | ms ratio hnswlib/faiss")
    for breadth in (16, 32, 64, 128):
        ours.hnsw.efSearch = breadth
        faiss_ms = course.ann.query_milliseconds(ours, queries, k)
        faiss_recall = course.ann.recall_vs_exact(course.ann.search(ours, queries, k), exact)
        ids, hnswlib_ms = hnswlib_query(theirs, queries, k, breadth)
        hnswlib_recall = course.ann.recall_vs_exact(ids, exact)
        print(
            f"{breadth:>8} | {faiss_ms:8.3f}  {faiss_recall:9.3f} | {hnswlib_ms:10.3f}  "
            f"{hnswlib_recall:9.3f} | {hnswlib_ms / faiss_ms:.2f}"
        )
    print(
        f"bytes per vector: faiss HNSW {course.ann.bytes_per_vector(ours):.0f}; IVF-PQ 48 codes "
        f"{course.ann.bytes_per_vector(course.ann.ivfpq_index(corpus)):.0f}; flat fp32 "
        f"{4 * corpus.shape[1]}"
    )


if __name__ == "__main__":
    main()
