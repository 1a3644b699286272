"""Runs too long for a lesson's budget, made once by the project's tools and shipped with it.

A lesson that cannot train something within its three minutes on two CPU cores shows a run of the
same recipe made earlier by a script in ``tools/`` and says which numbers are which. Each record is
``sbert_lab/course/measured/<name>.json``; it holds the recipe that made it, so that a test can
tell when the code's recipe has moved on and the record must be made again.

==================  ==============================  ======================================
record              made by                         shown in
==================  ==============================  ======================================
nli_data_size       tools/nli_data_size.py          lesson 3 (STS-B against NLI pairs)
pooling_ablation    tools/pooling_ablation.py       lesson 4 (Table 6, pooling)
simcse_controls     tools/simcse_controls.py        lesson 11 (SimCSE's Table 2 controls)
==================  ==============================  ======================================
"""

from __future__ import annotations

import json
from pathlib import Path

MEASURED = Path(__file__).parent / "measured"
MADE_BY = {
    "nli_data_size": "tools/nli_data_size.py",
    "pooling_ablation": "tools/pooling_ablation.py",
    "simcse_controls": "tools/simcse_controls.py",
}


def path_of(name: str) -> Path:
    """Where the record ``name`` is kept."""
    if name not in MADE_BY:
        raise ValueError(f"unknown record {name!r}; the records are {', '.join(MADE_BY)}")
    return MEASURED / f"{name}.json"


def load(name: str) -> dict:
    """The record ``name`` (see the table above)."""
    path = path_of(name)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `python {MADE_BY[name]}` to make it")
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as err:
        raise ValueError(
            f"{path} is not valid JSON ({err.msg}, line {err.lineno}): run `python "
            f"{MADE_BY[name]}` to make it again"
        ) from None


def keep_run(path: str | Path, record: dict, run: dict) -> None:
    """What a record tool does after each run: add ``run`` to ``record["runs"]``, print it
    (without its dev curve) and rewrite ``path`` atomically: an interrupted tool keeps its runs."""
    from ..atomic import write_text_atomically

    record["runs"].append(run)
    print(json.dumps({k: v for k, v in run.items() if k != "dev_curve"}), flush=True)
    write_text_atomically(path, json.dumps(record, indent=1) + "\n")


__all__ = ["MEASURED", "MADE_BY", "path_of", "load", "keep_run"]
