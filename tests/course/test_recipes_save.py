"""A model a lesson trains in view, kept with save_*, is what the recipe functions load
afterwards."""

import pytest

import sbert_lab as sl
from sbert_lab import course

SENTENCES = ["A man plays a guitar.", "Nobody is here."]


@pytest.fixture
def smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("SBERT_LAB_RUNS", str(tmp_path / "runs"))
    return course.profiles.get_profile("smoke")


def fake_history():
    return sl.train.History(losses=[1.1, 0.9], evals=[(2, 12.5)], steps=2, seconds=0.25)


@pytest.mark.slow  # the first model load of a session pays for importing transformers' BERT
def test_saved_nli_model_is_loaded_not_retrained(smoke, capsys):
    encoder = sl.SentenceEncoder(
        smoke.raw_model, pooling="cls", max_length=smoke.max_length, precision="fp32"
    )
    folder = course.recipes.save_nli_model(encoder, fake_history(), smoke)
    assert folder == course.lesson.runs_dir(smoke) / "nli-cls"
    loaded = course.recipes.nli_model(smoke, pooling="cls", progress=False)
    assert "nli_model: loaded" in capsys.readouterr().out
    assert loaded.pooling == "cls"
    loaded.precision = "fp32"  # as the saved encoder, so that the vectors can be compared exactly
    assert abs(loaded.encode(SENTENCES) - encoder.encode(SENTENCES)).max() < 1e-6
    log = course.recipes.training_log(smoke, "nli-cls")
    assert (
        log["losses"] == [1.1, 0.9]
        and log["dev_spearman"] == [[2, 12.5]]
        and log["seconds"] == 0.25
    )
    # atomic_folder writes into ".nli-cls.tmp-<random>" beside the target: nothing hidden is left
    leftovers = [p.name for p in folder.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == [], f"temporary folders left behind: {leftovers}"


def test_saved_cross_encoder_is_loaded(smoke, capsys):
    model = sl.cross_encoder.CrossEncoder(
        smoke.raw_model, num_labels=1, max_length=2 * smoke.max_length, precision="fp32"
    )
    model.score_range = (0.0, 5.0)
    course.recipes.save_cross_encoder(model, fake_history(), smoke)
    loaded = course.recipes.cross_encoder(smoke, progress=False)
    assert "cross_encoder: loaded" in capsys.readouterr().out
    loaded.precision = "fp32"
    pairs = [(SENTENCES[0], SENTENCES[1])]
    assert abs(loaded.predict(pairs) - model.predict(pairs)).max() < 1e-6
