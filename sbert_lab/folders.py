"""Model folders: written all at once or not at all, and checked before transformers reads them.

Writing. ``atomic_folder(target)`` hands out a temporary folder beside ``target``; only when
everything was written into it without an error is it renamed to ``target`` (``os.replace``, atomic
on one file system). A save that fails half-way — a full disk, an interrupted kernel, a bug — leaves
the previous folder (or none), never a mix that ``load`` would accept with default settings.

Reading. ``check_model_folder(path)`` looks at a local folder before transformers does, so that a
broken one is refused with the file at fault named, instead of loading with a made-up tokenizer
(a folder without tokenizer files gives every word ``[UNK]``), or failing with "header too small",
"column 12" or "Offline?".
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
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
# What a folder holds if a model was saved there: only such a folder is replaced by a new save.
MODEL_MARKERS = ("config.json", "modules.json")


class ModelFolderError(ValueError):
    """A local model folder that cannot be loaded; the message names the file and what is wrong."""


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it becomes ``target`` (replacing an old model).

    ``target`` may not exist, be empty, or hold an earlier model (it has config.json or
    modules.json). A folder holding anything else is refused up front rather than deleted.
    """
    target = Path(target)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"cannot save a model to {target}: it is a file")
    if (
        target.is_dir()
        and any(target.iterdir())
        and not any((target / m).exists() for m in MODEL_MARKERS)
    ):
        raise FileExistsError(
            f"cannot save a model to {target}: it holds other files and no model "
            f"({', '.join(MODEL_MARKERS)}); save to a new or empty folder"
        )
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    except OSError as err:  # an unwritable place: say so about target, not the temporary name
        raise _save_error(err, target, None) from None
    try:
        yield tmp
        _replace_folder(tmp, target)
    except OSError as err:
        raise _save_error(err, target, tmp) from err
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename


def _save_error(err: OSError, target: Path, tmp: Path | None) -> OSError:
    """``err`` (same type) reworded to name ``target``, the folder asked for, and not the temporary
    folder the files were written to (only the name of the file being written is kept)."""
    detail = err.strerror or str(err)
    filename = str(err.filename or "")
    if tmp is not None and filename.startswith(str(tmp)) and filename != str(tmp):
        detail += f" (writing {os.path.relpath(filename, tmp)})"
    message = f"cannot save a model to {target}: {detail}"
    try:
        return type(err)(err.errno, message) if err.errno else type(err)(message)
    except TypeError:  # an OSError subclass with another signature
        return OSError(err.errno, message)


def _replace_folder(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``; an old ``target`` is moved aside first and deleted afterwards."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old-"))
        os.replace(target, old / "model")
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


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


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike) -> Iterator[Path]:
    """A temporary path beside ``path`` to write to; when the block ends without an error it is
    flushed to disk and renamed onto ``path`` (``os.replace``), so that a reader sees the old file
    or the new one, never a torn one. After an error the temporary file is removed."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        fsync(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)  # gone already after a successful rename


def write_text_atomically(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through ``atomic_file``."""
    with atomic_file(path) as tmp:
        tmp.write_text(text)


def fsync(path: Path) -> None:
    """Flush ``path`` (a file or a folder) to disk, so that a rename never overtakes its content."""
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() and hasattr(os, "O_DIRECTORY") else 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # some file systems (and Windows) cannot open folders; renaming stays atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


__all__ = [
    "write_text_atomically",
    "fsync",
    "atomic_folder",
    "check_model_folder",
    "read_json",
    "ModelFolderError",
    "loading_error",
]
