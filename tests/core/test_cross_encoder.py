"""CrossEncoder: prediction with smart batching, BCE training through the shared loop, save/load,
and parity with sentence-transformers' CrossEncoder on the saved folder."""

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

import sbert_lab as sl
from sbert_lab.cross_encoder import CrossEncoder, PairScoreLoss
from sbert_lab.data import NLIPair, STSPair

TINY = "sbert-lab:tiny-random-bert"


@pytest.fixture(scope="module")
def sts_train():
    return sl.data.load_sts("stsb", "train", "fixtures")


@pytest.fixture(scope="module")
def sts_test_texts():
    return [(p.s1, p.s2) for p in sl.data.load_sts("stsb", "test", "fixtures")]


def tiny_cross_encoder(**kwargs) -> CrossEncoder:
    torch.manual_seed(0)
    return CrossEncoder(TINY, max_length=64, device="cpu", precision="fp32", **kwargs)


def test_predict_scores_in_input_order_whatever_the_batching(sts_test_texts):
    model = tiny_cross_encoder()
    scores = model.predict(sts_test_texts, batch_size=8)
    assert scores.shape == (len(sts_test_texts),) and scores.dtype == np.float32
    assert ((scores > 0) & (scores < 1)).all()  # sigmoid of one logit
    one_by_one = np.array([model.predict([pair])[0] for pair in sts_test_texts])
    np.testing.assert_allclose(scores, one_by_one, atol=1e-5)  # padding in a batch changes nothing
    np.testing.assert_allclose(
        model.predict(sts_test_texts[::-1], batch_size=3), scores[::-1], atol=1e-5
    )
    assert model.predict([]).shape == (0,)


def test_predict_rejects_a_single_pair_and_non_pairs():
    model = tiny_cross_encoder()
    with pytest.raises(TypeError, match="list of pairs"):
        model.predict(("a", "b"))
    with pytest.raises(TypeError, match=r"pairs\[1\]"):
        model.predict([("a", "b"), "c"])


def test_pair_score_loss_is_bce_against_the_rescaled_score():
    loss = PairScoreLoss((1.0, 5.0))
    batch = [STSPair("a", "b", 1.0), STSPair("c", "d", 4.0), STSPair("e", "f", 5.0)]
    logits = torch.tensor([0.3, -1.2, 2.0])
    targets = np.array([0.0, 0.75, 1.0])
    probability = 1 / (1 + np.exp(-logits.numpy().astype(np.float64)))
    expected = -np.mean(targets * np.log(probability) + (1 - targets) * np.log(1 - probability))
    assert loss.columns(batch) == [
        [("a", "b"), ("c", "d"), ("e", "f")]
    ]  # one column: the pair is read jointly
    assert float(loss([logits], loss.labels(batch))) == pytest.approx(expected, abs=1e-6)
    with pytest.raises(ValueError, match=r"examples\[0\].score is 0.0"):
        loss.check([STSPair("a", "b", 0.0)])


def test_fit_is_the_shared_training_loop(sts_train, monkeypatch):
    seen = {}

    def spy(model, loss, examples, **kwargs):
        seen.update(model=model, loss=loss, examples=examples, kwargs=kwargs)
        return "history"

    monkeypatch.setattr(sl.train, "fit", spy)
    model = tiny_cross_encoder()
    assert model.fit(sts_train, score_range=(0, 5), epochs=3, batch_size=4) == "history"
    assert seen["model"] is model and isinstance(seen["loss"], PairScoreLoss)
    assert seen["kwargs"] == {"epochs": 3, "batch_size": 4}


def test_fit_rejects_the_wrong_examples():
    with pytest.raises(
        TypeError,
        match=r"CrossEncoder\(num_labels=1\).fit trains on STSPair.*examples\[0\] is a NLIPair",
    ):
        tiny_cross_encoder().fit([NLIPair("a", "b", 0)], progress=False)
    with pytest.raises(TypeError, match="NLIPair"):
        tiny_cross_encoder(num_labels=3).fit([STSPair("a", "b", 1.0)], progress=False)


@pytest.mark.slow
def test_training_makes_scores_follow_the_gold_scores(sts_train):
    model = tiny_cross_encoder()
    pairs, gold = [(p.s1, p.s2) for p in sts_train], [p.score for p in sts_train]
    before = spearmanr(model.predict(pairs), gold).statistic
    history = model.fit(
        sts_train, score_range=(0, 5), epochs=6, batch_size=8, lr=1e-3, amp="fp32", progress=False
    )
    after = spearmanr(model.predict(pairs), gold).statistic
    assert np.mean(history.losses[-6:]) < np.mean(history.losses[:6])
    assert after > before + 0.2, (before, after)


def test_classification_head_predicts_probabilities():
    model = tiny_cross_encoder(num_labels=3)
    probabilities = model.predict([("a man sleeps", "a man is awake"), ("it rains", "water falls")])
    assert probabilities.shape == (2, 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    history = model.fit(
        sl.data.load_nli("snli", "train", "fixtures")[:16], batch_size=8, amp="fp32", progress=False
    )
    assert len(history.losses) == 2


@pytest.mark.slow
def test_saved_folder_loads_here_and_in_sentence_transformers(tmp_path, sts_test_texts):
    from sentence_transformers import CrossEncoder as STCrossEncoder

    model = tiny_cross_encoder()
    model.fit(
        sl.data.load_sts("sick", "train", "fixtures"),
        score_range=(1, 5),
        batch_size=8,
        amp="fp32",
        progress=False,
    )
    scores = model.predict(sts_test_texts)
    model.save(tmp_path / "ce")
    again = CrossEncoder.load(tmp_path / "ce", device="cpu", precision="fp32")
    assert (again.num_labels, again.max_length, again.score_range) == (1, 64, (1.0, 5.0))
    np.testing.assert_allclose(again.predict(sts_test_texts), scores, atol=1e-6)
    # sentence-transformers applies a sigmoid to a single logit, as predict does
    theirs = STCrossEncoder(str(tmp_path / "ce"), device="cpu").predict(sts_test_texts)
    np.testing.assert_allclose(theirs, scores, atol=1e-5)


def test_an_nli_cross_encoder_gets_a_new_sts_head_on_its_transformer(tmp_path):
    # Table 2's BERT-NLI-STSb: a 3-label NLI cross-encoder, then a 1-logit head for STS-B
    nli = tiny_cross_encoder(num_labels=3)
    nli.save(tmp_path / "nli")
    with pytest.warns(UserWarning, match="head has 3 labels; a new, randomly initialised head"):
        sts = CrossEncoder(tmp_path / "nli", num_labels=1, device="cpu", precision="fp32")
    assert sts.num_labels == 1 and sts.predict([("a man sleeps", "a man is awake")]).shape == (1,)
    theirs, ours = nli.model.state_dict(), sts.model.state_dict()
    encoder_weights = [name for name in theirs if "classifier" not in name]
    assert encoder_weights and all(torch.equal(theirs[n], ours[n]) for n in encoder_weights)
    assert ours["classifier.weight"].shape == (1, theirs["classifier.weight"].shape[1])
    # the same number of labels keeps the trained head, without a warning
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        again = CrossEncoder(tmp_path / "nli", num_labels=3, device="cpu", precision="fp32")
    assert torch.equal(again.model.state_dict()["classifier.weight"], theirs["classifier.weight"])
