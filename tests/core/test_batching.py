"""Smart batching: length-sorted order for encoding, length-grouped shuffled batches for
training."""

import numpy as np
import pytest

from sbert_lab.batching import chunks, length_grouped_batches, length_sorted_order, random_batches


def test_length_sorted_order_is_longest_first_and_stable_for_ties():
    lengths = [3, 9, 3, 1, 9, 5]
    assert length_sorted_order(lengths).tolist() == [1, 4, 5, 0, 2, 3]


def test_chunks_cover_everything_in_order():
    assert chunks(list(range(7)), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert chunks([], 3) == []
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        chunks([1, 2], 0)


def _lengths(n=1000, seed=1):
    return np.random.default_rng(seed).integers(5, 120, size=n).tolist()


def test_length_grouped_batches_visit_every_example_once():
    batches = length_grouped_batches(_lengths(), batch_size=16, seed=0)
    flat = [i for b in batches for i in b]
    assert sorted(flat) == list(range(1000))
    assert sorted(map(len, batches)) == [1000 % 16] + [16] * (1000 // 16)


def test_length_grouped_batches_are_deterministic_per_seed():
    lengths = _lengths()
    assert length_grouped_batches(lengths, 16, seed=3) == length_grouped_batches(
        lengths, 16, seed=3
    )
    assert length_grouped_batches(lengths, 16, seed=3) != length_grouped_batches(
        lengths, 16, seed=4
    )


def _padding(batches, lengths):
    lengths = np.asarray(lengths)
    return sum(int(lengths[b].max() * len(b) - lengths[b].sum()) for b in batches)


def test_length_grouping_pads_far_less_than_random_batches():
    lengths = _lengths()
    grouped = _padding(length_grouped_batches(lengths, 16, seed=0), lengths)
    shuffled = _padding(random_batches(len(lengths), 16, seed=0), lengths)
    assert grouped < 0.2 * shuffled


def test_drop_last_removes_only_a_short_final_batch():
    assert all(
        len(b) == 16 for b in length_grouped_batches(_lengths(100), 16, seed=0, drop_last=True)
    )
    assert sum(map(len, length_grouped_batches(_lengths(96), 16, seed=0, drop_last=True))) == 96
    assert sum(map(len, random_batches(100, 16, seed=0, drop_last=True))) == 96


def test_random_batches_are_a_permutation():
    flat = [i for b in random_batches(50, 8, seed=0) for i in b]
    assert sorted(flat) == list(range(50)) and flat != list(range(50))
