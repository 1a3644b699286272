"""The one-page report of a run: every claim of sbert_lab.course.claims with its verdict."""

import json

import pytest

from sbert_lab.course.claims import CLAIMS, LESSONS, NOT_ASSERTED
from tools import report


def write_results(folder, rows_by_lesson, profile="offline"):
    folder.mkdir()
    for number, rows in rows_by_lesson.items():
        payload = {
            "lesson": LESSONS[number],
            "profile": profile,
            "device": "cpu",
            "rows": [{"what": w, "paper": p, "measured": m, "unit": ""} for w, p, m in rows],
        }
        (folder / f"{LESSONS[number]}.json").write_text(json.dumps(payload))


def test_the_page_lists_every_claim_and_every_excuse_for_two_runs(tmp_path):
    offline, colab = tmp_path / "offline", tmp_path / "colab"
    write_results(offline, {"01": [("STS-B test, averaged GloVe", 58.02, 39.4),
                                   ("STS-B test, raw BERT mean", 46.35, 31.5)]})  # fmt: skip
    write_results(colab, {"01": [("STS-B test, averaged GloVe", 58.02, 40.0),
                                 ("STS-B test, raw BERT mean", 46.35, 45.0)]}, "gpu")  # fmt: skip
    page = report.report([offline, colab], tmp_path / "page.md")
    for claim in CLAIMS:
        assert f"| {claim.text} |" in page, claim.text
    for key in NOT_ASSERTED:
        assert key[4:] in page, key
    glove = next(line for line in page.splitlines() if "averaged GloVe beats" in line)
    assert "39.4 vs 31.5: ✅ holds" in glove and "40 vs 45: ❌ reversed" in glove
    assert "offline (offline)" in page and "colab (gpu)" in page
    assert (tmp_path / "page.png").stat().st_size > 1000


def test_a_folder_without_results_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="holds no <lesson>.json"):
        report.report([tmp_path], tmp_path / "page.md")
