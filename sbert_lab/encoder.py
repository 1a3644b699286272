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

import contextlib
import copy
import json
import os
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .batching import chunks, length_sorted_order
from .checks import flag, integer, model_arguments
from .folders import ModelFolderError, atomic_folder, check_model_folder, loading_error, read_json
from .models import resolve_model
from .pooling import POOLING_MODES, check_pooling, pool
from .precision import HasPrecision, call_model, default_device, inference_precision

DEFAULT_MAX_LENGTH = 256
T = TypeVar("T")
_ST_POOLING_KEYS = {
    "mean": "pooling_mode_mean_tokens",
    "cls": "pooling_mode_cls_token",
    "max": "pooling_mode_max_tokens",
}


@dataclass
class FolderSettings:
    """What a sentence-transformers folder says about itself (all None for a plain transformer)."""

    transformer_path: str
    pooling: str | None = None
    max_length: int | None = None
    normalize: bool = False


def read_folder_settings(path: str) -> FolderSettings:
    """Read modules.json, the Pooling config and sentence_bert_config.json where ``path`` has them.

    ``path`` is a local folder or a hub id; for a hub id only these small files are fetched here
    (``_hub_settings_folder``), and the transformer itself is loaded from the hub afterwards.
    """
    root = Path(path)
    if not root.is_dir():
        snapshot = _hub_settings_folder(path)
        if snapshot is None:
            return FolderSettings(transformer_path=path)
        settings = read_folder_settings(str(snapshot))
        if Path(settings.transformer_path) == snapshot:  # the transformer sits at the repo's root
            settings.transformer_path = path
        return settings
    modules_file = root / "modules.json"
    if not modules_file.is_file():
        return FolderSettings(transformer_path=path)
    modules = read_json(modules_file)
    if not isinstance(modules, list) or not all(isinstance(m, dict) and "type" in m for m in modules):
        raise ModelFolderError(f"{modules_file} must be a list of modules, each with a 'type'")
    settings = FolderSettings(transformer_path=path)
    for module in modules:
        kind = module["type"].rsplit(".", 1)[-1]
        folder = root / module.get("path", "")
        if kind == "Transformer":
            settings.transformer_path = str(folder)
            settings.max_length = _st_max_length(folder)
        elif kind == "Pooling":
            settings.pooling = _pooling_from_st_config(folder / "config.json")
        elif kind == "Normalize":
            settings.normalize = True
        else:
            raise ValueError(
                f"{modules_file}: module {module.get('name')!r} of type {module['type']} is not supported; "
                "SentenceEncoder handles Transformer, Pooling and Normalize"
            )
    return settings


def _hub_settings_folder(repo_id: str) -> Path | None:
    """A local snapshot of a hub repo's sentence-transformers settings files; None if it has none.

    Without this a hub model would get mean pooling and max length 256 whatever its repo says.
    Any failure (no such repo, no network) returns None: loading the model reports it properly.
    """
    try:
        from huggingface_hub import hf_hub_download, snapshot_download

        modules = json.loads(Path(hf_hub_download(repo_id, "modules.json")).read_text())
        patterns = ["modules.json", "sentence_bert_config.json", "tokenizer_config.json"]
        for module in modules:
            folder = module.get("path", "").strip("/")
            if folder:
                patterns += [f"{folder}/config.json", f"{folder}/sentence_bert_config.json"]
        return Path(snapshot_download(repo_id, allow_patterns=patterns))
    except Exception:  # noqa: BLE001 - EntryNotFound (a plain transformer), offline, unknown repo...
        return None


def _st_max_length(folder: Path) -> int | None:
    """max_seq_length of a sentence-transformers Transformer folder.

    Up to sentence-transformers 5 it is in sentence_bert_config.json; version 6 keeps it as the
    tokenizer's model_max_length instead.
    """
    for name, key in (("sentence_bert_config.json", "max_seq_length"), ("tokenizer_config.json", "model_max_length")):
        config_file = folder / name
        if config_file.is_file():
            value = read_json(config_file).get(key)
            if isinstance(value, int) and 0 < value < 100_000:  # transformers writes 1e30 for "no limit"
                return value
    return None


def _pooling_from_st_config(config_file: Path) -> str:
    config = read_json(config_file)
    if "pooling_mode" in config:  # sentence-transformers >= 5 writes one string (or a list of them)
        mode = config["pooling_mode"]
        mode = mode[0] if isinstance(mode, list) and len(mode) == 1 else mode
        if mode not in _ST_POOLING_KEYS:
            raise ValueError(f"{config_file}: pooling_mode {mode!r} is not supported; valid: {', '.join(_ST_POOLING_KEYS)}")
        return mode
    chosen = [mode for mode, key in _ST_POOLING_KEYS.items() if config.get(key)]
    other = [k for k, v in config.items() if k.startswith("pooling_mode") and v and k not in _ST_POOLING_KEYS.values()]
    if len(chosen) != 1 or other:
        raise ValueError(
            f"{config_file}: exactly one of {', '.join(_ST_POOLING_KEYS.values())} must be true "
            f"(found {chosen + other or 'none'})"
        )
    return chosen[0]


def check_sentences(sentences: Sequence[str]) -> list[str]:
    """A list of the sentences; TypeError naming the first item that is not a string."""
    if isinstance(sentences, str):
        raise TypeError("encode() takes a list of sentences, not a single string: use encode([sentence])")
    if sentences is None or not hasattr(sentences, "__iter__"):
        raise TypeError(f"sentences must be a list of str, got {type(sentences).__name__}")
    sentences = list(sentences)
    for index, sentence in enumerate(sentences):
        if not isinstance(sentence, str):
            raise TypeError(f"sentences[{index}] is {type(sentence).__name__} ({sentence!r}), not str")
    return sentences


class SentenceEncoder(HasPrecision, nn.Module):
    """Transformer + pooling, the SBERT bi-encoder.

    Args:
        name_or_path: a hub id (``bert-base-uncased``), a local folder (a plain transformers folder or
            a sentence-transformers one), or ``sbert-lab:all-MiniLM-L6-v2`` /
            ``sbert-lab:tiny-random-bert`` (offline, see ``sbert_lab.models``). A sentence-transformers
            folder's Normalize module is not applied (cosines are the same either way): pass
            ``encode(..., normalize=True)`` for unit vectors.
        pooling: "mean" | "cls" | "max"; None takes the folder's own pooling, else "mean".
        max_length: tokens per sentence (longer ones are truncated, with a warning); None takes the
            folder's ``max_seq_length``, else 256.
        device: torch device; None picks cuda, then mps, then cpu.
        precision: "auto" (bf16 autocast where fast, fp16 on older GPUs, else fp32) | "fp32" | "bf16" | "fp16".
    """

    def __init__(
        self,
        name_or_path: str | os.PathLike,
        pooling: str | None = None,
        max_length: int | None = None,
        device: str | torch.device | None = None,
        precision: str = "auto",
    ):
        super().__init__()
        from transformers import AutoModel, AutoTokenizer

        model_arguments(name_or_path, max_length)
        self.name_or_path = str(name_or_path)
        path = resolve_model(name_or_path)
        settings = read_folder_settings(path)
        self.pooling = check_pooling(pooling or settings.pooling or "mean")
        self.max_length = int(max_length if max_length is not None else settings.max_length or DEFAULT_MAX_LENGTH)
        path = settings.transformer_path
        self.tokenizer, self.model = load_transformer(
            self.name_or_path,
            path,
            # fp32 whatever the file holds (the offline raw BERT ships in fp16): the optimizer
            # updates these weights; bf16/fp16 come from autocast or a copy (sbert_lab.precision)
            lambda: (AutoTokenizer.from_pretrained(path), AutoModel.from_pretrained(path, dtype=torch.float32)),
        )
        positions = getattr(self.model.config, "max_position_embeddings", None)
        if positions is not None and self.max_length > positions:
            if max_length is not None:
                raise ValueError(f"max_length={max_length} is more than the {positions} positions of {self.name_or_path!r}")
            self.max_length = positions  # a default, not a request: take what the model can do
        self.device = torch.device(device) if device is not None else default_device()
        self.to(self.device)
        self.eval()  # as from_pretrained leaves the transformer: no dropout until training asks for it
        self.precision = precision

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
        """Token ids, attention mask (and token types) for ``sentences``, padded to the longest, on device."""
        features = self.tokenizer(
            list(sentences),
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        return {name: tensor.to(self.device) for name, tensor in features.items()}

    def forward(
        self, features: dict[str, torch.Tensor], weights: dict[str, torch.Tensor] | None = None
    ) -> torch.Tensor:
        """Sentence vectors (B, H), float32, for tokenized ``features``; gradients flow.

        ``weights`` replaces the transformer's parameters for this call (``encode`` passes a bf16 copy).
        """
        hidden = call_model(self.model, features, weights).last_hidden_state  # (B, T, H)
        return pool(hidden, features["attention_mask"], self.pooling)  # (B, H)

    def embed(self, sentences: Sequence[str]) -> torch.Tensor:
        """``forward(tokenize(sentences))``: the training-time path, with gradients."""
        return self(self.tokenize(sentences))

    # -- inference -------------------------------------------------------------------------------
    def token_lengths(self, sentences: Sequence[str]) -> list[int]:
        """Untruncated token counts, special tokens included."""
        ids = self.tokenizer(list(sentences), add_special_tokens=True, truncation=False, verbose=False)
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
        without smart batching (``sbert_lab.cost.time_smart_batching`` compares the two).
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
        was_training = self.training
        self.eval()
        context, weights = inference_precision(self.precision, self.device, self.model)
        try:
            with torch.inference_mode(), context:
                for batch in _progress(chunks(order, batch_size), progress, "encode"):
                    vectors = self(self.tokenize([sentences[i] for i in batch]), weights)  # (b, H) float32
                    if normalize:
                        vectors = F.normalize(vectors, dim=-1)
                    embeddings[batch] = vectors.float().cpu().numpy()
        finally:
            self.train(was_training)
        return embeddings

    def _warn_truncation(self, lengths: list[int]) -> None:
        too_long = [i for i, n in enumerate(lengths) if n > self.max_length]
        if too_long:
            warnings.warn(
                f"{len(too_long)} of {len(lengths)} sentences are longer than max_length={self.max_length} "
                f"tokens (first at index {too_long[0]}, longest {max(lengths)} tokens); they were truncated",
                stacklevel=3,
            )

    # -- persistence -----------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike) -> Path:
        """Write weights, tokenizer and pooling in the sentence-transformers folder layout.

        All or nothing: the files go to a temporary folder that is renamed to ``folder`` at the end
        (``sbert_lab.folders.atomic_folder``), so an interrupted save leaves no folder ``load`` accepts.
        """
        with atomic_folder(folder) as tmp:
            with quiet_transformers():
                self.model.save_pretrained(tmp)
                self.tokenizer.save_pretrained(tmp)
            modules = [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
            _write_json(tmp / "modules.json", modules)
            _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": self.max_length, "do_lower_case": False})
            pooling = {"word_embedding_dimension": self.dim, "pooling_mode_mean_sqrt_len_tokens": False}
            pooling.update({key: mode == self.pooling for mode, key in _ST_POOLING_KEYS.items()})
            (tmp / "1_Pooling").mkdir()
            _write_json(tmp / "1_Pooling" / "config.json", pooling)
            _write_json(tmp / "config_sentence_transformers.json", {"similarity_fn_name": "cosine", "saved_by": "sbert_lab"})
        return Path(folder)

    @classmethod
    def load(cls, folder: str | os.PathLike, **kwargs) -> SentenceEncoder:
        """Read a folder written by ``save`` (or by sentence-transformers), pooling included."""
        if not Path(folder).is_dir():
            raise FileNotFoundError(f"no model folder at {folder}")
        return cls(folder, **kwargs)


@contextlib.contextmanager
def quiet_transformers():
    """Silence transformers' loading chatter (progress bars, load reports about unused heads).

    Raw BERT checkpoints carry MLM/NSP heads and a pooler that a sentence encoder does not use;
    the report about them is expected and would only confuse a student.
    """
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def load_transformer(name: str, path: str, load: Callable[[], T]) -> T:
    """``load()`` (transformers' ``from_pretrained`` calls for ``path``), quietly, with errors a user can act on.

    A local folder is checked first (``check_model_folder``: config, weights, tokenizer files); a
    refused pickle is reported without torch's advice to switch its safety off; a hub id that cannot
    be fetched says what to use offline.
    """
    local = Path(path).is_dir()
    if local:
        check_model_folder(path)
    try:
        with quiet_transformers():
            return load()
    except Exception as err:  # noqa: BLE001 - re-raised, explained
        refused = loading_error(name, err)
        if refused is not err:
            raise refused from None
        if not isinstance(err, OSError):
            raise
        first_line = str(err).splitlines()[0][:300] if str(err) else ""
        if local:
            raise OSError(f"could not load model {name!r} from the folder {path}: {type(err).__name__}: {first_line}") from err
        raise OSError(
            f"could not load model {name!r} (looked for {path!r} as a folder, then on the Hugging Face hub): "
            f"{type(err).__name__}: {first_line}. Offline? Use 'sbert-lab:all-MiniLM-L6-v2' or "
            "'sbert-lab:raw-bert-L4-H256', or set SBERT_LAB_PROFILE=offline."
        ) from err


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n")


def _progress(iterable, enabled: bool, desc: str):
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    # one redraw a second: in a notebook every redraw is a message to the front end, and a cell that
    # sends thousands of them can overflow the kernel's output queue (nbval then loses the cell's end)
    return tqdm(iterable, desc=desc, unit="batch", mininterval=1.0)


__all__ = ["SentenceEncoder", "POOLING_MODES", "check_sentences", "read_folder_settings"]
