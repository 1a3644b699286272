"""Encoding speed: SentenceEncoder (default precision, and fp32) vs sentence-transformers, one run.

    SBERT_LAB_DATA=../shared/data HF_HUB_OFFLINE=1 .venv/bin/python bench/encode.py

Workload: the unique sentences of STS-B test, shuffled (seed 0), batch size 32, 2 torch threads,
the packaged all-MiniLM-L6-v2 for both libraries. Every method gets one untimed warm-up pass, then
the methods are timed in turn for ``--rounds`` rounds; the best round of each is reported (other
processes share this machine's cores, and the best round is the one they disturbed least). Speed is
reported as a ratio to sentence-transformers measured in the same run, never as an absolute claim.

The STS-B test Spearman of each method is computed from the vectors of its last timed pass, so a
fast mode that hurt quality would show here. Targets (issue 2): the default precision >= 3x
sentence-transformers with Spearman within 0.1 of fp32; fp32 >= 1.2x.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import time
import warnings

# Must precede the first import of torch. Waiting OpenMP threads sleep instead of spinning: on a
# machine whose cores other processes share, spinning made 2-thread encoding 5-15x slower for every
# method alike (see tests/conftest.py). Set OMP_WAIT_POLICY=ACTIVE to measure the spinning default.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab.model_sources import PACKAGED_MINILM, packaged_minilm_path  # noqa: E402


class Precomputed:
    """An 'encoder' that looks vectors up, so that ``sl.evaluation`` scores a finished pass."""

    def __init__(self, sentences: list[str], vectors: np.ndarray):
        self.rows = dict(zip(sentences, vectors, strict=True))

    def encode(self, sentences, batch_size: int = 32, **_) -> np.ndarray:
        return np.stack([self.rows[s] for s in sentences])


def timed(encode, sentences: list[str]) -> tuple[float, np.ndarray]:
    """Seconds taken by ``encode(sentences)``, and its vectors."""
    start = time.perf_counter()
    vectors = encode(sentences)
    return time.perf_counter() - start, vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed passes per method (best is kept)"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    torch.set_num_threads(args.threads)
    from sentence_transformers import SentenceTransformer

    pairs = sl.data.load_sts("stsb", "test")
    sentences = list(dict.fromkeys(s for p in pairs for s in (p.s1, p.s2)))
    random.Random(0).shuffle(sentences)

    ours_default = sl.SentenceEncoder(PACKAGED_MINILM)
    ours_fp32 = sl.SentenceEncoder(PACKAGED_MINILM, precision="fp32")
    reference = SentenceTransformer(str(packaged_minilm_path()), device="cpu")
    bs = args.batch_size
    methods = {
        f"SentenceEncoder, default ({ours_default.precision})": lambda s: ours_default.encode(
            s, batch_size=bs
        ),
        "SentenceEncoder, fp32": lambda s: ours_fp32.encode(s, batch_size=bs),
        "SentenceTransformer.encode (fp32)": lambda s: reference.encode(
            s, batch_size=bs, convert_to_numpy=True
        ),
    }

    load_at_start = os.getloadavg()[0]
    warnings.simplefilter("ignore")  # truncation warnings cannot happen here (max 256 tokens)
    for encode in methods.values():  # warm-up: first-call allocations, oneDNN kernel selection
        encode(sentences[:256])
    timings = {name: [] for name in methods}
    vectors = {}
    for _ in range(args.rounds):  # interleaved, so a noisy neighbour hurts every method alike
        for name, encode in methods.items():
            seconds, vectors[name] = timed(encode, sentences)
            timings[name].append(seconds)

    reference_name = list(methods)[-1]
    speed = {name: len(sentences) / min(t) for name, t in timings.items()}
    load_at_end = os.getloadavg()[0]
    busy = max(load_at_start, load_at_end) > (os.cpu_count() or 1)
    print(
        f"STS-B test: {len(sentences)} unique sentences, batch {bs}, {args.threads} threads, best "
        f"of {args.rounds} rounds; torch {torch.__version__}, "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}; load average at start "
        f"{load_at_start:.1f}, at end {load_at_end:.1f}"
        + (" (above the core count: other processes slowed this run down)" if busy else "")
        + "\n"
    )
    print("| method | sentences/s | vs sentence-transformers | STS-B test Spearman x 100 |")
    print("|---|---:|---:|---:|")
    for name in methods:
        spearman = sl.evaluation.sts_spearman(Precomputed(sentences, vectors[name]), pairs)
        ratio = speed[name] / speed[reference_name]
        print(f"| {name} | {speed[name]:,.0f} | {ratio:.2f}x | {spearman:.2f} |")
    print(
        "\nall rounds (s): "
        + "; ".join(f"{n}: " + ", ".join(f"{t:.2f}" for t in ts) for n, ts in timings.items())
    )


if __name__ == "__main__":
    main()
