"""Pretrain the offline raw BERT (masked-language model, from scratch) and export it into the package.

    python tools/pretrain_raw_bert.py train [--run DIR] [--steps N]    # starts, or resumes, the run
    python tools/pretrain_raw_bert.py export [--run DIR] [--out DIR]   # fp16 safetensors + model card

The run folder (default ``$SBERT_LAB_CACHE/mlm-run``, outside the work tree so that it outlives a
checkout) holds the tokenized corpus, ``settings.json``, ``log.tsv`` (one row per step) and an atomic
``checkpoint.pt`` written every 200 steps: stop the job at any time (or SIGSTOP/SIGCONT it while
something else needs the cores) and run ``train`` again to continue exactly where it was.
The recipe is ``sbert_lab.mlm``; the corpus is ``tools/mlm_corpus.py``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # before torch loads: see README, "Shared cores"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import mlm_corpus  # noqa: E402

from sbert_lab import mlm  # noqa: E402
from sbert_lab.models import RAW_BERT_DIR, cache_dir, packaged_minilm_path  # noqa: E402


def tokenizer():
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(packaged_minilm_path())  # bert-base-uncased's WordPiece vocab


def corpora(run: Path, settings: mlm.PretrainSettings, tok) -> tuple[mlm.TokenizedCorpus, mlm.TokenizedCorpus]:
    """The tokenized train and held-out corpora, built once and cached in the run folder."""
    cached = run / "corpus.npz"
    if not cached.is_file():
        began = time.perf_counter()
        train, held_out, counts = mlm_corpus.build_corpus()
        parts = [mlm.tokenize_corpus(lines, tok, settings.max_tokens) for lines in (train, held_out)]
        tmp = run / "corpus.tmp.npz"
        np.savez(tmp, train_ids=parts[0].ids, train_offsets=parts[0].offsets,
                 held_ids=parts[1].ids, held_offsets=parts[1].offsets)
        os.replace(tmp, cached)
        summary = {"lines_per_source": counts, "train_lines": len(parts[0]), "train_tokens": int(len(parts[0].ids)),
                   "held_out_lines": len(parts[1]), "held_out_tokens": int(len(parts[1].ids)),
                   "words": sum(len(line.split()) for line in train), "seconds": round(time.perf_counter() - began, 1)}
        (run / "corpus.json").write_text(json.dumps(summary, indent=1))
        print("corpus:", json.dumps(summary))
    data = np.load(cached)
    return (mlm.TokenizedCorpus(data["train_ids"], data["train_offsets"]),
            mlm.TokenizedCorpus(data["held_ids"], data["held_offsets"]))


def train(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    settings = mlm.PretrainSettings()
    run = Path(args.run)
    run.mkdir(parents=True, exist_ok=True)
    tok = tokenizer()
    corpus, _ = corpora(run, settings, tok)
    mlm.pretrain(run, corpus, tok, settings, steps=args.steps, progress=not args.quiet)


def export(args) -> None:
    """Write the checkpoint's weights in fp16 safetensors, the tokenizer and a model card to ``--out``."""
    import shutil
    import tempfile

    import torch

    torch.set_num_threads(args.threads)
    run, out = Path(args.run), Path(args.out)
    settings = mlm.PretrainSettings(**json.loads((run / "settings.json").read_text()))
    tok = tokenizer()
    _, held_out = corpora(run, settings, tok)
    model = mlm.new_model(settings, len(tok))
    state = torch.load(run / "checkpoint.pt", map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"])
    scores = mlm.evaluate_mlm(model, held_out, tok)
    log = mlm.read_log(run)
    last = log[-200:]
    card = {
        "steps": int(state["step"]),
        "lines_seen": int(state["step"]) * settings.batch_size,
        "tokens_seen": int(sum(r["tokens"] for r in log)),
        "train_loss_last_200_steps": round(float(np.mean([r["loss"] for r in last])), 3),
        "train_accuracy_last_200_steps": round(float(np.mean([r["accuracy"] for r in last])), 3),
        "held_out_loss": round(scores["loss"], 3),
        "held_out_accuracy": round(scores["accuracy"], 3),
        "held_out_masked_tokens": scores["masked_tokens"],
        "wall_hours": round(sum(_segment_seconds(log)) / 3600, 2),
        "settings": json.loads((run / "settings.json").read_text()),
        "corpus": json.loads((run / "corpus.json").read_text()),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}-"))
    model.half().save_pretrained(tmp, safe_serialization=True)
    tok.save_pretrained(tmp)
    (tmp / "training.json").write_text(json.dumps(card, indent=1))
    curve = [(int(r["step"]), round(r["loss"], 4), round(r["accuracy"], 4)) for r in log[::10]]
    (tmp / "loss_curve.json").write_text(json.dumps({"columns": ["step", "loss", "accuracy"], "rows": curve}))
    (tmp / "README.md").write_text(model_card(card))
    tmp.chmod(0o755)
    for path in tmp.iterdir():
        path.chmod(0o644)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    print(json.dumps({k: v for k, v in card.items() if k not in ("settings", "corpus")}))


def _segment_seconds(log: list[dict]) -> list[float]:
    """Wall seconds of each uninterrupted stretch of the log (its ``seconds`` column restarts at resume)."""
    spans, last = [], 0.0
    for row in log:
        if row["seconds"] < last:
            spans.append(last)
        last = row["seconds"]
    return spans + [last]


def model_card(card: dict) -> str:
    s, c = card["settings"], card["corpus"]
    sources = ", ".join(f"{name} {n:,} lines" for name, n in c["lines_per_source"].items())
    return f"""# sbert-lab raw BERT (L{s['layers']}/H{s['hidden']}), masked-language-model pretraining only

A BERT with the shape of `google/bert_uncased_L-4_H-256_A-4` ({s['layers']} layers, hidden {s['hidden']},
{s['heads']} heads) and bert-base-uncased's WordPiece vocabulary, pretrained from random weights by
this project with BERT's masked-language-model objective only (no next-sentence prediction). It is
the workbook's offline "raw BERT": never trained to make cosine similarity mean anything.

| | |
|---|---|
| steps | {card['steps']:,} × {s['batch_size']} lines of ≤ {s['max_tokens']} tokens |
| tokens seen | {card['tokens_seen']:,} |
| wall time | {card['wall_hours']} h on 2 CPU cores (bf16 autocast) |
| final training MLM loss / masked-token accuracy (mean of last 200 steps) | {card['train_loss_last_200_steps']} / {card['train_accuracy_last_200_steps']} |
| held-out MLM loss / accuracy ({card['held_out_masked_tokens']:,} masked tokens) | {card['held_out_loss']} / {card['held_out_accuracy']} |
| optimiser | AdamW lr {s['lr']}, warm-up {s['warmup_steps']}, linear decay to 0 at {s['total_steps']:,}, weight decay {s['weight_decay']}, seed {s['seed']} |
| stored | fp16 safetensors (load with `torch_dtype=torch.float32` to fine-tune) |

Corpus ({c['train_tokens']:,} WordPiece tokens, {c['words']:,} words): {sources}. The last source
is the *training* sentences of STS-B and SICK only; no dev or test sentence was seen.

Licences: the weights are released with this project (MIT). The corpus texts are WordNet 3.0
(WordNet licence), GCIDE (GPL-3+), fortunes (BSD / public domain), STS-B train (CC BY-SA 4.0)
and SICK train (CC BY-NC-SA 3.0); the weights are a statistical model of them, not a copy.
Recipe: `sbert_lab/mlm.py`; corpus: `tools/mlm_corpus.py`; driver: `tools/pretrain_raw_bert.py`.
"""


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=("train", "export"))
    parser.add_argument("--run", default=str(cache_dir() / "mlm-run"), help="run folder (default: %(default)s)")
    parser.add_argument("--out", default=str(RAW_BERT_DIR), help="export folder (default: %(default)s)")
    parser.add_argument("--steps", type=int, default=None, help="train at most this many more steps")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    {"train": train, "export": export}[args.command](args)


if __name__ == "__main__":
    main()
