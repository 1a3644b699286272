"""Peak resident memory of each lesson's kernel: does the workbook fit in Binder's 2 GB?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/memory.py      # every lesson, offline profile
    .venv/bin/python bench/memory.py 03 07 --profile cpu    # some lessons, another profile

Each lesson runs in a fresh kernel through the notebook tool
(``tools.notebooks.run_notebook``, which reads the kernel's own
``getrusage(RUSAGE_SELF).ru_maxrss`` after the last cell), in a scratch copy of ``notebooks/`` with
empty ``results/`` and ``runs/``: no lesson finds a model that another one trained, so each pays for
the training it needs (the worst case, as for a student who opens that lesson first). The first row
is a kernel that only imports the libraries, the floor every lesson pays.

The table is Markdown, ready for the README. On Binder the Jupyter server (about 0.1 GB) runs beside
the kernels, so a lesson's peak plus 0.1 GB must stay under 2 GB, with one lesson's kernel running.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tools.notebooks import NotebookToolError, lesson_sources, run_notebook  # noqa: E402

FLOOR = "(floor: kernel + import sbert_lab, torch, transformers)"
FLOOR_SOURCE = "import sbert_lab as sl\nimport torch\nimport transformers"


def floor_notebook():
    """A one-cell notebook that imports what every lesson imports first."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(FLOOR_SOURCE)]
    return notebook


def measure(notebooks: list[Path], profile: str, timeout: int, log=print) -> list[dict]:
    """Run the floor notebook, then each notebook, each in a fresh kernel in its own scratch
    folder."""
    rows = []
    for notebook in [None, *notebooks]:
        with tempfile.TemporaryDirectory(prefix="sbert-lab-memory-") as scratch:
            scratch = Path(scratch)
            copy = scratch / "notebooks" / (notebook.name if notebook else "floor.ipynb")
            shutil.copytree(
                REPO / "notebooks", copy.parent, ignore=shutil.ignore_patterns(".ipynb_checkpoints")
            )
            os.environ["SBERT_LAB_RESULTS"] = str(scratch / "results")  # the kernel inherits these
            os.environ["SBERT_LAB_RUNS"] = str(scratch / "runs")
            result, _ = run_notebook(
                copy, profile, timeout, notebook=None if notebook else floor_notebook()
            )
        row = {
            "notebook": notebook.stem if notebook else FLOOR,
            "profile": profile,
            "seconds": round(result.seconds, 1),
            "peak_mib": None if result.peak_mib is None else round(result.peak_mib),
            "error": result.error,
        }
        log(f"# {row['notebook']}: {row['peak_mib']} MiB, {row['seconds']} s {row['error'] or ''}")
        rows.append(row)
    return rows


def markdown_table(rows: list[dict]) -> str:
    """Notebook, wall seconds, kernel peak RSS in MiB, and what went wrong if anything."""
    lines = [
        f"| notebook ({rows[0]['profile']} profile) | run time (s) | kernel peak RSS (MiB) "
        "| status |",
        "|---|---:|---:|---|",
    ]
    for row in rows:
        peak = "n/a" if row["peak_mib"] is None else f"{row['peak_mib']:,}"
        status = f"error at {row['error']}" if row["error"] else "ok"
        lines.append(f"| {row['notebook']} | {row['seconds']:.0f} | {peak} | {status} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    parser.add_argument("--profile", default="offline", choices=("offline", "smoke", "cpu", "gpu"))
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    args = parser.parse_args()

    try:
        notebooks = [source.with_suffix(".ipynb") for source in lesson_sources(REPO, args.lessons)]
    except NotebookToolError as err:
        parser.error(str(err))
    missing = [str(n) for n in notebooks if not n.exists()]
    if missing:
        parser.error(
            f"missing notebooks (run `python -m tools.notebooks sync`): {', '.join(missing)}"
        )
    data = os.environ.get("SBERT_LAB_DATA") or "unset (fixtures)"
    print(f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"profile {args.profile}, SBERT_LAB_DATA {data}", flush=True)  # fmt: skip
    rows = measure(notebooks, args.profile, args.timeout, log=lambda line: print(line, flush=True))
    print(markdown_table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    sys.exit(1 if any(row["error"] for row in rows) else 0)


if __name__ == "__main__":
    main()
