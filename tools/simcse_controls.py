"""SimCSE's controls (Gao et al. 2021, Table 2) on the offline profile's raw BERT: unsupervised
SimCSE with dropout, with no dropout (p = 0) and with one dropout mask for both views, each for
``course.simcse.RECORD_STEPS`` steps on the same unlabelled sentences.

    python tools/simcse_controls.py [--out PATH]

Lesson 11 trains the first of them live, for fewer steps, and shows this record for the three
(three runs of ~3 minutes do not fit its budget on two CPU cores). Each run: the STS-B dev curve,
STS-B dev and test Spearman, and alignment and uniformity on STS-B dev (``course.simcse``). The
record is rewritten (atomically) after every run.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import argparse  # noqa: E402
import time  # noqa: E402

import sbert_lab as sl  # noqa: E402
from sbert_lab import course  # noqa: E402
from sbert_lab.course import recipes, records, simcse  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(records.path_of("simcse_controls")))
    args = parser.parse_args()
    profile = course.profiles.get_profile("offline")
    recipe = simcse.record_recipe(profile)
    sentences = simcse.unlabelled_sentences(profile, recipe["steps"] * recipe["batch_size"])
    dev, test = recipes.sts_pairs(profile, "dev"), recipes.sts_pairs(profile, "test")
    batch = profile.encode_batch_size
    record = {"recipe": recipe, "runs": []}
    for variant in simcse.VARIANTS:
        started = time.perf_counter()
        encoder, history = simcse.train_simcse(profile, sentences, variant, progress=False)
        align, uniform = simcse.alignment_uniformity(encoder, dev, batch)
        run = {
            "variant": variant,
            "steps": history.steps,
            "dev_curve": [[step, round(value, 4)] for step, value in history.evals],
            "stsb_dev": sl.evaluation.sts_spearman(encoder, dev, batch),
            "stsb_test": sl.evaluation.sts_spearman(encoder, test, batch),
            "alignment": align,
            "uniformity": uniform,
            "seconds": round(time.perf_counter() - started, 1),
        }
        records.keep_run(args.out, record, run)


if __name__ == "__main__":
    main()
