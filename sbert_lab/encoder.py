"""SentenceEncoder: a transformer followed by masked pooling — the SBERT bi-encoder (Section 3).

    sentence --tokenizer--> ids (B, T) --transformer--> hidden (B, T, H) --pooling--> u (B, H)

The transformer and tokenizer are ``transformers.AutoModel`` / ``AutoTokenizer``; nothing is written
by hand. ``encode`` adds smart batching (sort by token length, pad per batch, restore input order)
and mixed precision; ``save`` writes a folder in the sentence-transformers layout, so that
``sentence_transformers.SentenceTransformer(folder)`` loads it and computes the same vectors.

Example::

    enc = SentenceEncoder("sbert-lab:all-MiniLM-L6-v2", pooling="mean")
    emb = enc.encode(["A man plays a guitar.", "Someone is playing music."])  # (2, 384) float32
"""

from __future__ import annotations

import copy
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .atomic import atomic_folder
from .batching import chunks, length_sorted_order
from .checks import flag, integer, utf8_text
from .model_folders import write_settings
from .pooling import POOLING_MODES, check_pooling, pool
from .progress import progress_bar
from .transformer import Transformer

DEFAULT_MAX_LENGTH = 256


def check_sentences(sentences: Sequence[str]) -> list[str]:
    """A list of the sentences; TypeError naming the first item that is not a string, ValueError
    naming the first that is not UTF-8 text (a lone surrogate)."""
    if isinstance(sentences, str):
        raise TypeError(
            "encode() takes a list of sentences, not a single string: use encode([sentence])"
        )
    if sentences is None or not hasattr(sentences, "__iter__"):
        raise TypeError(f"sentences must be a list of str, got {type(sentences).__name__}")
    sentences = list(sentences)
    for index, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise TypeError(
                f"sentences[{index}] is {type(sentence).__name__} ({sentence!r}), not str"
            )
        utf8_text(f"sentences[{index}]", sentence)
    return sentences


class SentenceEncoder(Transformer):
    """Transformer + pooling, the SBERT bi-encoder.

    Args:
        name_or_path: a hub id (``bert-base-uncased``), a local folder (a plain transformers folder
            or a sentence-transformers one), or ``sbert-lab:all-MiniLM-L6-v2`` /
            ``sbert-lab:tiny-random-bert`` (offline, see ``sbert_lab.model_sources``). A
            sentence-transformers folder's Normalize module is not applied (cosines are the same
            either way): pass ``encode(..., normalize=True)`` for unit vectors.
        pooling: "mean" | "cls" | "max"; None takes the folder's own pooling, else "mean".
        max_length: tokens per sentence (longer ones are truncated, with a warning); None takes the
            folder's ``max_seq_length``, else 256.
        device: torch device; None picks cuda, then mps, then cpu.
        precision: "auto" (bf16 autocast where fast, fp16 on older GPUs, else fp32) | "fp32" |
            "bf16" | "fp16".
    """

    def __init__(
        self,
        name_or_path: str | os.PathLike,
        pooling: str | None = None,
        max_length: int | None = None,
        device: str | torch.device | None = None,
        precision: str = "auto",
    ):
        from transformers import AutoModel

        if pooling is not None:
            check_pooling(pooling)  # before the model loads
        super().__init__(name_or_path, max_length, device, precision, AutoModel)
        settings = self.folder_settings  # what a sentence-transformers folder says about itself
        self.pooling = check_pooling(pooling or settings.pooling or "mean")
        self.max_length = int(
            max_length if max_length is not None else settings.max_length or DEFAULT_MAX_LENGTH
        )
        positions = getattr(self.model.config, "max_position_embeddings", None)
        if positions is not None and self.max_length > positions:
            if max_length is not None:
                raise ValueError(
                    f"max_length={max_length} is more than the {positions} positions of "
                    f"{self.name_or_path!r}"
                )
            self.max_length = positions  # a default, not a request: take what the model can do

    # -- properties ------------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        """Size of a sentence vector (the transformer's hidden size)."""
        return int(self.model.config.hidden_size)

    def extra_repr(self) -> str:
        return (
            f"name={self.name_or_path!r}, pooling={self.pooling!r}, max_length={self.max_length}, "
            f"dim={self.dim}, device={self.device}, precision={self.precision!r}"
        )

    def __repr__(self) -> str:
        return f"SentenceEncoder({self.extra_repr()})"

    def with_pooling(self, pooling: str) -> SentenceEncoder:
        """A view of this encoder with another pooling; the transformer and tokenizer are shared."""
        view = copy.copy(self)
        view.pooling = check_pooling(pooling)
        return view

    # -- the differentiable path (training) ------------------------------------------------------
    def tokenize(self, sentences: Sequence[str]) -> dict[str, torch.Tensor]:
        """Token ids, attention mask (and token types) for ``sentences``, padded to the longest, on
        device."""
        features = self.tokenizer(
            list(sentences),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        return {name: tensor.to(self.device) for name, tensor in features.items()}

    def forward(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        """Sentence vectors (B, H), float32, for tokenized ``features``; gradients flow."""
        hidden = self.model(**features).last_hidden_state  # (B, T, H)
        return pool(hidden, features["attention_mask"], self.pooling)  # (B, H)

    def embed(self, sentences: Sequence[str]) -> torch.Tensor:
        """``forward(tokenize(sentences))``: the training-time path, with gradients."""
        return self(self.tokenize(sentences))

    # -- inference -------------------------------------------------------------------------------
    def token_lengths(self, sentences: Sequence[str]) -> list[int]:
        """Untruncated token counts, special tokens included."""
        ids = self.tokenizer(
            list(sentences), add_special_tokens=True, truncation=False, verbose=False
        )
        return [len(row) for row in ids["input_ids"]]

    def encode(
        self,
        sentences: Sequence[str],
        batch_size: int = 32,
        normalize: bool = False,
        progress: bool = False,
        sort_by_length: bool = True,
    ) -> np.ndarray:
        """Sentence vectors as a float32 array (n, dim), rows in input order.

        Smart batching: sentences are sorted by token length and padded per batch (Section 7).
        Sentences longer than ``max_length`` tokens are truncated, with one warning per call.
        ``normalize=True`` scales each row to unit length (then a dot product is the cosine).
        ``sort_by_length=False`` batches the sentences in input order instead: the paper's baseline
        without smart batching (``sbert_lab.course.cost.time_smart_batching`` compares the two).
        """
        sentences = check_sentences(sentences)
        integer("batch_size", batch_size, at_least=1)
        flag("normalize", normalize)
        embeddings = np.zeros((len(sentences), self.dim), dtype=np.float32)
        if not sentences:
            return embeddings
        lengths = self.token_lengths(sentences)
        self._warn_truncation(lengths)
        order = length_sorted_order(lengths) if sort_by_length else np.arange(len(sentences))
        with self.inference():
            for batch in progress_bar(chunks(order, batch_size), enabled=progress, desc="encode"):
                vectors = self(self.tokenize([sentences[i] for i in batch]))  # (b, H) float32
                if normalize:
                    vectors = F.normalize(vectors, dim=-1)
                embeddings[batch] = vectors.float().cpu().numpy()
        return embeddings

    def _warn_truncation(self, lengths: list[int]) -> None:
        too_long = [i for i, n in enumerate(lengths) if n > self.max_length]
        if too_long:
            warnings.warn(
                f"{len(too_long)} of {len(lengths)} sentences are longer than "
                f"max_length={self.max_length} tokens (first at index {too_long[0]}, longest "
                f"{max(lengths)} tokens); they were truncated",
                stacklevel=3,
            )

    # -- persistence -----------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike) -> Path:
        """Write weights, tokenizer and pooling in the sentence-transformers folder layout.

        All or nothing: the files go to a temporary folder that is renamed to ``folder`` at the end
        (``sbert_lab.atomic.atomic_folder``), so an interrupted save leaves no folder ``load``
        accepts.
        """
        with atomic_folder(folder) as tmp:
            self.save_transformer(tmp)
            write_settings(tmp, self.max_length, self.dim, self.pooling)
        return Path(folder)


__all__ = ["SentenceEncoder", "POOLING_MODES", "check_sentences"]
