"""The lanes of `make test`: which tests must run in order, in one process, when pytest-xdist
spreads the rest over two (the repository's conftest.py schedules by them). Plain functions of a
test's id and the lessons' code: no pytest, no torch.

On 2 cores, two processes of one OpenMP thread each get through 1.4-1.6 times the work of one
process on two threads (measured on the AVX2 kind: lessons 04 and 05, 239 s one after the other,
174 s side by side; the hub lessons and the unit tests, 1,275 s one after the other, 794 s side by
side), because much of a lesson is single-threaded Python and small matrices. Tests that must run
in order in one process share a lane; the other tests fill in around them.
"""

from __future__ import annotations

import re
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

# a line of a lesson's code that loads (or keeps) a model a lesson trains: course.recipes' models
TRAINED_MODEL_CALL = re.compile(r"\brecipes\.(nli_model|sts_model|cross_encoder|save_\w+)\(")


def lessons_on_trained_models(folder: Path = NOTEBOOKS) -> frozenset[str]:
    """The numbers of the lessons whose code (not their comments) calls one of ``course.recipes``'
    shared models: 03 keeps the NLI model that 04, 07, 10 and 11 load; 04 keeps the STS model and
    the cross-encoder; 08 trains its re-ranker through ``recipes.cross_encoder``. A recipe trains a
    model it cannot find, so two of these lessons side by side could train the same model twice:
    they run in order, in one lane."""
    return frozenset(
        path.name[:2]
        for path in folder.glob("[0-9][0-9]_*.py")
        if any(
            TRAINED_MODEL_CALL.search(line)
            for line in path.read_text(encoding="utf-8").splitlines()
            if not line.lstrip().startswith("#")
        )
    )


LESSONS_ON_TRAINED_MODELS = lessons_on_trained_models()


def lane(nodeid: str, on_trained_models: frozenset[str] = LESSONS_ON_TRAINED_MODELS) -> str | None:
    """The lane of a test, or None for a test that can run anywhere, at any time.

    * A lesson notebook's cells run in one kernel, in order. The offline lessons that load a model
      another lesson trains (``lessons_on_trained_models``) run in order in "offline-trained"; the
      others load nothing a lesson trained and run in "offline-own".
    * Each hub profile's lessons share one runs folder, in lesson order: "hub-cpu", "hub-gpu".
    * The lesson claims read every lesson's results: `make test` runs them after the rest, in a
      second pytest call (a plain `pytest` runs them last: conftest.py).
    """
    if nodeid.startswith("notebooks/") and ".ipynb" in nodeid:
        number = nodeid.removeprefix("notebooks/")[:2]
        return "offline-trained" if number in on_trained_models else "offline-own"
    if nodeid.startswith("tests/lessons/test_hub_lessons.py::"):
        for profile in ("cpu", "gpu"):
            if f"[{profile}-" in nodeid:
                return f"hub-{profile}"
        return "hub-cpu"  # the summary, after that profile's lessons
    return None
