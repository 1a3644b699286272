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


def test_the_table_is_the_pca_of_each_tokens_teacher_vector_weighted_by_sif(tiny_bert):
    """The recipe against an independent computation: BERT's hidden states averaged over
    [CLS] token [SEP], scikit-learn's PCA, Zipf-SIF weights. (How much the table is worth is the
    claim of lesson 13: the static model beats averaged GloVe on STS-B by more than 10 points.)"""
    import torch
    from sklearn.decomposition import PCA

    static = distill_static(tiny_bert, dims=8, tokens=300, progress=False)
    kept = np.flatnonzero(np.abs(static.table).sum(axis=1))
    special = set(tiny_bert.tokenizer.all_special_ids)
    ordinary = [t for t in range(len(tiny_bert.tokenizer)) if t not in special]
    assert len(kept) == 300 and kept[0] == ordinary[0] and kept[-1] == ordinary[-1]

    tok = tiny_bert.tokenizer
    ids = torch.tensor([[tok.cls_token_id, t, tok.sep_token_id] for t in kept])
    with torch.no_grad():
        hidden = tiny_bert.model(input_ids=ids).last_hidden_state.mean(dim=1).numpy()
    expected = PCA(n_components=8).fit_transform(hidden) * sif_weights(300)[:, None]
    signs = np.sign((expected * static.table[kept]).sum(axis=0))  # a PCA axis has no set sign
    np.testing.assert_allclose(static.table[kept], expected * signs, rtol=1e-3, atol=1e-6)


def test_the_whole_vocabulary_but_its_special_tokens_is_distilled(tiny_bert):
    static = distill_static(tiny_bert, dims=8, progress=False)
    special = tiny_bert.tokenizer.all_special_ids
    assert static.dim == 8 and not static.table[special].any()
    assert np.count_nonzero(np.abs(static.table).sum(axis=1)) == len(static.table) - len(special)
    with pytest.raises(ValueError, match="tokens must be an int >= 2, got 1"):
        distill_static(tiny_bert, dims=8, tokens=1, progress=False)
