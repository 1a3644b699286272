"""The package's one progress bar (``encode``, ``predict``, ``fit``, MLM pretraining, distillation).

tqdm.auto draws a widget in a notebook and text in a terminal. It redraws at most once a second: in
a notebook every redraw is a message to the front end, and a cell that sends thousands of them can
overflow the kernel's output queue (nbval then loses the cell's end).
"""

from __future__ import annotations

from collections.abc import Iterable


def progress_bar(
    iterable: Iterable | None = None,
    *,
    enabled: bool,
    desc: str,
    unit: str = "batch",
    total: int | None = None,
    initial: int = 0,
):
    """``iterable`` wrapped in a progress bar when ``enabled``, else ``iterable`` itself.

    Without an iterable (a loop that calls ``bar.update``), a bar of ``total`` steps, or None when
    not ``enabled``.
    """
    if not enabled:
        return iterable
    from tqdm.auto import tqdm

    return tqdm(
        iterable,
        desc=desc,
        unit=unit,
        total=total,
        initial=initial,
        mininterval=1.0,
        dynamic_ncols=True,
    )
