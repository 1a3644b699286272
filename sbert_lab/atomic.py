"""Writes that are whole or not there: every file or folder that must not be torn goes through here.

``atomic_folder(target)`` hands out a temporary folder beside ``target``; only when everything was
written into it without an error is it renamed to ``target`` (``os.replace``, atomic on one file
system). A save that fails half-way — a full disk, an interrupted kernel, a bug — leaves the
previous folder (or none), never a mix that ``load`` would accept with default settings.
``atomic_file(path)`` does the same for one file (checkpoints, logs, caches, records).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

# What a folder holds if a model was saved there: only such a folder is replaced by a new save.
MODEL_MARKERS = ("config.json", "modules.json")


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
