"""The pooling ablation of Table 6, on the offline profile's raw BERT: MEAN, MAX and [CLS] pooling,
each trained once on NLI and once with STS-B regression, STS-B dev Spearman after each.

    python tools/pooling_ablation.py [--out PATH]

Lesson 4 shows this record (nine runs do not fit its three-minute budget on two CPU cores). The
recipes are the lessons': the NLI column is ``course.recipes.train_nli`` with the profile's NLI
objective (``profile.nli_objective``: in-batch negatives offline, because the paper's softmax does
not move STS-B on this much data, lesson 3) on ``course.recipes.nli_pairs(profile)``; the STS-B
column is ``course.recipes.train_sts`` on all of STS-B train (5,749 pairs). One epoch, seed 0,
the profile's lr and batch sizes. The record is rewritten (atomically) after every run.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from dataclasses import replace  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab import course  # noqa: E402
from sbert_lab.course import pooling_table, recipes, records  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(records.path_of("pooling_ablation")))
    parser.add_argument(
        "--objectives", nargs="+", default=["nli", "sts"], choices=["nli", "sts"],
        help="rerun only these columns; the record keeps the other's runs",
    )  # fmt: skip
    args = parser.parse_args()
    profile = course.profiles.get_profile("offline")
    everything = replace(profile, sts_train_size=None)
    nli, sts = recipes.nli_pairs(profile), recipes.sts_pairs(everything, "train")
    dev = recipes.sts_pairs(profile, "dev")
    kept = []
    if set(args.objectives) != {"nli", "sts"} and os.path.isfile(args.out):
        with open(args.out) as f:
            kept = [r for r in json.load(f)["runs"] if r["objective"] not in args.objectives]
    record = {"recipe": pooling_table.recipe(profile), "runs": kept}
    for objective in args.objectives:
        for pooling in pooling_table.POOLINGS:
            started = time.perf_counter()
            if objective == "nli":
                encoder, _, history = recipes.train_nli(
                    profile, nli, pooling, objective=profile.nli_objective, progress=False,
                    dev_curve=False,
                )  # fmt: skip
            else:
                encoder, history = recipes.train_sts(profile, sts, pooling, progress=False)
            run = {
                "objective": objective,
                "pooling": pooling,
                "steps": history.steps,
                "stsb_dev": sl.evaluation.sts_spearman(encoder, dev),
                "seconds": round(time.perf_counter() - started, 1),
            }
            records.keep_run(args.out, record, run)


if __name__ == "__main__":
    main()
