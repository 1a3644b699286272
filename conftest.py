"""What every pytest run of this repository shares, whatever it is given (``tests/``,
``notebooks/``, one file): the environment, the lanes of ``make test`` and the place of the lesson
claims. It sits at the root so that ``pytest -n 2 notebooks/`` reads it too (tests/conftest.py, the
fixtures, is read only for tests under tests/).

* No test may wait on the network, and OpenMP threads sleep while they wait (below).
* ``make test`` runs the tests on two processes (pytest-xdist). Tests that must run in order in one
  process share a **lane** (``tests/lanes.py``), and a lane goes whole to one worker.
* The lesson claims read what every notebook wrote: they run last
  (``pytest_collection_modifyitems``) and never beside the notebooks on xdist's workers
  (``pytest_collection_finish``).
"""

from __future__ import annotations

import os
import time

# Before transformers / datasets are imported anywhere: no test may wait on the network.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Before torch is imported: OpenMP threads that wait for each other sleep instead of spinning. On a
# 2-core machine shared with other processes, spinning threads made encoding 5-15x slower (measured
# here: 800 STS-B sentences, 2 threads, load ~4: 11.8-37.8 s spinning, 2.3-2.5 s passive, 2.0-2.4 s
# with 1 thread). On an idle machine, sleeping costs a wake-up per parallel region: small, but not
# measured here (this machine was never idle while it was measured).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import pytest  # noqa: E402

from tests.lanes import lane  # noqa: E402


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
            'set order across processes: run pytest -n ... -m "not claims" first, then pytest '
            "tests/lessons/test_lesson_claims.py (as `make test` does)"
        )
