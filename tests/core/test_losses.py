"""Each objective against an independent computation of the same formula."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sbert_lab.data import NLIPair, STSPair, Triplet
from sbert_lab.losses import (
    CosineMSELoss,
    MatryoshkaLoss,
    MultipleNegativesRankingLoss,
    SoftmaxLoss,
    TripletLoss,
    UnsupervisedSimCSELoss,
)


def _vectors(*shape, seed=0):
    return torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


# -- SoftmaxLoss -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "features", [("u", "v", "|u-v|"), ("u", "v", "|u-v|", "u*v"), ("|u-v|",), ("u*v", "u")]
)
def test_softmax_loss_is_cross_entropy_of_a_linear_map_of_the_concatenation(features):
    dim, labels = 5, torch.tensor([0, 2, 1, 2])
    u, v = _vectors(4, dim, seed=1), _vectors(4, dim, seed=2)
    loss = SoftmaxLoss(dim, num_labels=3, features=features)
    parts = {
        "u": u.numpy(),
        "v": v.numpy(),
        "|u-v|": np.abs(u.numpy() - v.numpy()),
        "u*v": u.numpy() * v.numpy(),
    }
    concatenated = np.concatenate([parts[f] for f in features], axis=1)  # built by hand, in numpy
    weight, bias = loss.classifier.weight.detach().numpy(), loss.classifier.bias.detach().numpy()
    logits = concatenated @ weight.T + bias
    log_softmax = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True))
    expected = -log_softmax[np.arange(4), labels.numpy()].mean()
    assert loss.classifier.in_features == len(features) * dim
    assert loss([u, v], labels).item() == pytest.approx(expected, abs=1e-5)


def test_softmax_loss_gradient_reaches_the_classifier_and_both_sentences():
    u, v = _vectors(3, 4, seed=3).requires_grad_(), _vectors(3, 4, seed=4).requires_grad_()
    loss = SoftmaxLoss(4)
    loss([u, v], torch.tensor([0, 1, 2])).backward()
    for grad in (loss.classifier.weight.grad, u.grad, v.grad):
        assert grad is not None and grad.abs().sum() > 0


@pytest.mark.parametrize("features", [(), ("u", "u"), ("u", "cos")])
def test_softmax_loss_rejects_bad_features(features):
    with pytest.raises(ValueError, match="features"):
        SoftmaxLoss(4, features=features)


def test_softmax_loss_checks_labels_and_types():
    loss = SoftmaxLoss(4)
    loss.check([NLIPair("a", "b", 0), NLIPair("c", "d", 2)])
    with pytest.raises(ValueError, match=r"examples\[1\].label is 3"):
        loss.check([NLIPair("a", "b", 0), NLIPair("c", "d", 3)])
    with pytest.raises(ValueError, match=r"examples\[0\].label"):
        loss.check([NLIPair("a", "b", "entailment")])
    with pytest.raises(
        TypeError, match=r"SoftmaxLoss trains on NLIPair.*examples\[0\] is a STSPair"
    ):
        loss.check([STSPair("a", "b", 3.0)])


# -- CosineMSELoss --------------------------------------------------------------------------------
@pytest.mark.parametrize("score_range", [(0.0, 5.0), (1.0, 5.0)])
def test_cosine_mse_is_mse_of_cosine_against_the_rescaled_score(score_range):
    u, v = _vectors(6, 8, seed=5), _vectors(6, 8, seed=6)
    low, high = score_range
    scores = np.linspace(low, high, 6)
    loss = CosineMSELoss(score_range)
    labels = loss.labels([STSPair("a", "b", float(s)) for s in scores])
    a, b = u.numpy().astype(np.float64), v.numpy().astype(np.float64)
    cosines = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    expected = np.mean((cosines - (scores - low) / (high - low)) ** 2)
    assert labels[0] == 0.0 and labels[-1] == 1.0
    assert float(loss([u, v], labels)) == pytest.approx(expected, abs=1e-6)


def test_cosine_mse_rejects_scores_outside_the_range():
    with pytest.raises(ValueError, match=r"examples\[1\].score is 0.5.*sick"):
        CosineMSELoss((1.0, 5.0)).check([STSPair("a", "b", 3.0), STSPair("a", "b", 0.5)])
    with pytest.raises(ValueError, match="high > low"):
        CosineMSELoss((5.0, 0.0))


# -- TripletLoss ----------------------------------------------------------------------------------
def test_triplet_loss_matches_torch_triplet_margin_loss():
    a, p, n = _vectors(16, 8, seed=7), _vectors(16, 8, seed=8), _vectors(16, 8, seed=9)
    expected = torch.nn.TripletMarginLoss(margin=1.0, p=2)(a, p, n)  # adds eps=1e-6 inside the norm
    ours = TripletLoss(margin=1.0)([a, p, n])
    assert float(ours) > 0
    assert float(ours) == pytest.approx(float(expected), abs=1e-4)


def test_triplet_loss_by_hand():
    a, p, n = (
        torch.zeros(2, 2),
        torch.tensor([[3.0, 4.0], [3.0, 4.0]]),
        torch.tensor([[6.0, 8.0], [0.0, 4.5]]),
    )
    # row 0: max(5 - 10 + 1, 0) = 0; row 1: max(5 - 4.5 + 1, 0) = 1.5; mean 0.75
    assert float(TripletLoss(margin=1.0)([a, p, n])) == pytest.approx(0.75)
    # with sentence-transformers' default margin of 5, row 1 costs 5.5
    assert float(TripletLoss(margin=5.0)([a, p, n])) == pytest.approx((0.0 + 5.5) / 2)


def test_triplet_loss_cosine_and_manhattan_distances():
    a, p, n = _vectors(4, 3, seed=10), _vectors(4, 3, seed=11), _vectors(4, 3, seed=12)
    cos = TripletLoss(margin=0.5, distance="cosine")([a, p, n])
    expected = F.relu(
        (1 - F.cosine_similarity(a, p)) - (1 - F.cosine_similarity(a, n)) + 0.5
    ).mean()
    assert float(cos) == pytest.approx(float(expected), abs=1e-6)
    l1 = TripletLoss(margin=0.5, distance="manhattan")([a, p, n])
    expected = F.relu((a - p).abs().sum(1) - (a - n).abs().sum(1) + 0.5).mean()
    assert float(l1) == pytest.approx(float(expected), abs=1e-5)
    with pytest.raises(ValueError, match="unknown distance"):
        TripletLoss(distance="chebyshev")


# -- MultipleNegativesRankingLoss ------------------------------------------------------------------
def _info_nce_loop(anchors, candidates, scale):
    """-log softmax of each anchor's own positive among all candidates, one anchor at a time."""
    total = 0.0
    for i, anchor in enumerate(anchors):
        scores = [
            scale * float(np.dot(anchor, c) / (np.linalg.norm(anchor) * np.linalg.norm(c)))
            for c in candidates
        ]
        total += -(scores[i] - math.log(sum(math.exp(s) for s in scores)))
    return total / len(anchors)


def test_mnrl_matches_a_loop_over_anchors():
    a, p = _vectors(5, 6, seed=13), _vectors(5, 6, seed=14)
    expected = _info_nce_loop(a.numpy(), p.numpy(), scale=20.0)
    assert float(MultipleNegativesRankingLoss(20.0)([a, p])) == pytest.approx(expected, abs=1e-4)


def test_mnrl_with_hard_negatives_adds_them_as_candidates():
    a, p, n = _vectors(4, 6, seed=15), _vectors(4, 6, seed=16), _vectors(4, 6, seed=17)
    expected = _info_nce_loop(a.numpy(), np.concatenate([p.numpy(), n.numpy()]), scale=10.0)
    assert float(MultipleNegativesRankingLoss(10.0)([a, p, n])) == pytest.approx(expected, abs=1e-4)


def test_mnrl_accepts_triplets_or_pairs_but_not_both_nor_scored_pairs():
    loss = MultipleNegativesRankingLoss()
    loss.check([Triplet("a", "b", "c")])
    loss.check([("a", "b"), ("c", "d")])
    assert loss.columns([("a", "b"), ("c", "d")]) == [["a", "c"], ["b", "d"]]
    with pytest.raises(ValueError, match="same number of fields"):
        loss.check([("a", "b"), Triplet("a", "b", "c")])
    with pytest.raises(TypeError, match="STSPair"):
        loss.check([STSPair("a", "b", 1.0)])
    with pytest.raises(TypeError, match=r"examples\[0\]\[1\] is int"):
        loss.check([("a", 3)])


def test_losses_name_the_expected_examples():
    with pytest.raises(
        TypeError, match=r"TripletLoss trains on Triplet.*examples\[2\] is a NLIPair"
    ):
        TripletLoss().check([Triplet("a", "b", "c")] * 2 + [NLIPair("a", "b", 0)])
    with pytest.raises(
        TypeError, match=r"CosineMSELoss trains on STSPair.*examples\[0\] is a tuple"
    ):
        CosineMSELoss().check([("a", "b", 1.0)])


# -- UnsupervisedSimCSELoss ------------------------------------------------------------------------
def test_simcse_is_info_nce_between_two_views_written_as_a_log_softmax():
    h, h2 = _vectors(6, 8, seed=21), _vectors(6, 8, seed=22)
    cosines = F.normalize(h, dim=-1) @ F.normalize(h2, dim=-1).T  # (B, B)
    by_hand = -torch.log_softmax(20.0 * cosines, dim=1).diagonal().mean()  # SimCSE's eq. 1, τ=0.05
    assert float(UnsupervisedSimCSELoss()([h, h2])) == pytest.approx(float(by_hand), abs=1e-5)
    assert float(UnsupervisedSimCSELoss()([h, h2])) == pytest.approx(
        _info_nce_loop(h.numpy(), h2.numpy(), scale=20.0), abs=1e-4
    )


def test_simcse_embeds_each_sentence_twice_or_once_with_the_same_mask():
    batch = ["A man plays.", "A dog runs.", "Rain."]
    assert UnsupervisedSimCSELoss().columns(batch) == [batch, batch]
    same = UnsupervisedSimCSELoss(same_dropout_mask=True)
    assert same.columns(batch) == [batch]
    h = _vectors(3, 4, seed=23)
    # one view: each vector is its own positive, so only the negatives can move the loss
    expected = -torch.log_softmax(20.0 * F.normalize(h, dim=-1) @ F.normalize(h, dim=-1).T, 1)
    assert float(same([h])) == pytest.approx(float(expected.diagonal().mean()), abs=1e-5)


def test_simcse_trains_on_plain_sentences_and_names_the_first_other_example():
    UnsupervisedSimCSELoss().check(["one sentence", "another"])
    with pytest.raises(TypeError, match=r"plain sentences \(str\); examples\[1\] is a tuple"):
        UnsupervisedSimCSELoss().check(["fine", ("a", "b")])


def test_simcse_dropout_views_differ_in_train_mode_and_match_without_dropout(tiny_bert):
    import copy

    from sbert_lab.course.simcse import set_dropout

    model = copy.deepcopy(tiny_bert).train()
    features = model.tokenize(["A man is playing a guitar."] * 2)  # two copies, one forward pass
    torch.manual_seed(0)
    h, h2 = model(features)
    assert not torch.allclose(h, h2)  # two dropout masks: the positive pair of SimCSE
    assert set_dropout(model, 0.0) > 0
    h, h2 = model(features)
    assert torch.allclose(h, h2, atol=1e-6)  # p = 0: the two views are one vector


# -- MatryoshkaLoss --------------------------------------------------------------------------------
def test_matryoshka_is_the_sum_of_the_inner_loss_over_prefixes():
    a, p, n = _vectors(4, 16, seed=24), _vectors(4, 16, seed=25), _vectors(4, 16, seed=26)
    loss = MatryoshkaLoss(MultipleNegativesRankingLoss(20.0), dims=(4, 8, 16), weights=(1, 2, 3))
    expected = sum(
        w * _info_nce_loop(a[:, :d].numpy(), torch.cat([p, n])[:, :d].numpy(), 20.0)
        for d, w in ((4, 1), (8, 2), (16, 3))
    )
    assert float(loss([a, p, n])) == pytest.approx(expected, abs=1e-3)
    assert loss.columns([Triplet("a", "b", "c")]) == [["a"], ["b"], ["c"]]


def test_matryoshka_refuses_widths_the_model_lacks_and_width_bound_inner_losses(tiny_bert):
    with pytest.raises(ValueError, match=f"dimensions of a {tiny_bert.dim}-dimensional model"):
        MatryoshkaLoss(MultipleNegativesRankingLoss(), dims=(8, 4096)).check(
            [("a", "b")], tiny_bert
        )
    with pytest.raises(TypeError, match="no width-dependent weights.*SoftmaxLoss"):
        MatryoshkaLoss(SoftmaxLoss(8, 3))
    with pytest.raises(ValueError, match="increasing widths"):
        MatryoshkaLoss(MultipleNegativesRankingLoss(), dims=(64, 32))
