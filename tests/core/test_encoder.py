"""SentenceEncoder: input order, padding invariance, bad input, truncation, modes, save/load.
Precision: test_precision.py; the sentence-transformers folder layout: test_model_folders.py; what
it shares with CrossEncoder (loading, inference mode): test_transformer.py; where models come from:
test_model_sources.py.

Parity with sentence-transformers itself is in test_parity_sentence_transformers.py.
"""

import warnings

import numpy as np
import pytest

from sbert_lab import SentenceEncoder
from sbert_lab.model_sources import PACKAGED_MINILM

LONG = (
    "In the late afternoon, after the storm had finally passed over the hills and the roads had "
    "dried, the whole village gathered in the square to celebrate the harvest with music, food and "
    "dancing that went on long after the lanterns were lit and the children had fallen asleep on "
    "the benches."
)


def one_at_a_time(encoder, sentences):
    """Each sentence in a batch of its own: no sorting and no padding can be involved."""
    return np.stack([encoder.encode([s])[0] for s in sentences])


# -- order and padding ---------------------------------------------------------------------------
def test_rows_come_back_in_input_order_after_length_sorting(minilm, sentences):
    expected = one_at_a_time(minilm, sentences)
    np.testing.assert_allclose(minilm.encode(sentences, batch_size=3), expected, atol=1e-5, rtol=0)
    permutation = np.random.default_rng(0).permutation(len(sentences))
    shuffled = [sentences[i] for i in permutation]
    np.testing.assert_allclose(
        minilm.encode(shuffled, batch_size=3), expected[permutation], atol=1e-5, rtol=0
    )


@pytest.mark.parametrize("pooling", ["mean", "cls", "max"])
def test_a_sentence_padded_next_to_long_ones_keeps_its_vector(minilm, pooling):
    encoder = minilm.with_pooling(pooling)
    short = "Rain."
    longer = [LONG, LONG.upper(), LONG[::-1]]
    lengths = encoder.token_lengths([short, *longer])
    assert min(lengths[1:]) > 10 * lengths[0]  # the short one really is padded a lot
    alone = encoder.encode([short])[0]
    in_batch = encoder.encode([*longer, short], batch_size=8)[3]
    np.testing.assert_allclose(in_batch, alone, atol=1e-5, rtol=0)


# -- bad and unusual input -------------------------------------------------------------------------
def test_empty_list_gives_an_empty_float32_array_of_the_right_width(minilm):
    result = minilm.encode([])
    assert result.shape == (0, 384) and result.dtype == np.float32


def test_empty_and_whitespace_strings_are_encoded_like_nothing(minilm):
    vectors = minilm.encode(["", "   ", "\t\n", "A cat sits on the mat."])
    assert np.isfinite(vectors).all()
    # all three tokenize to just [CLS] [SEP], so they share one vector, which no real sentence has
    np.testing.assert_allclose(vectors[1], vectors[0], atol=1e-6)
    np.testing.assert_allclose(vectors[2], vectors[0], atol=1e-6)
    assert np.abs(vectors[3] - vectors[0]).max() > 0.1


def test_a_non_string_item_is_named_by_its_index(minilm):
    with pytest.raises(TypeError, match=r"sentences\[2\] is NoneType"):
        minilm.encode(["one", "two", None])
    with pytest.raises(TypeError, match=r"sentences\[0\] is bytes"):
        minilm.encode([b"bytes are not text"])
    with pytest.raises(TypeError, match="single string"):
        minilm.encode("a bare string is not a list of sentences")


def test_any_sequence_of_strings_is_accepted(minilm):
    as_list = minilm.encode(["a dog", "a cat"])
    np.testing.assert_array_equal(minilm.encode(("a dog", "a cat")), as_list)
    np.testing.assert_array_equal(minilm.encode(np.array(["a dog", "a cat"])), as_list)


def test_unknown_pooling_lists_the_valid_modes(minilm):
    with pytest.raises(ValueError, match="'sum'.*mean, cls, max"):
        SentenceEncoder(PACKAGED_MINILM, pooling="sum")
    with pytest.raises(ValueError, match="mean, cls, max"):
        minilm.with_pooling("first")


def test_bad_batch_size_is_refused(minilm):
    with pytest.raises(ValueError, match="batch_size must be an int >= 1"):
        minilm.encode(["a"], batch_size=0)


def test_max_length_beyond_the_model_positions_is_refused():
    with pytest.raises(ValueError, match="max_length=1000.*512 positions"):
        SentenceEncoder(PACKAGED_MINILM, max_length=1000)


# -- truncation ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def minilm16():
    """The packaged MiniLM with room for 16 tokens ([CLS] + 14 wordpieces + [SEP])."""
    return SentenceEncoder(PACKAGED_MINILM, max_length=16, precision="fp32", device="cpu")


FOURTEEN = "one two three four five six seven eight nine ten eleven twelve thirteen fourteen"


def test_a_long_sentence_is_truncated_to_max_length_tokens(minilm16):
    assert minilm16.token_lengths([FOURTEEN]) == [16]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # exactly max_length tokens: no warning
        fits = minilm16.encode([FOURTEEN])
    with pytest.warns(UserWarning):
        cut = minilm16.encode([FOURTEEN + " fifteen sixteen and many more words"])
    np.testing.assert_allclose(cut, fits, atol=1e-6)


def test_truncation_warns_exactly_once_per_call_and_points_at_the_caller(minilm16):
    batch = [LONG, "short", LONG + " again", "tiny", FOURTEEN + " fifteen"]
    for _ in range(2):  # once per call, not once per process
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            minilm16.encode(batch, batch_size=2)  # three batches, three long sentences
        assert len(caught) == 1
        message = str(caught[0].message)
        assert (
            "3 of 5 sentences" in message
            and "max_length=16" in message
            and "first at index 0" in message
        )
        assert caught[0].filename == __file__


# -- normalisation, precision, modes ---------------------------------------------------------------
def test_normalize_gives_unit_rows_in_the_same_direction(minilm, sentences):
    plain = minilm.encode(sentences)
    unit = minilm.encode(sentences, normalize=True)
    np.testing.assert_allclose(np.linalg.norm(unit, axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(
        unit, plain / np.linalg.norm(plain, axis=1, keepdims=True), atol=1e-6
    )


def test_embed_is_differentiable_and_matches_encode(tiny_bert, sentences):
    vectors = tiny_bert.embed(sentences)  # (B, H) with gradients
    assert vectors.shape == (len(sentences), 128) and vectors.requires_grad
    vectors.pow(2).sum().backward()
    grads = [p.grad for p in tiny_bert.model.parameters() if p.grad is not None]
    tiny_bert.model.zero_grad(set_to_none=True)
    assert grads and any(g.abs().sum() > 0 for g in grads)
    np.testing.assert_allclose(
        vectors.detach().numpy(), tiny_bert.encode(sentences), atol=1e-5, rtol=0
    )


def test_with_pooling_shares_the_transformer(minilm):
    view = minilm.with_pooling("cls")
    assert view.model is minilm.model and view.tokenizer is minilm.tokenizer
    assert (view.pooling, minilm.pooling) == ("cls", "mean")
    assert view.dim == minilm.dim == 384


# -- save and load ---------------------------------------------------------------------------------
def test_save_then_load_gives_the_same_vectors_pooling_and_max_length(tmp_path, sentences):
    original = SentenceEncoder(
        "sbert-lab:tiny-random-bert", pooling="max", max_length=24, precision="fp32"
    )
    folder = original.save(tmp_path / "tiny-max")
    loaded = SentenceEncoder.load(folder, precision="fp32")
    assert (loaded.pooling, loaded.max_length, loaded.dim) == ("max", 24, 128)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the long sentence is truncated on both sides
        np.testing.assert_array_equal(loaded.encode(sentences), original.encode(sentences))
