"""OpenMP's wait policy with one competing process: why sbert_lab sets OMP_WAIT_POLICY=PASSIVE.

    .venv/bin/python bench/omp_wait_policy.py [--sentences 800] [--rounds 2]

Encodes STS-B test sentences with the packaged all-MiniLM-L6-v2 (2 threads, fp32) in a fresh process
for each setting — OMP_WAIT_POLICY=ACTIVE (spinning idle threads, what libgomp does by default
here) and PASSIVE (sleeping idle threads) — first on a quiet machine, then with one competing
process that keeps one core busy (a pure-Python loop). Prints sentences/s of each and the ratios.
Run it alone: anything else on the cores changes the figures.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

WORKER = r"""
import os, sys, time
import sbert_lab as sl
import torch
torch.set_num_threads(2)
sentences = sl.data.load_sts("stsb", "test")
sentences = list(dict.fromkeys(s for p in sentences for s in (p.s1, p.s2)))[: int(sys.argv[1])]
encoder = sl.SentenceEncoder("sbert-lab:all-MiniLM-L6-v2", precision="fp32", device="cpu")
encoder.encode(sentences[:64])  # warm-up
best = 0.0
for _ in range(int(sys.argv[2])):
    started = time.perf_counter()
    encoder.encode(sentences, batch_size=32)
    best = max(best, len(sentences) / (time.perf_counter() - started))
print(best)
"""

BUSY = "while True:\n    pass\n"


def measure(policy: str, sentences: int, rounds: int) -> float:
    env = {**os.environ, "OMP_WAIT_POLICY": policy, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", WORKER, str(sentences), str(rounds)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=800)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    results = {}
    for load in ("quiet", "one competing process"):
        competitor = subprocess.Popen([sys.executable, "-c", BUSY]) if load != "quiet" else None
        try:
            time.sleep(0.5 if competitor else 0)
            for policy in ("ACTIVE", "PASSIVE"):
                results[load, policy] = measure(policy, args.sentences, args.rounds)
        finally:
            if competitor:
                competitor.kill()
                competitor.wait()
    print(
        f"{os.cpu_count()} cores; {args.sentences} STS-B test sentences, all-MiniLM-L6-v2 fp32, 2 "
        f"threads, best of {args.rounds}"
    )
    print(f"{'machine':<24} {'ACTIVE':>10} {'PASSIVE':>10}  PASSIVE / ACTIVE")
    for load in ("quiet", "one competing process"):
        active, passive = results[load, "ACTIVE"], results[load, "PASSIVE"]
        print(f"{load:<24} {active:>8.0f}/s {passive:>8.0f}/s  {passive / active:5.2f}x")
    slowdown = results["quiet", "ACTIVE"] / results["one competing process", "ACTIVE"]
    print(
        f"one competing process slows ACTIVE {slowdown:.1f}x and PASSIVE "
        f"{results['quiet', 'PASSIVE'] / results['one competing process', 'PASSIVE']:.1f}x"
    )


if __name__ == "__main__":
    main()
