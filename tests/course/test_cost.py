"""sbert_lab.course.cost: the counting and extrapolation exactly (Section 1's figures), the timers
for sanity."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from sbert_lab.course import cost
from sbert_lab.model_sources import TINY_RANDOM_BERT

SENTENCES = [
    "A man is playing a guitar.",
    "Two dogs run across a snowy field while their owner watches from the porch.",
    "Rain.",
    "The stock market fell sharply on Monday after the central bank raised interest rates again.",
    "A child eats an apple.",
    "Someone is cooking pasta in a small kitchen.",
]


# -- counting and extrapolation: exact ------------------------------------------------------------
def test_pairs_needed_matches_the_paper_and_the_binomial_coefficient():
    assert cost.pairs_needed(10_000) == 49_995_000 == cost.PAPER_PAIRS
    assert [cost.pairs_needed(n) for n in range(5)] == [0, 0, 1, 3, 6]
    assert cost.pairs_needed(40_000_000) == math.comb(40_000_000, 2)  # exact, no float rounding
    assert cost.pairs_needed(np.int64(100)) == 4950


@pytest.mark.parametrize(
    "bad, error", [(-1, ValueError), (2.5, TypeError), (True, TypeError), ("10", TypeError)]
)
def test_pairs_needed_rejects_what_is_not_a_count(bad, error):
    with pytest.raises(error, match="n must be"):
        cost.pairs_needed(bad)


def test_all_pairs_lists_each_unordered_pair_once():
    pairs = cost.all_pairs(["a", "b", "c", "d"])
    assert pairs == [("a", "b"), ("a", "c"), ("a", "d"), ("b", "c"), ("b", "d"), ("c", "d")]
    assert len(cost.all_pairs(SENTENCES)) == cost.pairs_needed(len(SENTENCES))


def test_the_papers_per_item_costs_give_back_its_65_hours_and_5_seconds():
    per_pair, per_sentence = cost.paper_seconds_per_pair(), cost.paper_seconds_per_sentence()
    assert per_pair == pytest.approx(65 * 3600 / 49_995_000)  # ≈ 4.68 ms per pair on a V100
    assert per_sentence == pytest.approx(5 / 10_000)
    estimate = cost.estimate_all_pairs(
        10_000, per_sentence, per_pair, seconds_per_cosine=0.01 / 10_000**2
    )
    assert estimate.pairs == 49_995_000
    assert estimate.cross_seconds == pytest.approx(65 * 3600)
    assert estimate.encode_seconds == pytest.approx(5.0)
    assert estimate.cosine_seconds == pytest.approx(0.01)
    assert estimate.bi_seconds == pytest.approx(5.01)
    assert estimate.speedup == pytest.approx(65 * 3600 / 5.01)


def test_the_papers_quora_figure_follows_from_its_per_pair_cost():
    """Section 1: one query against 40 M questions takes "over 50 hours" — 40 M × 4.68 ms ≈ 52 h."""
    search = cost.estimate_search(
        cost.PAPER_QUORA_QUESTIONS, cost.paper_seconds_per_sentence(), cost.paper_seconds_per_pair()
    )
    assert search.cross_seconds / 3600 == pytest.approx(40_000_000 * 65 / 49_995_000)
    assert 50 < search.cross_seconds / 3600 < 55
    assert search.index_seconds == pytest.approx(40_000_000 * 5 / 10_000)  # encoded once: 5.6 h
    assert search.query_seconds == pytest.approx(5 / 10_000)  # cosine free here (0 s per cosine)


def test_estimates_scale_quadratically_for_the_cross_encoder_and_linearly_for_the_bi_encoder():
    small, large = (cost.estimate_all_pairs(n, 1e-3, 1e-3) for n in (1_000, 10_000))
    assert large.encode_seconds / small.encode_seconds == pytest.approx(10)
    assert large.cross_seconds / small.cross_seconds == pytest.approx(49_995_000 / 499_500)


@pytest.mark.parametrize(
    "field", ["seconds_per_sentence", "seconds_per_pair", "seconds_per_cosine"]
)
def test_estimates_reject_negative_or_infinite_costs(field):
    values = {"seconds_per_sentence": 1e-3, "seconds_per_pair": 1e-3, "seconds_per_cosine": 0.0}
    for bad in (-1.0, float("inf"), float("nan")):
        with pytest.raises(ValueError, match=field):
            cost.estimate_all_pairs(10, **{**values, field: bad})


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0.0, "0 µs"),
        (0.00085, "850 µs"),
        (0.0123, "12.3 ms"),
        (0.01, "10 ms"),
        (4.9, "4.9 s"),
        (192, "3.2 min"),
        (65 * 3600, "65 h"),
        (99 * 3600, "99 h"),
        (5 * 86400, "5 days"),
        (3 * 365.25 * 86400, "3 years"),
    ],
)
def test_format_duration(seconds, text):
    assert cost.format_duration(seconds) == text


def test_format_duration_rejects_negative_and_nan():
    for bad in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="seconds"):
            cost.format_duration(bad)


# -- timers ----------------------------------------------------------------------------------------
def test_best_seconds_is_the_fastest_timed_run_after_the_warmup():
    calls = []
    durations = iter([0.05, 0.03, 0.01, 0.02])  # the first is the warm-up and must not count

    def run():
        calls.append(1)
        time.sleep(next(durations))

    best = cost.best_seconds(run, repeats=3, warmup=1)
    assert len(calls) == 4
    assert 0.01 <= best < 0.02


def test_smart_batching_timing_reports_the_ratio():
    timing = cost.SmartBatchingTiming(unsorted=44.0, sorted=83.0)  # Table 7, CPU
    assert timing.speedup == pytest.approx(83 / 44)  # +89 %


@pytest.fixture(scope="module")
def tiny_encoder():
    from sbert_lab import SentenceEncoder

    return SentenceEncoder(TINY_RANDOM_BERT, max_length=32, device="cpu", precision="fp32")


@pytest.fixture(scope="module")
def tiny_cross_encoder():
    from sbert_lab.cross_encoder import CrossEncoder

    return CrossEncoder(
        TINY_RANDOM_BERT, num_labels=1, max_length=64, device="cpu", precision="fp32"
    )


@pytest.mark.slow  # loads two small models (seconds on 2 busy cores)
def test_timers_on_the_tiny_model_return_plausible_seconds_per_item(
    tiny_encoder, tiny_cross_encoder
):
    per_sentence = cost.time_bi_encoder(tiny_encoder, SENTENCES, batch_size=4, repeats=1)
    per_pair = cost.time_cross_encoder(
        tiny_cross_encoder, cost.all_pairs(SENTENCES), batch_size=4, repeats=1
    )
    per_cosine = cost.time_cosine(tiny_encoder.dim, n=200, repeats=1)
    for value in (per_sentence, per_pair, per_cosine):
        assert (
            0 < value < 1.0
        )  # a 2-layer, 128-wide model: far below a second per item on any machine
    assert per_cosine < per_sentence  # a 128-wide dot product is cheaper than a transformer pass


@pytest.mark.slow  # loads two small models (seconds on 2 busy cores)
def test_smart_batching_changes_the_speed_not_the_vectors(tiny_encoder):
    in_order = tiny_encoder.encode(SENTENCES, batch_size=2, sort_by_length=False)
    by_length = tiny_encoder.encode(SENTENCES, batch_size=2)
    np.testing.assert_allclose(in_order, by_length, atol=1e-5)  # padding is masked out of the mean
    timing = cost.time_smart_batching(tiny_encoder, SENTENCES, batch_size=2, repeats=1)
    assert timing.unsorted > 0 and timing.sorted > 0 and np.isfinite(timing.speedup)


@pytest.mark.slow  # loads two small models (seconds on 2 busy cores)
def test_time_precisions_restores_the_encoders_precision(tiny_encoder):
    throughput = cost.time_precisions(
        tiny_encoder, SENTENCES, precisions=("fp32", "bf16"), batch_size=4, repeats=1
    )
    assert set(throughput) == {"fp32", "bf16"} and all(v > 0 for v in throughput.values())
    assert tiny_encoder.precision == "fp32"


@pytest.mark.slow  # loads two small models (seconds on 2 busy cores)
def test_time_all_pairs_counts_pairs_and_scales_a_capped_sample(tiny_encoder, tiny_cross_encoder):
    rows = cost.time_all_pairs(
        tiny_encoder, tiny_cross_encoder, SENTENCES, sizes=[3, 6], batch_size=4, max_pairs=5
    )
    assert [(r.n, r.pairs, r.timed_pairs, r.scaled) for r in rows] == [
        (3, 3, 3, False),
        (6, 15, 5, True),
    ]
    assert all(r.cross_seconds > 0 and r.bi_seconds > 0 for r in rows)
    with pytest.raises(ValueError, match="sizes: n=7"):
        cost.time_all_pairs(tiny_encoder, tiny_cross_encoder, SENTENCES, sizes=[7])


@pytest.mark.slow  # loads two small models (seconds on 2 busy cores)
def test_timers_refuse_empty_input(tiny_encoder):
    with pytest.raises(ValueError, match="sentences is empty"):
        cost.time_bi_encoder(tiny_encoder, [])


def test_plot_cost_curves_draws_the_extrapolation_and_the_papers_points():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from sbert_lab.course import viz

    measured = [
        cost.AllPairsTiming(n=8, pairs=28, cross_seconds=0.28, bi_seconds=0.02, timed_pairs=10)
    ]
    fig, ax = plt.subplots()
    viz.plot_cost_curves(ax, 1e-3, 1e-2, 1e-8, measured=measured, max_n=10_000, mark_n=100)
    cross_line, bi_line = ax.get_lines()[:2]
    n = cross_line.get_xdata()
    assert n[0] == 2 and n[-1] == 10_000
    np.testing.assert_allclose(cross_line.get_ydata(), n * (n - 1) / 2 * 1e-2)
    np.testing.assert_allclose(bi_line.get_ydata(), n * 1e-3 + n.astype(float) ** 2 * 1e-8)
    points = [tuple(p) for c in ax.collections for p in c.get_offsets()]
    assert (10_000, 65 * 3600) in points and (10_000, 5.01) in points  # the paper's stars
    assert (8, 0.28) in points and (8, 0.02) in points  # the measured row
    plt.close(fig)


def test_tokens_computed_counts_padding_per_batch():
    from sbert_lab.course.cost import tokens_computed

    lengths = [
        2,
        9,
        3,
        8,
    ]  # input order pads [2, 9] to 9 and [3, 8] to 8; sorted: [9, 8] and [3, 2]
    assert tokens_computed(lengths, batch_size=2, sort_by_length=False) == 2 * 9 + 2 * 8
    assert tokens_computed(lengths, batch_size=2, sort_by_length=True) == 2 * 9 + 2 * 3
    assert tokens_computed(lengths, batch_size=1, sort_by_length=False) == sum(
        lengths
    )  # no padding
