"""The static encoder distilled from MiniLM (sbert_lab.course.distill, lesson 12)."""

import numpy as np
import pytest

from sbert_lab.course.distill import StaticEncoder, distill_static, sif_weights


def test_static_encoder_is_the_mean_of_its_tokens_rows(tiny_bert):
    table = np.arange(len(tiny_bert.tokenizer) * 2, dtype=np.float32).reshape(-1, 2)
    encoder = StaticEncoder(tiny_bert.tokenizer, table)
    ids = tiny_bert.tokenizer("a man plays", add_special_tokens=False)["input_ids"]
    np.testing.assert_allclose(encoder.encode(["a man plays"])[0], table[ids].mean(axis=0))
    assert not encoder.encode([""]).any()  # no token: the zero vector
    assert np.linalg.norm(encoder.encode(["a man plays"], normalize=True)) == pytest.approx(1.0)


def test_sif_weights_follow_zipf_frequent_tokens_weigh_least():
    weights = sif_weights(1000, a=1e-3)
    zipf = 1 / np.arange(1, 1001)
    np.testing.assert_allclose(weights, 1e-3 / (1e-3 + zipf / zipf.sum()), rtol=1e-6)
    assert np.all(np.diff(weights) > 0)


def test_distilled_static_model_beats_glove_on_stsb(minilm, stsb_test):
    from sbert_lab.course.baselines import GloVeAverage
    from sbert_lab.evaluation import sts_spearman

    static = distill_static(minilm, dims=256, progress=False)
    assert static.dim == 256 and not static.table[minilm.tokenizer.all_special_ids].any()
    assert sts_spearman(static, stsb_test) > sts_spearman(GloVeAverage(), stsb_test) + 5
