"""DistributedDataParallel under torchrun (sbert_lab.distributed): each rank on its own GPU, and
two gloo processes train like one process on the same global batch."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import torch
from python_runs import run_script

import sbert_lab as sl
from sbert_lab.losses import SoftmaxLoss

ROOT = Path(__file__).resolve().parents[2]
TINY = "sbert-lab:tiny-random-bert"


def tiny() -> sl.SentenceEncoder:
    return sl.SentenceEncoder(TINY, max_length=32, device="cpu")


# -- DistributedDataParallel -----------------------------------------------------------------------
def test_under_torchrun_each_rank_builds_its_model_on_its_own_gpu(monkeypatch):
    chosen = []
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "set_device", chosen.append)
    monkeypatch.setenv("LOCAL_RANK", "3")
    device = sl.train.process_device()
    assert device == torch.device("cuda", 3) and chosen == [torch.device("cuda", 3)]
    monkeypatch.delenv("LOCAL_RANK")
    assert sl.train.process_device() == torch.device("cuda")  # no torchrun: the default GPU


DDP_RUN = textwrap.dedent(
    """
    import os, sys
    import torch
    torch.set_num_threads(1)
    import sbert_lab as sl

    out, batch_size = sys.argv[1], int(sys.argv[2])
    torch.manual_seed(0)
    encoder = sl.SentenceEncoder("sbert-lab:tiny-random-bert", max_length=32, device="cpu")
    for module in encoder.modules():  # no dropout: its masks depend on how the batch is split
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.0
    loss = sl.losses.SoftmaxLoss(encoder.dim)
    history = sl.train.fit(encoder, loss, sl.data.load_nli("snli", "train", "fixtures"),
                           batch_size=batch_size, lr=1e-3, amp="fp32", progress=False)
    torch.save({"losses": history.losses, "rank": int(os.environ.get("RANK", "0")),
                "weights": torch.cat([p.detach().flatten()
                                      for p in [*encoder.parameters(), *loss.parameters()]])},
               f"{out}.{os.environ.get('RANK', '0')}")
    """
)

DDP_TOLERANCE = (
    1e-5  # fp32 all-reduce sums gradients in another order than one process does (seen: 8e-7)
)


@pytest.mark.slow
def test_two_gloo_processes_train_like_one_process_on_the_same_global_batch(tmp_path):
    script = tmp_path / "ddp_run.py"
    script.write_text(DDP_RUN)
    single = run_script(DDP_RUN, str(tmp_path / "single"), "8")
    assert single.returncode == 0, single.stderr[-3000:]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    command = [
        sys.executable,
        "-m",
        "torch.distributed.run",
        "--standalone",
        "--nproc_per_node",
        "2",
        str(script),
        str(tmp_path / "ddp"),
        "4",
    ]
    ddp = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert ddp.returncode == 0, ddp.stderr[-3000:]
    one = torch.load(tmp_path / "single.0", weights_only=True)
    rank0 = torch.load(tmp_path / "ddp.0", weights_only=True)
    rank1 = torch.load(tmp_path / "ddp.1", weights_only=True)
    assert len(rank0["losses"]) == len(one["losses"]) == 6  # 48 examples, global batch 2 x 4 = 8
    assert rank0["losses"] == pytest.approx(one["losses"], abs=DDP_TOLERANCE)
    assert torch.equal(rank0["weights"], rank1["weights"])  # DDP keeps the replicas identical
    assert (rank0["weights"] - one["weights"]).abs().max() <= DDP_TOLERANCE
    assert (
        one["weights"] - weights_at_start()
    ).abs().max() > 100 * DDP_TOLERANCE  # training moved them


def weights_at_start() -> torch.Tensor:
    torch.manual_seed(0)
    encoder = tiny()
    return torch.cat(
        [p.detach().flatten() for p in [*encoder.parameters(), *SoftmaxLoss(128).parameters()]]
    )
