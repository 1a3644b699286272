"""Peak resident memory of each lesson's kernel: does the workbook fit in Binder's 2 GB?

    HF_HUB_OFFLINE=1 .venv/bin/python bench/memory.py                      # every lesson, smoke profile
    .venv/bin/python bench/memory.py notebooks/03_nli_finetuning.ipynb --profile cpu

Every notebook runs in a fresh Python process of its own, which executes it with nbclient in a
scratch copy of ``notebooks/`` (with empty ``results/`` and ``runs/``, so that each lesson trains what
it needs instead of finding another lesson's checkpoint: the worst case). When the kernel has been
shut down and reaped, that process reads ``getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak resident
set of the largest child it waited for, which is the kernel. The first row is a kernel that only
imports ``sbert_lab``: the floor that every lesson pays before it loads a model.

The table is Markdown, ready for the README. Binder adds the Jupyter server (about 0.1 GB) to
whichever kernels are running, so a lesson's row plus 0.1 GB must stay under 2 GB there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BASELINE = "(kernel + import sbert_lab)"
MIB = 1024 * 1024
ANSI_COLOUR = re.compile(r"\x1b\[[0-9;]*m")


def lessons() -> list[Path]:
    """The lesson notebooks, ``notebooks/NN_*.ipynb``, in order (student copies are not lessons)."""
    return sorted(p for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def children_peak_rss_bytes() -> int:
    """Peak RSS of the largest child process this process has waited for (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024


def baseline_notebook():
    """A one-cell notebook that imports the package, as every lesson's first cells do."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("import sbert_lab as sl\nimport torch, transformers")]
    return notebook


def execute_and_measure(notebook_path: str, workdir: Path, timeout: int) -> dict:
    """Run one notebook with nbclient in ``workdir/notebooks``; return its time, peak RSS and error."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    if notebook_path == BASELINE:
        notebook = baseline_notebook()
    else:
        notebook = nbformat.read(notebook_path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",  # this environment's kernel, whatever the notebook's metadata says
        resources={"metadata": {"path": str(workdir / "notebooks")}},
    )
    error = ""
    start = time.perf_counter()
    try:
        client.execute()  # starts the kernel, runs every cell, shuts the kernel down and reaps it
    except (CellExecutionError, CellTimeoutError) as err:
        error = ANSI_COLOUR.sub("", str(err)).strip().splitlines()[-1][:200]
    seconds = time.perf_counter() - start
    return {"notebook": notebook_path, "seconds": round(seconds, 1), "peak_rss": children_peak_rss_bytes(), "error": error}


def measure_in_fresh_process(notebook: str, profile: str, timeout: int) -> dict:
    """Run ``--worker`` for one notebook in a new Python process with a scratch copy of notebooks/."""
    with tempfile.TemporaryDirectory(prefix="sbert-lab-memory-") as scratch:
        workdir = Path(scratch)
        shutil.copytree(REPO / "notebooks", workdir / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        env = dict(
            os.environ,
            SBERT_LAB_PROFILE=profile,
            SBERT_LAB_RESULTS=str(workdir / "results"),
            SBERT_LAB_RUNS=str(workdir / "runs"),
        )
        if profile == "smoke":
            env.setdefault("HF_HUB_OFFLINE", "1")
        command = [sys.executable, __file__, "--worker", notebook, "--workdir", str(workdir), "--timeout", str(timeout)]
        done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"bench/memory.py worker for {notebook} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def markdown_table(rows: list[dict], profile: str) -> str:
    """The rows as a Markdown table: notebook, seconds, peak RSS in MiB, and what went wrong if anything."""
    lines = [
        f"| notebook ({profile} profile) | run time (s) | kernel peak RSS (MiB) | status |",
        "|---|---:|---:|---|",
    ]
    for row in rows:
        name = row["notebook"] if row["notebook"] == BASELINE else Path(row["notebook"]).stem
        status = f"error: {row['error']}" if row["error"] else "ok"
        lines.append(f"| {name} | {row['seconds']:.1f} | {row['peak_rss'] / MIB:,.0f} | {status} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="notebooks to measure (default: every notebooks/NN_*.ipynb)")
    parser.add_argument("--profile", default="smoke", choices=("smoke", "cpu", "gpu"))
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell")
    parser.add_argument("--json", type=Path, help="also write the rows to this file")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        print(json.dumps(execute_and_measure(args.worker, args.workdir, args.timeout)))
        return

    notebooks = [str(Path(n).resolve()) for n in args.notebooks] or [str(p) for p in lessons()]
    missing = [n for n in notebooks if not Path(n).exists()]
    if missing:
        parser.error(f"no such notebook: {', '.join(missing)}")
    if not notebooks:
        parser.error(f"no lesson notebooks (NN_*.ipynb) in {REPO / 'notebooks'}")
    data = os.environ.get("SBERT_LAB_DATA") or "unset: fixtures"
    print(f"# {platform.machine()}, {os.cpu_count()} cores, python {platform.python_version()}, "
          f"profile {args.profile}, SBERT_LAB_DATA {data}", flush=True)  # fmt: skip
    rows = []
    for notebook in [BASELINE, *notebooks]:
        rows.append(measure_in_fresh_process(notebook, args.profile, args.timeout))
        row = rows[-1]
        print(f"#   {Path(notebook).stem}: {row['peak_rss'] / MIB:,.0f} MiB in {row['seconds']:.1f} s {row['error']}", flush=True)
    print(markdown_table(rows, args.profile))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")
    if any(row["error"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
