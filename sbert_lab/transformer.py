"""What ``SentenceEncoder`` and ``CrossEncoder`` share: a transformers model and its tokenizer.

``Transformer`` loads both (from a hub id, a folder or one of this project's offline names), puts
them on a device, keeps the precision inference runs in, runs a block of inference (eval mode, no
autograd, that precision; the training mode is restored after), and writes both into a folder. The
two subclasses add only what differs: pooling into a sentence vector, or a head that scores a pair.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import torch
from torch import nn

from .checks import model_arguments
from .model_folders import FolderSettings, read_folder_settings
from .model_sources import load_transformer, quiet_transformers, resolve_model
from .precision import default_device, inference, resolve_precision


class Transformer(nn.Module):
    """A transformers model (``self.model``) with its tokenizer, on a device, in a precision."""

    def __init__(
        self,
        name_or_path: str | os.PathLike,
        max_length: int | None,
        device: str | torch.device | None,
        precision: str,
        auto_class,
        **model_kwargs,
    ):
        super().__init__()
        from transformers import AutoTokenizer

        model_arguments(name_or_path, max_length)
        self.name_or_path = str(name_or_path)
        self.folder_settings: FolderSettings = read_folder_settings(resolve_model(name_or_path))
        path = self.folder_settings.transformer_path
        self.tokenizer, self.model = load_transformer(
            self.name_or_path,
            path,
            # fp32 whatever the file holds (the offline raw BERT ships in fp16): the optimizer
            # updates these weights; bf16/fp16 come from autocast or a copy (sbert_lab.precision)
            lambda: (
                AutoTokenizer.from_pretrained(path),
                auto_class.from_pretrained(path, dtype=torch.float32, **model_kwargs),
            ),
        )
        self.to(torch.device(device) if device is not None else default_device())
        self.eval()  # as from_pretrained leaves it: no dropout until training asks for it
        self.precision = precision

    @property
    def device(self) -> torch.device:
        """Where the transformer's weights are."""
        return next(self.model.parameters()).device

    @property
    def precision(self) -> str:
        """The precision inference runs in: "fp32", "bf16" or "fp16" ("auto" is resolved on set)."""
        return self._precision

    @precision.setter
    def precision(self, value: str) -> None:
        self._precision = resolve_precision(value, self.device)

    @contextlib.contextmanager
    def inference(self) -> Iterator[None]:
        """Eval mode (no dropout), no autograd, ``precision``; the training mode returns after."""
        was_training = self.training
        self.eval()
        try:
            with torch.inference_mode(), inference(self.model, self.precision, self.device):
                yield
        finally:
            self.train(was_training)

    def save_transformer(self, folder: Path) -> None:
        """The model's and the tokenizer's own files (transformers' ``save_pretrained``)."""
        with quiet_transformers():
            self.model.save_pretrained(folder)
            self.tokenizer.save_pretrained(folder)

    @classmethod
    def load(cls, folder: str | os.PathLike, **kwargs):
        """Read a folder written by ``save``."""
        if not Path(folder).is_dir():
            raise FileNotFoundError(f"no model folder at {folder}")
        return cls(folder, **kwargs)
