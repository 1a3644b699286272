"""Pretrain the offline raw BERT (masked-language model, from scratch) and export it into the
package.

    python tools/pretrain_raw_bert.py train [--run DIR] [--steps N]   # starts, or resumes, a run
    python tools/pretrain_raw_bert.py export [--run DIR] [--out DIR]  # fp16 safetensors + card

The shipped model came from two stages: single lines and MLM only (stage 1, the defaults), then
sentence pairs with next-sentence prediction continuing from stage 1's export (stage 2):

    python tools/pretrain_raw_bert.py train --run RUN2 \
        --init sbert_lab/offline_models/raw-bert-L4-H256 \
        --pairs --batch-size 64 --lr 2e-4 --warmup 200 --total-steps 3000

The run folder (default ``$SBERT_LAB_CACHE/mlm-run``, outside the work tree so that it outlives a
checkout) holds the tokenized corpus, ``settings.json``, ``log.tsv`` (one row per step) and an
atomic ``checkpoint.pt`` written every 200 steps: stop the job at any time (or SIGSTOP/SIGCONT it
while something else needs the cores) and run ``train`` again to continue exactly where it was. The
recipe is ``sbert_lab.course.mlm``; the corpus is ``tools/mlm_corpus.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault(
    "OMP_WAIT_POLICY", "PASSIVE"
)  # before torch loads: see README, "Shared cores"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mlm_corpus  # noqa: E402

from sbert_lab.atomic import atomic_file, staged_folder  # noqa: E402
from sbert_lab.course import mlm  # noqa: E402
from sbert_lab.model_sources import RAW_BERT_DIR, cache_dir, packaged_minilm_path  # noqa: E402


def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(
        packaged_minilm_path()
    )  # bert-base-uncased's WordPiece vocab


def corpora(
    run: Path, settings: mlm.PretrainSettings, tok
) -> tuple[mlm.TokenizedCorpus, mlm.TokenizedCorpus]:
    """The tokenized train and held-out corpora, built once and cached in the run folder."""
    cached = run / "corpus.npz"
    if not cached.is_file():
        began = time.perf_counter()
        train, held_out, counts = mlm_corpus.build_corpus()
        parts = [
            mlm.tokenize_corpus(lines, tok, settings.max_tokens) for lines in (train, held_out)
        ]
        with atomic_file(cached) as tmp, open(tmp, "wb") as out:  # np.savez: no ".npz" added
            np.savez(
                out,
                train_ids=parts[0].ids,
                train_offsets=parts[0].offsets,
                held_ids=parts[1].ids,
                held_offsets=parts[1].offsets,
            )
        summary = {
            "lines_per_source": counts,
            "train_lines": len(parts[0]),
            "train_tokens": int(len(parts[0].ids)),
            "held_out_lines": len(parts[1]),
            "held_out_tokens": int(len(parts[1].ids)),
            "words": sum(len(line.split()) for line in train),
            "seconds": round(time.perf_counter() - began, 1),
        }
        (run / "corpus.json").write_text(json.dumps(summary, indent=1))
        print("corpus:", json.dumps(summary))
    data = np.load(cached)
    return (
        mlm.TokenizedCorpus(data["train_ids"], data["train_offsets"]),
        mlm.TokenizedCorpus(data["held_ids"], data["held_offsets"]),
    )


SETTING_FLAGS = {
    "pairs": "pairs",
    "init": "init",
    "batch_size": "batch_size",
    "lr": "lr",
    "warmup": "warmup_steps",
    "total_steps": "total_steps",
}


def run_settings(run: Path, args) -> mlm.PretrainSettings:
    """The run's settings: those saved in ``run`` (a resume), with any flag given on top (a new
    run).

    ``--init`` is copied into the run folder, so that the run resumes even after the shipped model
    it started from is replaced by its own export.
    """
    import shutil

    saved = run / "settings.json"
    settings = json.loads(saved.read_text()) if saved.is_file() else {}
    asked = {
        field: getattr(args, flag)
        for flag, field in SETTING_FLAGS.items()
        if getattr(args, flag) is not None
    }
    if asked.get("init") and not (run / "init").is_dir():
        shutil.copytree(asked["init"], run / "init")
    if "init" in asked:
        asked["init"] = "init"
    return mlm.PretrainSettings(**{**settings, **asked})


def train(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    settings = run_settings(run, args)
    tok = tokenizer()
    corpus, _ = corpora(run, settings, tok)
    mlm.pretrain(run, corpus, tok, settings, steps=args.steps, progress=not args.quiet)


def export(args) -> None:
    """Write the checkpoint's weights in fp16 safetensors, the tokenizer and a model card to
    ``--out``.

    A run that continued from ``--init`` (stage 2) exports the whole history: its card lists both
    stages, and its loss curve is stage 1's followed by this run's steps.
    """
    import torch

    torch.set_num_threads(args.threads)
    run, out = Path(args.run), Path(args.out)
    settings = mlm.PretrainSettings(**json.loads((run / "settings.json").read_text()))
    tok = tokenizer()
    _, held_out = corpora(run, settings, tok)
    model = mlm.new_model(settings, len(tok), run)
    state = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"])
    scores = mlm.evaluate_mlm(model, held_out, tok)
    log = mlm.read_log(run)
    stage = stage_card(run, settings, int(state["step"]), log)
    curve = [(int(r["step"]), round(r["loss"], 4), round(r["accuracy"], 4)) for r in log[::10]]
    stages = [stage]
    if settings.init:
        before = json.loads((run / settings.init / "training.json").read_text())
        stages = [
            {k: v for k, v in old.items() if k in STAGE_KEYS}
            for old in before.get("stages", [before])
        ] + stages
        earlier = json.loads((run / settings.init / "loss_curve.json").read_text())["rows"]
        curve = earlier + [
            (step + before["steps"], loss, accuracy) for step, loss, accuracy in curve
        ]
    card = {
        "steps": sum(s["steps"] for s in stages),
        "tokens_seen": sum(s["tokens_seen"] for s in stages),
        "wall_hours": round(sum(s["wall_hours"] for s in stages), 2),
        "train_loss_last_200_steps": stage["train_loss_last_200_steps"],
        "train_accuracy_last_200_steps": stage["train_accuracy_last_200_steps"],
        "held_out_loss": round(scores["loss"], 3),
        "held_out_accuracy": round(scores["accuracy"], 3),
        "held_out_masked_tokens": scores["masked_tokens"],
        "stages": stages,
        "corpus": json.loads((run / "corpus.json").read_text()),
    }
    with staged_folder(out) as tmp:  # replaces an earlier export whole
        model.half().save_pretrained(tmp, safe_serialization=True)
        tok.save_pretrained(tmp)
        (tmp / "training.json").write_text(json.dumps(card, indent=1))
        (tmp / "loss_curve.json").write_text(
            json.dumps({"columns": ["step", "loss", "accuracy"], "rows": curve})
        )
        (tmp / "README.md").write_text(model_card(card))
        tmp.chmod(0o755)
        for path in tmp.iterdir():
            path.chmod(0o644)
    print(json.dumps({k: v for k, v in card.items() if k != "corpus"}))


STAGE_KEYS = (
    "steps",
    "lines_seen",
    "tokens_seen",
    "wall_hours",
    "train_loss_last_200_steps",
    "train_accuracy_last_200_steps",
    "train_next_sentence_accuracy_last_200_steps",
    "settings",
)


def stage_card(run: Path, settings: mlm.PretrainSettings, steps: int, log: list[dict]) -> dict:
    """What one run (one stage) did: steps, tokens, hours, its settings and its final training
    figures."""
    last = log[-200:]
    card = {
        "steps": steps,
        "lines_seen": steps * settings.batch_size,
        "tokens_seen": int(sum(r["tokens"] for r in log)),
        "wall_hours": round(_working_seconds(log) / 3600, 2),
        "train_loss_last_200_steps": round(float(np.mean([r["loss"] for r in last])), 3),
        "train_accuracy_last_200_steps": round(float(np.mean([r["accuracy"] for r in last])), 3),
        "settings": json.loads((run / "settings.json").read_text()),
    }
    if settings.pairs:
        card["train_next_sentence_accuracy_last_200_steps"] = round(
            float(np.mean([r["next_accuracy"] for r in last])), 3
        )
    return card


def _working_seconds(log: list[dict], pause: float = 60.0) -> float:
    """Seconds spent on steps: the sum of the gaps between consecutive log rows, leaving out gaps
    over ``pause`` s (a job stopped with SIGSTOP while tests ran) and the restart of the ``seconds``
    column at a resume; the first step of each stretch counts its own seconds."""
    total, last = 0.0, 0.0
    for row in log:
        gap = row["seconds"] - last if row["seconds"] >= last else row["seconds"]
        total += gap if gap <= pause else 0.0
        last = row["seconds"]
    return total


def model_card(card: dict) -> str:
    first, c = card["stages"][0]["settings"], card["corpus"]
    sources = ", ".join(f"{name} {n:,} lines" for name, n in c["lines_per_source"].items())
    rows = "\n".join(
        _stage_row(number, stage) for number, stage in enumerate(card["stages"], start=1)
    )
    shape = f"L{first['layers']}/H{first['hidden']}"
    header = (
        "| stage | data | steps | tokens | wall hours (2 CPU cores, bf16 autocast) "
        "| last 200 steps: MLM loss / accuracy |"
    )
    return f"""# sbert-lab raw BERT ({shape}): BERT's pretraining objectives only

A BERT with the shape of `google/bert_uncased_L-4_H-256_A-4` ({first["layers"]} layers, hidden
{first["hidden"]}, {first["heads"]} heads) and bert-base-uncased's WordPiece vocabulary, pretrained
from random weights by this project with BERT's own objectives: masked-language modelling, then, in
a second stage, masked-language modelling on sentence pairs with next-sentence prediction (BERT
§3.1). It is the workbook's offline "raw BERT": never trained to make cosine similarity mean
anything.

{header}
|---|---|---:|---:|---:|---|
{rows}

Held-out MLM loss / masked-token accuracy of the final model ({card["held_out_masked_tokens"]:,}
masked tokens of held-out lines): {card["held_out_loss"]} / {card["held_out_accuracy"]}. In all
{card["steps"]:,} steps, {card["tokens_seen"]:,} tokens, {card["wall_hours"]} h. Stored as fp16
safetensors (load with `dtype=torch.float32` to fine-tune).

Corpus ({c["train_tokens"]:,} WordPiece tokens, {c["words"]:,} words): {sources}. The last source
is the *training* sentences of STS-B and SICK only; no dev or test sentence was seen. In stage 2 a
pair is a line and the line after it (same dictionary entry, next chunk of a long line, the other
sentence of an STS-B or SICK training pair) or, half of the time, a random line.
{_sts_section(card.get("sts_report"))}
Licences: the weights are released with this project (MIT). The corpus texts are WordNet 3.0
(WordNet licence), GCIDE (GPL-3+), fortunes (BSD / public domain), STS-B train (CC BY-SA 4.0) and
SICK train (CC BY-NC-SA 3.0); the weights are a statistical model of them, not a copy. Recipe:
`sbert_lab/course/mlm.py`; corpus: `tools/mlm_corpus.py`; driver: `tools/pretrain_raw_bert.py`.
"""


def _sts_section(report: dict | None) -> str:
    """What ``tools/raw_bert_report.py --json`` measured on STS-B test, when it was added to the
    card (``training.json``'s "sts_report")."""
    if not report:
        return ""
    ours, init = report["models"]["MLM-pretrained"], report["models"]["random init"]
    rows = "\n".join(
        f"| {name} | {m['raw cls']:.2f} | {m['raw mean']:.2f} | {m['random-pair cosine']:.3f} | "
        f"{m['after STS-B regression']:.2f} | {m['cross-encoder']:.2f} |"
        for name, m in (("this model", ours), ("random init, same shape", init))
    )
    order = "holds" if report["criteria"]["[CLS] < mean < GloVe"] else "does not hold"
    lift = ours["after STS-B regression"] - ours["raw mean"]
    gap = init["after STS-B regression"] - ours["after STS-B regression"]
    settings = report["settings"]
    return f"""
STS-B test, Spearman × 100, measured by `tools/raw_bert_report.py` (regression: CosineMSELoss on
all STS-B train pairs, {settings["epochs"]} epoch, lr {settings["lr"]}, batch 16; the cross-encoder
trained the same way; averaged GloVe 6B 50d: {report["glove"]:.2f}):

| model | raw [CLS] | raw mean | random-pair cosine | after regression | cross-encoder |
|---|---:|---:|---:|---:|---:|
{rows}

The paper's Table 1 order {order} ([CLS] < mean < GloVe; paper 16.50 < 46.35 < 58.02); random
pairs sit at cosine {ours["random-pair cosine"]:.2f} (an anisotropic space); regression lifts STS-B
by {lift:.1f} points. A random initialisation of the same shape (a lexical-overlap encoder) starts
higher and ends {abs(gap):.2f} points {"above" if gap > 0 else "below"} this model after the same
fine-tuning.
"""


def _stage_row(number: int, stage: dict) -> str:
    s = stage["settings"]
    if s.get("pairs"):
        data = (
            f"line pairs of ≤ 2 × {s['max_tokens']} tokens, MLM + next sentence (accuracy "
            f"{stage['train_next_sentence_accuracy_last_200_steps']}), {s['batch_size']} pairs a "
            "step"
        )
    else:
        data = (
            f"single lines of ≤ {s['max_tokens']} tokens, MLM only, {s['batch_size']} lines a step"
        )
    schedule = (
        f"AdamW lr {s['lr']}, warm-up {s['warmup_steps']}, "
        f"linear decay to 0 at {s['total_steps']:,}"
    )
    if stage["steps"] < s["total_steps"]:
        schedule += f" (stopped at step {stage['steps']:,} of this schedule)"
    return (
        f"| {number} | {data}; {schedule} | {stage['steps']:,} | {stage['tokens_seen']:,} | "
        f"{stage['wall_hours']} | {stage['train_loss_last_200_steps']} / "
        f"{stage['train_accuracy_last_200_steps']} |"
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("train", "export"))
    parser.add_argument(
        "--run", default=str(cache_dir() / "mlm-run"), help="run folder (default: %(default)s)"
    )
    parser.add_argument(
        "--out", default=str(RAW_BERT_DIR), help="export folder (default: %(default)s)"
    )
    parser.add_argument(
        "--steps", type=int, default=None, help="train at most this many more steps"
    )
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    new_run = parser.add_argument_group(
        "settings of a new run (a resume reads them from the run folder)"
    )
    new_run.add_argument(
        "--pairs", action="store_const", const=True, help="two segments + next-sentence prediction"
    )
    new_run.add_argument(
        "--init", help="model folder to continue from (copied into the run folder)"
    )
    new_run.add_argument("--batch-size", type=int)
    new_run.add_argument("--lr", type=float)
    new_run.add_argument("--warmup", type=int)
    new_run.add_argument("--total-steps", type=int)
    args = parser.parse_args(argv)
    {"train": train, "export": export}[args.command](args)


if __name__ == "__main__":
    main()
