"""Evaluation against independent formulas, with encoders whose vectors are chosen by hand."""

import numpy as np
import pytest

from sbert_lab.data import STSPair, Triplet
from sbert_lab.evaluation import (
    encode_unique,
    row_cosine,
    sts_cosines,
    sts_pearson,
    sts_spearman,
    triplet_accuracy,
)


class LookupEncoder:
    """Vectors chosen by hand; remembers every list it was asked to encode."""

    def __init__(self, vectors: dict[str, list[float]]):
        self.vectors = {s: np.asarray(v, dtype=np.float32) for s, v in vectors.items()}
        self.calls: list[list[str]] = []

    def encode(self, sentences, batch_size=32, **_):
        self.calls.append(list(sentences))
        return np.stack([self.vectors[s] for s in sentences])


def angle_encoder(degrees: dict[str, float]) -> LookupEncoder:
    """Unit vectors in the plane at the given angles: cos(u, v) is the cosine of the angle
    between."""
    return LookupEncoder(
        {s: [np.cos(np.radians(d)), np.sin(np.radians(d))] for s, d in degrees.items()}
    )


# Anchor at 0 degrees; the others at 10, 50, 80, 120 degrees: cosines 0.985, 0.643, 0.174, -0.5.
ENCODER = angle_encoder({"anchor": 0, "a": 10, "b": 50, "c": 80, "d": 120})
ANGLES = {"a": 10, "b": 50, "c": 80, "d": 120}


def pairs_with_gold(gold: dict[str, float]) -> list[STSPair]:
    return [STSPair("anchor", s, score) for s, score in gold.items()]


def test_row_cosine_matches_hand_values_and_gives_zero_for_a_zero_row():
    a = np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    b = np.array([[0.0, 3.0], [2.0, 2.0], [1.0, 0.0]])
    np.testing.assert_allclose(row_cosine(a, b), [0.0, 1.0, 0.0])


def test_sts_cosines_are_cosines_of_the_pair_vectors():
    cosines, gold = sts_cosines(ENCODER, pairs_with_gold({"a": 1.0, "d": 2.0}))
    np.testing.assert_allclose(cosines, np.cos(np.radians([10, 120])), atol=1e-6)
    np.testing.assert_array_equal(gold, [1.0, 2.0])


def test_spearman_is_100_for_any_increasing_gold_and_minus_100_for_decreasing():
    assert sts_spearman(
        ENCODER, pairs_with_gold({"a": 5.0, "b": 4.9, "c": 0.3, "d": 0.0})
    ) == pytest.approx(100)
    assert sts_spearman(
        ENCODER, pairs_with_gold({"a": 0.0, "b": 1.0, "c": 4.0, "d": 4.5})
    ) == pytest.approx(-100)


def test_spearman_and_pearson_match_independent_formulas():
    gold = {"a": 3.0, "b": 4.0, "c": 1.0, "d": 2.0}
    cosines = np.cos(np.radians([ANGLES[s] for s in gold]))
    scores = np.array(list(gold.values()))
    # Spearman of distinct values: 1 - 6 sum(d^2) / (n (n^2 - 1)) on the rank differences d.
    d = cosines.argsort().argsort() - scores.argsort().argsort()
    n = len(d)
    expected_spearman = 100 * (1 - 6 * (d**2).sum() / (n * (n**2 - 1)))
    expected_pearson = 100 * np.corrcoef(cosines, scores)[0, 1]
    pairs = pairs_with_gold(gold)
    assert sts_spearman(ENCODER, pairs) == pytest.approx(expected_spearman)  # 60.0
    assert sts_pearson(ENCODER, pairs) == pytest.approx(expected_pearson, abs=1e-4)


def test_each_distinct_sentence_is_encoded_once():
    encoder = angle_encoder({"x": 0, "y": 90, "z": 45})
    vectors = encode_unique(encoder, ["x", "y", "x", "z", "y"])
    assert encoder.calls == [["x", "y", "z"]]
    np.testing.assert_allclose(vectors["y"], [0.0, 1.0], atol=1e-7)
    sts_spearman(encoder, [STSPair("x", "y", 1.0), STSPair("x", "z", 2.0), STSPair("y", "z", 3.0)])
    assert encoder.calls[-1] == ["x", "y", "z"]


def test_triplet_accuracy_counts_anchors_closer_to_their_positive():
    encoder = LookupEncoder({"a": [0, 0], "near": [1, 0], "far": [3, 0], "tie": [0, 1]})
    triplets = [
        Triplet("a", "near", "far"),
        Triplet("a", "far", "near"),
        Triplet("a", "near", "tie"),
        Triplet("a", "near", "far"),
    ]
    assert triplet_accuracy(encoder, triplets) == pytest.approx(2 / 4)  # a tie is not "closer"


def test_nothing_to_evaluate_is_an_error():
    with pytest.raises(ValueError, match="at least 2 STS pairs, got 0"):
        sts_spearman(ENCODER, [])
    with pytest.raises(ValueError, match="no triplets"):
        triplet_accuracy(ENCODER, [])


# -- alignment and uniformity (Wang & Isola 2020) --------------------------------------------------
def test_alignment_and_uniformity_match_their_definitions_in_torch():
    import torch

    from sbert_lab.evaluation import alignment, uniformity

    rng = np.random.default_rng(3)
    x, y = rng.normal(size=(300, 6)), rng.normal(size=(300, 6))
    ux, uy = (torch.nn.functional.normalize(torch.tensor(a), dim=-1) for a in (x, y))
    # Wang & Isola's reference code: (x - y).norm(dim=1).pow(alpha).mean() and
    # torch.pdist(x, p=2).pow(2).mul(-t).exp().mean().log()
    assert alignment(x, y) == pytest.approx(float((ux - uy).norm(dim=1).pow(2).mean()), rel=1e-9)
    expected = float(torch.pdist(ux, p=2).pow(2).mul(-2).exp().mean().log())
    assert uniformity(x) == pytest.approx(expected, rel=1e-9)
    assert uniformity(x, chunk_size=7) == pytest.approx(expected, rel=1e-9)  # blocks change nothing
    assert alignment(x, 3 * x) == pytest.approx(0.0, abs=1e-12)  # lengths do not count
    # all vectors alike (the extreme of anisotropy): uniformity 0, its largest value
    assert uniformity(np.ones((5, 3))) == pytest.approx(0.0, abs=1e-12)
