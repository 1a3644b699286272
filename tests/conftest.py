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
from pathlib import Path

import pytest

from sbert_lab.model_sources import PACKAGED_MINILM, TINY_RANDOM_BERT


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
