"""Mixed precision (sbert_lab.precision): what "auto" picks on each device, the environment
override, autocast, and bf16 inference against fp32."""

import copy

import numpy as np
import pytest
import torch

from sbert_lab import precision as precision_module
from sbert_lab.precision import autocast, resolve_precision


def test_precision_is_visible_and_bf16_stays_close_to_fp32(minilm, sentences):
    assert minilm.precision == "fp32" and "precision='fp32'" in repr(minilm)
    bf16 = copy.copy(minilm)
    bf16.precision = "bf16"
    assert minilm.precision == "fp32"
    low = bf16.encode(sentences)
    assert low.dtype == np.float32
    full = minilm.encode(sentences)
    cosines = (low * full).sum(1) / np.linalg.norm(low, axis=1) / np.linalg.norm(full, axis=1)
    assert cosines.min() > 0.99


def test_auto_precision_picks_bf16_only_where_it_is_fast(monkeypatch):
    monkeypatch.delenv("SBERT_LAB_PRECISION", raising=False)
    monkeypatch.setattr(precision_module, "cpu_has_fast_bf16", lambda: True)
    assert resolve_precision("auto", "cpu") == "bf16"
    monkeypatch.setattr(precision_module, "cpu_has_fast_bf16", lambda: False)
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"  # asked for explicitly


@pytest.mark.parametrize(
    "gpu, capability, expected",
    [
        ("Tesla T4", (7, 5), "fp16"),
        ("Tesla V100", (7, 0), "fp16"),
        ("A100", (8, 0), "bf16"),
        ("L4", (8, 9), "bf16"),
        ("H100", (9, 0), "bf16"),
    ],
)
def test_auto_precision_on_cuda_follows_compute_capability_not_emulated_bf16(
    monkeypatch, gpu, capability, expected
):
    # torch.cuda.is_bf16_supported() counts emulation: it answers True on a T4 (4x slower than fp16)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: True)
    monkeypatch.setattr(torch.cuda, "get_device_capability", lambda *a, **k: capability)
    assert resolve_precision("auto", "cuda") == expected, gpu


def test_precision_environment_override_and_bad_names(monkeypatch):
    monkeypatch.setattr(precision_module, "cpu_has_fast_bf16", lambda: True)
    monkeypatch.setenv("SBERT_LAB_PRECISION", "fp32")
    assert resolve_precision("auto", "cpu") == "fp32"
    assert resolve_precision("bf16", "cpu") == "bf16"  # the variable only replaces "auto"
    monkeypatch.setenv("SBERT_LAB_PRECISION", "half")
    with pytest.raises(ValueError, match=r"\$SBERT_LAB_PRECISION='half'"):
        resolve_precision("auto", "cpu")
    with pytest.raises(ValueError, match="'fp8'; valid: auto, fp32, bf16, fp16"):
        resolve_precision("fp8", "cpu")


def test_autocast_runs_matmuls_in_the_chosen_dtype():
    x = torch.ones(2, 2)
    with autocast("bf16", "cpu"):
        assert (x @ x).dtype == torch.bfloat16
    with autocast("fp32", "cpu"):
        assert (x @ x).dtype == torch.float32


def test_bf16_on_cpu_encodes_with_a_bf16_copy_of_the_current_weights(minilm, sentences):
    bf16 = copy.copy(minilm)  # shares the transformer, so both see the same weight update below
    bf16.precision = "bf16"
    before = bf16.encode(sentences)
    assert {p.dtype for p in bf16.model.parameters()} == {
        torch.float32
    }  # the model itself stays fp32
    shift = bf16.model.encoder.layer[
        -1
    ].output.LayerNorm.bias  # moves every token vector, hence the mean
    saved = shift.detach().clone()
    try:
        with torch.no_grad():
            shift.add_(0.5)  # in place, as an optimizer step (fused AdamW leaves no version bump)
        after, expected = bf16.encode(sentences), minilm.encode(sentences)
    finally:
        with torch.no_grad():
            shift.copy_(saved)
    np.testing.assert_allclose(after - before, 0.5, atol=0.05)  # bf16 rounding of values near 1
    cosines = (
        (after * expected).sum(1) / np.linalg.norm(after, axis=1) / np.linalg.norm(expected, axis=1)
    )
    assert cosines.min() > 0.99
