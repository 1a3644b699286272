"""Training speed and quality: ``sl.train.fit`` vs sentence-transformers' ``fit``, in one run.

    SBERT_LAB_DATA=../shared/data HF_HUB_OFFLINE=1 .venv/bin/python bench/train.py

Two workloads, each trained once by each library from the packaged all-MiniLM-L6-v2 with the same
recipe — 1 epoch, batch 16, AdamW lr 2e-5 with weight decay 0.01, 10 % linear warm-up, gradient
norm clipped at 1, seed 0:

* STS: cosine-MSE regression on STS-B train (5,749 pairs; sentence-transformers'
  ``CosineSimilarityLoss`` on score / 5), scored by STS-B test Spearman x 100;
* NLI: softmax over (u, v, |u - v|) on SNLI dev + SICK train (14,342 pairs; ``SoftmaxLoss``),
  scored by the classifier's SNLI test accuracy and by STS-B test Spearman after training.

``fit`` runs with its defaults (bf16 autocast where the CPU has fast bf16, length-grouped batches);
sentence-transformers runs with its defaults for ``fit`` (fp32 on a CPU, shuffled batches). Speed
is steps per second of wall time for the whole ``fit`` call, and also steps per CPU-second of the
process (less sensitive to other processes on a shared machine). Targets (issue 3): >= 2x
sentence-transformers' steps/s, test Spearman within 0.5.

One default differs in kind: the packaged folder ends in a Normalize module, which
sentence-transformers applies inside ``fit``, so its SoftmaxLoss classifier sees unit vectors;
``SentenceEncoder`` leaves Normalize out (cosines are the same either way), so ours sees raw mean
pooled ones. Cosine losses do not notice; the NLI figures do. ``--st-without-normalize`` trains
sentence-transformers' model without it, for a like-for-like NLI comparison.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import time
import warnings
from dataclasses import dataclass

# Before the first import of torch: waiting OpenMP threads sleep instead of spinning (see
# bench/encode.py).
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import torch  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab import course  # noqa: E402
from sbert_lab.model_sources import PACKAGED_MINILM, packaged_minilm_path  # noqa: E402

RECIPE = {"epochs": 1, "batch_size": 16, "lr": 2e-5, "warmup": 0.1, "seed": 0}


def timed(train) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) taken by ``train()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    train()
    return time.perf_counter() - wall, time.process_time() - cpu


def ours(loss, examples) -> tuple[sl.SentenceEncoder, float, float, int]:
    encoder = sl.SentenceEncoder(PACKAGED_MINILM)
    result = {}
    wall, cpu = timed(
        lambda: result.update(
            history=sl.train.fit(encoder, loss, examples, progress=False, **RECIPE)
        )
    )
    return encoder, wall, cpu, result["history"].steps


def theirs(
    make_loss, examples, to_input, without_normalize: bool = False
) -> tuple[object, object, float, float, int]:
    """sentence-transformers' ``SentenceTransformer.fit`` with the same recipe.

    The packaged folder ends in a Normalize module, which sentence-transformers applies in ``fit``
    too; ``without_normalize`` drops it, as ``SentenceEncoder`` does.
    """
    from sentence_transformers import InputExample, SentenceTransformer
    from sentence_transformers.models import Normalize
    from torch.utils.data import DataLoader

    torch.manual_seed(RECIPE["seed"])
    model = SentenceTransformer(str(packaged_minilm_path()), device="cpu")
    if without_normalize:
        kept = [module for module in model if not isinstance(module, Normalize)]
        model = SentenceTransformer(modules=kept, device="cpu")
    loss = make_loss(model)
    loader = DataLoader(
        [InputExample(**to_input(e)) for e in examples],
        shuffle=True,
        batch_size=RECIPE["batch_size"],
    )
    steps = math.ceil(len(examples) / RECIPE["batch_size"])
    wall, cpu = timed(
        lambda: model.fit(
            train_objectives=[(loader, loss)],
            epochs=RECIPE["epochs"],
            warmup_steps=math.ceil(RECIPE["warmup"] * steps),
            optimizer_params={"lr": RECIPE["lr"]},
            show_progress_bar=False,
        )
    )
    return model, loss, wall, cpu, steps


@dataclass
class Run:
    """One library's training run: its label, step count, wall and CPU seconds, and its test
    figures."""

    name: str
    steps: int
    wall: float
    cpu: float
    figures: list[float]

    @property
    def speeds(self) -> tuple[float, float]:
        """(steps per wall second, steps per CPU second)."""
        return self.steps / self.wall, self.steps / self.cpu


def print_comparison(title: str, columns: list[str], ours: Run, theirs: Run) -> None:
    """A markdown table of both runs, with speed ratios to sentence-transformers' run."""
    print(f"\n{title}\n")
    print("| method | steps/s | vs s-t | steps per CPU-s | vs s-t | " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|" + "---:|" * len(columns))
    reference = theirs.speeds
    for run in (ours, theirs):
        (speed, cpu_speed) = run.speeds
        figures = " | ".join(f"{f:.4f}" if f <= 1 else f"{f:.2f}" for f in run.figures)
        print(
            f"| {run.name} | {speed:.2f} | {speed / reference[0]:.2f}x | {cpu_speed:.3f} | "
            f"{cpu_speed / reference[1]:.2f}x | {figures} |"
        )


def bench_sts(test) -> None:
    from sentence_transformers import losses

    train = sl.data.load_sts("stsb", "train")
    st_model, _, st_wall, st_cpu, st_steps = theirs(
        losses.CosineSimilarityLoss,
        train,
        lambda p: {"texts": [p.s1, p.s2], "label": p.score / 5.0},
    )
    st_run = Run(st_name(), st_steps, st_wall, st_cpu, [sl.evaluation.sts_spearman(st_model, test)])
    encoder, wall, cpu, steps = ours(sl.losses.CosineMSELoss(sl.data.score_range("stsb")), train)
    our_run = Run(our_name(encoder), steps, wall, cpu, [sl.evaluation.sts_spearman(encoder, test)])
    title = f"STS-B train, cosine-MSE: {len(train)} pairs, {steps} steps"
    print_comparison(title, ["STS-B test Spearman x 100"], our_run, st_run)


def bench_nli(test, size: int | None, st_without_normalize: bool) -> None:
    from sentence_transformers import losses

    pairs = sl.data.load_nli("snli", "dev") + sl.data.load_nli("sick", "train")
    pairs = course.profiles.subset(pairs, size, seed=0)
    snli_test = sl.data.load_nli("snli", "test")
    dim = 384
    st_model, st_loss, st_wall, st_cpu, st_steps = theirs(
        lambda model: losses.SoftmaxLoss(model, dim, num_labels=3),
        pairs,
        lambda p: {"texts": [p.premise, p.hypothesis], "label": p.label},
        without_normalize=st_without_normalize,
    )
    st_head = sl.losses.SoftmaxLoss(
        dim
    )  # the same (u, v, |u-v|) layout: reuse their trained classifier
    st_head.classifier.load_state_dict(st_loss.classifier.state_dict())
    st_figures = [
        sl.evaluation.nli_accuracy(st_model, st_head, snli_test),
        sl.evaluation.sts_spearman(st_model, test),
    ]
    st_run = Run(st_name(st_without_normalize), st_steps, st_wall, st_cpu, st_figures)
    torch.manual_seed(RECIPE["seed"])
    head = sl.losses.SoftmaxLoss(dim)
    encoder, wall, cpu, steps = ours(head, pairs)
    figures = [
        sl.evaluation.nli_accuracy(encoder, head, snli_test),
        sl.evaluation.sts_spearman(encoder, test),
    ]
    our_run = Run(our_name(encoder), steps, wall, cpu, figures)
    columns = ["SNLI test accuracy", "STS-B test Spearman x 100"]
    title = f"SNLI dev + SICK train, softmax: {len(pairs)} pairs, {steps} steps"
    print_comparison(title, columns, our_run, st_run)


def our_name(encoder: sl.SentenceEncoder) -> str:
    return f"sl.train.fit ({encoder.precision}, length-grouped)"


def st_name(without_normalize: bool = False) -> str:
    return "SentenceTransformer.fit (fp32" + (", without Normalize)" if without_normalize else ")")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", choices=("sts", "nli"), help="run one workload")
    parser.add_argument("--nli-size", type=int, help="NLI pairs to train on (default: all 14,342)")
    parser.add_argument(
        "--st-without-normalize",
        action="store_true",
        help="NLI: train sentence-transformers' model without the folder's Normalize module, as "
        "SentenceEncoder runs it (SoftmaxLoss's classifier then sees the same raw u, v)",
    )
    args = parser.parse_args()

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("WANDB_DISABLED", "true")
    torch.set_num_threads(args.threads)
    warnings.simplefilter("ignore")
    test = sl.data.load_sts("stsb", "test")
    print(
        f"{args.threads} threads; torch {torch.__version__}; "
        f"{platform.processor() or platform.machine()}; recipe {RECIPE}"
    )
    if args.only in (None, "sts"):
        bench_sts(test)
    if args.only in (None, "nli"):
        bench_nli(test, args.nli_size, args.st_without_normalize)


if __name__ == "__main__":
    main()
