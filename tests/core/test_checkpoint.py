"""Checkpoints (sbert_lab.checkpoint and TrainingRun.save / resume): everything a run needs is
written atomically, a checkpoint of another run is refused, and a run killed with SIGKILL resumes
to the same weights as an uninterrupted one."""

import json
import subprocess
import textwrap

import pytest
import torch
from python_runs import run_script

import sbert_lab as sl
from sbert_lab import checkpoint
from sbert_lab.losses import CosineMSELoss
from sbert_lab.train import fit

TINY = "sbert-lab:tiny-random-bert"


@pytest.fixture(scope="module")
def sts_train():
    return sl.data.load_sts("stsb", "train", "fixtures")  # 48 pairs


def tiny() -> sl.SentenceEncoder:
    return sl.SentenceEncoder(TINY, max_length=32, device="cpu")


# -- checkpoints and resume ------------------------------------------------------------------------
def test_checkpoint_holds_everything_and_a_failed_write_leaves_the_previous_one(
    sts_train, tmp_path, monkeypatch
):
    encoder = tiny()
    fit(
        encoder,
        CosineMSELoss(),
        sts_train[:16],
        batch_size=8,
        amp="fp32",
        checkpoint_dir=tmp_path,
        progress=False,
    )
    folder = checkpoint.latest_checkpoint(tmp_path)
    assert folder.name == "step-00000002"
    assert sorted(p.name for p in folder.iterdir()) == [
        "loss.safetensors",
        "model.safetensors",
        "trainer_state.pt",
    ]
    state = torch.load(folder / "trainer_state.pt", weights_only=True)
    assert state["step"] == 2 and {
        "optimizer",
        "scheduler",
        "scaler",
        "rng",
        "history",
        "fingerprint",
    } <= set(state)

    def crash(*args, **kwargs):  # dies while the next checkpoint's files are being written
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr(checkpoint.torch, "save", crash)
    with pytest.raises(KeyboardInterrupt):
        checkpoint.save_checkpoint(tmp_path, 3, encoder, CosineMSELoss(), {"step": 3})
    assert checkpoint.latest_checkpoint(tmp_path) == folder  # the complete one is still the latest
    assert not (tmp_path / "step-00000003").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "step-00000002"]  # no temp left
    monkeypatch.undo()
    checkpoint.load_checkpoint(folder, tiny(), CosineMSELoss())
    # a save killed outright (SIGKILL) leaves its temporary folder: the next save removes it
    (tmp_path / ".step-00000003.tmp-killed").mkdir()
    checkpoint.save_checkpoint(tmp_path, 4, encoder, CosineMSELoss(), {"step": 4})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["latest", "step-00000004"]


def test_resume_refuses_a_checkpoint_of_another_run(sts_train, tmp_path):
    fit(
        tiny(),
        CosineMSELoss(),
        sts_train[:16],
        batch_size=8,
        amp="fp32",
        checkpoint_dir=tmp_path,
        progress=False,
    )
    with pytest.raises(ValueError, match="batch_size was 8, now 4"):
        fit(
            tiny(),
            CosineMSELoss(),
            sts_train[:16],
            batch_size=4,
            amp="fp32",
            checkpoint_dir=tmp_path,
            resume=True,
            progress=False,
        )


RESUMABLE_RUN = textwrap.dedent(
    """
    import json, os, signal, sys
    import torch
    torch.set_num_threads(1)
    import sbert_lab as sl

    checkpoint_dir, kill_at_step, resume = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "resume"
    if kill_at_step:  # SIGKILL in the middle of that step: after backward, before the update
        optimizer_step, calls = torch.optim.AdamW.step, []
        def step(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == kill_at_step:
                os.kill(os.getpid(), signal.SIGKILL)
            return optimizer_step(self, *args, **kwargs)
        torch.optim.AdamW.step = step
    torch.manual_seed(0)
    encoder = sl.SentenceEncoder("sbert-lab:tiny-random-bert", max_length=32, device="cpu")
    loss = sl.losses.SoftmaxLoss(encoder.dim)
    dev = sl.data.load_sts("stsb", "dev", "fixtures")
    history = sl.train.fit(
        encoder, loss, sl.data.load_nli("snli", "train", "fixtures"), epochs=2, batch_size=8,
        lr=1e-4, amp="fp32", checkpoint_dir=checkpoint_dir, checkpoint_every=4, resume=resume,
        progress=False,
        eval_fn=lambda e: float(sl.evaluation.sts_cosines(e, dev)[0].mean()), eval_every=3,
    )
    print(json.dumps({
        "losses": history.losses, "evals": history.evals, "resumed_from": history.resumed_from,
        "weights": torch.cat([p.detach().flatten()
                              for p in [*encoder.parameters(), *loss.parameters()]]).tolist(),
    }))
    """
)


def last_json(process: subprocess.CompletedProcess) -> dict:
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_a_run_killed_with_sigkill_and_resumed_ends_like_an_uninterrupted_run(tmp_path):
    uninterrupted = last_json(run_script(RESUMABLE_RUN, str(tmp_path / "a"), "0", "fresh"))
    # 12 steps with checkpoints at 4 and 8; killed during step 10
    killed = run_script(RESUMABLE_RUN, str(tmp_path / "b"), "10", "fresh")
    assert killed.returncode == -9, killed.stderr[-2000:]
    assert checkpoint.latest_checkpoint(tmp_path / "b").name == "step-00000008"
    resumed = last_json(run_script(RESUMABLE_RUN, str(tmp_path / "b"), "0", "resume"))
    assert resumed["resumed_from"] == 8
    assert len(resumed["losses"]) == len(uninterrupted["losses"]) == 12
    assert resumed["losses"] == pytest.approx(uninterrupted["losses"], abs=1e-6)
    assert resumed["losses"][-1] == pytest.approx(uninterrupted["losses"][-1], abs=1e-6)
    assert [s for s, _ in resumed["evals"]] == [3, 6, 9, 12]
    assert [v for _, v in resumed["evals"]] == pytest.approx(
        [v for _, v in uninterrupted["evals"]], abs=1e-6
    )
    difference = (
        (torch.tensor(resumed["weights"]) - torch.tensor(uninterrupted["weights"])).abs().max()
    )
    assert difference <= 1e-6
