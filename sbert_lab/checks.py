"""Argument checks shared by the public functions: a wrong setting fails before any work, naming itself.

``number("lr", lr, above=0)`` returns ``float(lr)`` or raises: a ``TypeError`` for a value that is
not a real number (``"2e-5"``, ``None``, ``True``), a ``ValueError`` for NaN, an infinity or a value
out of range — none of them reaches torch, where they would fail later (or not at all) with a
message about something else.
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


def integer(name: str, value, *, at_least: int = 1) -> int:
    """``value`` as an int >= ``at_least``; a float (even 64.0), a bool or a string is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if value < at_least:
        raise ValueError(f"{name} must be an int >= {at_least}, got {value}")
    return int(value)


def flag(name: str, value) -> bool:
    """``value`` if it is a bool: ``normalize="no"`` is a mistake, not True."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {type(value).__name__} {value!r}")
    return value


def model_arguments(name_or_path, max_length) -> None:
    """What both encoders check first: a name or folder, and a max_length that is None or an int >= 2.

    ``max_length=0`` or ``64.9`` are mistakes, not "the default" or 64.
    """
    import os

    if not isinstance(name_or_path, (str, os.PathLike)):
        raise TypeError(f"name_or_path must be a hub id or a folder, got {type(name_or_path).__name__}")
    if max_length is not None:
        integer("max_length", max_length, at_least=2)
