"""What a bi-encoder saves: timing a cross-encoder against SBERT, and extrapolating (Sections 1 and
7).

A cross-encoder (BERT reading both sentences at once) must run once for every pair it scores. To
find the most similar pair among n sentences it runs n(n−1)/2 times; a bi-encoder (SBERT) runs n
times and then compares the vectors with cosine similarity, a matrix product that costs next to
nothing::

    cross-encoder, n sentences:   pairs_needed(n) × seconds_per_pair          # grows like n²/2
    bi-encoder,    n sentences:   n × seconds_per_sentence + n² × seconds_per_cosine

The paper's figures (Section 1, a V100 GPU, BERT-base): n = 10,000 gives 49,995,000 pairs, about 65
hours of cross-encoding, against about 5 s for 10,000 SBERT embeddings plus about 0.01 s of cosine
similarity. Finding the most similar of 40 million Quora questions to one new question takes "over
50 hours" of cross-encoding. Section 7 (Table 7) adds smart batching: sort the sentences by length
and pad per batch.

The timing functions return the best of ``repeats`` runs after one warm-up run (the first call pays
for memory allocation and kernel selection), divided by the number of items: seconds per item.

Example::

    per_sentence = time_bi_encoder(encoder, sentences, batch_size=32)
    per_pair = time_cross_encoder(cross_encoder, all_pairs(sentences), batch_size=32)
    estimate = estimate_all_pairs(10_000, per_sentence, per_pair, time_cosine(encoder.dim))
    print(format_duration(estimate.cross_seconds), format_duration(estimate.bi_seconds))
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from ..batching import chunks, length_sorted_order

# -- the paper's figures ---------------------------------------------------------------------------
PAPER_SENTENCES = 10_000  # Section 1: "a collection of n = 10 000 sentences"
PAPER_PAIRS = (
    49_995_000  # Section 1: "requires about n·(n−1)/2 = 49 995 000 inference computations"
)
PAPER_CROSS_HOURS = 65.0  # Section 1: "On a modern V100 GPU, this requires about 65 hours"
PAPER_BI_SECONDS = (
    5.0  # Section 1 (and the abstract): "~5 seconds with SBERT" for the 10,000 embeddings
)
PAPER_COSINE_SECONDS = 0.01  # Section 1: "computing cosine-similarity (~0.01 seconds)"
PAPER_QUORA_QUESTIONS = 40_000_000  # Section 1: "over 40 million existent questions" on Quora
PAPER_QUORA_HOURS = 50.0  # Section 1: "a single query would require over 50 hours"
# Section 7, Table 7: sentences per second of SBERT-base without / with smart batching.
PAPER_SMART_BATCHING = {"cpu": (44.0, 83.0), "gpu": (1378.0, 2042.0)}


# -- counting --------------------------------------------------------------------------------------
def pairs_needed(n: int) -> int:
    """Unordered pairs among ``n`` sentences, n(n−1)/2: the cross-encoder passes to compare all of
    them.

    >>> pairs_needed(10_000)   # the paper's Section 1
    49995000
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n must be an int, got {type(n).__name__} ({n!r})")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    n = int(n)
    return n * (n - 1) // 2


def all_pairs(sentences: Sequence[str]) -> list[tuple[str, str]]:
    """Every unordered pair (s_i, s_j), i < j: the ``pairs_needed(len(sentences))`` inputs of a
    cross-encoder."""
    return list(itertools.combinations(sentences, 2))


# -- extrapolation ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllPairsEstimate:
    """Time to score every pair among ``n`` sentences with each architecture (Section 1's
    comparison)."""

    n: int
    pairs: int
    cross_seconds: float  # pairs × seconds per cross-encoder pair
    encode_seconds: float  # n × seconds per bi-encoder sentence
    cosine_seconds: float  # n² × seconds per cosine (the full similarity matrix)

    @property
    def bi_seconds(self) -> float:
        """Encoding plus the cosine matrix: the bi-encoder's total."""
        return self.encode_seconds + self.cosine_seconds

    @property
    def speedup(self) -> float:
        """How many times faster the bi-encoder is (inf when it costs nothing)."""
        return self.cross_seconds / self.bi_seconds if self.bi_seconds > 0 else float("inf")


def estimate_all_pairs(
    n: int, seconds_per_sentence: float, seconds_per_pair: float, seconds_per_cosine: float = 0.0
) -> AllPairsEstimate:
    """Extrapolate measured per-item costs to ``n`` sentences, all pairs compared (Section 1)."""
    _check_seconds(
        seconds_per_sentence=seconds_per_sentence,
        seconds_per_pair=seconds_per_pair,
        seconds_per_cosine=seconds_per_cosine,
    )
    pairs = pairs_needed(n)
    return AllPairsEstimate(
        n=int(n),
        pairs=pairs,
        cross_seconds=pairs * seconds_per_pair,
        encode_seconds=n * seconds_per_sentence,
        cosine_seconds=float(n) * n * seconds_per_cosine,
    )


@dataclass(frozen=True)
class SearchEstimate:
    """Time to find the closest of ``corpus_size`` sentences to one new query (the Quora
    example)."""

    corpus_size: int
    cross_seconds: float  # one cross-encoder pass per corpus sentence, for every query
    index_seconds: float  # bi-encoder: encode the corpus once, reused by every later query
    query_seconds: float  # bi-encoder: encode the query, then one cosine per corpus sentence


def estimate_search(
    corpus_size: int,
    seconds_per_sentence: float,
    seconds_per_pair: float,
    seconds_per_cosine: float = 0.0,
) -> SearchEstimate:
    """Extrapolate measured per-item costs to one query against ``corpus_size`` sentences (Section
    1)."""
    _check_seconds(
        seconds_per_sentence=seconds_per_sentence,
        seconds_per_pair=seconds_per_pair,
        seconds_per_cosine=seconds_per_cosine,
    )
    pairs_needed(corpus_size)  # the same checks on the size
    return SearchEstimate(
        corpus_size=int(corpus_size),
        cross_seconds=corpus_size * seconds_per_pair,
        index_seconds=corpus_size * seconds_per_sentence,
        query_seconds=seconds_per_sentence + corpus_size * seconds_per_cosine,
    )


def paper_seconds_per_pair() -> float:
    """Seconds per cross-encoder pair implied by Section 1: 65 h / 49,995,000 pairs ≈ 4.7 ms
    (V100)."""
    return PAPER_CROSS_HOURS * 3600 / PAPER_PAIRS


def paper_seconds_per_sentence() -> float:
    """Seconds per SBERT sentence implied by Section 1: 5 s / 10,000 sentences = 0.5 ms (V100)."""
    return PAPER_BI_SECONDS / PAPER_SENTENCES


def format_duration(seconds: float) -> str:
    """A duration a person can read: '850 µs', '12.3 ms', '4.9 s', '3.2 min', '65 h', '2.1 days',
    '3.4 years'.

    Hours run up to 99 h, so that the paper's "65 hours" reads as it does in the paper.
    """
    if not (seconds >= 0 and np.isfinite(seconds)):
        raise ValueError(f"seconds must be finite and >= 0, got {seconds}")
    ladder = [
        (1e-3, 1e-6, "µs"),
        (1, 1e-3, "ms"),
        (60, 1, "s"),
        (3600, 60, "min"),
        (100 * 3600, 3600, "h"),
        (365.25 * 86400, 86400, "days"),
    ]
    for below, size, name in ladder:
        if seconds < below:
            return f"{seconds / size:.3g} {name}"
    years = seconds / (365.25 * 86400)
    return f"{years:.3g} years" if years < 1000 else f"{years:,.0f} years"


# -- timing ----------------------------------------------------------------------------------------
def best_seconds(run: Callable[[], object], repeats: int = 3, warmup: int = 1) -> float:
    """The fastest of ``repeats`` wall-clock timings of ``run()``, after ``warmup`` untimed calls.

    The minimum, not the mean: other processes can only make a run slower, never faster.
    """
    if repeats < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    for _ in range(warmup):
        run()
    timings = []
    for _ in range(repeats):
        _synchronize()
        start = time.perf_counter()
        run()
        _synchronize()
        timings.append(time.perf_counter() - start)
    return min(timings)


def time_bi_encoder(
    encoder, sentences: Sequence[str], batch_size: int = 32, repeats: int = 3
) -> float:
    """Seconds per sentence for ``encoder.encode(sentences, batch_size)`` (a bi-encoder's only model
    cost)."""
    sentences = _non_empty(list(sentences), "sentences")
    seconds = best_seconds(lambda: encoder.encode(sentences, batch_size=batch_size), repeats)
    return seconds / len(sentences)


def time_cross_encoder(
    cross_encoder, pairs: Sequence[tuple[str, str]], batch_size: int = 32, repeats: int = 3
) -> float:
    """Seconds per pair for ``cross_encoder.predict(pairs, batch_size)``: one transformer pass per
    pair."""
    pairs = _non_empty(list(pairs), "pairs")
    seconds = best_seconds(lambda: cross_encoder.predict(pairs, batch_size=batch_size), repeats)
    return seconds / len(pairs)


def time_cosine(
    dim: int, n: int = 2000, repeats: int = 3, device: str | torch.device = "cpu"
) -> float:
    """Seconds per cosine similarity, measured on an (n × n) matrix of random ``dim``-wide vectors.

    Random vectors cost the same as real ones; n = 2000 is large enough to hide call overhead.
    """
    if dim < 1 or n < 2:
        raise ValueError(f"need dim >= 1 and n >= 2, got dim={dim}, n={n}")
    vectors = torch.randn(n, dim, generator=torch.Generator().manual_seed(0)).to(device)  # (n, dim)
    unit = torch.nn.functional.normalize(
        vectors, dim=-1
    )  # unit rows: a dot product is now the cosine
    with torch.inference_mode():
        seconds = best_seconds(lambda: unit @ unit.T, repeats)  # (n, n) cosine matrix
    return seconds / (n * n)


# -- measured, not extrapolated --------------------------------------------------------------------
@dataclass(frozen=True)
class AllPairsTiming:
    """Measured wall-clock seconds to compare all pairs of the first ``n`` sentences, both ways."""

    n: int
    pairs: int
    cross_seconds: (
        float  # cross-encoder over every pair (scaled up when only ``timed_pairs`` were timed)
    )
    bi_seconds: float  # encode n sentences + their cosine matrix
    timed_pairs: int  # pairs actually run through the cross-encoder

    @property
    def scaled(self) -> bool:
        """True when the cross-encoder time was measured on a sample of the pairs and scaled up."""
        return self.timed_pairs < self.pairs


def time_all_pairs(
    encoder,
    cross_encoder,
    sentences: Sequence[str],
    sizes: Sequence[int],
    batch_size: int = 32,
    max_pairs: int = 20_000,
    repeats: int = 1,
) -> list[AllPairsTiming]:
    """For each n in ``sizes``: time both architectures comparing all pairs of ``sentences[:n]``.

    The cross-encoder scores ``pairs_needed(n)`` pairs; beyond ``max_pairs`` it scores the first
    ``max_pairs`` of them and the time is scaled up (``AllPairsTiming.scaled``), so that a GPU
    profile with n = 2000 (about 2 million pairs) still finishes in seconds.
    """
    sentences = list(sentences)
    rows = []
    for n in sizes:
        if not 2 <= n <= len(sentences):
            raise ValueError(
                f"sizes: n={n} must be between 2 and the {len(sentences)} sentences given"
            )
        chosen = sentences[:n]
        pairs = all_pairs(chosen)[:max_pairs]
        cross = best_seconds(
            lambda pairs=pairs: cross_encoder.predict(pairs, batch_size=batch_size), repeats
        )
        cross *= pairs_needed(n) / len(pairs)

        def bi(chosen=chosen):
            unit = torch.from_numpy(
                encoder.encode(chosen, batch_size=batch_size, normalize=True)
            )  # (n, dim)
            return unit @ unit.T  # (n, n) cosine matrix

        rows.append(
            AllPairsTiming(n, pairs_needed(n), cross, best_seconds(bi, repeats), len(pairs))
        )
    return rows


@dataclass(frozen=True)
class SmartBatchingTiming:
    """Sentences per second in input order and sorted by length (Section 7, Table 7)."""

    unsorted: float
    sorted: float

    @property
    def speedup(self) -> float:
        """sorted / unsorted throughput: 1.89 on the paper's CPU, 1.48 on its GPU."""
        return self.sorted / self.unsorted


def time_smart_batching(
    encoder, sentences: Sequence[str], batch_size: int = 32, repeats: int = 3, seed: int = 0
) -> SmartBatchingTiming:
    """Throughput of ``encoder.encode`` with and without smart batching, on the same sentences.

    The sentences are shuffled first (with ``seed``), so that "input order" means random lengths in
    every batch, as in a real corpus; smart batching then sorts them by token length (Section 7).
    """
    sentences = _non_empty(list(sentences), "sentences")
    order = np.random.default_rng(seed).permutation(len(sentences))
    shuffled = [sentences[i] for i in order]
    seconds = {
        sort: best_seconds(
            lambda sort=sort: encoder.encode(shuffled, batch_size=batch_size, sort_by_length=sort),
            repeats,
        )
        for sort in (False, True)
    }
    return SmartBatchingTiming(
        unsorted=len(shuffled) / seconds[False], sorted=len(shuffled) / seconds[True]
    )


def tokens_computed(lengths: Sequence[int], batch_size: int, sort_by_length: bool) -> int:
    """Token positions a transformer computes when each batch is padded to its longest sentence.

    Input order pads short sentences up to whatever long one shares their batch; smart batching
    (Section 7) sorts first, so a batch holds similar lengths. ``sum(lengths)`` is the least
    possible.
    """
    lengths = np.asarray(lengths, dtype=np.int64)
    order = length_sorted_order(lengths) if sort_by_length else np.arange(len(lengths))
    return int(sum(lengths[batch].max() * len(batch) for batch in chunks(order, batch_size)))


def time_precisions(
    encoder,
    sentences: Sequence[str],
    precisions: Sequence[str] = ("fp32", "bf16"),
    batch_size: int = 32,
    repeats: int = 3,
) -> dict[str, float]:
    """Sentences per second of ``encoder.encode`` in each precision; the encoder's own is restored
    after."""
    sentences = _non_empty(list(sentences), "sentences")
    original = encoder.precision
    throughput = {}
    try:
        for precision in precisions:
            encoder.precision = precision
            throughput[precision] = len(sentences) / best_seconds(
                lambda: encoder.encode(sentences, batch_size=batch_size), repeats
            )
    finally:
        encoder.precision = original
    return throughput


# -- helpers ---------------------------------------------------------------------------------------
def _synchronize() -> None:
    """Wait for queued GPU work, so that a timing covers the computation and not only its launch."""
    if torch.cuda.is_available():
        torch.cuda.synchronize()


def _non_empty(items: list, name: str) -> list:
    if not items:
        raise ValueError(f"{name} is empty: nothing to time")
    return items


def _check_seconds(**values: float) -> None:
    for name, value in values.items():
        if not (value >= 0 and np.isfinite(value)):
            raise ValueError(f"{name} must be finite and >= 0, got {value}")


__all__ = [
    "AllPairsEstimate",
    "AllPairsTiming",
    "SearchEstimate",
    "SmartBatchingTiming",
    "all_pairs",
    "best_seconds",
    "estimate_all_pairs",
    "estimate_search",
    "format_duration",
    "pairs_needed",
    "paper_seconds_per_pair",
    "paper_seconds_per_sentence",
    "time_all_pairs",
    "time_bi_encoder",
    "time_cosine",
    "time_cross_encoder",
    "time_precisions",
    "time_smart_batching",
]
