"""Shared fixtures: the models are loaded once per test session, real data is found or skipped.

* ``minilm`` — the packaged, trained all-MiniLM-L6-v2 as a ``SentenceEncoder`` forced to fp32, so
  that comparisons with sentence-transformers can be exact. Tests must not change it: take a view
  with ``with_pooling`` (or ``copy.copy``) to try another pooling or precision.
* ``tiny_bert`` — the tiny randomly initialised BERT of the smoke profile (a stand-in for raw BERT).
* ``shared_data`` — the folder of original data files named by ``$SBERT_LAB_DATA``, else the real
  STS-B / SNLI / SICK files shipped in ``sbert_lab/shipped`` (so no real-data test is skipped).
"""

from __future__ import annotations

import os
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

from sbert_lab.model_sources import PACKAGED_MINILM, TINY_RANDOM_BERT  # noqa: E402

# -- lanes: `make test` runs the tests on two processes (pytest-xdist) -----------------------------
# On 2 cores, two processes of one OpenMP thread each get through 1.4-1.6 times the work of one
# process on two threads (measured on the AVX2 kind: lessons 04 and 05, 239 s one after the other,
# 174 s side by side; the hub lessons and the unit tests, 1,275 s one after the other, 794 s side by
# side), because much of a lesson is single-threaded Python and small matrices. Tests that must run
# in order in one process share a lane; the other tests fill in around them.
LESSONS_ON_TRAINED_MODELS = ("03", "04", "07", "08", "10", "11")  # see lane()


def lane(nodeid: str) -> str | None:
    """The lane of a test, or None for a test that can run anywhere, at any time.

    * A lesson notebook's cells run in one kernel, in order. The offline lessons that load a model
      an earlier lesson trained (03 trains the NLI model that 04, 07, 08, 10 and 11 start from; 04
      the STS model that 08 re-ranks with) run in order in "offline-trained"; the others load
      nothing a lesson trained and run in "offline-own".
    * Each hub profile's lessons share one runs folder, in lesson order: "hub-cpu", "hub-gpu".
    * The lesson claims read every lesson's results: `make test` runs them after the rest, in a
      second pytest call (a plain `pytest` runs them last, see below).
    """
    if nodeid.startswith("notebooks/") and ".ipynb" in nodeid:
        number = nodeid.removeprefix("notebooks/")[:2]
        return "offline-trained" if number in LESSONS_ON_TRAINED_MODELS else "offline-own"
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


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of original data files: $SBERT_LAB_DATA, else the copies shipped in the
    package."""
    from sbert_lab.data import SHIPPED_DIR

    folder = os.environ.get("SBERT_LAB_DATA") or str(SHIPPED_DIR)
    path = Path(folder)
    if not path.is_dir():
        pytest.fail(f"$SBERT_LAB_DATA={folder} is set but is not a folder")
    return path


@pytest.fixture(scope="session")
def minilm():
    """The packaged all-MiniLM-L6-v2, mean pooling, fp32 (loaded once; do not modify)."""
    from sbert_lab import SentenceEncoder

    return SentenceEncoder(PACKAGED_MINILM, pooling="mean", precision="fp32", device="cpu")


@pytest.fixture(scope="session")
def tiny_bert():
    """The tiny random BERT of the smoke profile, mean pooling, fp32 (loaded once; do not
    modify)."""
    from sbert_lab import SentenceEncoder

    return SentenceEncoder(TINY_RANDOM_BERT, pooling="mean", precision="fp32", device="cpu")


@pytest.fixture(scope="session")
def stsb_test(shared_data):
    """The 1,379 STS-B test pairs from the original file."""
    from sbert_lab.data import load_sts

    return load_sts("stsb", "test", data_dir=shared_data)


@pytest.fixture(scope="session")
def stsb_test_sentences(stsb_test) -> list[str]:
    """The distinct sentences of STS-B test, in order of first appearance."""
    return list(dict.fromkeys(s for pair in stsb_test for s in (pair.s1, pair.s2)))


@pytest.fixture
def sentences() -> list[str]:
    """A few sentences of very different token lengths, deliberately not in length order."""
    return [
        "A man is playing a guitar.",
        "Rain.",
        "The committee, after a long and at times heated debate that lasted well into the night, "
        "finally agreed to postpone the vote on the new budget until the following spring.",
        "Two dogs run across a snowy field.",
        "Someone is slicing an onion with a very sharp knife in a small kitchen.",
        "Yes",
        "A woman is reading a book on a bench in the park while children play nearby.",
    ]
