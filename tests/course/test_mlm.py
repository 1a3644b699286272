"""Masked-language-model pretraining (sbert_lab.course.mlm): BERT's masking, the loss at masked
positions
only, deterministic data order, exact resume, and the shipped raw BERT it produced."""

import json
from dataclasses import replace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from sbert_lab.course import mlm
from sbert_lab.model_sources import RAW_BERT, RAW_BERT_DIR, packaged_minilm_path, resolve_model

SENTENCES = [
    "A man is playing a guitar on the stage.",
    "Two dogs run across a snowy field.",
    "The committee postponed the vote until spring.",
    "Someone is slicing an onion in the kitchen.",
    "Rain.",
    "A woman reads a book on a bench in the park while children play nearby.",
] * 6
TINY = mlm.PretrainSettings(
    hidden=32,
    layers=1,
    heads=2,
    max_tokens=16,
    batch_size=4,
    lr=1e-3,
    warmup_steps=2,
    total_steps=12,
    seed=0,
)


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(packaged_minilm_path())


@pytest.fixture(scope="module")
def corpus(tokenizer):
    return mlm.tokenize_corpus(SENTENCES, tokenizer, max_tokens=TINY.max_tokens)


def test_long_lines_are_split_not_dropped(tokenizer, corpus):
    pieces = sum(len(tokenizer(s, add_special_tokens=False)["input_ids"]) for s in SENTENCES)
    assert len(corpus.ids) == pieces  # every word piece kept
    assert max(len(corpus.line(i)) for i in range(len(corpus))) <= TINY.max_tokens - 2
    assert len(corpus) > len(SENTENCES)  # the long sentence became two lines


def test_masking_follows_berts_80_10_10_recipe_and_never_touches_specials(tokenizer):
    generator = torch.Generator().manual_seed(0)
    ids = torch.randint(2000, 30000, (400, 50), generator=generator)
    attention = torch.ones_like(ids)
    attention[:, 40:] = 0  # padding
    ids[:, 0], ids[:, 39] = tokenizer.cls_token_id, tokenizer.sep_token_id
    corrupted, targets = mlm.mask_tokens(
        ids, attention, len(tokenizer), tokenizer.mask_token_id, generator
    )
    chosen = targets != -100
    assert not chosen[:, 0].any() and not chosen[:, 39:].any()  # no [CLS], [SEP] or padding
    assert chosen.float().sum() / (400 * 38) == pytest.approx(0.15, abs=0.01)
    assert torch.equal(targets[chosen], ids[chosen])
    as_mask = (corrupted[chosen] == tokenizer.mask_token_id).float().mean()
    kept = (corrupted[chosen] == ids[chosen]).float().mean()
    assert as_mask == pytest.approx(0.8, abs=0.03) and kept == pytest.approx(0.1, abs=0.03)
    assert torch.equal(corrupted[~chosen], ids[~chosen])


def test_every_line_gets_at_least_one_masked_position(tokenizer):
    ids = torch.tensor([[101, 2000, 102, 0], [101, 2001, 2002, 102]])
    attention = torch.tensor([[1, 1, 1, 0], [1, 1, 1, 1]])
    for seed in range(20):
        _, targets = mlm.mask_tokens(
            ids, attention, 30522, 103, torch.Generator().manual_seed(seed)
        )
        assert ((targets != -100).sum(1) >= 1).all()


def test_loss_at_masked_positions_equals_the_full_heads_loss(tokenizer, corpus):
    model = mlm.new_model(TINY, len(tokenizer)).eval()
    ids, attention = mlm.pad_batch(corpus, np.arange(8), tokenizer)
    corrupted, targets = mlm.mask_tokens(
        ids, attention, len(tokenizer), tokenizer.mask_token_id, torch.Generator().manual_seed(1)
    )
    with torch.no_grad():
        loss, accuracy = mlm.masked_lm_loss(model, corrupted, attention, targets)
        full = model(
            input_ids=corrupted, attention_mask=attention
        ).logits  # (B, T, V): every position
        expected = F.cross_entropy(
            full.view(-1, full.shape[-1]), targets.view(-1), ignore_index=-100
        )
    assert loss.item() == pytest.approx(expected.item(), rel=1e-5)
    assert 0.0 <= accuracy.item() <= 1.0


def test_batches_walk_one_seeded_permutation_per_epoch():
    steps = [mlm.batch_lines(10, step, 4, seed=3) for step in range(5)]  # 20 lines = 2 epochs
    flat = np.concatenate(steps)
    assert sorted(flat[:10]) == list(range(10)) and sorted(flat[10:20]) == list(range(10))
    assert np.array_equal(mlm.batch_lines(10, 2, 4, seed=3), steps[2])  # the same on every call


def stop_and_resume(tmp_path, corpus, tokenizer, settings) -> list[dict]:
    """Run ``settings`` whole, and in two parts (stopped after 5 steps); assert equal weights; the
    parts' log."""
    whole = mlm.pretrain(
        tmp_path / "whole",
        corpus,
        tokenizer,
        settings,
        checkpoint_every=4,
        progress=False,
        precision="fp32",
    )
    mlm.pretrain(
        tmp_path / "parts",
        corpus,
        tokenizer,
        settings,
        steps=5,
        checkpoint_every=4,
        progress=False,
        precision="fp32",
    )
    resumed = mlm.pretrain(
        tmp_path / "parts",
        corpus,
        tokenizer,
        settings,
        checkpoint_every=4,
        progress=False,
        precision="fp32",
    )
    for (name, a), (_, b) in zip(
        whole.state_dict().items(), resumed.state_dict().items(), strict=True
    ):
        assert torch.allclose(a, b, atol=1e-6), name
    log = mlm.read_log(tmp_path / "parts")
    assert [int(row["step"]) for row in log] == list(
        range(settings.total_steps)
    )  # no step twice, none lost
    return log


def test_a_stopped_run_resumes_exactly(tmp_path, tokenizer, corpus):
    stop_and_resume(tmp_path, corpus, tokenizer, TINY)
    with pytest.raises(ValueError, match="started with other settings"):
        other = mlm.PretrainSettings(
            **{**json.loads((tmp_path / "parts" / "settings.json").read_text()), "lr": 1.0}
        )
        mlm.pretrain(tmp_path / "parts", corpus, tokenizer, other, progress=False)


def test_the_shipped_raw_bert_is_a_pretrained_bert_of_the_cpu_profiles_shape(tokenizer):
    folder = resolve_model(RAW_BERT)
    assert folder == str(RAW_BERT_DIR)
    config = json.loads((RAW_BERT_DIR / "config.json").read_text())
    assert (config["hidden_size"], config["num_hidden_layers"], config["num_attention_heads"]) == (
        256,
        4,
        4,
    )
    assert (RAW_BERT_DIR / "model.safetensors").stat().st_size <= 25 * 2**20
    card = json.loads((RAW_BERT_DIR / "training.json").read_text())
    assert (
        card["held_out_loss"] < 7.0 and card["steps"] >= 400
    )  # learnt something: random is ln 30522 = 10.3
    from transformers import BertForMaskedLM

    model = BertForMaskedLM.from_pretrained(folder, dtype=torch.float32)
    guesses = mlm.predict_masked(model, tokenizer, "the cat sat on the [MASK].", top_k=5)
    assert len(guesses) == 1 and len(guesses[0]) == 5 and all(0 < p <= 1 for _, p in guesses[0])


PAIRS = replace(TINY, pairs=True)


def test_pair_batches_are_berts_two_segment_inputs_with_half_next_lines(tokenizer, corpus):
    rows = mlm.batch_lines(len(corpus), 0, 400, seed=0)
    ids, attention, segments, labels = mlm.pair_batch(corpus, rows, tokenizer, step=0, seed=0)
    assert labels.float().mean().item() == pytest.approx(0.5, abs=0.08)
    for row in range(len(rows)):
        first = corpus.line(rows[row]).tolist()
        n = int(attention[row].sum())
        pieces = ids[row, :n].tolist()
        assert (
            pieces[0] == tokenizer.cls_token_id and pieces[len(first) + 1] == tokenizer.sep_token_id
        )
        assert pieces[1 : len(first) + 1] == first and pieces[-1] == tokenizer.sep_token_id
        second = pieces[len(first) + 2 : -1]
        assert (
            segments[row, : len(first) + 2].sum() == 0 and segments[row, len(first) + 2 : n].all()
        )
        assert not segments[row, n:].any()
        if labels[row] == 0:  # BERT's convention: 0 = B is the next line
            assert second == corpus.line(min(rows[row] + 1, len(corpus) - 1)).tolist()
    again = mlm.pair_batch(corpus, rows, tokenizer, step=0, seed=0)
    assert all(
        torch.equal(a, b) for a, b in zip((ids, attention, segments, labels), again, strict=True)
    )
    corrupted, targets = mlm.mask_tokens(
        ids,
        attention,
        len(tokenizer),
        tokenizer.mask_token_id,
        torch.Generator().manual_seed(0),
        tokenizer.sep_token_id,
    )
    assert not (targets == tokenizer.sep_token_id).any()  # neither [SEP] is ever hidden


def test_a_pair_run_continues_from_init_weights_and_resumes_exactly(tmp_path, tokenizer, corpus):
    first = mlm.pretrain(
        tmp_path / "stage1", corpus, tokenizer, TINY, progress=False, precision="fp32"
    )
    first.save_pretrained(tmp_path / "stage1-model")
    settings = replace(PAIRS, init=str(tmp_path / "stage1-model"))
    start = mlm.new_model(settings, len(tokenizer))
    for name, weight in first.bert.state_dict().items():
        assert torch.equal(start.bert.state_dict()[name], weight), name  # the encoder continues
    log = stop_and_resume(tmp_path, corpus, tokenizer, settings)
    assert all(0.0 <= row["next_accuracy"] <= 1.0 and row["next_loss"] > 0 for row in log)
