"""Parity with the reference implementation: sentence-transformers on the same folder.

Like minGPT's test_huggingface_import.py: SentenceEncoder is correct because it reproduces the
numbers of the library the SBERT authors wrote, on real data, to within float32 rounding.
"""

import copy
import warnings

import numpy as np
import pytest

from sbert_lab import SentenceEncoder
from sbert_lab.evaluation import sts_spearman
from sbert_lab.model_sources import TINY_RANDOM_BERT, packaged_minilm_path

sentence_transformers = pytest.importorskip(
    "sentence_transformers", reason="parity tests need sentence-transformers"
)

MTEB_STSB_TEST_SPEARMAN = 82.03  # all-MiniLM-L6-v2 on STS-B test, published by MTEB
PARITY_SENTENCES = 600


@pytest.fixture(scope="module")
def reference():
    """SentenceTransformer on the packaged folder: Transformer -> mean Pooling -> Normalize."""
    return sentence_transformers.SentenceTransformer(str(packaged_minilm_path()), device="cpu")


def max_abs_diff(a, b) -> float:
    assert a.shape == b.shape
    return float(np.abs(np.asarray(a) - np.asarray(b)).max())


@pytest.mark.slow
def test_same_vectors_as_sentence_transformers_on_real_stsb_sentences(
    minilm, reference, stsb_test_sentences
):
    sample = stsb_test_sentences[:PARITY_SENTENCES]
    assert len(sample) >= 500
    # Without normalisation on either side: sentence-transformers with its Normalize module left
    # out.
    unnormalised = sentence_transformers.SentenceTransformer(
        modules=[reference[0], reference[1]], device="cpu"
    )
    theirs = unnormalised.encode(sample, batch_size=32, convert_to_numpy=True)
    assert np.abs(np.linalg.norm(theirs, axis=1) - 1).min() > 0.5  # really not unit vectors
    assert max_abs_diff(minilm.encode(sample, batch_size=32), theirs) <= 1e-5
    # With normalisation on both sides, as the packaged folder asks.
    head = sample[:100]
    assert (
        max_abs_diff(
            minilm.encode(head, normalize=True), reference.encode(head, convert_to_numpy=True)
        )
        <= 1e-5
    )


@pytest.fixture(scope="module")
def fp32_spearman(minilm, stsb_test) -> float:
    return sts_spearman(minilm, stsb_test)


@pytest.mark.slow
def test_stsb_test_spearman_matches_the_published_figure(fp32_spearman):
    assert fp32_spearman == pytest.approx(MTEB_STSB_TEST_SPEARMAN, abs=0.05)


@pytest.mark.slow
def test_default_precision_keeps_the_stsb_spearman_of_fp32(minilm, stsb_test, fp32_spearman):
    default = copy.copy(minilm)
    default.precision = "auto"  # bf16 autocast on a CPU with AVX-512 BF16 or AMX, else fp32
    assert sts_spearman(default, stsb_test) == pytest.approx(fp32_spearman, abs=0.1)


def test_our_saved_folder_loads_in_sentence_transformers_with_the_same_vectors(
    minilm, tmp_path, sentences
):
    folder = minilm.save(tmp_path / "minilm-mean")
    theirs = sentence_transformers.SentenceTransformer(str(folder), device="cpu")
    assert theirs.max_seq_length == minilm.max_length
    assert (
        max_abs_diff(minilm.encode(sentences), theirs.encode(sentences, convert_to_numpy=True))
        <= 1e-5
    )


@pytest.mark.parametrize("pooling", ["cls", "max"])
def test_saved_pooling_and_max_length_mean_the_same_in_sentence_transformers(
    pooling, tmp_path, sentences
):
    ours = SentenceEncoder(
        TINY_RANDOM_BERT, pooling=pooling, max_length=16, precision="fp32", device="cpu"
    )
    folder = ours.save(tmp_path / f"tiny-{pooling}")
    theirs = sentence_transformers.SentenceTransformer(str(folder), device="cpu")
    assert theirs.max_seq_length == 16
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # several sentences are longer than 16 tokens: truncated on both sides
        assert (
            max_abs_diff(ours.encode(sentences), theirs.encode(sentences, convert_to_numpy=True))
            <= 1e-5
        )


def test_a_folder_saved_by_sentence_transformers_6_loads_with_its_pooling(
    reference, tmp_path, sentences
):
    folder = tmp_path / "saved-by-st"
    reference.save(str(folder))  # the newer layout: "pooling_mode": "mean", no max_seq_length key
    ours = SentenceEncoder.load(folder, precision="fp32", device="cpu")
    assert (ours.pooling, ours.max_length) == ("mean", reference.max_seq_length)
    expected = reference.encode(sentences, convert_to_numpy=True)
    assert max_abs_diff(ours.encode(sentences, normalize=True), expected) <= 1e-5
