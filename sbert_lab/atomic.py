"""Writes that are whole or not there: every file or folder that must not be torn goes through here.

``staged_folder(target)`` hands out a temporary folder beside ``target``; only when everything was
written into it without an error are its files flushed to disk and the folder renamed to
``target`` (``os.replace``, atomic on one file system). A save that fails half-way — a full disk,
an interrupted kernel, a bug — leaves the previous folder (or none), never a mix that a reader
would accept. ``atomic_folder(target)`` is that for a model (it refuses to replace a folder that
holds anything but a model, and names ``target`` in its errors); checkpoints and the built-in
models stage their folders directly. ``atomic_file(path)`` does the same for one file
(checkpoint pointers, logs, caches, records).
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
def staged_folder(target: str | os.PathLike, keep_existing: bool = False) -> Iterator[Path]:
    """Yield an empty temporary folder beside ``target``; when the block ends without an error, its
    files are flushed to disk and it becomes ``target``. An old ``target`` is moved aside and
    deleted — or, with ``keep_existing``, kept and the new folder dropped (for a folder that another
    process may build at the same time, with the same content). After an error, or when dropped,
    the temporary folder is removed."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.tmp-"))
    try:
        yield tmp
        for path in tmp.rglob("*"):
            if path.is_file():
                fsync(path)
        if keep_existing:
            _rename_unless_present(tmp, target)
        else:
            _replace_folder(tmp, target)
        fsync(target.parent)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after a successful rename


@contextlib.contextmanager
def atomic_folder(target: str | os.PathLike) -> Iterator[Path]:
    """``staged_folder`` for a model: on success the folder becomes ``target``, replacing an old
    model.

    ``target`` may not exist, be empty, or hold an earlier model (it has config.json or
    modules.json). A folder holding anything else is refused up front rather than deleted. An
    OSError (an unwritable place, a full disk) names ``target``, not the temporary folder.
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
    tmp = None
    try:
        with staged_folder(target) as tmp:
            yield tmp
    except OSError as err:
        if tmp is None:  # the temporary folder could not be made: say so about target alone
            raise _save_error(err, target, None) from None
        raise _save_error(err, target, tmp) from err


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
        os.replace(target, old / target.name)
    os.replace(new, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _rename_unless_present(new: Path, target: Path) -> None:
    """Put ``new`` at ``target`` unless a folder is there already (then ``new`` is left to be
    removed)."""
    try:
        os.replace(new, target)
    except OSError:
        if not target.is_dir():  # not "another process finished first": a real failure
            raise


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
