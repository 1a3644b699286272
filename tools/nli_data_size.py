"""The NLI data-size record of lesson 3: STS-B after NLI training on 2k ... 62,556 pairs, for the
paper's softmax objective and for in-batch negatives (Section 3; the paper trains on 942k pairs).

    python tools/nli_data_size.py [--sizes 2000 8000 32000 all] [--out PATH]

Every run starts from the offline profile's raw BERT and uses the recipe lesson 3 uses
(``course.recipes.train_nli``: lr, warm-up, seed 0, one epoch, max_length of the offline profile;
softmax on every pair with batch 16, in-batch negatives on the entailment pairs with batch 64) on
a seeded subset of the offline profile's NLI pairs (``course.profiles.subset``). Each run is
measured on STS-B dev and test; the runs on all pairs also keep their STS-B dev curve. The record
is rewritten (atomically) after every run, so an interrupted run keeps what it finished.
Lesson 3 plots it (``course.nli_scale``); ``tests/course/test_nli_scale.py`` checks that it was
made by today's recipe.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import torch  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab import course  # noqa: E402
from sbert_lab.course import nli_scale, recipes, records  # noqa: E402


def cpu_flags() -> list[str]:
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        return []
    flags = set(next((ln for ln in text.splitlines() if ln.startswith("flags")), "").split())
    return sorted(f for f in flags if f.startswith(("avx512", "amx")) or f in ("avx2", "fma"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["2000", "8000", "32000", "all"])
    parser.add_argument("--objectives", nargs="+", default=list(recipes.NLI_OBJECTIVES))
    parser.add_argument("--out", default=str(nli_scale.RECORD))
    args = parser.parse_args()
    profile = course.profiles.get_profile("offline")
    everything = replace(profile, nli_train_size=None)
    pairs = recipes.nli_pairs(everything)
    dev, test = recipes.sts_pairs(profile, "dev"), recipes.sts_pairs(profile, "test")
    raw = sl.SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
    record = {
        "recipe": nli_scale.recipe(profile),
        "machine": {
            "cpu": platform.processor() or platform.machine(),
            "flags": cpu_flags(),
            "threads": torch.get_num_threads(),
            "torch": torch.__version__,
        },
        "raw": {
            "stsb_dev": sl.evaluation.sts_spearman(raw, dev),
            "stsb_test": sl.evaluation.sts_spearman(raw, test),
        },
        "runs": [],
    }
    order = sorted(
        ((None if s == "all" else int(s), o) for s in args.sizes for o in args.objectives),
        key=lambda run: (run[0] or len(pairs), run[1] == "softmax"),
    )
    for size, objective in order:
        chosen = course.profiles.subset(pairs, size, seed=recipes.SEED)
        started = time.perf_counter()
        encoder, _, history = recipes.train_nli(
            profile, chosen, objective=objective, progress=False, dev_curve=size is None
        )
        run = {
            "objective": objective,
            "pairs": len(chosen),
            "examples": len(recipes.nli_examples(chosen, objective)),
            "steps": history.steps,
            "train_seconds": round(history.seconds, 1),
            "stsb_dev": sl.evaluation.sts_spearman(encoder, dev),
            "stsb_test": sl.evaluation.sts_spearman(encoder, test),
            "dev_curve": history.evals,
            "seconds": round(time.perf_counter() - started, 1),
        }
        records.keep_run(args.out, record, run)


if __name__ == "__main__":
    main()
