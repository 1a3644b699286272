"""Each lesson's claim, asserted on what the lesson measured: results/<lesson>.json of the nbval
run.

The claims are data (``sbert_lab.course.claims.CLAIMS``: the rows compared, the margin, the paper's
figures); ``python -m tools.report`` writes the same verdicts as a page. The notebooks run
first (``conftest.py`` moves these tests after every notebook), under the ``offline`` profile in
CI: the project's own MLM-pretrained small BERT, the real data shipped in the package, fixed seeds
on the CPU, so the figures are the same on every run. A claim holds when the measured figures point
the paper's way by at least its margin; each margin is below the figure measured offline, so that a
change that stops a lesson from teaching — a lost gradient, a pooling bug that does not crash —
fails here.

``claims.NOT_ASSERTED`` lists the claims an offline run cannot show, and why.
"""

from __future__ import annotations

import json
import os

import pytest

from sbert_lab.course.claims import CLAIMS, LESSONS, NOT_ASSERTED
from sbert_lab.course.lesson import results_dir

pytestmark = pytest.mark.claims


def rows(lesson: str) -> dict[str, object]:
    """``what -> measured`` of results/<lesson>.json, written by this session's run of the
    lesson (``lesson``: its number)."""
    path = results_dir() / f"{LESSONS[lesson]}.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run the lesson first (pytest notebooks/{path.stem}.ipynb)")
    started = float(os.environ.get("SBERT_LAB_SESSION_STARTED", "0"))
    if os.environ.get("SBERT_LAB_NOTEBOOKS_RAN") and path.stat().st_mtime < started:
        pytest.fail(f"{path} was not written by this test session's run of the notebook")
    payload = json.loads(path.read_text())
    if payload["profile"] != "offline":
        pytest.skip(
            f"{path} comes from the {payload['profile']} profile; the margins here are the offline "
            "profile's"
        )
    return {row["what"]: row["measured"] for row in payload["rows"]}


def results_for(claim) -> dict[str, dict[str, object]]:
    lessons = {claim.lesson} | {
        name[:2]
        for name in (claim.measured, claim.baseline)
        if isinstance(name, str) and len(name) > 3 and name[2] == ":" and name[:2].isdigit()
    }
    return {lesson: rows(lesson) for lesson in sorted(lessons)}


@pytest.mark.parametrize("claim", CLAIMS, ids=[f"{c.lesson}: {c.text}" for c in CLAIMS])
def test_claim_holds_offline(claim):
    results = results_for(claim)
    values = claim.values(results)
    if values is None:
        if claim.optional:
            pytest.skip(f"{claim.describe()}: a row needs optional data ($SBERT_LAB_DATA)")
        pytest.fail(f"{claim.describe()}: a row is missing from the lesson's results")
    measured, baseline = values
    assert claim.verdict(results) == "holds", (
        f"{claim.text}: {claim.describe()} does not hold (measured {measured:.4g} against "
        f"{baseline:.4g}; offline run: {claim.offline or 'see the lesson'})"
    )


def test_09_exact_search_is_its_own_reference():
    r = rows("09")
    largest = max(int(n) for n in r["HNSW recall@10 at each size"])
    assert r[f"recall@10 vs exact, exact, n = {largest:,}"] == 1.0


def test_every_lesson_but_02_has_claims_and_every_excuse_a_reason():
    assert {claim.lesson for claim in CLAIMS} == set(LESSONS) - {"02"}
    assert all(reason.strip() for reason in NOT_ASSERTED.values())
    assert all(key[:2] in LESSONS and key[2:4] == ": " for key in NOT_ASSERTED)
