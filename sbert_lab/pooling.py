"""Masked pooling: turn per-token hidden states into one sentence vector.

SBERT (Reimers & Gurevych 2019, Section 3) adds a pooling operation on top of BERT's output and
compares three strategies: the [CLS] token, the mean of all token vectors (the default) and the
max over time of the token vectors. Table 6 ablates them.

Padding tokens must never take part: a sentence encoded alone and the same sentence padded to the
length of a longer neighbour must give the same vector. Pooling is done in float32 so that the
masked max stays exact when the transformer ran under fp16/bf16 autocast.
"""

from __future__ import annotations

import torch

POOLING_MODES = ("mean", "cls", "max")


def check_pooling(mode: str) -> str:
    """Return ``mode`` if it is a known pooling mode, else raise a ValueError listing them."""
    if mode not in POOLING_MODES:
        raise ValueError(
            f"unknown pooling {mode!r}; valid pooling modes are {', '.join(POOLING_MODES)}"
        )
    return mode


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Average of the token vectors where ``mask`` is 1.

    hidden (B, T, H), mask (B, T) -> (B, H).
    """
    mask = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1)
    summed = (hidden * mask).sum(dim=1)  # (B, H)
    counts = mask.sum(dim=1).clamp(min=1e-9)  # (B, 1)
    return summed / counts


def max_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Element-wise max over the real tokens.  hidden (B, T, H), mask (B, T) -> (B, H)."""
    padding = ~mask.bool().unsqueeze(-1)  # (B, T, 1)
    lowest = torch.finfo(hidden.dtype).min
    return hidden.masked_fill(padding, lowest).max(dim=1).values


def cls_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """The first token's vector ([CLS] in BERT).  hidden (B, T, H) -> (B, H)."""
    return hidden[:, 0]


_POOLERS = {"mean": mean_pool, "max": max_pool, "cls": cls_pool}


def pool(hidden: torch.Tensor, mask: torch.Tensor, mode: str = "mean") -> torch.Tensor:
    """Pool ``hidden`` (B, T, H) under the attention ``mask`` (B, T) with ``mode``; float32
    result."""
    return _POOLERS[check_pooling(mode)](hidden.float(), mask)
