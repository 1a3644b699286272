"""CrossEncoder: both sentences go through the transformer together, and a head reads the pair.

    [CLS] s1 [SEP] s2 [SEP] --transformer + classification head--> logit --sigmoid--> score ∈ [0, 1]

This is how BERT itself does STS and NLI (Devlin et al. 2019): full attention across the two
sentences. With a well-pretrained BERT it matches or beats a bi-encoder — the paper's Table 2 has
them level on STS-B alone (84.30 vs 84.67, base) and BERT-NLI-STSb-large (a cross-encoder) at 88.77
Spearman against SBERT-NLI-STSb-large's 86.10 — but it depends on pretraining more (a weakly
pretrained small BERT learns little as a cross-encoder: lesson 4), and every pair costs a
full forward pass, and comparing n sentences needs n(n-1)/2 of them (Section 1: 65 hours for
10,000 sentences on a V100). Lessons 4, 6 and 8 use it for that comparison and for re-ranking.

The model is ``transformers.AutoModelForSequenceClassification``. With ``num_labels=1`` it scores
similarity: trained with binary cross-entropy against the gold score rescaled to [0, 1] by the data
set's range (as sentence-transformers' CrossEncoder does on STS-B), predicting sigmoid(logit). With
``num_labels > 1`` it classifies (e.g. NLI, cross-entropy) and predicts class probabilities. ``fit``
is ``sbert_lab.train.fit`` — the same loop, precision, checkpoints and DDP as the bi-encoder.

Example::

    ce = CrossEncoder("sbert-lab:all-MiniLM-L6-v2", num_labels=1)
    ce.fit(sl.data.load_sts("stsb", "train"), epochs=1, batch_size=16)
    ce.predict([("A man plays a guitar.", "Someone is playing music.")])  # array([0.8...])
"""

from __future__ import annotations

import json
import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .atomic import atomic_folder
from .batching import chunks, length_sorted_order
from .checks import integer, utf8_text
from .data import NLIPair, STSPair
from .encoder import DEFAULT_MAX_LENGTH
from .losses import ScoredPairLoss, SentenceLoss, check_labels
from .model_folders import read_json
from .progress import progress_bar
from .transformer import Transformer

SETTINGS_FILE = "sbert_lab_cross_encoder.json"


def check_pairs(pairs: Sequence) -> list[tuple[str, str]]:
    """A list of (s1, s2) string pairs; TypeError naming the first item that is not one, ValueError
    naming the first sentence that is not UTF-8 text (a lone surrogate)."""
    if (
        isinstance(pairs, (str, tuple))
        and len(pairs) == 2
        and all(isinstance(s, str) for s in pairs)
    ):
        raise TypeError(
            "predict() takes a list of pairs, not a single pair: use predict([(s1, s2)])"
        )
    if pairs is None or isinstance(pairs, (str, bytes)) or not hasattr(pairs, "__iter__"):
        raise TypeError(
            f"pairs must be a list of (sentence, sentence) pairs, got {type(pairs).__name__}"
        )
    checked = []
    for index, pair in enumerate(pairs):
        if not (
            isinstance(pair, (tuple, list))
            and len(pair) >= 2
            and isinstance(pair[0], str)
            and isinstance(pair[1], str)
        ):
            raise TypeError(f"pairs[{index}] must be a (sentence, sentence) pair, got {pair!r}")
        for position in (0, 1):
            utf8_text(f"pairs[{index}][{position}]", pair[position])
        checked.append((pair[0], pair[1]))
    return checked


class PairScoreLoss(ScoredPairLoss):
    """Binary cross-entropy between sigmoid(logit) and the gold score rescaled to [0, 1].

        loss = mean_i BCE( sigmoid(z_i), (score_i - low) / (high - low) )

    ``score_range`` is the data set's (STS-B (0, 5), SICK (1, 5)); inputs are STSPair.
    """

    who = "CrossEncoder(num_labels=1).fit"

    def columns(self, batch: Sequence[STSPair]) -> list[list[tuple[str, str]]]:
        return [[(p.s1, p.s2) for p in batch]]  # ONE column of pairs: the pair is read jointly

    def forward(self, logits: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        return F.binary_cross_entropy_with_logits(logits[0].float(), labels.float())


class PairClassificationLoss(SentenceLoss):
    """Cross-entropy over ``num_labels`` classes for NLIPair(premise, hypothesis, label)."""

    trains_on = (NLIPair,)
    fields, texts = "premise, hypothesis, label", 2

    def __init__(self, num_labels: int):
        super().__init__()
        self.num_labels = num_labels

    @property
    def who(self) -> str:
        return f"CrossEncoder(num_labels={self.num_labels}).fit"

    def columns(self, batch: Sequence[NLIPair]) -> list[list[tuple[str, str]]]:
        return [[(p.premise, p.hypothesis) for p in batch]]

    def labels(self, batch: Sequence[NLIPair]) -> torch.Tensor:
        return torch.tensor([p.label for p in batch], dtype=torch.long)

    def check(self, examples: Sequence[NLIPair], model=None) -> None:
        super().check(examples, model)
        check_labels(examples, self.num_labels, self.who)

    def forward(self, logits: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(logits[0].float(), labels)


class CrossEncoder(Transformer):
    """A transformer that reads a sentence pair jointly and outputs a score (or class scores).

    Args:
        name_or_path: hub id, folder, or ``sbert-lab:all-MiniLM-L6-v2`` /
            ``sbert-lab:tiny-random-bert``. A sentence-transformers bi-encoder folder works too: its
            transformer is used and a new, randomly initialised head is put on top.
        num_labels: 1 for a similarity score, k for k-way classification.
        max_length: tokens per PAIR (longer pairs are truncated, longest sentence first); None: the
            folder's max_seq_length, else 256.
        device, precision: as for ``SentenceEncoder``.
    """

    def __init__(
        self,
        name_or_path: str | os.PathLike,
        num_labels: int = 1,
        max_length: int | None = None,
        device: str | torch.device | None = None,
        precision: str = "auto",
    ):
        from transformers import AutoModelForSequenceClassification

        integer("num_labels", num_labels, at_least=1)
        # a saved cross-encoder with another number of labels (e.g. an NLI cross-encoder given an
        # STS head, Table 2's BERT-NLI-STSb) keeps its transformer and gets a new head, as promised
        super().__init__(
            name_or_path, max_length, device, precision, AutoModelForSequenceClassification,
            num_labels=int(num_labels), ignore_mismatched_sizes=True,
        )  # fmt: skip
        settings = self.folder_settings
        saved_labels = _saved_head_labels(settings.transformer_path)
        if saved_labels is not None and saved_labels != int(num_labels):
            warnings.warn(
                f"{name_or_path}: its classification head has {saved_labels} labels; a new, "
                f"randomly initialised head with {int(num_labels)} is put in its place",
                stacklevel=2,
            )
        saved = _read_settings(settings.transformer_path)
        self.num_labels = int(num_labels)
        self.max_length = int(
            max_length
            if max_length is not None
            else saved.get("max_length") or settings.max_length or DEFAULT_MAX_LENGTH
        )
        self.score_range = tuple(saved.get("score_range", (0.0, 1.0)))

    def __repr__(self) -> str:
        return (
            f"CrossEncoder(name={self.name_or_path!r}, num_labels={self.num_labels}, "
            f"max_length={self.max_length}, device={self.device}, precision={self.precision!r})"
        )

    # -- what the training loop needs ------------------------------------------------------------
    def tokenize(self, pairs: Sequence[tuple[str, str]]) -> dict[str, torch.Tensor]:
        """[CLS] s1 [SEP] s2 [SEP] token ids for each pair, padded to the longest, on device."""
        first, second = [p[0] for p in pairs], [p[1] for p in pairs]
        features = self.tokenizer(
            first,
            second,
            padding=True,
            truncation="longest_first",
            max_length=self.max_length,
            return_tensors="pt",
        )
        return {name: tensor.to(self.device) for name, tensor in features.items()}

    def token_lengths(self, pairs: Sequence[tuple[str, str]]) -> list[int]:
        """Untruncated token count of each pair, special tokens included."""
        first, second = [p[0] for p in pairs], [p[1] for p in pairs]
        ids = self.tokenizer(first, second, truncation=False, verbose=False)["input_ids"]
        return [len(row) for row in ids]

    def forward(self, features: dict[str, torch.Tensor]) -> torch.Tensor:
        """Logits, float32: (B,) for num_labels=1, else (B, num_labels)."""
        logits = self.model(**features).logits.float()  # (B, num_labels)
        return logits.squeeze(-1) if self.num_labels == 1 else logits

    def fit(self, examples: Sequence, score_range: tuple[float, float] | None = None, **fit_kwargs):
        """Fine-tune with ``sbert_lab.train.fit``: STSPair + BCE for num_labels=1, NLIPair + CE
        otherwise.

        ``score_range``: the data set's score scale (default (0, 5), STS-B's; SICK's is (1, 5)).
        Other keyword arguments go to ``fit`` (epochs, batch_size, lr, warmup, seed, amp,
        eval_fn...).
        """
        from .train import fit

        if self.num_labels == 1:
            self.score_range = tuple(float(x) for x in (score_range or (0.0, 5.0)))
            loss = PairScoreLoss(self.score_range)
        else:
            loss = PairClassificationLoss(self.num_labels)
        return fit(self, loss, examples, **fit_kwargs)

    # -- inference -------------------------------------------------------------------------------
    def predict(
        self, pairs: Sequence[tuple[str, str]], batch_size: int = 32, progress: bool = False
    ) -> np.ndarray:
        """Scores in input order: (n,) sigmoid scores in [0, 1] for num_labels=1, else (n, k)
        probabilities.

        Pairs are sorted by token length and padded per batch (smart batching, as ``encode``).
        """
        pairs = check_pairs(pairs)
        integer("batch_size", batch_size, at_least=1)
        shape = (len(pairs),) if self.num_labels == 1 else (len(pairs), self.num_labels)
        scores = np.zeros(shape, dtype=np.float32)
        if not pairs:
            return scores
        order = length_sorted_order(self.token_lengths(pairs))
        with self.inference():
            for batch in progress_bar(chunks(order, batch_size), enabled=progress, desc="predict"):
                logits = self(self.tokenize([pairs[i] for i in batch]))
                probabilities = (
                    torch.sigmoid(logits) if self.num_labels == 1 else logits.softmax(-1)
                )
                scores[batch] = probabilities.float().cpu().numpy()
        return scores

    # -- persistence -----------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike) -> Path:
        """A transformers folder (sentence-transformers' ``CrossEncoder`` loads it too) plus our
        settings.

        All or nothing, as ``SentenceEncoder.save``: written to a temporary folder, renamed at the
        end.
        """
        with atomic_folder(folder) as tmp:
            self.save_transformer(tmp)
            settings = {
                "max_length": self.max_length,
                "num_labels": self.num_labels,
                "score_range": list(self.score_range),
            }
            (tmp / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n")
        return Path(folder)

    @classmethod
    def load(cls, folder: str | os.PathLike, **kwargs) -> CrossEncoder:
        """Read a folder written by ``save`` (its number of labels included)."""
        config_file = Path(folder) / "config.json"
        config = read_json(config_file) if config_file.is_file() else {}
        kwargs.setdefault("num_labels", len(config.get("id2label", {0: "LABEL_0"})))
        return super().load(folder, **kwargs)


def _read_settings(folder: str) -> dict:
    path = Path(folder) / SETTINGS_FILE
    return read_json(path) if path.is_file() else {}


def _saved_head_labels(path: str) -> int | None:
    """The number of labels of the sequence-classification head saved in ``path`` (None when the
    checkpoint has no such head, e.g. a raw BERT or a bi-encoder's transformer)."""
    config_file = Path(path) / "config.json"
    if not config_file.is_file():
        return None
    config = json.loads(config_file.read_text())
    if not any("ForSequenceClassification" in a for a in config.get("architectures") or []):
        return None
    return len(config["id2label"]) if "id2label" in config else config.get("num_labels")


__all__ = ["CrossEncoder", "PairScoreLoss", "PairClassificationLoss", "check_pairs"]
