"""Issue 14: every bad input gets an error naming what to fix, and nothing half-written is loaded.

The table of cases is ``tests/bad_input_cases.py`` (``tests/bad_input_sweep.py`` counts it); the
tests below add what a table row cannot say: interrupted saves and refused resumes leave nothing
changed.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from bad_input_cases import CASES, Context

import sbert_lab as sl
from sbert_lab import course, model_folders


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return Context(tmp_path_factory.mktemp("bad-input"))


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input_gets_a_clear_error(case, ctx):
    if case.wrong is not None:  # a bad input with a right answer (see bad_input_cases.answered)
        assert case.wrong(case.run(ctx)) == ""
        return
    with pytest.raises(case.expected, match=case.pattern) as caught:
        case.run(ctx)
    assert "weights_only=False" not in str(caught.value) or "Do not" in str(caught.value)


# -- saves are all or nothing --------------------------------------------------------------------
class Interrupted(RuntimeError):
    pass


def _fail_on_call(number: int, real):
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == number:
            raise Interrupted(f"interrupted at write {number}")
        return real(*args, **kwargs)

    return wrapper


def _interrupt(monkeypatch, encoder, where: str):
    """Make the save fail at one of its writes: the weights, the tokenizer, or the n-th settings
    file."""
    if where == "weights":
        monkeypatch.setattr(
            encoder.model, "save_pretrained", _fail_on_call(1, encoder.model.save_pretrained)
        )
    elif where == "tokenizer":
        monkeypatch.setattr(
            encoder.tokenizer,
            "save_pretrained",
            _fail_on_call(1, encoder.tokenizer.save_pretrained),
        )
    else:
        monkeypatch.setattr(
            model_folders, "_write_json", _fail_on_call(int(where), model_folders._write_json)
        )


WRITES = [
    "weights",
    "tokenizer",
    "1",
    "2",
    "3",
    "4",
]  # save writes four settings files after the two


@pytest.mark.parametrize("where", WRITES)
def test_an_interrupted_first_save_leaves_no_folder(where, tmp_path, monkeypatch, ctx):
    encoder = ctx.encoder
    target = tmp_path / "model"
    _interrupt(monkeypatch, encoder, where)
    with pytest.raises(Interrupted):
        encoder.save(target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []  # no temporary folder left behind either
    with pytest.raises(FileNotFoundError):
        sl.SentenceEncoder.load(target)


@pytest.mark.parametrize("where", WRITES)
def test_an_interrupted_save_over_an_old_model_keeps_the_old_one_whole(
    where, tmp_path, monkeypatch, ctx
):
    target = ctx.encoder.with_pooling("max").save(tmp_path / "model")
    before = sorted(p.relative_to(target) for p in target.rglob("*"))
    _interrupt(monkeypatch, ctx.encoder, where)
    with pytest.raises(Interrupted):
        ctx.encoder.save(target)  # mean pooling this time
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == before
    assert sl.SentenceEncoder.load(target, device="cpu").pooling == "max"


def test_a_second_save_replaces_the_first(tmp_path, ctx):
    target = ctx.encoder.with_pooling("max").save(tmp_path / "model")
    ctx.encoder.save(target)
    assert sl.SentenceEncoder.load(target, device="cpu").pooling == "mean"
    assert [p.name for p in tmp_path.iterdir()] == ["model"]


def test_an_interrupted_cross_encoder_save_leaves_no_folder(tmp_path, monkeypatch, ctx):
    model = sl.cross_encoder.CrossEncoder(ctx.saved_cross, device="cpu")
    monkeypatch.setattr(
        model.tokenizer, "save_pretrained", _fail_on_call(1, model.tokenizer.save_pretrained)
    )
    with pytest.raises(Interrupted):
        model.save(tmp_path / "cross")
    assert list(tmp_path.iterdir()) == []


# -- resume ---------------------------------------------------------------------------------------
def _trained_checkpoint(ctx, folder, **settings):
    encoder = sl.SentenceEncoder(ctx.saved, device="cpu", precision="fp32")
    sl.train.fit(
        encoder,
        sl.losses.CosineMSELoss((0, 5)),
        ctx.sts,
        batch_size=2,
        checkpoint_dir=folder,
        progress=False,
        lr=1e-3,
        **settings,
    )
    return encoder


def _weights(module):
    return {name: tensor.detach().clone() for name, tensor in module.state_dict().items()}


@pytest.mark.parametrize(
    "change, key",
    [
        ({"lr": 5e-4}, "lr"),
        ({"seed": 1}, "seed"),
        ({"warmup": 0.5}, "warmup"),
        ({"pooling": "cls"}, "pooling"),
    ],
)
def test_a_refused_resume_leaves_the_model_untouched(change, key, tmp_path, ctx):
    folder = tmp_path / "ckpt"
    _trained_checkpoint(ctx, folder)
    fresh = sl.SentenceEncoder(
        ctx.saved, device="cpu", precision="fp32", pooling=change.get("pooling")
    )
    before = _weights(fresh)
    settings = {"lr": 1e-3, "seed": 0, "warmup": 0.1} | {
        k: v for k, v in change.items() if k != "pooling"
    }
    with pytest.raises(ValueError, match=rf"belongs to a different run: {key} was"):
        sl.train.fit(
            fresh,
            sl.losses.CosineMSELoss((0, 5)),
            ctx.sts,
            batch_size=2,
            checkpoint_dir=folder,
            resume=True,
            progress=False,
            **settings,
        )
    after = _weights(fresh)
    assert all(torch.equal(before[name], after[name]) for name in before)


def test_a_matching_resume_still_loads_the_weights(tmp_path, ctx):
    folder = tmp_path / "ckpt"
    trained = _trained_checkpoint(ctx, folder)
    fresh = sl.SentenceEncoder(ctx.saved, device="cpu", precision="fp32")
    history = sl.train.fit(
        fresh,
        sl.losses.CosineMSELoss((0, 5)),
        ctx.sts,
        batch_size=2,
        checkpoint_dir=folder,
        resume=True,
        progress=False,
        lr=1e-3,
    )
    assert history.resumed_from == history.steps == 2
    assert all(
        torch.equal(a, b)
        for a, b in zip(_weights(trained).values(), _weights(fresh).values(), strict=True)
    )


# -- numbers that are not numbers never reach torch ------------------------------------------------
@pytest.mark.parametrize("setting", ["lr", "weight_decay", "max_grad_norm"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), "1e-3", None])
def test_no_non_finite_or_mistyped_fit_setting_reaches_torch(setting, value, ctx, monkeypatch):
    if setting == "max_grad_norm" and value is None:
        pytest.skip("max_grad_norm=None means no clipping")
    reached = []
    monkeypatch.setattr(
        sl.train,
        "make_optimizer",
        lambda *a, **k: reached.append(a) or pytest.fail("reached torch"),
    )
    with pytest.raises((TypeError, ValueError), match=re.escape(setting)):
        sl.train.fit(
            ctx.encoder,
            sl.losses.CosineMSELoss((0, 5)),
            ctx.sts,
            progress=False,
            **{setting: value},
        )
    assert reached == []


def test_normalize_rows_still_keeps_zero_rows_zero():
    rows = course.search.normalize_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    assert np.allclose(rows, [[0.6, 0.8], [0.0, 0.0]])
