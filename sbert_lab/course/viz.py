"""Plots the lessons share: training curves, "paper vs yours" bars, STS scatter plots, a live curve.

Every function returns a matplotlib ``Figure`` (or draws on the ``Axes`` it is given) and never
calls ``plt.show()`` itself, so a notebook decides when a figure appears. Example::

    history = sl.train.fit(encoder, loss, pairs, eval_fn=dev_spearman, eval_every=50)
    course.viz.plot_training(history, eval_label="STS-B dev Spearman", start=before, paper=80.78)
    plt.show()
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from scipy.stats import spearmanr

from ..evaluation import unit_rows

PAPER_COLOR = "#9e9e9e"
YOURS_COLOR = "#1f77b4"


def moving_average(values: Sequence[float], window: int) -> np.ndarray:
    """Trailing mean over the last ``window`` values, same length as ``values`` (shorter windows at
    the start)."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    values = np.asarray(values, dtype=np.float64)
    sums = np.cumsum(np.concatenate([[0.0], values]))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)


def eval_points(history, start: float | None = None) -> tuple[list[int], list[float]]:
    """(steps, values) of ``history.evals``, with ``(0, start)`` first when a before-training value
    is given."""
    points = [(0, start)] if start is not None else []
    points += [(int(step), float(value)) for step, value in history.evals]
    return [step for step, _ in points], [value for _, value in points]


def plot_training(
    history,
    *,
    eval_label: str = "dev score",
    start: float | None = None,
    paper: float | None = None,
    title: str | None = None,
    window: int | None = None,
    eval_panel: bool = True,
) -> Figure:
    """Training loss per step (left) and the evaluation curve (right) of a ``sl.train.fit`` history.

    ``start`` is the evaluation before training (drawn at step 0); ``paper`` a horizontal reference
    line. The loss is drawn raw (faint) and as a moving average over ``window`` steps (default: 1/20
    of the run). ``eval_panel=False`` draws the loss alone (when a ``LiveCurve`` already showed the
    evaluations).
    """
    if eval_panel:
        fig, (loss_ax, eval_ax) = plt.subplots(1, 2, figsize=(11, 3.6))
    else:
        fig, loss_ax = plt.subplots(figsize=(6, 3.6))
    losses = np.asarray(history.losses, dtype=np.float64)
    steps = np.arange(1, len(losses) + 1)
    window = window or max(1, len(losses) // 20)
    loss_ax.plot(
        steps,
        losses,
        color=YOURS_COLOR,
        alpha=0.25 if window > 1 else 1.0,
        linewidth=0.8,
        label="per step",
    )
    if window > 1:
        loss_ax.plot(
            steps, moving_average(losses, window), color=YOURS_COLOR, label=f"mean of last {window}"
        )
    loss_ax.set(xlabel="training step", ylabel="loss", title="training loss")
    loss_ax.legend(loc="best")
    if eval_panel:
        _draw_eval(eval_ax, *eval_points(history, start), label=eval_label, paper=paper)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def _draw_eval(
    ax, steps: list[int], values: list[float], *, label: str, paper: float | None
) -> None:
    ax.plot(steps, values, marker="o", color=YOURS_COLOR, label="yours")
    if paper is not None:
        ax.axhline(paper, color=PAPER_COLOR, linestyle="--", label=f"paper {paper:.2f}")
    ax.set(xlabel="training step", ylabel=label, title=label)
    ax.legend(loc="best")


def plot_paper_vs_yours(
    labels: Sequence[str],
    paper: Sequence[float | None],
    measured: Sequence[float],
    *,
    ylabel: str,
    title: str | None = None,
) -> Figure:
    """Grouped bars, the paper's figure beside yours for each label (a missing paper figure draws no
    bar)."""
    if not len(labels) == len(paper) == len(measured):
        raise ValueError(
            f"labels, paper and measured differ in length: {len(labels)}, {len(paper)}, "
            f"{len(measured)}"
        )
    x = np.arange(len(labels))
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(5.0, 1.3 * len(labels) + 1.5), 3.6))
    paper_heights = [np.nan if value is None else value for value in paper]
    paper_bars = ax.bar(x - width / 2, paper_heights, width, color=PAPER_COLOR, label="paper")
    your_bars = ax.bar(x + width / 2, measured, width, color=YOURS_COLOR, label="yours")
    for bars in (paper_bars, your_bars):
        ax.bar_label(bars, fmt="%.1f", fontsize=8, padding=2)
    ax.set_xticks(x, labels)
    ax.set(ylabel=ylabel, title=title or "")
    ax.margins(y=0.15)
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def plot_dev_curves(
    curves: dict[str, tuple[Sequence[int], Sequence[float]]],
    *,
    ylabel: str = "STS-B dev Spearman × 100",
    xlabel: str = "training examples seen",
    paper: float | None = None,
    title: str | None = None,
) -> Figure:
    """Several runs' evaluation curves on one axis: ``label -> (x, values)`` (e.g. examples seen,
    so that runs with different batch sizes line up); ``paper`` a dashed reference line."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for label, (xs, values) in curves.items():
        ax.plot(list(xs), list(values), marker="o", label=label)
    if paper is not None:
        ax.axhline(paper, color=PAPER_COLOR, linestyle="--", label=f"paper {paper:.2f}")
    ax.set(xlabel=xlabel, ylabel=ylabel, title=title or "")
    ax.legend(loc="best")
    fig.tight_layout()
    return fig


def plot_data_size(
    runs: dict[str, list[tuple[int, float]]],
    trends: dict[str, Callable[[float], float]],
    *,
    extend_to: int,
    raw: float,
    paper: tuple[int, float, str],
    live: dict[str, tuple[int, float]] | None = None,
    ylabel: str = "STS-B test Spearman × 100",
) -> Figure:
    """STS-B against the number of NLI training pairs (log scale): each objective's runs as points,
    its fitted trend as a line drawn out to ``extend_to`` pairs (dotted past the last run), raw
    BERT as a horizontal line, the paper's figure ``(pairs, value, label)`` as a star and the
    lesson's ``live`` runs ``label -> (pairs, value)`` as hollow diamonds, coloured as the
    objective of the same position in ``runs``."""
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    for index, (label, points) in enumerate(runs.items()):
        color = f"C{index}"
        xs, ys = zip(*points, strict=True)
        ax.scatter(xs, ys, color=color, zorder=3, label=f"{label} (runs)")
        if label in trends:
            inside = np.geomspace(min(xs), max(xs), 20)
            beyond = np.geomspace(max(xs), extend_to, 20)
            ax.plot(inside, [trends[label](x) for x in inside], color=color)
            ax.plot(beyond, [trends[label](x) for x in beyond], color=color, linestyle=":")
    for index, (label, (x, y)) in enumerate((live or {}).items()):  # in the order of ``runs``
        ax.scatter([x], [y], marker="D", s=50, facecolors="none", edgecolors=f"C{index}",
                   linewidths=2, zorder=4, label=label)  # fmt: skip
    ax.axhline(raw, color=PAPER_COLOR, linewidth=1, label=f"raw BERT {raw:.1f}")
    ax.scatter([paper[0]], [paper[1]], marker="*", s=160, color="black", zorder=5, label=paper[2])
    ax.set_xscale("log")
    ax.set(xlabel="NLI training pairs (log scale)", ylabel=ylabel)
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    return fig


def plot_sts_scatter(
    ax,
    predicted: Sequence[float],
    gold: Sequence[float],
    *,
    title: str,
    ylabel: str = "cosine similarity",
):
    """Predicted similarity against gold score for each pair, with Spearman × 100 in the title."""
    predicted = np.asarray(predicted, dtype=np.float64)
    gold = np.asarray(gold, dtype=np.float64)
    if predicted.shape != gold.shape:
        raise ValueError(f"predicted {predicted.shape} and gold {gold.shape} differ in shape")
    rho = spearmanr(predicted, gold).statistic * 100
    ax.scatter(gold, predicted, s=8, alpha=0.5, color=YOURS_COLOR)
    ax.set(xlabel="gold score", ylabel=ylabel, title=f"{title}\nSpearman {rho:.2f}")
    return ax


class LiveCurve:
    """An evaluation curve that redraws in place while a model trains (in Jupyter; silent
    elsewhere).

    ``track`` wraps an evaluation function into the ``eval_fn`` that ``sl.train.fit`` calls every
    ``every`` steps and once at the end; each call adds a point and redraws. The step of a point is
    counted from the calls (``every``, ``2·every``, ..., capped at ``total_steps``);
    ``finish(history)`` replaces the points with the exact steps the history recorded. Example::

        curve = LiveCurve("STS-B dev Spearman", start=before, paper=80.78)
        track = curve.track(dev_spearman, every=50, total_steps=500)
        history = sl.train.fit(..., eval_fn=track, eval_every=50)
        curve.finish(history)
    """

    def __init__(self, label: str, *, start: float | None = None, paper: float | None = None):
        self.label = label
        self.paper = paper
        self.start = start
        self.steps: list[int] = [0] if start is not None else []
        self.values: list[float] = [start] if start is not None else []
        self.figure = Figure(
            figsize=(5.5, 3.4)
        )  # not managed by pyplot: shown only through the display handle
        self._handle = None

    def track(self, evaluate: Callable, every: int, total_steps: int | None = None) -> Callable:
        """``evaluate`` wrapped so that each call also adds its result to the curve."""
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        calls = 0

        def tracked(*args, **kwargs):
            nonlocal calls
            calls += 1
            value = float(evaluate(*args, **kwargs))
            step = calls * every if total_steps is None else min(calls * every, total_steps)
            self.add(step, value)
            return value

        return tracked

    def add(self, step: int, value: float) -> None:
        """Add one point and redraw."""
        self.steps.append(int(step))
        self.values.append(float(value))
        self.redraw()

    def finish(self, history) -> None:
        """Redraw from ``history.evals``: the steps ``fit`` itself recorded."""
        self.steps, self.values = eval_points(history, self.start)
        self.redraw()

    def redraw(self) -> None:
        self.figure.clear()
        ax = self.figure.add_subplot()
        _draw_eval(ax, self.steps, self.values, label=self.label, paper=self.paper)
        self.figure.tight_layout()
        self._show()

    def png(self) -> bytes:
        """The figure as PNG bytes (what the notebook shows)."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=90)
        return buffer.getvalue()

    def _show(self) -> None:
        try:
            from IPython import get_ipython
            from IPython.display import Image, display
        except ImportError:
            return
        if get_ipython() is None:  # a plain Python process: nothing to draw into
            return
        image = Image(data=self.png(), format="png")  # a PNG, whatever matplotlib backend is active
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)


# -- projections to 2-D (lesson 7): PCA and UMAP, cached
# --------------------------------------------- A projection is a pure function of (method,
# settings, the array), so it is cached under a hash of the array's bytes: re-running a notebook
# cell, or drawing the same points coloured another way, costs nothing. UMAP's first fit in a
# process spends seconds compiling (numba); the cache makes it the only one per set of points.
_PROJECTIONS: dict[tuple, np.ndarray] = {}
_PROJECTION_STATS = {"hits": 0, "misses": 0}


def array_key(x: np.ndarray) -> str:
    """A fingerprint of an array's shape, dtype and contents (sha1), for caching results computed
    from it."""
    import hashlib

    x = np.ascontiguousarray(x)
    digest = hashlib.sha1(f"{x.shape}|{x.dtype.str}|".encode())
    digest.update(x.tobytes())
    return digest.hexdigest()


def _check_points(embeddings: np.ndarray, at_least: int) -> np.ndarray:
    x = np.asarray(embeddings, dtype=np.float32)
    if x.ndim != 2:
        raise ValueError(
            f"embeddings must be a 2-D array (points, dimensions), got shape {x.shape}"
        )
    if len(x) < at_least:
        raise ValueError(f"need at least {at_least} points to project, got {len(x)}")
    if not np.isfinite(x).all():
        raise ValueError("embeddings hold NaN or infinite values")
    return x


def _cached(
    method: str, x: np.ndarray, settings: dict, compute: Callable[[], np.ndarray]
) -> np.ndarray:
    key = (method, tuple(sorted(settings.items())), array_key(x))
    if key in _PROJECTIONS:
        _PROJECTION_STATS["hits"] += 1
        return _PROJECTIONS[key]
    _PROJECTION_STATS["misses"] += 1
    coords = np.asarray(compute(), dtype=np.float32)
    coords.setflags(write=False)  # shared by every caller: nobody may change it in place
    _PROJECTIONS[key] = coords
    return coords


def projection_cache_info() -> dict:
    """How the projection cache has done: {"hits", "misses", "size"}."""
    return {**_PROJECTION_STATS, "size": len(_PROJECTIONS)}


def clear_projection_cache() -> None:
    """Forget every cached projection (and the hit/miss counts)."""
    _PROJECTIONS.clear()
    _PROJECTION_STATS.update(hits=0, misses=0)


def pca_2d(embeddings: np.ndarray) -> np.ndarray:
    """The first two principal components of each row, (n, d) -> (n, 2), cached.

    PCA is the SVD of the centred matrix: Xc = U S Vt, coordinates Xc @ Vt[:2].T. Each axis's sign
    is fixed so that its largest loading is positive, which makes the result deterministic.
    Linear and global: it keeps the directions of largest variance, including a common offset
    direction that anisotropic embeddings share.
    """
    x = _check_points(embeddings, 2)

    def compute() -> np.ndarray:
        centred = x.astype(np.float64) - x.mean(axis=0, dtype=np.float64)
        _, _, vt = np.linalg.svd(centred, full_matrices=False)
        axes = vt[:2]  # (2, d)
        signs = np.sign(axes[np.arange(len(axes)), np.abs(axes).argmax(axis=1)])
        coords = centred @ (axes * signs[:, None]).T  # (n, 2)
        return np.pad(
            coords, ((0, 0), (0, 2 - coords.shape[1]))
        )  # a 1-D input still gives 2 columns

    return _cached("pca", x, {}, compute)


def umap_2d(
    embeddings: np.ndarray, n_neighbors: int = 15, min_dist: float = 0.1, seed: int = 0
) -> np.ndarray:
    """UMAP (McInnes et al. 2018) of the rows, (n, d) -> (n, 2), by cosine similarity; cached.

    Rows are scaled to unit length and compared by Euclidean distance, which orders neighbours
    exactly as cosine similarity does (|u - v|^2 = 2 - 2 cos(u, v) for unit vectors). UMAP keeps
    each point's nearest neighbours together and says little about distances between far-apart
    groups. ``umap-learn`` is imported here, not at module import: it takes seconds to load, and its
    first fit in a process seconds more to compile. One thread and a fixed ``seed`` make the layout
    reproducible.
    """
    x = _check_points(embeddings, 3)
    n_neighbors = max(2, min(int(n_neighbors), len(x) - 1))

    def compute() -> np.ndarray:
        try:
            import umap
        except ImportError as err:
            raise ImportError(
                "umap_2d needs the PyPI package umap-learn: pip install umap-learn"
            ) from err
        unit = unit_rows(x)
        reducer = umap.UMAP(
            n_components=2,
            n_neighbors=n_neighbors,
            min_dist=min_dist,
            metric="euclidean",
            random_state=seed,
            n_jobs=1,
        )
        return reducer.fit_transform(unit)

    return _cached(
        "umap",
        x,
        {"n_neighbors": n_neighbors, "min_dist": float(min_dist), "seed": int(seed)},
        compute,
    )


def label_colors(labels: Sequence[str]) -> dict[str, str]:
    """One colour per distinct label, in order of first appearance (matplotlib's tab10, then
    tab20)."""
    distinct = list(dict.fromkeys(labels))
    palette = plt.get_cmap("tab10" if len(distinct) <= 10 else "tab20").colors
    return {label: matplotlib_color(palette[i % len(palette)]) for i, label in enumerate(distinct)}


def matplotlib_color(rgb) -> str:
    """An RGB tuple in [0, 1] as '#rrggbb'."""
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgb[:3])


def plot_projection(
    ax,
    coords: np.ndarray,
    labels: Sequence[str],
    *,
    title: str = "",
    muted: Sequence[str] = (),
    legend: bool = True,
):
    """Scatter 2-D ``coords`` with one colour per label; labels in ``muted`` are drawn small and
    grey underneath."""
    coords = np.asarray(coords)
    if coords.ndim != 2 or coords.shape[1] != 2:
        raise ValueError(f"coords must have shape (n, 2), got {coords.shape}")
    if len(labels) != len(coords):
        raise ValueError(f"{len(labels)} labels for {len(coords)} points")
    labels = np.asarray(labels, dtype=object)
    quiet = np.isin(labels, list(muted))
    if quiet.any():
        ax.scatter(
            *coords[quiet].T, s=6, color="#c8c8c8", label=" / ".join(dict.fromkeys(labels[quiet]))
        )
    for label, color in label_colors([lab for lab in labels if lab not in muted]).items():
        ax.scatter(*coords[labels == label].T, s=14, color=color, label=label, alpha=0.85)
    ax.set(title=title, xticks=[], yticks=[])
    if legend:
        ax.legend(fontsize=7, markerscale=1.5, loc="best", frameon=False)
    return ax


def cosine_matrix(embeddings: np.ndarray) -> np.ndarray:
    """All pairwise cosine similarities of the rows, (n, d) -> (n, n); a zero row gives zeros."""
    x = np.asarray(embeddings, dtype=np.float64)
    unit = unit_rows(x)
    return unit @ unit.T


def plot_similarity_heatmap(
    ax, embeddings: np.ndarray, labels: Sequence[str] | None = None, *, title: str = ""
):
    """The cosine-similarity matrix of ``embeddings`` on a fixed -1..1 colour scale; returns the
    image.

    With ``labels`` (rows grouped by label, as in the input order) the groups are marked on the
    axes, so that a block diagonal — similar within a group, dissimilar across — is easy to see. A
    fixed scale matters: an anisotropic space shows up as a matrix that is red everywhere.
    """
    sims = cosine_matrix(embeddings)
    image = ax.imshow(sims, cmap="RdBu_r", vmin=-1.0, vmax=1.0, interpolation="nearest")
    ax.set(title=title, xticks=[], yticks=[])
    if labels is not None:
        if len(labels) != len(sims):
            raise ValueError(f"{len(labels)} labels for {len(sims)} rows")
        starts = [i for i in range(len(labels)) if i == 0 or labels[i] != labels[i - 1]]
        ends = starts[1:] + [len(labels)]
        for start in starts[1:]:
            ax.axhline(start - 0.5, color="black", linewidth=0.6)
            ax.axvline(start - 0.5, color="black", linewidth=0.6)
        ax.set_yticks(
            [(s + e - 1) / 2 for s, e in zip(starts, ends, strict=True)],
            [labels[s] for s in starts],
            fontsize=7,
        )
    return image


# -- cost of comparing all pairs (lesson 6) --------------------------------------------------------
CROSS_COLOR = "#d62728"
_TIME_MARKS = (
    (1.0, "1 second"),
    (60.0, "1 minute"),
    (3600.0, "1 hour"),
    (86400.0, "1 day"),
    (365.25 * 86400, "1 year"),
)


def plot_cost_curves(
    ax,
    seconds_per_sentence: float,
    seconds_per_pair: float,
    seconds_per_cosine: float = 0.0,
    *,
    measured: Sequence = (),
    max_n: int = 10**7,
    mark_n: int | None = None,
    paper: bool = True,
):
    """Seconds to compare all pairs of n sentences, cross-encoder vs bi-encoder, on log-log axes
    (Section 1).

    Lines: ``sbert_lab.course.cost.estimate_all_pairs`` from the per-item costs given. Dots:
    ``measured`` ``AllPairsTiming`` rows (hollow when the cross-encoder time was scaled up from a
    sample of the pairs). Stars: the paper's 65 h and 5 s for n = 10,000 on a V100. Grey lines mark
    a second, minute, hour, day and year; ``mark_n`` draws a vertical line at that n. Returns
    ``ax``.
    """
    from . import cost

    if max_n < 10:
        raise ValueError(f"max_n must be >= 10, got {max_n}")
    sizes = np.unique(np.geomspace(2, max_n, 200).round().astype(np.int64))
    estimates = [
        cost.estimate_all_pairs(int(n), seconds_per_sentence, seconds_per_pair, seconds_per_cosine)
        for n in sizes
    ]
    ax.loglog(
        sizes,
        [e.cross_seconds for e in estimates],
        color=CROSS_COLOR,
        label="cross-encoder: n(n−1)/2 passes",
    )
    ax.loglog(
        sizes,
        [e.bi_seconds for e in estimates],
        color=YOURS_COLOR,
        label="bi-encoder: n passes + n² cosines",
    )
    if measured:
        for attribute, color in (("cross_seconds", CROSS_COLOR), ("bi_seconds", YOURS_COLOR)):
            for row in measured:
                hollow = attribute == "cross_seconds" and row.scaled
                ax.scatter(
                    row.n,
                    getattr(row, attribute),
                    s=30,
                    zorder=3,
                    edgecolors=color,
                    facecolors="white" if hollow else color,
                )
        ax.scatter([], [], s=30, color="black", label="measured (hollow: scaled from a sample)")
    if paper:
        paper_bi = cost.PAPER_BI_SECONDS + cost.PAPER_COSINE_SECONDS
        for seconds, color, label in (
            (cost.PAPER_CROSS_HOURS * 3600, CROSS_COLOR, "paper, V100: 65 h (cross)"),
            (paper_bi, YOURS_COLOR, "paper, V100: 5 s (SBERT)"),
        ):
            ax.scatter(
                [cost.PAPER_SENTENCES], [seconds], marker="*", s=160, color=color,
                edgecolors="black", zorder=4, label=label,
            )  # fmt: skip
    low = estimates[0].bi_seconds  # the cheapest point drawn: n = 2 with the bi-encoder
    marks = [
        (seconds, label)
        for seconds, label in _TIME_MARKS
        if low < seconds < estimates[-1].cross_seconds
    ]
    for seconds, _ in marks:
        ax.axhline(seconds, color=PAPER_COLOR, linewidth=0.6, linestyle=":")
    clock = ax.secondary_yaxis("right")  # the same scale, labelled in units a person reads
    clock.set_yticks([seconds for seconds, _ in marks], [label for _, label in marks], fontsize=7)
    clock.minorticks_off()
    if mark_n is not None:
        ax.axvline(mark_n, color="black", linewidth=0.8, linestyle="--")
    ax.set(
        xlabel="n sentences (all pairs compared)",
        ylabel="seconds",
        title="Comparing all pairs of n sentences",
    )
    ax.legend(fontsize=7, loc="upper left")
    return ax
