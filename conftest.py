"""What every pytest run of this repository shares, whatever it is given (``tests/``,
``notebooks/``, one file): the environment, the lanes of ``make test`` and the place of the lesson
claims. It sits at the root so that ``pytest -n 2 notebooks/`` reads it too (tests/conftest.py, the
fixtures, is read only for tests under tests/).

* No test may wait on the network, and OpenMP threads sleep while they wait (below).
* ``make test`` runs the tests on two processes (pytest-xdist). Tests that must run in order in one
  process share a **lane** (``lane``), and a lane goes whole to one worker.
* The lesson claims read what every notebook wrote: they run last
  (``pytest_collection_modifyitems``) and never beside the notebooks on xdist's workers
  (``pytest_collection_finish``).
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

# Before transformers / datasets are imported anywhere: no test may wait on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Before torch is imported: OpenMP threads that wait for each other sleep instead of spinning. On a
# 2-core machine shared with other processes, spinning threads made encoding 5-15x slower (measured
# here: 800 STS-B sentences, 2 threads, load ~4: 11.8-37.8 s spinning, 2.3-2.5 s passive, 2.0-2.4 s
# with 1 thread). On an idle machine, sleeping costs a wake-up per parallel region: small, but not
# measured here (this machine was never idle while it was measured).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

NOTEBOOKS = Path(__file__).resolve().parent / "notebooks"

# -- lanes: `make test` runs the tests on two processes (pytest-xdist) -----------------------------
# On 2 cores, two processes of one OpenMP thread each get through 1.4-1.6 times the work of one
# process on two threads (measured on the AVX2 kind: lessons 04 and 05, 239 s one after the other,
# 174 s side by side; the hub lessons and the unit tests, 1,275 s one after the other, 794 s side by
# side), because much of a lesson is single-threaded Python and small matrices. Tests that must run
# in order in one process share a lane; the other tests fill in around them.

# a line of a lesson's code that loads (or keeps) a model a lesson trains: course.recipes' models
TRAINED_MODEL_CALL = re.compile(r"\brecipes\.(nli_model|sts_model|cross_encoder|save_\w+)\(")


def lessons_on_trained_models(folder: Path = NOTEBOOKS) -> frozenset[str]:
    """The numbers of the lessons whose code (not their comments) calls one of ``course.recipes``'
    shared models: lesson 03 trains the NLI model that 04, 07, 10 and 11 load, 04 the models that
    08 loads. A recipe trains a model it cannot find, so two of these lessons side by side could
    train the same model twice: they run in order, in one lane."""
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
      second pytest call (a plain `pytest` runs them last, see below).
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


@pytest.hookimpl(optionalhook=True)  # a hook of pytest-xdist, which a plain install may lack
def pytest_xdist_make_scheduler(config, log):
    """pytest-xdist's scheduler, whatever ``--dist`` says: each lane goes whole to one worker, in
    collection order; every other test is a unit of its own. (xdist's own ``loadgroup`` would do
    the same from ``xdist_group`` marks, but under pytest 9 it no longer can: it renames the
    ``_nodeid`` that pytest 9 does not read any more.)"""
    from xdist.scheduler import LoadScopeScheduling

    class LaneScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return lane(nodeid) or nodeid

    return LaneScheduling(config, log)


def pytest_collection_modifyitems(items):
    """Mark tests that need the original data files ``realdata``; run the lesson-claim tests last.

    The claim tests read results/*.json, which the notebooks write: they must come after every
    notebook of the session (and they refuse results older than the session when notebooks ran).
    """
    for item in items:
        if "shared_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.realdata)
    claims = [item for item in items if "test_lesson_claims" in item.nodeid]
    items[:] = [item for item in items if "test_lesson_claims" not in item.nodeid] + claims
    if any(".ipynb" in item.nodeid for item in items):
        os.environ["SBERT_LAB_NOTEBOOKS_RAN"] = "1"
    os.environ.setdefault("SBERT_LAB_SESSION_STARTED", str(time.time()))


def pytest_collection_finish(session):
    """Refuse to run the lesson claims beside the notebooks on pytest-xdist's workers (no order)."""
    names = [item.nodeid for item in session.items]
    on_a_worker = hasattr(session.config, "workerinput")  # pytest-xdist's
    claims = any("test_lesson_claims" in name for name in names)
    if on_a_worker and claims and any(".ipynb" in name for name in names):
        raise pytest.UsageError(
            "the lesson claims read what every notebook writes, but pytest-xdist runs tests in no "
            'set order across processes: run pytest -n ... -m "not claims" first, then pytest -m '
            "claims (as `make test` does)"
        )
