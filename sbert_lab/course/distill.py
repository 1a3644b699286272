"""A static sentence encoder distilled from a trained one (lesson 12): no transformer at inference.

The recipe of model2vec (Tulkens & van Dongen 2024): every token of the teacher's vocabulary goes
through the teacher once, alone (``[CLS] token [SEP]``, the teacher's own pooling); PCA brings the
token vectors down to ``dims`` dimensions (and centres them, which removes the direction every
vector shares); each vector is weighted by how informative its token is (SIF, Arora et al. 2017,
with token probabilities from Zipf's law over the vocabulary's frequency order). A sentence vector
is then the mean of its tokens' rows: a table lookup, tens of thousands of sentences per second.

    teacher(token t) (V, H) --PCA--> (V, dims) --× a / (a + p(t))--> table;  sentence = mean of rows
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from ..checks import integer
from ..encoder import SentenceEncoder, check_sentences
from ..evaluation import unit_rows
from ..progress import progress_bar

SIF_A = 1e-4  # model2vec's SIF coefficient a


class StaticEncoder:
    """Sentence vector = mean of per-token rows of ``table`` (V, d); same ``encode`` as
    ``SentenceEncoder``. ``tokenizer`` is the teacher's (WordPiece: unknown words are split into
    known pieces, so no word is skipped)."""

    def __init__(self, tokenizer, table: np.ndarray, name: str = "static"):
        self.tokenizer, self.table = tokenizer, np.asarray(table, dtype=np.float32)
        self.name_or_path = name

    @property
    def dim(self) -> int:
        return int(self.table.shape[1])

    def encode(self, sentences: Sequence[str], normalize: bool = False, **_) -> np.ndarray:
        """(n, dim) float32: the mean row of each sentence's tokens (special tokens left out);
        ``batch_size`` and ``progress`` are accepted and ignored, as by ``GloVeAverage``."""
        sentences = check_sentences(sentences)
        ids = self.tokenizer(sentences, add_special_tokens=False, truncation=False)["input_ids"]
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for row, tokens in enumerate(ids):
            if tokens:
                out[row] = self.table[tokens].mean(axis=0)
        return unit_rows(out) if normalize else out

    def __repr__(self) -> str:
        return f"StaticEncoder({self.name_or_path!r}, tokens={len(self.table)}, dim={self.dim})"


def distill_static(
    teacher: SentenceEncoder,
    dims: int = 256,
    batch_size: int = 1024,
    progress: bool = True,
    tokens: int | None = None,
) -> StaticEncoder:
    """The model2vec recipe (module docstring) on ``teacher``: one forward pass per token.

    ``tokens``: distil only that many of the vocabulary's tokens, evenly spaced in its order (the
    others keep a zero row); None, the whole vocabulary. For test runs at a small
    ``$SBERT_LAB_SCALE``, where the ~30,000 forward passes would be most of the lesson's time."""
    vocabulary_size = len(teacher.tokenizer)
    special = set(teacher.tokenizer.all_special_ids)
    cls, sep = teacher.tokenizer.cls_token_id, teacher.tokenizer.sep_token_id
    vectors = np.zeros((vocabulary_size, teacher.dim), dtype=np.float32)
    token_ids = _evenly_spaced([t for t in range(vocabulary_size) if t not in special], tokens)
    batches = [token_ids[i : i + batch_size] for i in range(0, len(token_ids), batch_size)]
    with teacher.inference():
        for batch in progress_bar(batches, enabled=progress, desc="tokens through the teacher"):
            ids = torch.tensor([[cls, t, sep] for t in batch], device=teacher.device)
            features = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
            vectors[batch] = teacher(features).float().cpu().numpy()
    table = _pca(vectors[token_ids], dims)
    full = np.zeros((vocabulary_size, table.shape[1]), dtype=np.float32)
    full[token_ids] = table * sif_weights(len(token_ids))[:, None]
    return StaticEncoder(teacher.tokenizer, full, f"static({teacher.name_or_path}, {dims}d)")


def _evenly_spaced(ids: list[int], count: int | None) -> list[int]:
    """``count`` of ``ids`` at even steps through them, first and last included (all when None)."""
    if count is None or integer("tokens", count, at_least=2) >= len(ids):
        return ids
    return [ids[i] for i in np.linspace(0, len(ids) - 1, count).round().astype(int)]


def sif_weights(size: int, a: float = SIF_A) -> np.ndarray:
    """a / (a + p(rank)) for tokens in frequency order, with Zipf's p(rank) ∝ 1 / rank: frequent
    tokens ("the", ",") weigh little, rare ones close to 1."""
    zipf = 1.0 / np.arange(1, size + 1)
    return (a / (a + zipf / zipf.sum())).astype(np.float32)


def _pca(x: np.ndarray, dims: int) -> np.ndarray:
    """The centred rows of ``x`` projected on their ``dims`` leading principal axes."""
    centred = x - x.mean(axis=0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)  # rows of axes: principal directions
    return centred @ axes[: min(dims, x.shape[1])].T
