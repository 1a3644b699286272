"""``python -m sbert_lab train``: every objective trains in the smoke profile and prints dev and
test figures."""

import re

import pytest

import sbert_lab as sl
from sbert_lab.cli import main


@pytest.mark.slow
@pytest.mark.parametrize("objective", ["nli", "sts", "triplet", "mnrl"])
def test_train_each_objective(objective, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SBERT_LAB_RUNS", str(tmp_path / "runs"))
    output = tmp_path / objective
    main(
        [
            "train",
            "--objective",
            objective,
            "--profile",
            "smoke",
            "--train-size",
            "32",
            "--no-progress",
            "--output",
            str(output),
        ]
    )
    out = capsys.readouterr().out
    assert f"objective {objective}" in out
    examples = int(re.search(r"on (\d+) examples", out).group(1))  # 32, or fewer in the fixtures
    # the smoke profile's batch is 8
    assert 0 < examples <= 32 and f"trained {-(-examples // 8)} steps" in out
    assert re.search(r"STS-B dev Spearman x100\s+-?\d+\.\d\d", out)
    assert re.search(r"STS-B test Spearman x100\s+-?\d+\.\d\d", out)
    if objective == "nli":
        assert re.search(r"test accuracy\s+0\.\d{4}", out)
    if objective in ("triplet", "mnrl"):
        assert re.search(r"test triplet accuracy\s+[01]\.\d{4}", out)
    assert sl.SentenceEncoder.load(output).encode(["a sentence"]).shape == (1, 128)


def test_help_and_bad_arguments(capsys):
    with pytest.raises(SystemExit) as done:
        main(["train", "--help"])
    assert done.value.code == 0 and "--objective {nli,sts,triplet,mnrl}" in capsys.readouterr().out
    with pytest.raises(SystemExit) as done:
        main(["train", "--objective", "contrastive"])
    assert done.value.code == 2 and "invalid choice: 'contrastive'" in capsys.readouterr().err
