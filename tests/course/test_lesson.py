"""course.lesson: the figures a lesson prints beside the paper's, keeps, reads back and saves."""

import json

import pytest

from sbert_lab import course


@pytest.fixture
def probe_lesson(capsys):
    lesson = course.lesson.start("99_probe", profile="smoke")
    capsys.readouterr()
    return lesson


def test_compare_prints_both_figures_and_keeps_the_rounded_one(probe_lesson, capsys):
    probe_lesson.compare("STS-B test", paper=77.03, measured=45.5912)
    printed = capsys.readouterr().out
    assert "paper    77.03" in printed and "yours    45.59" in printed
    assert probe_lesson.measured("STS-B test") == 45.59


def test_measured_reads_back_the_latest_value_of_a_name(probe_lesson):
    probe_lesson.record("steps", 10)
    probe_lesson.record("steps", 20)
    probe_lesson.record("losses", [1.5, 0.5])
    assert probe_lesson.measured("steps") == 20
    assert probe_lesson.measured("losses") == [1.5, 0.5]


def test_measured_names_what_is_missing_and_what_exists(probe_lesson):
    probe_lesson.record("steps", 10)
    with pytest.raises(KeyError, match=r"nothing called 'step'.*'steps'"):
        probe_lesson.measured("step")


def test_save_writes_every_row(probe_lesson, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SBERT_LAB_RESULTS", str(tmp_path))
    probe_lesson.compare("accuracy", paper=None, measured=0.5, unit=" %")
    probe_lesson.record("curve", [0.25, 0.75])
    path = probe_lesson.save()
    saved = json.loads(path.read_text())
    assert path == tmp_path / "99_probe.json" and saved["profile"] == "smoke"
    assert [row["what"] for row in saved["rows"]] == ["accuracy", "curve"]
    assert saved["rows"][1]["measured"] == [0.25, 0.75]


def test_kept_dir_is_the_lesson_s_own_folder_and_never_google_drive(
    probe_lesson, tmp_path, monkeypatch
):
    monkeypatch.setenv("SBERT_LAB_RUNS", str(tmp_path))
    assert probe_lesson.kept_dir() == tmp_path / "smoke" / "99_probe"
    assert probe_lesson.kept_dir().is_dir()
    monkeypatch.setenv("SBERT_LAB_RUNS", course.lesson.DRIVE_RUNS)  # what Colab with Drive sets
    assert not str(probe_lesson.kept_dir()).startswith("/content/drive")
