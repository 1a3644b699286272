"""A lesson run the way a student runs it: JupyterLab in a real (headless) Chromium, "Run All".

nbval proves that the cells execute in a kernel; only a browser proves that the lesson *works in
JupyterLab*: that the front end loads, the kernel starts, every cell runs from the Run menu's own
command without an error, and the ipywidgets the lessons rely on (tqdm.auto progress bars, sliders)
are actually drawn by the widget manager rather than left as "Loading widget...".

The test runs in a temporary copy of ``notebooks/`` (JupyterLab autosaves) under the ``smoke``
profile with the hub offline, keeps a screenshot at ``artifacts/browser/<lesson>.png``, and is
skipped, saying why, where Debian's Chromium or the Python ``playwright`` package is missing.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from browser_lab import CHROMIUM, JupyterLab, launch_chromium, run_notebook

# The lesson the browser runs: NLI fine-tuning, whose training cell draws a tqdm.auto progress bar
# (an ipywidgets HBox) above a live dev curve, in about 12 s in the smoke profile. Lessons 04-05
# also show progress bars, 06 has sliders and 07 a neighbour explorer (dropdown, text box, output
# area).
LESSON = "03_nli_finetuning"

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "artifacts" / "browser"
RUN_TIMEOUT_S = 180  # generous: every lesson runs in under 25 s in the smoke profile
# A widget view that the front end could not build shows one of these texts instead of the widget.
WIDGET_FAILURE_TEXTS = (
    "Error displaying widget",
    "Failed to load model class",
    "Loading widget...",
)

pytestmark = pytest.mark.slow


def _require_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(
            f"no Chromium at {CHROMIUM}: install Debian's chromium and chromium-driver to run the "
            "browser test"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("the Python package playwright is not installed: pip install playwright")


@pytest.fixture
def lab(tmp_path):
    """JupyterLab serving a scratch copy of notebooks/; stopped by PID, its kernels with it."""
    _require_browser()
    notebook = REPO / "notebooks" / f"{LESSON}.ipynb"
    assert notebook.exists(), (
        f"tests/lessons/test_browser.py: LESSON = {LESSON!r} but {notebook} does not exist"
    )
    shutil.copytree(
        REPO / "notebooks",
        tmp_path / "notebooks",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
    )
    env = dict(
        os.environ,
        SBERT_LAB_PROFILE="smoke",  # a rendering test: the fast profile
        HF_HUB_OFFLINE="1",
        SBERT_LAB_RESULTS=str(tmp_path / "results"),
        SBERT_LAB_RUNS=str(tmp_path / "runs"),
        # One torch thread: Chromium and the server share the 2 cores with the kernel, and a second
        # OpenMP thread that cannot get a core made a small matmul 45x slower (0.35 -> 16 ms).
        OMP_NUM_THREADS="1",
    )
    server = JupyterLab(root=tmp_path, env=env)
    try:
        yield server.start()
    finally:
        server.stop()


def test_lesson_runs_in_jupyterlab_and_draws_its_widgets(lab):
    from playwright.sync_api import sync_playwright

    screenshot = SCREENSHOTS / f"{LESSON}.png"
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            run = run_notebook(page, lab, f"notebooks/{LESSON}.ipynb", timeout_s=RUN_TIMEOUT_S)
            widgets = page.locator(".jp-OutputArea-output .jupyter-widgets")
            widget_count = widgets.count()
            kinds = {kind: page.locator(f".jp-OutputArea-output .{kind}").count()
                     for kind in ("widget-hprogress", "widget-slider")}  # fmt: skip
            outputs_text = page.locator(".jp-OutputArea-output").all_inner_texts()
            if widget_count:  # the screenshot shows the first widget
                widgets.first.scroll_into_view_if_needed()
                page.mouse.move(0, 0)
            page.screenshot(path=str(screenshot))
            widget_height = widgets.first.bounding_box()["height"] if widget_count else 0
        finally:
            browser.close()

    assert not run.errors, (
        f"cells showed errors in the browser (screenshot: {screenshot}):\n" + "\n".join(run.errors)
    )
    assert run.outcome == "done", (
        f"Run All did not finish ({run.outcome}); screenshot: {screenshot}"
    )
    never_ran = [
        f"cell {c['index']} ({c['source_head'].splitlines()[0]!r})"
        for c in run.cells
        if c["index"] in run.unexecuted
    ]
    assert not never_ran, "code cells that never ran: " + ", ".join(never_ran)
    broken = [t for t in outputs_text for failure in WIDGET_FAILURE_TEXTS if failure in t]
    assert not broken, f"widgets that did not render: {broken}"
    assert widget_count > 0, f"no ipywidgets widget rendered in {LESSON}; screenshot: {screenshot}"
    assert widget_height > 0, f"the first widget has no height; screenshot: {screenshot}"
    server_mib = lab.server_peak_rss_mib()
    print(f"{LESSON}: {len(run.cells)} code cells in {run.seconds:.1f} s; {widget_count} widgets "
          f"{kinds}; JupyterLab server peak RSS {server_mib or 0:.0f} MiB; screenshot "
          f"{screenshot}")  # fmt: skip
