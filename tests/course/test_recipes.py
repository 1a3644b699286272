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


def test_the_nli_model_trains_with_the_profile_s_objective(smoke, capsys):
    mnrl = replace(smoke, nli_objective="mnrl", contrastive_batch_size=8)
    course.recipes.nli_model(mnrl, progress=False)
    out = capsys.readouterr().out
    entailment = course.recipes.nli_examples(course.recipes.nli_pairs(mnrl), "mnrl")
    steps = course.recipes.steps(mnrl, len(entailment), "mnrl")
    assert f"{steps:,} steps of 8" in out
    log = course.recipes.training_log(mnrl, "nli-mean")
    assert len(log["losses"]) == steps and log["recipe"]["objective"] == "mnrl"
    assert log["recipe"]["batch_size"] == 8
    # the softmax recipe is another recipe: not loaded from the MNRL folder
    course.recipes.nli_model(smoke, progress=False)
    assert "it was trained with another recipe" in capsys.readouterr().out


def test_nli_examples_per_objective():
    pairs = sl.data.load_nli("snli", "dev", "fixtures")
    assert course.recipes.nli_examples(pairs, "softmax") == pairs
    entailed = course.recipes.nli_examples(pairs, "mnrl")
    assert entailed == [(p.premise, p.hypothesis) for p in pairs if p.label == 0] and entailed
    with pytest.raises(ValueError, match="objective must be one of softmax, mnrl"):
        course.recipes.nli_examples(pairs, "triplet")


def test_steps_and_evaluation_points_count_the_last_partial_batch(smoke):
    assert course.recipes.steps(smoke, 17) == 3  # batch 8: 8 + 8 + 1
    assert course.recipes.steps(replace(smoke, epochs=2), 17) == 6
    assert course.recipes.steps(smoke, 130, "mnrl") == 3  # batch 64
    assert course.recipes.eval_every(smoke, 17) == 1  # 3 steps, 3 points
    assert course.recipes.eval_every(replace(smoke, eval_points=2), 80) == 5  # 10 steps
