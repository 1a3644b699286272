"""Model folders: checked before transformers reads them, and the sentence-transformers layout.

Checking. ``check_model_folder(path)`` looks at a local folder before transformers does, so that a
broken one is refused with the file at fault named, instead of loading with a made-up tokenizer
(a folder without tokenizer files gives every word ``[UNK]``), or failing with "header too small",
"column 12" or "Offline?".

The layout. What ``SentenceEncoder`` reads from a sentence-transformers folder and writes to it::

    folder/                          a saved SentenceEncoder (or a sentence-transformers model)
      modules.json                   [Transformer at "", Pooling at "1_Pooling"(, Normalize)]
      config.json, model.safetensors the transformer (transformers' own files)
      tokenizer files
      sentence_bert_config.json      max_seq_length (sentence-transformers <= 5)
      1_Pooling/config.json          pooling: pooling_mode_mean_tokens / _cls_token / _max_tokens

Only the layout lives here; ``SentenceEncoder`` loads the transformer and pools (``encoder.py``);
writing a folder whole is ``atomic.atomic_folder``'s job.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

WEIGHT_FILES = (
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin",
    "pytorch_model.bin.index.json",
)
# Any one of these lets transformers build the real tokenizer (fast JSON, WordPiece, BPE,
# SentencePiece).
TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "spiece.model",
    "sentencepiece.bpe.model",
)


class ModelFolderError(ValueError):
    """A local model folder that cannot be loaded; the message names the file and what is wrong."""


def read_json(path: str | os.PathLike):
    """The JSON in ``path``; a ModelFolderError naming the file, line and column if it is not
    JSON."""
    path = Path(path)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ModelFolderError(
            f"{path} is not valid JSON (line {err.lineno}, column {err.colno}: {err.msg}); "
            "was it cut short or edited by hand? Save the model again"
        ) from None
    except UnicodeDecodeError:
        raise ModelFolderError(f"{path} is not a UTF-8 text file; save the model again") from None


def check_model_folder(folder: str | os.PathLike) -> None:
    """ModelFolderError unless ``folder`` holds a loadable transformer: config, weights and
    tokenizer.

    Checks the files' presence and their headers (JSON that parses, a safetensors header that is
    whole), not every byte of the weights.
    """
    folder = Path(folder)
    if not any(folder.iterdir()):
        raise ModelFolderError(f"{folder} is an empty folder: no model was saved there")
    config = folder / "config.json"
    if not config.is_file():
        raise ModelFolderError(
            f"{folder} has no config.json: it is not a transformers model folder"
        )
    if not isinstance(read_json(config), dict):
        raise ModelFolderError(f"{config} does not hold a JSON object")
    weights = [name for name in WEIGHT_FILES if (folder / name).is_file()]
    if not weights:
        raise ModelFolderError(f"{folder} has no weights: none of {', '.join(WEIGHT_FILES)}")
    if weights[0] == "model.safetensors":
        check_safetensors(folder / "model.safetensors")
    if not any((folder / name).is_file() for name in TOKENIZER_FILES):
        raise ModelFolderError(
            f"{folder} has no tokenizer files (one of {', '.join(TOKENIZER_FILES)}): its tokenizer "
            "would know no words. Save the tokenizer with the model (SentenceEncoder.save does)"
        )


def check_safetensors(path: Path, remedy: str = "save the model again") -> None:
    """ModelFolderError if ``path`` is empty, cut short, or not a safetensors file; the message ends
    with ``remedy``."""
    from safetensors import safe_open

    size = path.stat().st_size
    if size == 0:
        raise ModelFolderError(f"{path} is empty (0 bytes): the save did not finish; {remedy}")
    try:
        with safe_open(str(path), framework="pt") as weights:
            weights.keys()
    except Exception as err:  # noqa: BLE001 - safetensors raises its own SafetensorError
        raise ModelFolderError(
            f"{path} ({size:,} bytes) is not a whole safetensors file ({err}): was it cut short? "
            f"{remedy[0].upper()}{remedy[1:]}"
        ) from None


def loading_error(name: str, err: Exception) -> Exception:
    """What to raise when transformers could not load ``name``: a refused pickle gets its own
    message."""
    text = str(err)
    if "weights_only" in text or "Unpickl" in type(err).__name__:
        return ModelFolderError(
            f"{name}: the weights file is a pickle that runs code other than loading tensors, and "
            "was refused. Do not load it with weights_only=False unless you wrote it yourself; ask "
            "for a safetensors copy"
        )
    return err


# -- the sentence-transformers layout -------------------------------------------------------------
ST_POOLING_KEYS = {
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
    if not isinstance(modules, list) or not all(
        isinstance(m, dict) and "type" in m for m in modules
    ):
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
                f"{modules_file}: module {module.get('name')!r} of type {module['type']} is not "
                "supported; SentenceEncoder handles Transformer, Pooling and Normalize"
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
    for name, key in (
        ("sentence_bert_config.json", "max_seq_length"),
        ("tokenizer_config.json", "model_max_length"),
    ):
        config_file = folder / name
        if config_file.is_file():
            value = read_json(config_file).get(key)
            if (
                isinstance(value, int) and 0 < value < 100_000
            ):  # transformers writes 1e30 for "no limit"
                return value
    return None


def _pooling_from_st_config(config_file: Path) -> str:
    config = read_json(config_file)
    if "pooling_mode" in config:  # sentence-transformers >= 5 writes one string (or a list of them)
        mode = config["pooling_mode"]
        mode = mode[0] if isinstance(mode, list) and len(mode) == 1 else mode
        if mode not in ST_POOLING_KEYS:
            raise ValueError(
                f"{config_file}: pooling_mode {mode!r} is not supported; valid: "
                f"{', '.join(ST_POOLING_KEYS)}"
            )
        return mode
    chosen = [mode for mode, key in ST_POOLING_KEYS.items() if config.get(key)]
    other = [
        k
        for k, v in config.items()
        if k.startswith("pooling_mode") and v and k not in ST_POOLING_KEYS.values()
    ]
    if len(chosen) != 1 or other:
        raise ValueError(
            f"{config_file}: exactly one of {', '.join(ST_POOLING_KEYS.values())} must be true "
            f"(found {chosen + other or 'none'})"
        )
    return chosen[0]


def write_settings(folder: Path, max_length: int, dim: int, pooling: str) -> None:
    """Write the sentence-transformers files beside a transformer already saved in ``folder``."""
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {
            "idx": 1,
            "name": "1",
            "path": "1_Pooling",
            "type": "sentence_transformers.models.Pooling",
        },
    ]
    _write_json(folder / "modules.json", modules)
    _write_json(
        folder / "sentence_bert_config.json", {"max_seq_length": max_length, "do_lower_case": False}
    )
    pooling_config = {"word_embedding_dimension": dim, "pooling_mode_mean_sqrt_len_tokens": False}
    pooling_config.update({key: mode == pooling for mode, key in ST_POOLING_KEYS.items()})
    (folder / "1_Pooling").mkdir()
    _write_json(folder / "1_Pooling" / "config.json", pooling_config)
    _write_json(
        folder / "config_sentence_transformers.json",
        {"similarity_fn_name": "cosine", "saved_by": "sbert_lab"},
    )


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n")
