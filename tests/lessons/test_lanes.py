"""The lanes of `make test` (tests/lanes.py, which the repository's conftest.py schedules by): which
tests must run in order, in one process, when pytest-xdist spreads the rest over two."""

from __future__ import annotations

from tests.lanes import LESSONS_ON_TRAINED_MODELS, lane, lessons_on_trained_models


def test_a_lesson_is_on_trained_models_when_its_code_calls_a_shared_model(tmp_path):
    (tmp_path / "03_trains.py").write_text(
        "# %%\nsaved = course.recipes.save_nli_model(encoder, history, profile)\n"
    )
    (tmp_path / "04_loads.py").write_text("encoder = course.recipes.nli_model(profile)\n")
    (tmp_path / "05_mentions.py").write_text(
        "# try `course.recipes.sts_model(profile)` instead\nx = course.recipes.sts_pairs(profile)\n"
    )
    (tmp_path / "06_own.py").write_text("model = sl.SentenceEncoder(profile.raw_model)\n")
    assert lessons_on_trained_models(tmp_path) == {"03", "04"}


def test_the_lessons_that_train_the_shared_models_are_on_the_trained_lane():
    on_trained = LESSONS_ON_TRAINED_MODELS
    assert {"03", "04"} <= on_trained  # 03 keeps the NLI model, 04 the STS models
    assert "00" not in on_trained and "09" not in on_trained


def test_cells_of_one_notebook_and_each_hub_profile_share_a_lane():
    on_trained = frozenset({"03", "04"})
    cells = [f"notebooks/03_nli_finetuning.ipynb::Cell {i}" for i in range(3)]
    assert {lane(cell, on_trained) for cell in cells} == {"offline-trained"}
    assert lane("notebooks/04_sts.ipynb::Cell 9", on_trained) == "offline-trained"
    assert lane("notebooks/09_search_at_scale.ipynb::Cell 0", on_trained) == "offline-own"
    hub = "tests/lessons/test_hub_lessons.py::test_lesson_runs_against_the_hub_standin"
    assert lane(f"{hub}[cpu-03]", on_trained) == "hub-cpu"
    assert lane(f"{hub}[gpu-13]", on_trained) == "hub-gpu"
    assert lane("tests/core/test_pooling.py::test_mean_pooling", on_trained) is None
