"""``fit``: the training loop of every model here, bi-encoder and cross-encoder alike (Section 3.1).

The paper's recipe ("Training Details"): AdamW, learning rate 2e-5, linear warm-up over the first
10 % of the steps then linear decay to zero, batch size 16, one epoch; gradient norm clipped at 1.
One step, for a loss over two columns (NLI: premises and hypotheses) and batch size B:

    B examples --loss.columns--> 2 columns of B texts --model.tokenize--> ids (2B, T)
    --model (ONE pass: the siamese network's shared weights)--> (2B, H) --split--> u, v (B, H) each
    --loss--> scalar --backward, clip, AdamW, schedule--> the weights of model AND loss move

What is added for speed and safety changes nothing in the objective, and lives in its own module:
mixed precision (``precision``: bf16 autocast where the hardware has it, fp16 with a gradient
scaler on older GPUs), length-grouped batches (``batching``, our addition: less padding, still
random), seeds that make a run repeatable on a CPU, checkpoints that resume exactly
(``checkpoint``), and DistributedDataParallel under ``torchrun`` (``distributed``).

Example::

    enc = sl.SentenceEncoder("sbert-lab:all-MiniLM-L6-v2")
    dev = sl.data.load_sts("stsb", "dev")
    history = sl.train.fit(enc, sl.losses.CosineMSELoss((0, 5)), sl.data.load_sts("stsb", "train"),
                           eval_fn=lambda e: sl.evaluation.sts_spearman(e, dev), eval_every=100)
    history.losses[-1], history.evals[-1]     # last step's loss, (step, dev Spearman) at the end
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Protocol, runtime_checkable

import numpy as np
import torch
from torch import nn

from . import checkpoint
from .batching import epoch_batches, example_lengths
from .checks import check_fit_settings, check_folder_can_be_made  # noqa: F401 (re-exported)
from .distributed import Distributed, process_device  # noqa: F401 (re-exported)
from .losses import SentenceLoss
from .memory import return_freed_memory_to_the_os
from .precision import autocast, resolve_precision
from .progress import progress_bar

# Under fp16 the gradient scaler skips a step that overflowed and halves its scale: from the default
# 65,536 about 16 skips reach 1, so this many in a row mean the overflow is not the scale's fault.
MAX_SKIPS_IN_A_ROW = 25
# Parameters that AdamW does not decay, as in BERT and sentence-transformers.
NO_WEIGHT_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias")


@dataclass(frozen=True)
class FitSettings:
    """``fit``'s settings; the defaults are the paper's recipe (Section 3.1)."""

    epochs: int = 1  # passes over the data
    batch_size: int = 16  # examples per step (per process under torchrun)
    lr: float = 2e-5  # peak learning rate
    warmup: float | int = 0.1  # share of all steps (float) or number of steps (int) of warm-up
    seed: int = 0  # fixes the batch order, dropout and every random generator
    amp: str = "auto"  # "auto" | "bf16" | "fp16" | "fp32" (see sbert_lab.precision)
    max_grad_norm: float | None = 1.0  # clip the gradient norm to this (None: no clipping)
    eval_fn: Callable[[nn.Module], float] | None = None  # eval_fn(model) -> e.g. dev Spearman
    eval_every: int | None = None  # steps between evaluations (and once at the end)
    checkpoint_dir: str | os.PathLike | None = None  # write checkpoints there
    resume: bool = False  # continue from the newest checkpoint in checkpoint_dir
    progress: bool = True  # a progress bar with the loss and the throughput
    checkpoint_every: int | None = None  # default: at every evaluation, else every epoch
    weight_decay: float = 0.01  # AdamW's decoupled weight decay, as sentence-transformers
    length_grouping: bool = True  # batch examples of similar length (False: plain shuffling)


@runtime_checkable
class Trainable(Protocol):
    """What ``fit`` needs of a model: ``SentenceEncoder`` and ``CrossEncoder`` both are."""

    device: torch.device

    def tokenize(self, texts: list) -> dict[str, torch.Tensor]: ...

    def token_lengths(self, texts: list) -> list[int]: ...


def fit(model: nn.Module, loss: SentenceLoss, examples: Sequence, **settings) -> History:
    """Train ``model`` (and the loss's own weights, if any) in place on ``examples``.

    ``examples`` are what ``loss`` trains on (NLIPair for SoftmaxLoss, STSPair for CosineMSELoss,
    Triplet for TripletLoss...). ``settings`` are any fields of ``FitSettings`` (epochs,
    batch_size, lr, warmup, seed, amp, eval_fn, eval_every, checkpoint_dir, resume...); every one is
    checked, and every example, before the first step.
    """
    names = {f.name for f in fields(FitSettings)}
    unknown = sorted(set(settings) - names)
    if unknown:
        raise TypeError(f"fit() got unknown settings {unknown}; valid: {', '.join(sorted(names))}")
    settings = FitSettings(**settings)
    check_fit_settings(settings)
    examples = check_training_input(model, loss, examples)
    dist = Distributed.start(model)
    return_freed_memory_to_the_os()  # activations change size every step (sbert_lab.memory)
    try:
        return TrainingRun(model, loss, examples, settings, dist).train()
    finally:
        dist.stop()
        return_freed_memory_to_the_os()


class TrainingRun:
    """One call of ``fit``: the module it trains (the model and the loss as one
    ``TrainingObjective``), the optimizer, the schedule, the history, and the loop that drives them.
    ``state_dict`` / ``load_state_dict`` hold everything but the weights (``checkpoint`` writes
    them to files)."""

    def __init__(self, model, loss: SentenceLoss, examples: list, settings: FitSettings, dist):
        from transformers import get_linear_schedule_with_warmup

        self.examples, self.settings, self.dist = examples, settings, dist
        precision = resolve_precision(settings.amp, model.device)
        seed_everything(settings.seed + dist.rank)  # a different dropout stream per process
        self.lengths = example_lengths(model, loss, examples)
        self.steps_per_epoch = len(self.batches(epoch=0))
        if self.steps_per_epoch == 0:
            raise ValueError(
                f"{len(examples)} examples make no full global batch of {settings.batch_size} x "
                f"{dist.world_size} processes"
            )
        self.total_steps = settings.epochs * self.steps_per_epoch
        # the one module that trains; DistributedDataParallel wraps it under torchrun
        self.objective = dist.wrap(TrainingObjective(model, loss.to(model.device), precision))
        self.optimizer = make_optimizer(self.objective, settings.lr, settings.weight_decay)
        warmup = warmup_steps(settings.warmup, self.total_steps)
        self.scheduler = get_linear_schedule_with_warmup(self.optimizer, warmup, self.total_steps)
        self.scaler = torch.amp.GradScaler(model.device.type, enabled=precision == "fp16")
        self.history = History()
        self.skips_in_a_row = 0

    @property
    def model(self) -> nn.Module:
        """The sentence model being trained (inside ``objective``)."""
        return getattr(self.objective, "module", self.objective).model

    @property
    def loss(self) -> SentenceLoss:
        """The loss trained with (inside ``objective``; SoftmaxLoss has weights of its own)."""
        return getattr(self.objective, "module", self.objective).loss

    def step(self, batch: list, where: str) -> float:
        """One optimizer step on ``batch``; the loss value (mean over processes)."""
        columns = self.loss.columns(batch)  # e.g. [premises, hypotheses], B texts each
        features = self.model.tokenize([text for column in columns for text in column])
        sizes = [len(column) for column in columns]
        labels = self.loss.labels(batch)
        labels = None if labels is None else labels.to(self.model.device)
        value = self.objective(features, sizes, labels)
        mean_value = self.dist.mean(value)
        scaling = self.scaler.is_enabled()  # fp16 only
        if not math.isfinite(mean_value) and not scaling:
            raise FloatingPointError(
                f"the loss is {mean_value} at {where}: training stopped. Try a lower lr, "
                "amp='fp32', or look for broken examples in that batch"
            )
        self.scaler.scale(value).backward()
        if self.settings.max_grad_norm is not None:
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.objective.parameters(), self.settings.max_grad_norm)
        scale = self.scaler.get_scale() if scaling else 1.0
        self.scaler.step(self.optimizer)  # under fp16: skipped when a gradient is inf or NaN
        self.scaler.update()  # ... and then the scale is lowered
        self.optimizer.zero_grad(set_to_none=True)
        if scaling and self.scaler.get_scale() < scale:
            self._skipped(where, mean_value)
        else:
            self.skips_in_a_row = 0
            self.scheduler.step()  # the schedule advances with the optimizer's real steps
        return mean_value

    def train(self) -> History:
        started = time.perf_counter()
        s, history = self.settings, self.history
        if s.resume:
            self.resume()
        was_training = self.model.training
        self.objective.train()
        bar = progress_bar(
            enabled=s.progress and self.dist.is_main,
            desc="fit",
            unit="step",
            total=self.total_steps,
            initial=history.steps,
        )
        checkpoint_every = s.checkpoint_every or s.eval_every or self.steps_per_epoch
        seen, step = 0, history.steps
        try:
            for epoch in range(step // self.steps_per_epoch, s.epochs):
                batches = self.batches(epoch)
                for position in range(step - epoch * self.steps_per_epoch, self.steps_per_epoch):
                    batch = [self.examples[i] for i in batches[position]]
                    step += 1
                    of = self.steps_per_epoch
                    where = f"step {step} (epoch {epoch + 1}, batch {position + 1} of {of})"
                    history.learning_rates.append(self.optimizer.param_groups[0]["lr"])
                    history.losses.append(self.step(batch, where))
                    history.steps = step
                    seen += len(batch) * self.dist.world_size
                    last = step == self.total_steps
                    if s.eval_fn is not None and (
                        last or s.eval_every and step % s.eval_every == 0
                    ):
                        history.evals.append((step, self.evaluate()))
                    if s.checkpoint_dir is not None and (last or step % checkpoint_every == 0):
                        self.save(step)
                    if bar is not None:
                        per_second = seen / (time.perf_counter() - started)
                        loss = f"{history.losses[-1]:.4f}"
                        bar.set_postfix(loss=loss, ex_per_s=f"{per_second:.0f}", refresh=False)
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            self.model.train(was_training)
        history.seconds = time.perf_counter() - started
        return history

    def evaluate(self) -> float:
        """``eval_fn(model)`` on rank 0, shared with every process."""
        value = None
        if self.dist.is_main:
            value = self.settings.eval_fn(self.model)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
                raise TypeError(
                    f"eval_fn returned {value!r} ({type(value).__name__}) at step "
                    f"{self.history.steps}; it must return a number, e.g. lambda model: "
                    "sts_spearman(model, dev)"
                )
            value = float(value)
        self.objective.train()  # eval_fn may have switched to eval mode
        return self.dist.from_main(value)

    def batches(self, epoch: int) -> list[list[int]]:
        s = self.settings
        return epoch_batches(
            self.lengths, s.batch_size, s.seed, epoch, self.dist, s.length_grouping
        )

    def _skipped(self, where: str, loss: float) -> None:
        """Count an fp16 step that the gradient scaler skipped; raise when skips persist."""
        self.history.skipped_steps += 1
        self.skips_in_a_row += 1
        if self.skips_in_a_row >= MAX_SKIPS_IN_A_ROW:
            raise FloatingPointError(
                f"{self.skips_in_a_row} steps in a row overflowed in fp16 (last at {where}, loss "
                f"{loss}): training stopped. Try a lower lr or amp='fp32'"
            )

    # -- checkpoints: the run's state (checkpoint.py writes and reads the files) -----------------
    def save(self, step: int) -> None:
        """A checkpoint of this step with every process's random generators (rank 0 writes it)."""
        state = self.state_dict(step)  # every process takes part: the generators are gathered
        if self.dist.is_main:
            checkpoint.save_checkpoint(
                self.settings.checkpoint_dir, step, self.model, self.loss, state
            )
        self.dist.barrier()

    def resume(self) -> None:
        """Continue from the newest checkpoint in ``checkpoint_dir``, if any; a checkpoint of
        another run (another fingerprint) is refused before a single weight is replaced."""
        folder = checkpoint.latest_checkpoint(self.settings.checkpoint_dir)
        say = print if self.dist.is_main else (lambda *_: None)
        if folder is None:
            say(
                f"resume: no checkpoint in {self.settings.checkpoint_dir} yet, starting from step 0"
            )
            return
        state = checkpoint.read_trainer_state(folder)
        checkpoint.check_fingerprint(folder, state, self.fingerprint())
        checkpoint.load_weights(folder, self.model, self.loss)
        self.load_state_dict(state)
        say(f"resume: continuing from {folder} (step {self.history.steps})")

    def state_dict(self, step: int) -> dict:
        """All of the run but the weights: optimizer, schedule, scaler, generators, history."""
        history = self.history
        return {
            "step": step,
            "fingerprint": self.fingerprint(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng": self.dist.gather(rng_state()),
            "history": {
                "losses": history.losses,
                "evals": [list(e) for e in history.evals],
                "learning_rates": history.learning_rates,
                "skipped_steps": history.skipped_steps,
            },
        }

    def load_state_dict(self, state: dict) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"][self.dist.rank])
        history, saved = self.history, state["history"]
        history.losses = list(saved["losses"])
        history.evals = [(int(s), float(v)) for s, v in saved["evals"]]
        history.learning_rates = list(saved["learning_rates"])
        history.skipped_steps = int(saved.get("skipped_steps", 0))
        history.steps = history.resumed_from = len(history.losses)

    def fingerprint(self) -> dict:
        """What must match for a checkpoint to be resumed by this run."""
        s = self.settings
        return {
            "examples": len(self.examples),
            "batch_size": s.batch_size,
            "epochs": s.epochs,
            "seed": s.seed,
            "world_size": self.dist.world_size,
            "loss": repr(self.loss),
            "length_grouping": s.length_grouping,
            # a resumed run would silently keep the old rate (the optimizer's state holds it) and
            # continue with a new pooling: both are part of what must match
            "lr": s.lr,
            "warmup": s.warmup,
            "weight_decay": s.weight_decay,
            "pooling": getattr(self.model, "pooling", None),
        }


class TrainingObjective(nn.Module):
    """The model and the loss as one module: what the optimizer, DistributedDataParallel and the
    checkpoints see, so that a loss with weights (SoftmaxLoss's classifier) trains with the model.
    """

    def __init__(self, model: nn.Module, loss: SentenceLoss, precision: str):
        super().__init__()
        self.model, self.loss, self.precision = model, loss, precision

    def forward(
        self, features: dict, sizes: list[int], labels: torch.Tensor | None
    ) -> torch.Tensor:
        """The loss of a batch whose columns were tokenized together, ``sizes[i]`` rows each.

        All columns go through the model in ONE forward pass: the siamese network's shared weights,
        literally — and one large batch runs faster than one small batch per column.
        """
        with autocast(self.precision, self.model.device):
            # bi-encoder: (sum(sizes), dim) sentence vectors; cross-encoder: (B, labels) scores
            stacked = self.model(features)
        embeddings = list(stacked.split(sizes))  # one tensor per column
        return self.loss(embeddings, labels)  # float32, outside autocast


@dataclass
class History:
    """What happened during ``fit``.

    losses: the loss of every step (averaged over processes under DDP), from step 1.
    evals: (step, eval_fn(model)) pairs. learning_rates: the rate each step used.
    steps: steps done in total (a resumed run counts those before the interruption too).
    seconds: wall time of this call (evaluations and checkpoints included).
    resumed_from: the step a resumed run started from (None: started from scratch).
    skipped_steps: fp16 steps the gradient scaler skipped because a gradient overflowed (the
        optimizer and the learning-rate schedule did not move on them).
    """

    losses: list[float] = field(default_factory=list)
    evals: list[tuple[int, float]] = field(default_factory=list)
    learning_rates: list[float] = field(default_factory=list)
    steps: int = 0
    seconds: float = 0.0
    resumed_from: int | None = None
    skipped_steps: int = 0

    @property
    def steps_per_second(self) -> float:
        """Steps run by this call per second of wall time."""
        done = self.steps - (self.resumed_from or 0)
        return done / self.seconds if self.seconds > 0 else float("nan")


# -- the pieces of a run -----------------------------------------------------------------------
def check_training_input(model, loss, examples) -> list:
    """TypeError / ValueError for a model, loss or examples that ``fit`` cannot train; the
    examples as a list."""
    if not isinstance(model, Trainable):
        raise TypeError(
            f"model must be a SentenceEncoder or CrossEncoder, got {type(model).__name__}"
        )
    if not isinstance(loss, SentenceLoss):
        raise TypeError(
            "loss must be one of sbert_lab.losses (SoftmaxLoss, CosineMSELoss...), got "
            f"{type(loss).__name__}"
        )
    if isinstance(examples, (str, bytes)) or not hasattr(examples, "__iter__"):
        raise TypeError(
            f"examples must be a list of training examples, got {type(examples).__name__}"
        )
    if isinstance(examples, tuple) and hasattr(examples, "_fields"):  # NLIPair, STSPair, Triplet
        kind = type(examples).__name__
        raise TypeError(f"examples is one {kind}: pass a list of examples, e.g. [{kind}(...), ...]")
    examples = list(examples)
    if not examples:
        raise ValueError("examples is empty: fit needs at least one training example")
    loss.check(examples, model)
    return examples


def seed_everything(seed: int) -> None:
    """Seed torch (CPU and all GPUs), numpy's global generator and Python's ``random``."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def rng_state() -> dict:
    """The random generators of torch (and CUDA), numpy and Python, as tensors and plain values."""
    np_state = np.random.get_state()
    state = {
        "torch": torch.random.get_rng_state(),
        "numpy": [np_state[0], torch.from_numpy(np_state[1].astype(np.int64)), *np_state[2:]],
        "random": random.getstate(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    torch.random.set_rng_state(state["torch"])
    kind, keys, *rest = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), *rest))
    random.setstate(state["random"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def make_optimizer(objective: nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW over the model AND the loss; no weight decay on biases and LayerNorm (as BERT).

    The fused implementation (one vectorised pass over each tensor, on CPU and CUDA) computes the
    same update as the default one; on a 2-core CPU it takes all-MiniLM-L6-v2's AdamW step from
    about 0.11 to 0.02 CPU-seconds, a third of a training step.
    """
    decay, no_decay = [], []
    for name, parameter in objective.named_parameters():
        if parameter.requires_grad:
            (no_decay if name.endswith(NO_WEIGHT_DECAY) else decay).append(parameter)
    groups = [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]
    devices = {p.device.type for p in decay + no_decay}
    fused = devices <= {"cpu", "cuda"} and all(p.is_floating_point() for p in decay + no_decay)
    return torch.optim.AdamW(groups, lr=lr, fused=fused or None)


def warmup_steps(warmup: float | int, total_steps: int) -> int:
    """A float in [0, 1] is a share of all steps (rounded up, as the paper's "10 % of the data");
    an int is a count."""
    if isinstance(warmup, float):
        return math.ceil(warmup * total_steps)
    return int(warmup)


__all__ = [
    "fit",
    "History",
    "FitSettings",
    "TrainingObjective",
    "seed_everything",
    "process_device",
]
