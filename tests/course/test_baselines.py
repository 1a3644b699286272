"""Table 1's baselines: averaged GloVe and raw BERT; and the tiny random BERT that stands in for
it."""

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

from sbert_lab.course.baselines import GloVeAverage, raw_bert
from sbert_lab.evaluation import sts_spearman
from sbert_lab.model_sources import (
    TINY_RANDOM_BERT,
    build_random_bert,
    packaged_minilm_path,
    random_bert_path,
)

VOCABULARY = ["the", "cat", "sat", ".", "n't", "dog"]
VECTORS = np.array(
    [[1, 0, 0], [0, 2, 0], [0, 0, 4], [8, 8, 8], [5, 5, 5], [0, -2, 0]], dtype=np.float32
)


@pytest.fixture(scope="module")
def tiny_glove():
    return GloVeAverage(VECTORS, VOCABULARY)


def test_glove_average_is_the_mean_of_known_word_vectors(tiny_glove):
    vectors = tiny_glove.encode(["The cat sat.", "the CAT purred", "Quantum flux!", ""])
    np.testing.assert_allclose(vectors[0], (VECTORS[0] + VECTORS[1] + VECTORS[2] + VECTORS[3]) / 4)
    np.testing.assert_allclose(
        vectors[1], (VECTORS[0] + VECTORS[1]) / 2
    )  # lowercased; "purred" unknown
    np.testing.assert_array_equal(vectors[2:], 0)  # no known word: the zero vector
    assert vectors.dtype == np.float32 and vectors.shape == (4, 3)


def test_glove_normalize_and_coverage(tiny_glove):
    unit = tiny_glove.encode(["the dog", "nothing known"], normalize=True)
    np.testing.assert_allclose(
        unit[0], np.array([0.5, -1.0, 0.0]) / np.linalg.norm([0.5, -1.0, 0.0]), rtol=1e-6
    )
    np.testing.assert_array_equal(unit[1], 0)
    assert tiny_glove.coverage(["the cat", "the unicorn"]) == pytest.approx(3 / 4)


def test_glove_checks_its_input(tiny_glove):
    with pytest.raises(TypeError, match=r"sentences\[1\] is int"):
        tiny_glove.encode(["fine", 3])
    with pytest.raises(ValueError, match="2 words but 6 vectors"):
        GloVeAverage(VECTORS, ["a", "b"])
    assert tiny_glove.encode([]).shape == (0, 3)


@pytest.mark.slow
def test_packaged_glove_6b_50d_on_stsb_test(stsb_test):
    glove = GloVeAverage()
    assert glove.dim == 50 and len(glove.index) == 400_000
    # Measured with this tokeniser (not a paper figure: the paper's 840B 300d vectors give 58.02).
    assert sts_spearman(glove, stsb_test) == pytest.approx(39.44, abs=0.01)


def test_raw_bert_gives_cls_mean_and_max_of_one_shared_transformer():
    encoders = raw_bert(TINY_RANDOM_BERT, precision="fp32", device="cpu")
    assert {mode: e.pooling for mode, e in encoders.items()} == {
        "cls": "cls",
        "mean": "mean",
        "max": "max",
    }
    assert encoders["cls"].model is encoders["mean"].model is encoders["max"].model
    sentence = "A small random network has not learned anything yet."
    with (
        torch.no_grad()
    ):  # the pooled vectors, computed by hand from the transformer's hidden states
        hidden = (
            encoders["mean"].model(**encoders["mean"].tokenize([sentence])).last_hidden_state[0]
        )  # (T, H)
    expected = {"cls": hidden[0], "mean": hidden.mean(0), "max": hidden.max(0).values}
    for mode, encoder in encoders.items():
        np.testing.assert_allclose(
            encoder.encode([sentence])[0], expected[mode].numpy(), atol=1e-5, rtol=0
        )


def test_tiny_random_bert_is_deterministic_and_leaves_the_global_rng_alone(tmp_path):
    rng_before = torch.random.get_rng_state()
    first = load_file(build_random_bert(tmp_path / "a", seed=0) / "model.safetensors")
    assert torch.equal(torch.random.get_rng_state(), rng_before)
    again = load_file(build_random_bert(tmp_path / "b", seed=0) / "model.safetensors")
    other = load_file(build_random_bert(tmp_path / "c", seed=1) / "model.safetensors")
    cached = load_file(
        random_bert_path(hidden=128, layers=2) / "model.safetensors"
    )  # what the smoke profile uses
    assert first.keys() == again.keys() == cached.keys()
    assert all(torch.equal(first[k], again[k]) and torch.equal(first[k], cached[k]) for k in first)
    assert not torch.equal(
        first["embeddings.word_embeddings.weight"], other["embeddings.word_embeddings.weight"]
    )
    # the real uncased WordPiece vocabulary of the trained reference model
    assert (tmp_path / "a" / "vocab.txt").read_text() == (
        packaged_minilm_path() / "vocab.txt"
    ).read_text()


def test_tiny_random_bert_is_small_and_uses_the_real_vocabulary(tiny_bert):
    config = tiny_bert.model.config
    assert (config.hidden_size, config.num_hidden_layers, config.vocab_size) == (128, 2, 30522)
    assert tiny_bert.tokenizer.tokenize("Sentence embeddings") == [
        "sentence",
        "em",
        "##bed",
        "##ding",
        "##s",
    ]
