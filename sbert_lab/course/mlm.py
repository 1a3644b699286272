"""Masked-language-model pretraining: where "raw BERT" comes from (BERT, Devlin et al. 2019, §3.1).

The paper (SBERT, Section 4) starts from BERT that was pretrained only to fill in masked words. This
module rebuilds that objective at small scale, so that the offline workbook has a raw BERT of its
own:

    line --WordPiece--> ids (T,) --mask 15 %--> ids' (T,), targets at M masked positions
    ids' (B, T) --BertModel--> hidden (B, T, H) --gather masked--> (M, H) --head--> logits (M, V)
    loss = cross-entropy(logits, original ids at the masked positions)

Of the 15 % of positions chosen, 80 % become [MASK], 10 % a random token and 10 % stay as they are
(BERT's recipe).

With ``pairs=True`` each example is BERT's own two-segment input, ``[CLS] A [SEP] B [SEP]`` with
segment ids 0 and 1, and a second objective is added, next-sentence prediction (§3.1, task #2): half
of the time B is the line that follows A in the corpus, half of the time a random line, and a
classifier on the pooled [CLS] vector tells which. This is what trains [CLS] (for a sentence-pair
task, not for similarity) and the second segment embedding a cross-encoder needs. The head runs only
on the M masked positions instead of all B·T: with V = 30,522 words that is most of the cost of a
small BERT, and the loss is the same.

``pretrain`` is resumable: it writes an atomic checkpoint (weights, optimizer, step) every
``checkpoint_every`` steps and appends each step's loss to ``log.tsv``; run it again on the same
folder and it continues from the last checkpoint with the same data order, masks and dropout (all
derive from the seed and the step number), as if it had never stopped.

What it shares with ``sbert_lab.train.fit``, and what it cannot: the precision (``autocast``,
``resolve_precision``), the progress bar and the atomic file writes are fit's own. The loop is its
own because its unit is different: a step reads ``batch_lines(step)`` of a token corpus (so that a
resumed run draws the same lines and masks from the step number alone), where fit shuffles examples
of a loss's columns per epoch; the model is transformers' ``BertForMaskedLM``
(``BertForPreTraining``), not a SentenceEncoder; and the recipe is BERT's, not SBERT's — AdamW with
betas (0.9, 0.98) and eps 1e-6, no decay on any 1-D weight, and a warm-up counted in steps over a
run of a fixed total. Its checkpoint (one ``checkpoint.pt``: weights, optimizer, step) holds no
random generators, for the same reason: every draw is derived from the seed and the step.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from ..atomic import atomic_file, write_text_atomically
from ..precision import autocast, resolve_precision
from ..progress import progress_bar

MASK_FRACTION = 0.15
LOG_COLUMNS = ("step", "loss", "accuracy", "lr", "tokens", "seconds", "next_loss", "next_accuracy")


@dataclass(frozen=True)
class PretrainSettings:
    """One pretraining run; stored in the run folder, and a resume must ask for the same."""

    hidden: int = 256  # the shape of google/bert_uncased_L-4_H-256_A-4
    layers: int = 4
    heads: int = 4
    max_tokens: int = 64  # per line, [CLS] and [SEP] included
    batch_size: int = 128  # lines per step
    lr: float = 5e-4
    warmup_steps: int = 500
    total_steps: int = 12_000  # linear decay to 0 at this step
    weight_decay: float = 0.01
    seed: int = 0
    pairs: bool = (
        False  # two segments per example and next-sentence prediction (BERT's §3.1 task #2)
    )
    init: str = ""  # a model folder to continue from ("" = random weights)


# -- the corpus as token ids -----------------------------------------------------------------------
@dataclass
class TokenizedCorpus:
    """Lines of text as WordPiece ids: line ``i`` is ``ids[offsets[i]:offsets[i + 1]]`` (no
    specials)."""

    ids: np.ndarray  # (N,) int32
    offsets: np.ndarray  # (L + 1,) int64

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def line(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i] : self.offsets[i + 1]]


def tokenize_corpus(
    lines: list[str], tokenizer, max_tokens: int, batch: int = 10_000
) -> TokenizedCorpus:
    """Tokenize ``lines``; a line longer than ``max_tokens - 2`` pieces is split into several lines.

    Nothing is dropped: long lines become consecutive chunks, so every word of the corpus is seen.
    """
    room = max_tokens - 2
    pieces: list[np.ndarray] = []
    for start in range(0, len(lines), batch):
        encoded = tokenizer(lines[start : start + batch], add_special_tokens=False)["input_ids"]
        for ids in encoded:
            for at in range(0, len(ids), room):
                pieces.append(np.asarray(ids[at : at + room], dtype=np.int32))
    pieces = [p for p in pieces if len(p)]
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p) for p in pieces])
    return TokenizedCorpus(np.concatenate(pieces) if pieces else np.zeros(0, np.int32), offsets)


def batch_lines(n_lines: int, step: int, batch_size: int, seed: int) -> np.ndarray:
    """Indices of the lines of ``step``: consecutive slices of one seeded permutation per epoch."""
    first = step * batch_size
    out = []
    while len(out) < batch_size:
        epoch, at = divmod(first + len(out), n_lines)
        order = np.random.default_rng([seed, epoch]).permutation(n_lines)
        out.extend(order[at : at + batch_size - len(out)].tolist())
    return np.asarray(out)


def pair_batch(
    corpus: TokenizedCorpus, rows: np.ndarray, tokenizer, step: int, seed: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """[CLS] A [SEP] B [SEP] for each row (A = that line): ids, attention, segment ids (B, T),
    labels (B,).

    B is the next line of the corpus for a seeded half of the rows and a random line for the rest
    (BERT's next-sentence prediction data). Labels follow BERT's (and transformers') convention: 0 =
    B is the next line, 1 = B is random (a random line that happens to be the next one counts as 0).
    """
    rng = np.random.default_rng([seed, step, 1])
    nexts = np.minimum(rows + 1, len(corpus) - 1)
    randoms = rng.integers(0, len(corpus), len(rows))
    take_next = rng.random(len(rows)) < 0.5
    partners = np.where(take_next, nexts, randoms)
    labels = torch.from_numpy(partners != nexts).long()
    firsts = [corpus.line(i) for i in rows]
    seconds = [corpus.line(i) for i in partners]
    width = max(len(a) + len(b) for a, b in zip(firsts, seconds, strict=True)) + 3
    ids = torch.full((len(rows), width), tokenizer.pad_token_id, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    segments = torch.zeros((len(rows), width), dtype=torch.long)
    for row, (a, b) in enumerate(zip(firsts, seconds, strict=True)):
        pieces = [
            tokenizer.cls_token_id,
            *a.tolist(),
            tokenizer.sep_token_id,
            *b.tolist(),
            tokenizer.sep_token_id,
        ]
        ids[row, : len(pieces)] = torch.tensor(pieces)
        attention[row, : len(pieces)] = 1
        segments[row, len(a) + 2 : len(pieces)] = 1
    return ids, attention, segments, labels


# -- masking ---------------------------------------------------------------------------------------
def pad_batch(
    corpus: TokenizedCorpus, rows: np.ndarray, tokenizer
) -> tuple[torch.Tensor, torch.Tensor]:
    """[CLS] line [SEP] for each row, padded to the longest: ids (B, T) and attention mask (B,
    T)."""
    lines = [corpus.line(i) for i in rows]
    width = max(len(line) for line in lines) + 2
    ids = torch.full((len(lines), width), tokenizer.pad_token_id, dtype=torch.long)
    attention = torch.zeros((len(lines), width), dtype=torch.long)
    for row, line in enumerate(lines):
        ids[row, 0] = tokenizer.cls_token_id
        ids[row, 1 : len(line) + 1] = torch.from_numpy(line.astype(np.int64))
        ids[row, len(line) + 1] = tokenizer.sep_token_id
        attention[row, : len(line) + 2] = 1
    return ids, attention


def mask_tokens(
    ids: torch.Tensor,
    attention: torch.Tensor,
    vocab_size: int,
    mask_id: int,
    generator: torch.Generator,
    sep_id: int = 102,
) -> tuple[torch.Tensor, torch.Tensor]:
    """BERT's masking: returns (corrupted ids (B, T), targets (B, T) with -100 where not masked).

    Positions are chosen among real word pieces only ([CLS], [SEP] and padding never), at least one
    per line; of them 80 % become [MASK], 10 % a random word piece, 10 % stay.
    """
    maskable = attention.bool().clone()
    maskable[:, 0] = False
    lengths = attention.sum(1)
    maskable[torch.arange(len(ids)), lengths - 1] = False
    maskable[ids == sep_id] = False  # the middle [SEP] of a pair
    draw = torch.rand(ids.shape, generator=generator)
    chosen = (draw < MASK_FRACTION) & maskable
    # a line where no position was drawn gets its most likely one, so every line teaches something
    fallback = torch.where(maskable, draw, torch.full_like(draw, 2.0)).argmin(1)
    empty = ~chosen.any(1) & maskable.any(1)
    chosen[empty, fallback[empty]] = True
    targets = torch.where(chosen, ids, torch.full_like(ids, -100))
    how = torch.rand(ids.shape, generator=generator)
    corrupted = ids.clone()
    corrupted[chosen & (how < 0.8)] = mask_id
    random_slot = chosen & (how >= 0.8) & (how < 0.9)
    corrupted[random_slot] = torch.randint(999, vocab_size, ids.shape, generator=generator)[
        random_slot
    ]
    return corrupted, targets


def masked_lm_loss(
    model, ids: torch.Tensor, attention: torch.Tensor, targets: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Cross-entropy of a ``BertForMaskedLM``'s head at the masked positions only; also the
    accuracy."""
    hidden = model.bert(input_ids=ids, attention_mask=attention).last_hidden_state  # (B, T, H)
    return _masked_head_loss(model, hidden, targets)


def _masked_head_loss(
    model, hidden: torch.Tensor, targets: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    where = targets != -100
    head = (
        model.cls.predictions if hasattr(model.cls, "predictions") else model.cls
    )  # ForPreTraining / ForMaskedLM
    logits = head(hidden[where])  # (M, V): the head on masked positions only
    gold = targets[where]
    loss = F.cross_entropy(logits.float(), gold)
    accuracy = (logits.argmax(-1) == gold).float().mean()
    return loss, accuracy


def pair_pretraining_loss(
    model,
    ids: torch.Tensor,
    attention: torch.Tensor,
    segments: torch.Tensor,
    targets: torch.Tensor,
    next_labels: torch.Tensor,
) -> tuple[torch.Tensor, ...]:
    """MLM loss + next-sentence loss of a ``BertForPreTraining``; also both accuracies (BERT
    §3.1)."""
    out = model.bert(input_ids=ids, attention_mask=attention, token_type_ids=segments)
    mlm_loss, mlm_accuracy = _masked_head_loss(model, out.last_hidden_state, targets)
    next_logits = model.cls.seq_relationship(out.pooler_output)  # (B, 2) from the pooled [CLS]
    next_loss = F.cross_entropy(
        next_logits.float(), next_labels
    )  # 0 = B follows A, 1 = B is random
    next_accuracy = (next_logits.argmax(-1) == next_labels).float().mean()
    return mlm_loss + next_loss, mlm_accuracy, next_loss, next_accuracy


# -- the model -------------------------------------------------------------------------------------
def new_model(settings: PretrainSettings, vocab_size: int, folder: Path | None = None):
    """The model a run starts from: ``BertForMaskedLM`` (``BertForPreTraining`` with ``pairs``) of
    the settings' shape, randomly initialised (BERT's own initialisation) or loaded from
    ``settings.init`` (heads that folder lacks, such as the next-sentence classifier, start random);
    a relative ``init``
    is read from inside the run ``folder``."""
    from transformers import BertConfig, BertForMaskedLM, BertForPreTraining

    kind = BertForPreTraining if settings.pairs else BertForMaskedLM
    if settings.init:
        torch.manual_seed(settings.seed)
        init = Path(folder or ".") / settings.init
        model = kind.from_pretrained(init, dtype=torch.float32)
        if (model.config.hidden_size, model.config.num_hidden_layers) != (
            settings.hidden,
            settings.layers,
        ):
            raise ValueError(
                f"init={settings.init} is {model.config.num_hidden_layers} layers x "
                f"{model.config.hidden_size}, the settings ask {settings.layers} x "
                f"{settings.hidden}"
            )
        return model

    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=settings.hidden,
        num_hidden_layers=settings.layers,
        num_attention_heads=settings.heads,
        intermediate_size=4 * settings.hidden,
        max_position_embeddings=512,
    )
    torch.manual_seed(settings.seed)
    return kind(config)


def learning_rate(settings: PretrainSettings, step: int) -> float:
    """Linear warm-up to ``lr``, then linear decay to 0 at ``total_steps`` (BERT's schedule)."""
    if step < settings.warmup_steps:
        return settings.lr * (step + 1) / settings.warmup_steps
    left = max(0, settings.total_steps - step) / max(
        1, settings.total_steps - settings.warmup_steps
    )
    return settings.lr * left


# -- checkpoints -----------------------------------------------------------------------------------
def save_checkpoint(folder: Path, model, optimizer, step: int) -> None:
    """Write ``checkpoint.pt`` atomically (``atomic.atomic_file``)."""
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}
    with atomic_file(folder / "checkpoint.pt") as tmp:
        torch.save(state, tmp)


def load_checkpoint(folder: Path, model, optimizer) -> int:
    """Restore weights and optimizer from ``checkpoint.pt``; the step to continue from (0 if
    none)."""
    path = folder / "checkpoint.pt"
    if not path.is_file():
        return 0
    state = torch.load(path, map_location="cpu", weights_only=True)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    return int(state["step"])


def _check_settings(folder: Path, settings: PretrainSettings) -> None:
    path = folder / "settings.json"
    if path.is_file():
        saved = json.loads(path.read_text())
        if saved != asdict(settings):
            diff = {k: (saved.get(k), v) for k, v in asdict(settings).items() if saved.get(k) != v}
            raise ValueError(
                f"{path}: this run was started with other settings (saved, asked): {diff}"
            )
    else:
        write_text_atomically(path, json.dumps(asdict(settings), indent=1))


def read_log(folder: Path) -> list[dict]:
    """The rows of ``log.tsv`` (one per step) as dicts of ``LOG_COLUMNS`` (the next-sentence columns
    are NaN in a run without ``pairs``)."""
    path = Path(folder) / "log.tsv"
    if not path.is_file():
        return []
    header, *rows = path.read_text().splitlines()
    names = header.split("\t")
    return [dict(zip(names, map(float, row.split("\t")), strict=True)) for row in rows if row]


def _trim_log(folder: Path, step: int) -> None:
    """Keep the log's rows before ``step`` (those after the last checkpoint are redone on
    resume)."""
    path = folder / "log.tsv"
    rows = [r for r in read_log(folder) if r["step"] < step]
    lines = ["\t".join(LOG_COLUMNS)] + ["\t".join(f"{r[c]:.6g}" for c in LOG_COLUMNS) for r in rows]
    write_text_atomically(path, "\n".join(lines) + "\n")


# -- the loop --------------------------------------------------------------------------------------
def pretrain(
    folder,
    corpus: TokenizedCorpus,
    tokenizer,
    settings: PretrainSettings,
    steps: int | None = None,
    checkpoint_every: int = 200,
    progress: bool = True,
    precision: str = "auto",
):
    """Pretrain (or continue pretraining) a BERT with the MLM objective in ``folder``; returns the
    model.

    Runs until ``steps`` more steps are done or ``settings.total_steps`` is reached, whichever is
    first.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _check_settings(folder, settings)
    model = new_model(settings, len(tokenizer), folder)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": settings.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=settings.lr,
        betas=(0.9, 0.98),
        eps=1e-6,
    )
    start = load_checkpoint(folder, model, optimizer)
    _trim_log(folder, start)
    end = settings.total_steps if steps is None else min(settings.total_steps, start + steps)
    precision = resolve_precision(precision, "cpu")
    model.train()
    log = open(folder / "log.tsv", "a")
    bar = progress_bar(range(start, end), enabled=progress, desc="MLM pretraining", unit="step")
    began = time.perf_counter()
    for step in bar:
        rows = batch_lines(len(corpus), step, settings.batch_size, settings.seed)
        generator = torch.Generator().manual_seed(settings.seed * 1_000_003 + step)
        if settings.pairs:
            ids, attention, segments, next_labels = pair_batch(
                corpus, rows, tokenizer, step, settings.seed
            )
        else:
            ids, attention = pad_batch(corpus, rows, tokenizer)
        corrupted, targets = mask_tokens(
            ids,
            attention,
            len(tokenizer),
            tokenizer.mask_token_id,
            generator,
            tokenizer.sep_token_id,
        )
        torch.manual_seed(
            settings.seed * 1_000_003 + step
        )  # dropout: a function of the step, for resume
        lr = learning_rate(settings, step)
        for group in optimizer.param_groups:
            group["lr"] = lr
        with autocast(precision, "cpu"):
            if settings.pairs:
                loss, accuracy, next_loss, next_accuracy = pair_pretraining_loss(
                    model, corrupted, attention, segments, targets, next_labels
                )
                mlm_loss = loss - next_loss
            else:
                loss, accuracy = masked_lm_loss(model, corrupted, attention, targets)
                mlm_loss, next_loss, next_accuracy = (
                    loss,
                    torch.tensor(math.nan),
                    torch.tensor(math.nan),
                )
        if not math.isfinite(loss.item()):
            raise FloatingPointError(
                f"MLM loss is {loss.item()} at step {step}; lower lr ({settings.lr})"
            )
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        seconds = time.perf_counter() - began
        values = (
            step,
            mlm_loss.item(),
            accuracy.item(),
            lr,
            int(attention.sum()),
            seconds,
            next_loss.item(),
            next_accuracy.item(),
        )
        log.write("\t".join(f"{v:.6g}" for v in values) + "\n")
        if progress:
            bar.set_postfix(
                loss=f"{mlm_loss.item():.3f}",
                acc=f"{accuracy.item():.3f}",
                **({"next_acc": f"{next_accuracy.item():.2f}"} if settings.pairs else {}),
            )
        if (step + 1) % checkpoint_every == 0 or step + 1 == end:
            log.flush()
            save_checkpoint(folder, model, optimizer, step + 1)
    log.close()
    return model


@torch.no_grad()
def evaluate_mlm(
    model, corpus: TokenizedCorpus, tokenizer, batch_size: int = 128, seed: int = 12345
) -> dict[str, float]:
    """MLM loss and masked-token accuracy on ``corpus`` (held-out lines), with fixed masks."""
    model.eval()
    generator = torch.Generator().manual_seed(seed)
    total_loss = total_right = total = 0.0
    for start in range(0, len(corpus), batch_size):
        rows = np.arange(start, min(start + batch_size, len(corpus)))
        ids, attention = pad_batch(corpus, rows, tokenizer)
        corrupted, targets = mask_tokens(
            ids, attention, len(tokenizer), tokenizer.mask_token_id, generator
        )
        loss, accuracy = masked_lm_loss(model, corrupted, attention, targets)
        n = int((targets != -100).sum())
        total_loss += loss.item() * n
        total_right += accuracy.item() * n
        total += n
    return {
        "loss": total_loss / total,
        "accuracy": total_right / total,
        "masked_tokens": int(total),
    }


def predict_masked(model, tokenizer, text: str, top_k: int = 5) -> list[list[tuple[str, float]]]:
    """For each [MASK] in ``text``, the model's ``top_k`` word pieces with their probabilities."""
    model.eval()
    features = tokenizer(text, return_tensors="pt")
    with torch.no_grad():
        logits = model(**features).logits[0]  # (T, V)
    where = (features["input_ids"][0] == tokenizer.mask_token_id).nonzero().flatten()
    result = []
    for position in where:
        probs = logits[position].softmax(-1)
        top = probs.topk(top_k)
        result.append(
            [
                (tokenizer.convert_ids_to_tokens(int(i)), float(p))
                for p, i in zip(top.values, top.indices, strict=True)
            ]
        )
    return result


@torch.no_grad()
def next_sentence_probability(
    model, tokenizer, pairs: list[tuple[str, str]], batch_size: int = 64
) -> np.ndarray:
    """P(B follows A) from a ``BertForPreTraining``'s next-sentence head, for each (A, B) in
    ``pairs``."""
    model.eval()
    probabilities = []
    for start in range(0, len(pairs), batch_size):
        chunk = pairs[start : start + batch_size]
        features = tokenizer(
            [a for a, _ in chunk],
            [b for _, b in chunk],
            padding=True,
            truncation=True,
            max_length=128,
            return_tensors="pt",
        )
        logits = model(
            **features
        ).seq_relationship_logits  # (B, 2): index 0 is "B is the next sentence"
        probabilities.append(logits.float().softmax(-1)[:, 0].numpy())
    return np.concatenate(probabilities) if probabilities else np.zeros(0)
