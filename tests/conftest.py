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
    if any(item.nodeid.endswith(".ipynb") or ".ipynb::" in item.nodeid for item in items):
        os.environ["SBERT_LAB_NOTEBOOKS_RAN"] = "1"
    os.environ.setdefault("SBERT_LAB_SESSION_STARTED", str(time.time()))


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
