"""The shared models of the lessons: trained once per profile and recipe, then loaded."""

import json
from dataclasses import replace

import pytest

import sbert_lab as sl
from sbert_lab import course


@pytest.fixture
def smoke(tmp_path, monkeypatch):
    monkeypatch.setenv("SBERT_LAB_RUNS", str(tmp_path / "runs"))
    return course.profiles.get_profile("smoke")


@pytest.mark.slow
def test_nli_then_sts_model_are_trained_once_then_loaded(smoke, capsys):
    encoder = course.recipes.nli_model(smoke, progress=False)
    first = capsys.readouterr().out
    assert "nli_model: training nli-mean (no model there yet" in first and "saved to" in first
    assert isinstance(encoder, sl.SentenceEncoder) and encoder.pooling == "mean"
    log = course.recipes.training_log(smoke, "nli-mean")
    steps = -(-len(course.recipes.nli_pairs(smoke)) // smoke.batch_size)
    assert len(log["losses"]) == steps
    assert (
        1 <= len(log["dev_spearman"]) <= smoke.eval_points and log["dev_spearman"][-1][0] == steps
    )
    assert log["recipe"] == json.loads(json.dumps(course.recipes.nli_recipe(smoke)))

    again = course.recipes.nli_model(smoke, progress=False)
    assert "nli_model: loaded" in capsys.readouterr().out
    sentences = ["A man plays a guitar.", "Nobody is here."]
    assert (again.encode(sentences) == encoder.encode(sentences)).all()

    sts = course.recipes.sts_model(smoke, progress=False)
    out = capsys.readouterr().out
    # it starts from the NLI model, which is loaded
    assert "sts_model: training nli-stsb" in out and "nli_model: loaded" in out
    assert not (sts.encode(sentences) == encoder.encode(sentences)).all()
    course.recipes.sts_model(smoke, progress=False)
    assert "sts_model: loaded" in capsys.readouterr().out

    bigger = replace(smoke, nli_train_size=smoke.nli_train_size + 8)
    course.recipes.nli_model(bigger, progress=False)
    assert "trained with another recipe" in capsys.readouterr().out


@pytest.mark.slow
def test_cross_encoder_recipe(smoke, capsys):
    model = course.recipes.cross_encoder(smoke, progress=False)
    assert "cross_encoder: training cross-encoder-stsb" in capsys.readouterr().out
    assert isinstance(model, sl.cross_encoder.CrossEncoder) and model.score_range == (0.0, 5.0)
    scores = model.predict([("A man plays a guitar.", "A man plays music.")])
    assert scores.shape == (1,) and 0 < scores[0] < 1
    course.recipes.cross_encoder(smoke, progress=False)
    assert "cross_encoder: loaded" in capsys.readouterr().out
