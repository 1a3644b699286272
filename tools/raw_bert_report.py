"""The success criteria of the offline raw BERT, measured (issue: "a raw model that behaves like raw
BERT").

    python tools/raw_bert_report.py [--model DIR] [--epochs 1] [--lr 1e-4] [--json report.json]

On STS-B test (the shipped original), for the shipped MLM-pretrained BERT and for a random
initialisation of the same shape: raw [CLS] / mean / max Spearman x100, the mean cosine of random
sentence pairs (mean pooling), and STS-B test after the same STS-B regression (CosineMSELoss on
STS-B train, batch 16, ``--epochs``, ``--lr``, 10 % warm-up, seed 0 — lesson 4's SBERT-STSb recipe
on this profile), and STS-B test of a cross-encoder fine-tuned from it the same way (lesson 4's
BERT-STSb). Averaged GloVe 6B 50d is the bar of Table 1. Prints a table and the criteria:
[CLS] < mean < GloVe; random-pair cosine >= 0.5; regression lifts STS-B test by >= 25 points;
the cross-encoder beats the bi-encoder (Table 2). ``--model`` measures another folder in place of
the shipped model (e.g. an export of a pretraining run that is still going).
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402

import numpy as np  # noqa: E402
import torch  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab import course  # noqa: E402


def random_pair_cosine(encoder, sentences: list[str]) -> float:
    vectors = encoder.encode(sentences, batch_size=64)
    partner = np.random.default_rng(0).permutation(len(sentences))
    keep = partner != np.arange(len(sentences))
    return float(sl.evaluation.row_cosine(vectors[keep], vectors[partner[keep]]).mean())


def measure(model: str, train, test, epochs: int, lr: float) -> dict:
    raw = course.baselines.raw_bert(model, max_length=64)
    sentences = list(dict.fromkeys(s for p in test for s in (p.s1, p.s2)))
    row = {
        f"raw {mode}": sl.evaluation.sts_spearman(encoder, test) for mode, encoder in raw.items()
    }
    row["random-pair cosine"] = random_pair_cosine(raw["mean"], sentences)
    encoder = sl.SentenceEncoder(model, pooling="mean", max_length=64)
    loss = sl.losses.CosineMSELoss(score_range=sl.data.score_range("stsb"))
    sl.train.fit(
        encoder,
        loss,
        train,
        epochs=epochs,
        batch_size=16,
        lr=lr,
        warmup=0.1,
        seed=0,
        progress=False,
    )
    row["after STS-B regression"] = sl.evaluation.sts_spearman(encoder, test)
    torch.manual_seed(0)
    cross = sl.cross_encoder.CrossEncoder(model, num_labels=1, max_length=128)
    cross.fit(
        train,
        score_range=sl.data.score_range("stsb"),
        epochs=epochs,
        batch_size=16,
        lr=lr,
        warmup=0.1,
        seed=0,
        progress=False,
    )
    row["cross-encoder"] = sl.evaluation.cross_encoder_spearman(cross, test, batch_size=64)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--model",
        default=sl.model_sources.RAW_BERT,
        help="the pretrained model (default: %(default)s)",
    )
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train, test = sl.data.load_sts("stsb", "train"), sl.data.load_sts("stsb", "test")
    report = {
        name: measure(model, train, test, args.epochs, args.lr)
        for name, model in (
            ("MLM-pretrained", args.model),
            ("random init", sl.model_sources.RANDOM_BERT),
        )
    }
    glove = sl.evaluation.sts_spearman(course.baselines.GloVeAverage(), test)
    columns = [
        "raw cls",
        "raw mean",
        "raw max",
        "random-pair cosine",
        "after STS-B regression",
        "cross-encoder",
    ]
    print(f"STS-B test Spearman x100; regression: {args.epochs} epoch(s), lr {args.lr}, batch 16")
    print(f"{'model':<16}" + "".join(f"{c:>24}" for c in columns))
    for name, row in report.items():
        print(
            f"{name:<16}"
            + "".join(f"{row[c]:>24.3f}" if "cosine" in c else f"{row[c]:>24.2f}" for c in columns)
        )
    print(f"{'averaged GloVe':<16}{glove:>24.2f}")
    ours = report["MLM-pretrained"]
    checks = {
        "[CLS] < mean < GloVe": ours["raw cls"] < ours["raw mean"] < glove,
        "random-pair cosine >= 0.5": ours["random-pair cosine"] >= 0.5,
        "regression lifts STS-B test by >= 25": ours["after STS-B regression"] - ours["raw mean"]
        >= 25,
        "cross-encoder > bi-encoder (Table 2)": ours["cross-encoder"]
        > ours["after STS-B regression"],
    }
    for what, ok in checks.items():
        print(f"{'met' if ok else 'NOT met':>8}: {what}")
    gap = report["random init"]["after STS-B regression"] - ours["after STS-B regression"]
    print(
        f"random init ends {gap:+.2f} points from the pretrained model after the same fine-tuning"
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "models": report,
                    "glove": glove,
                    "criteria": {k: bool(v) for k, v in checks.items()},
                    "settings": vars(args),
                },
                f,
                indent=1,
            )


if __name__ == "__main__":
    main()
