"""Where the workbook runs: OpenMP's wait policy, the declared version floors, Colab's ipywidgets.

Colab ships its own packages (googlecolab/backend-info, 2026-08: Python 3.13, torch 2.11,
transformers 5.15, datasets 4.0, ipywidgets 7.7.1, umap-learn 0.5.12); the Colab install cell must
not upgrade any of them in the live runtime, and the widgets and progress bars must work with what
it has.
"""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
# What a Colab GPU runtime already has, with its version there.
COLAB_HAS = {
    "torch": "2.11",
    "transformers": "5.15",
    "datasets": "4.0",
    "ipywidgets": "7.7.1",
    "umap-learn": "0.5.12",
    "matplotlib": "3.10",
    "jupyterlab": None,
    "scipy": "1.16",
    "scikit-learn": "1.6",
    "numpy": "2.0",
    "pandas": "2.2",
    "tqdm": "4.67",
}


def _floors(requirements: list[str]) -> dict[str, tuple[int, ...]]:
    floors = {}
    for line in requirements:
        match = re.match(r"^([A-Za-z0-9_.-]+)\s*>=\s*([0-9.]+)", line.strip())
        if match:
            floors[match.group(1).lower()] = tuple(int(x) for x in match.group(2).split("."))
    return floors


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(x) for x in text.split("."))


def test_importing_sbert_lab_before_torch_makes_openmp_threads_sleep():
    env = {k: v for k, v in os.environ.items() if k != "OMP_WAIT_POLICY"}
    code = (
        "import os, sbert_lab; "
        "print(os.environ['OMP_WAIT_POLICY'], sbert_lab.OMP_WAIT_POLICY_SET_BY_SBERT_LAB)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["PASSIVE", "True"]
    late = (
        "import torch, os, sbert_lab; "
        "print(os.environ.get('OMP_WAIT_POLICY'), sbert_lab.OMP_WAIT_POLICY_SET_BY_SBERT_LAB)"
    )
    out = subprocess.run(
        [sys.executable, "-c", late], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["None", "False"]  # too late to matter: not pretended
    kept = subprocess.run(
        [sys.executable, "-c", code],
        env={**env, "OMP_WAIT_POLICY": "ACTIVE"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert kept.stdout.split() == ["ACTIVE", "False"]  # an explicit choice is kept


def test_version_floors_are_the_ones_the_code_needs():
    floors = _floors(PYPROJECT["project"]["dependencies"])
    assert floors["torch"] >= (
        2,
        6,
    )  # GradScaler("cuda") 2.3, fused CPU AdamW 2.4, .bin loading 2.6
    assert floors["transformers"] >= (5, 0) and floors["datasets"] >= (4, 0)
    assert PYPROJECT["project"]["requires-python"].startswith(">=3.11")
    required = _floors((ROOT / "requirements.txt").read_text().splitlines())
    assert {
        k: v for k, v in required.items() if k in floors
    } == floors  # the notebooks' list agrees


def test_colab_install_upgrades_nothing_colab_already_has():
    dependencies = (
        PYPROJECT["project"]["dependencies"]
        + PYPROJECT["project"]["optional-dependencies"]["colab"]
    )
    floors = _floors(dependencies)
    for name, colab_version in COLAB_HAS.items():
        if name in floors and colab_version is not None:
            assert floors[name] <= _version(colab_version), (
                f"{name}>= {floors[name]} would upgrade Colab's {colab_version}"
            )
    named = {
        re.split(r"[<>=\[ ]", d)[0].lower()
        for d in PYPROJECT["project"]["optional-dependencies"]["colab"]
    }
    assert not named & set(COLAB_HAS), (
        f"the colab extra names packages Colab has: {named & set(COLAB_HAS)}"
    )


WIDGET_SCRIPT = r"""
import ipywidgets as widgets
from tqdm.auto import tqdm
assert widgets.__version__ == "7.7.1", widgets.__version__
# lesson 06: two sliders driving a function
n = widgets.IntSlider(value=10_000, min=10, max=100_000, step=10, description="n",
                      continuous_update=False)
b = widgets.SelectionSlider(options=[8, 16, 32], value=16, description="batch size",
                            continuous_update=False)
shown = []
box = widgets.interactive(lambda n, batch_size: shown.append((n, batch_size)), n=n, batch_size=b)
n.value = 500
assert shown[-1] == (500, 16), shown
# lesson 07: a dropdown, a text box and an output area
picker = widgets.Dropdown(options=["a", "b"], value="a", description="sentence",
                          layout=widgets.Layout(width="95%"))
typed = widgets.Text(placeholder="type", description="your own", layout=widgets.Layout(width="95%"))
typed.continuous_update = False
out = widgets.Output()
seen = []
picker.observe(lambda change: seen.append(change["new"]), names="value")
picker.value = "b"
assert seen == ["b"]
widgets.VBox([picker, typed, out])
# every training cell: a tqdm.auto bar (a widget bar in a kernel, text elsewhere)
for _ in tqdm(range(3), desc="fit"):
    pass
print("ok")
"""


@pytest.mark.slow
def test_widgets_and_progress_bars_work_with_colabs_ipywidgets_7_7_1(tmp_path):
    target = tmp_path / "ipywidgets-7.7.1"
    install = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--target",
            str(target),
            "ipywidgets==7.7.1",
            "widgetsnbextension==3.6.1",
            "jupyterlab-widgets==1.1.1",
            "ipython-genutils==0.2.0",
        ],
        capture_output=True,
        text=True,
    )
    if install.returncode != 0:
        pytest.skip(
            "skipped: PyPI not reachable to fetch ipywidgets 7.7.1: "
            f"{install.stderr.strip()[-200:]}"
        )
    env = {**os.environ, "PYTHONPATH": str(target)}
    run = subprocess.run(
        [sys.executable, "-c", WIDGET_SCRIPT], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0 and run.stdout.strip().endswith("ok"), run.stderr[-2000:]
