"""Argument checks shared by the public functions: a wrong setting fails before any work, naming
itself.

``number("lr", lr, above=0)`` returns ``float(lr)`` or raises: a ``TypeError`` for a value that is
not a real number (``"2e-5"``, ``None``, ``True``), a ``ValueError`` for NaN, an infinity or a value
out of range — none of them reaches torch, where they would fail later (or not at all) with a
message about something else. ``integer`` likewise, with ``NotAnInt`` (both a TypeError and a
ValueError) for a value that is not an int.
"""

from __future__ import annotations

import math
import numbers


def number(name: str, value, *, above: float | None = None, at_least: float | None = None) -> float:
    """``value`` as a finite float, > ``above`` and >= ``at_least`` when given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    if above is not None and not value > above:
        raise ValueError(f"{name} must be > {above:g}, got {value:g}")
    if at_least is not None and not value >= at_least:
        raise ValueError(f"{name} must be >= {at_least:g}, got {value:g}")
    return value


class NotAnInt(TypeError, ValueError):
    """A setting that must be a whole number and is not (a float, a bool, a string, None).

    Both a TypeError (the kind of value is wrong) and a ValueError (how ``fit`` answers every wrong
    setting), as numpy's AxisError is both an IndexError and a ValueError: either ``except``
    catches it."""


def integer(name: str, value, *, at_least: int = 1) -> int:
    """``value`` as an int >= ``at_least``; a float (even 64.0), a bool or a string is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise NotAnInt(f"{name} must be an int >= {at_least}, got {type(value).__name__} {value!r}")
    if value < at_least:
        raise ValueError(f"{name} must be an int >= {at_least}, got {value}")
    return int(value)


def vector_rows(name: str, value, *, empty_ok: bool = True):
    """``value`` as C-contiguous float32 rows (n, d); a ValueError for another shape, for no rows
    (unless ``empty_ok``) and for a row with NaN or an infinity, which has no direction."""
    import numpy as np

    x = np.ascontiguousarray(value, dtype=np.float32)
    if x.ndim != 2 or (len(x) == 0 and not empty_ok):
        kind = "a 2-D array" if empty_ok else "a non-empty 2-D array"
        raise ValueError(f"{name} must be {kind} of row vectors, got shape {x.shape}")
    broken = np.flatnonzero(~np.isfinite(x).all(axis=1))
    if len(broken):
        raise ValueError(
            f"{name}: {len(broken)} of {len(x)} rows hold NaN or an infinity (first: row "
            f"{broken[0]}); a model with NaN weights? Such a row has no direction to compare"
        )
    return x


def pair(name: str, value) -> tuple:
    """``value`` as a 2-tuple: ``score_range=5`` is a mistake, not a range."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{name} must be a pair (low, high), got {type(value).__name__} {value!r}")
    return tuple(value)


def utf8_text(name: str, text: str) -> None:
    """ValueError naming ``name`` when ``text`` cannot be written as UTF-8 (a lone surrogate, as
    ``errors="surrogateescape"`` decoding leaves behind): the tokenizers would fail on it without
    saying which text."""
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as err:
            raise ValueError(
                f"{name} is not encodable UTF-8 text: character {err.start} is a lone surrogate "
                f"{text[err.start]!r} (half of a UTF-16 pair; text decoded with "
                "errors='surrogateescape'?); remove or replace it"
            ) from None


def flag(name: str, value) -> bool:
    """``value`` if it is a bool: ``normalize="no"`` is a mistake, not True."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return value


def model_arguments(name_or_path, max_length) -> None:
    """What both encoders check first: a name or folder, and a max_length that is None or an int >=
    2.

    ``max_length=0`` or ``64.9`` are mistakes, not "the default" or 64.
    """
    import os

    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(
            f"name_or_path must be a hub id or a folder, got {type(name_or_path).__name__}"
        )
    if max_length is not None:
        integer("max_length", max_length, at_least=2)


def check_fit_settings(settings) -> None:
    """ValueError naming the first of ``fit``'s settings (a ``FitSettings``) that is out of
    range."""
    from .precision import resolve_precision

    for name, minimum in (("batch_size", 1), ("epochs", 1), ("seed", 0)):
        integer(name, getattr(settings, name), at_least=minimum)
    number("lr", settings.lr, above=0)  # inf would "finish" with NaN weights; "2e-5" fail in torch
    number("weight_decay", settings.weight_decay, at_least=0)
    warmup = settings.warmup
    is_share = isinstance(warmup, float) and 0.0 <= warmup <= 1.0
    is_count = isinstance(warmup, int) and not isinstance(warmup, bool) and warmup >= 0
    if not (is_share or is_count):
        raise ValueError(
            f"warmup must be a share in [0, 1] or a number of steps >= 0, got {warmup!r}"
        )
    if settings.max_grad_norm is not None:
        number("max_grad_norm", settings.max_grad_norm, above=0)
    if settings.eval_every is not None:
        integer("eval_every", settings.eval_every)
        if settings.eval_fn is None:
            raise ValueError("eval_every is set but eval_fn is None: pass the function to call")
    if settings.checkpoint_every is not None:
        integer("checkpoint_every", settings.checkpoint_every)
    if (settings.resume or settings.checkpoint_every) and settings.checkpoint_dir is None:
        raise ValueError(
            "resume=True and checkpoint_every need checkpoint_dir: the folder the checkpoints live "
            "in"
        )
    if settings.checkpoint_dir is not None:
        check_folder_can_be_made("checkpoint_dir", settings.checkpoint_dir)
    resolve_precision(settings.amp, "cpu")  # ValueError for an unknown precision


def check_folder_can_be_made(name: str, folder) -> None:
    """ValueError if ``folder`` (or a folder above it) is a file: found now, not after training."""
    from pathlib import Path

    for path in (Path(folder), *Path(folder).parents):
        if path.exists():
            if not path.is_dir():
                raise ValueError(f"{name}={str(folder)!r} cannot be a folder: {path} is a file")
            return
