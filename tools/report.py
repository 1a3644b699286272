"""One page of a whole run: every claim of every lesson, the paper's figure, the measured one and
the verdict (``sbert_lab.course.claims``), and every figure a lesson compared with the paper.

    python -m tools.report [RESULTS ...] [--out report.md]

``RESULTS`` is a folder of ``results/<lesson>.json`` (default: ``results/``); give two (e.g. an
offline run and a student's Colab run) to put their figures side by side. The page is Markdown, with
one PNG beside it (``<out stem>.png``: measured against the paper's figure, every row that has
one). CI writes it for the offline run; the repository keeps a copy in ``docs/``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from sbert_lab.course.claims import CLAIMS, LESSONS, NOT_ASSERTED, Claim, read_results

MARKS = {"holds": "✅ holds", "holds, within the margin": "🟡 holds, within the margin",
         "reversed": "❌ reversed", "not measured": "— not measured"}  # fmt: skip


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1e5 else f"{value:,.0f}"


def _cell(claim: Claim, results) -> str:
    values = claim.values(results)
    if values is None:
        return MARKS["not measured"]
    measured, baseline = values
    return f"{_number(measured)} vs {_number(baseline)}: {MARKS[claim.verdict(results)]}"


def claims_section(runs: list[tuple[str, dict]]) -> list[str]:
    """A table per lesson: each claim, the paper's figures, and each run's measured pair and
    verdict."""
    lines = ["## Claims", ""]
    for number, lesson in LESSONS.items():
        claims = [c for c in CLAIMS if c.lesson == number]
        excused = [(k, v) for k, v in NOT_ASSERTED.items() if k.startswith(f"{number}: ")]
        if not claims and not excused:
            continue
        lines += [f"### {lesson}", ""]
        if claims:
            header = "| claim | paper | " + " | ".join(label for label, _ in runs) + " |"
            lines += [header, "|---|---|" + "---|" * len(runs)]
            for claim in claims:
                cells = " | ".join(_cell(claim, results) for _, results in runs)
                lines.append(f"| {claim.text} | {claim.paper or '—'} | {cells} |")
            lines.append("")
        for key, reason in excused:
            lines.append(f"- **not asserted offline** — {key[4:]}: {reason}")
        if excused:
            lines.append("")
    return lines


def paper_figures(folders: list[Path]) -> dict[tuple[str, str], float]:
    """``(lesson, row) -> the paper's figure`` of every compared row in ``folders``' results."""
    papers: dict[tuple[str, str], float] = {}
    for folder in folders:
        for number, lesson in LESSONS.items():
            path = folder / f"{lesson}.json"
            if path.is_file():
                for row in json.loads(path.read_text())["rows"]:
                    if row.get("paper") is not None:
                        papers.setdefault((number, row["what"]), row["paper"])
    return papers


def figures_section(runs: list[tuple[str, dict]], papers: dict) -> list[str]:
    """Every row a lesson compared with a paper figure, per run."""
    lines = ["## Every figure compared with the paper", ""]
    lines += ["| lesson | figure | paper | " + " | ".join(label for label, _ in runs) + " |"]
    lines += ["|---|---|---|" + "---|" * len(runs)]
    for (number, what), paper in papers.items():
        values = []
        for _, results in runs:
            value = results.get(number, {}).get(what)
            values.append("—" if value is None else _number(float(value)))
        lines.append(f"| {number} | {what} | {_number(paper)} | " + " | ".join(values) + " |")
    return lines + [""]


def plot(runs: list[tuple[str, dict]], papers: dict, path: Path) -> None:
    """Measured against the paper's figure for every compared row (one colour per run)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 6))
    for label, results in runs:
        points = [
            (paper, results.get(number, {}).get(what)) for (number, what), paper in papers.items()
        ]
        points = [(x, y) for x, y in points if isinstance(y, (int, float)) and x > 1]
        xs, ys = [x for x, _ in points], [y for _, y in points]
        ax.scatter(xs, ys, label=f"{label} ({len(xs)} figures)", alpha=0.7)
    ax.plot([0, 100], [0, 100], color="#9e9e9e", linestyle="--", label="measured = paper")
    ax.set(xlim=(0, 100), ylim=(0, 100), xlabel="paper", ylabel="measured",
           title="Every figure compared with the paper (scores × 100)")  # fmt: skip
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)


def report(folders: list[Path], out: Path) -> str:
    """Write the page (and its PNG) for the results ``folders``; return the Markdown."""
    runs = []
    for folder in folders:
        if not folder.is_dir():
            raise FileNotFoundError(f"{folder} is not a folder of results/<lesson>.json")
        results, profiles = read_results(folder)
        if not results:
            raise FileNotFoundError(
                f"{folder} holds no <lesson>.json of any lesson: run them first"
            )
        kinds = sorted(set(profiles.values()))
        runs.append((f"{folder.name} ({', '.join(kinds)})", results))
    figure = out.with_suffix(".png")
    papers = paper_figures(folders)
    lines = [
        "# sbert-lab: the paper's claims, measured",
        "",
        "Written by `python -m tools.report` from "
        + ", ".join(f"`{f}`" for f in folders)
        + ". A claim *holds* when the measured figures point the paper's way by at least the margin"
        " the offline test asserts (`sbert_lab/course/claims.py`); *within the margin* when they"
        " point its way by less.",
        "",
        f"![measured against the paper]({figure.name})",
        "",
        *claims_section(runs),
        *figures_section(runs, papers),
    ]
    text = "\n".join(lines)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    plot(runs, papers, figure)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.report", description=__doc__)
    parser.add_argument("results", nargs="*", default=["results"], type=Path)
    parser.add_argument("--out", default="results/report.md", type=Path)
    args = parser.parse_args(argv)
    report(args.results, args.out)
    print(f"wrote {args.out} and {args.out.with_suffix('.png')}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
