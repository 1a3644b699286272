"""``fit``: the training loop for every model in this project (bi-encoder and cross-encoder alike).

The recipe is the paper's (Section 3.1, "Training Details"): Adam with weight decay (AdamW),
learning rate 2e-5, linear warm-up over the first 10 % of the steps then linear decay to zero
(``transformers.get_linear_schedule_with_warmup``), batch size 16, gradient norm clipped at 1.
What is added for speed and safety, none of which changes the objective:

* mixed precision — ``amp="auto"`` runs the forward pass under bf16 autocast where the hardware
  does bf16 natively (GPUs of compute capability >= 8, CPUs with AVX-512 BF16 or AMX), fp16
  autocast with a gradient scaler on older GPUs (a T4, 7.5), fp32 elsewhere; ``amp="fp32"`` forces
  full precision. Under fp16 an overflow is normal: the scaler skips that step and lowers its
  scale (``History.skipped_steps`` counts them); only a run of skips, or a non-finite loss in
  bf16/fp32, stops training;
* length-grouped batches (``sbert_lab.batching.length_grouped_batches``) — OUR ADDITION, not the
  paper's: examples of similar token length share a batch, so less compute goes to padding, while
  batch contents and order stay random (shuffled buckets). ``length_grouping=False`` gives plain
  shuffled batches;
* seeds: ``seed`` fixes torch, numpy and random, the batch order (``seed + epoch``) and dropout, so the
  same seed gives the same numbers on a CPU;
* a NaN or infinite loss stops training at once with an error naming the step;
* checkpoints (``checkpoint_dir``), written atomically by ``sbert_lab.checkpoint``; ``resume=True``
  continues from the newest one and ends exactly where an uninterrupted run ends;
* ``torchrun --nproc_per_node N``: DistributedDataParallel, gloo on CPU / nccl on GPU. Every process
  takes a shard of the same global batch of ``batch_size × N`` examples (so ``batch_size`` is per
  process), gradients are averaged, and only rank 0 shows progress, evaluates and writes files.

The model can be anything with ``tokenize(texts) -> features``, ``token_lengths(texts)``,
``forward(features) -> tensor`` and ``device`` — ``SentenceEncoder`` and ``CrossEncoder`` both are.
The loss (``sbert_lab.losses``) says how a batch of examples becomes columns of texts and labels.

Example::

    enc = sl.SentenceEncoder("sbert-lab:all-MiniLM-L6-v2")
    pairs = sl.data.load_sts("stsb", "train")
    dev = sl.data.load_sts("stsb", "dev")
    history = sl.train.fit(enc, sl.losses.CosineMSELoss((0, 5)), pairs, epochs=1, batch_size=16,
                           eval_fn=lambda e: sl.evaluation.sts_spearman(e, dev), eval_every=100)
    history.losses[-1], history.evals[-1]     # last step's loss, (step, dev Spearman) at the end
"""

from __future__ import annotations

import math
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from .batching import length_grouped_batches, random_batches
from .checkpoint import latest_checkpoint, load_weights, read_trainer_state, save_checkpoint
from .checks import integer, number
from .losses import SentenceLoss
from .precision import autocast, resolve_precision

# Under fp16 the gradient scaler skips a step that overflowed and halves its scale: from the default
# 65,536 about 16 skips reach 1, so this many in a row mean the overflow is not the scale's fault.
MAX_SKIPS_IN_A_ROW = 25
# Parameters that AdamW does not decay, as in BERT and sentence-transformers.
NO_WEIGHT_DECAY = ("bias", "LayerNorm.weight", "LayerNorm.bias")


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

    def state(self) -> dict:
        return {
            "losses": self.losses,
            "evals": [list(e) for e in self.evals],
            "learning_rates": self.learning_rates,
            "skipped_steps": self.skipped_steps,
        }

    def restore(self, state: dict) -> None:
        self.losses = list(state["losses"])
        self.evals = [(int(s), float(v)) for s, v in state["evals"]]
        self.learning_rates = list(state["learning_rates"])
        self.skipped_steps = int(state.get("skipped_steps", 0))
        self.steps = len(self.losses)


class TrainingObjective(nn.Module):
    """The model and the loss as one module: what the optimizer, DistributedDataParallel and the
    checkpoints see, so that a loss with weights (SoftmaxLoss's classifier) is trained with the model."""

    def __init__(self, model: nn.Module, loss: SentenceLoss, precision: str):
        super().__init__()
        self.model, self.loss, self.precision = model, loss, precision

    def forward(
        self, features: dict[str, torch.Tensor], sizes: list[int], labels: torch.Tensor | None
    ) -> torch.Tensor:
        """The loss of a batch whose columns were tokenized together, ``sizes[i]`` rows for column i.

        All columns go through the model in ONE forward pass: the siamese network's shared weights,
        literally — and one large batch runs faster than one small batch per column.
        """
        with autocast(self.precision, self.model.device):
            stacked = self.model(features)  # (sum(sizes), dim)
        embeddings = list(stacked.split(sizes))  # one (B, dim) tensor per column
        return self.loss(embeddings, labels)  # float32, outside autocast


def process_device() -> torch.device:
    """This process's device: under torchrun on GPUs ``cuda:$LOCAL_RANK`` (made current), else the default.

    Call it before building the model, so that every rank's weights go straight to its own GPU
    instead of all landing on GPU 0 first.
    """
    from .precision import default_device

    device = default_device()
    if device.type == "cuda" and "LOCAL_RANK" in os.environ:
        device = torch.device("cuda", int(os.environ["LOCAL_RANK"]))
        torch.cuda.set_device(device)
    return device


@dataclass
class Distributed:
    """Which process this is in a torchrun job (rank 0 of 1 without one)."""

    rank: int = 0
    world_size: int = 1
    started_here: bool = False

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @classmethod
    def start(cls, model: nn.Module) -> Distributed:
        """Join the process group torchrun describes in the environment (gloo on CPU, nccl on GPU)."""
        import torch.distributed as dist

        wanted = int(os.environ.get("WORLD_SIZE", "1")) > 1
        if not dist.is_available() or not (dist.is_initialized() or wanted):
            return cls()
        started = False
        if model.device.type == "cuda":  # this process's GPU first: nccl binds to the current device
            device = process_device()
            model.to(device)
        if not dist.is_initialized():
            backend = "nccl" if model.device.type == "cuda" else "gloo"
            dist.init_process_group(backend=backend)
            started = True
        return cls(dist.get_rank(), dist.get_world_size(), started)

    def mean(self, value: torch.Tensor) -> float:
        """The mean of a scalar over all processes."""
        if self.world_size == 1:
            return float(value.detach())
        import torch.distributed as dist

        total = value.detach().float().clone().reshape(1)
        dist.all_reduce(total)
        return float(total) / self.world_size

    def from_main(self, value):
        """Rank 0's ``value`` on every process."""
        if self.world_size == 1:
            return value
        import torch.distributed as dist

        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def gather(self, value) -> list:
        """Every process's ``value``, in rank order."""
        if self.world_size == 1:
            return [value]
        import torch.distributed as dist

        boxes = [None] * self.world_size
        dist.all_gather_object(boxes, value)
        return boxes

    def barrier(self) -> None:
        if self.world_size > 1:
            import torch.distributed as dist

            dist.barrier()

    def stop(self) -> None:
        if self.started_here:
            import torch.distributed as dist

            dist.destroy_process_group()


# -- checks that run before any step -------------------------------------------------------------
@dataclass(frozen=True)
class FitSettings:
    """``fit``'s keyword arguments (documented there), checked once before anything runs."""

    epochs: int = 1
    batch_size: int = 16
    lr: float = 2e-5
    warmup: float | int = 0.1
    seed: int = 0
    amp: str = "auto"
    max_grad_norm: float | None = 1.0
    eval_fn: Callable[[nn.Module], float] | None = None
    eval_every: int | None = None
    checkpoint_dir: str | os.PathLike | None = None
    resume: bool = False
    progress: bool = True
    checkpoint_every: int | None = None
    weight_decay: float = 0.01
    length_grouping: bool = True

    def check(self) -> None:
        """ValueError naming the first argument that is out of range."""
        _check_int("batch_size", self.batch_size, 1)
        _check_int("epochs", self.epochs, 1)
        _check_int("seed", self.seed, 0)
        number("lr", self.lr, above=0)  # inf would "finish" with NaN weights; "2e-5" fail deep in torch
        number("weight_decay", self.weight_decay, at_least=0)
        warmup = self.warmup
        is_share = isinstance(warmup, float) and 0.0 <= warmup <= 1.0
        is_count = isinstance(warmup, int) and not isinstance(warmup, bool) and warmup >= 0
        if not (is_share or is_count):
            raise ValueError(
                f"warmup must be a share in [0, 1] or a number of steps >= 0, got {warmup!r}"
            )
        if self.max_grad_norm is not None:
            number("max_grad_norm", self.max_grad_norm, above=0)
        if self.eval_every is not None:
            _check_int("eval_every", self.eval_every, 1)
            if self.eval_fn is None:
                raise ValueError("eval_every is set but eval_fn is None: pass the function to call")
        if self.checkpoint_every is not None:
            _check_int("checkpoint_every", self.checkpoint_every, 1)
        if (self.resume or self.checkpoint_every) and self.checkpoint_dir is None:
            raise ValueError(
                "resume=True and checkpoint_every need checkpoint_dir: the folder the checkpoints live in"
            )
        if self.checkpoint_dir is not None:
            check_folder_can_be_made("checkpoint_dir", self.checkpoint_dir)
        resolve_precision(self.amp, "cpu")  # ValueError for an unknown precision


def check_training_input(model, loss, examples) -> list:
    """TypeError / ValueError for a model, loss or examples that ``fit`` cannot train; the examples as a list."""
    for attribute in ("tokenize", "token_lengths", "device"):
        if not hasattr(model, attribute):
            raise TypeError(
                f"model must be a SentenceEncoder or CrossEncoder (no .{attribute}); got {type(model).__name__}"
            )
    if not isinstance(loss, SentenceLoss):
        raise TypeError(
            f"loss must be one of sbert_lab.losses (SoftmaxLoss, CosineMSELoss...), got {type(loss).__name__}"
        )
    if isinstance(examples, (str, bytes)) or not hasattr(examples, "__iter__"):
        raise TypeError(
            f"examples must be a list of training examples, got {type(examples).__name__}"
        )
    examples = list(examples)
    if not examples:
        raise ValueError("examples is empty: fit needs at least one training example")
    loss.check_model(model)
    loss.check_examples(examples)
    return examples


def check_folder_can_be_made(name: str, folder: str | os.PathLike) -> None:
    """ValueError if ``folder`` (or a folder above it) is a file: found now, not after training."""
    from pathlib import Path

    for path in (Path(folder), *Path(folder).parents):
        if path.exists():
            if not path.is_dir():
                raise ValueError(f"{name}={str(folder)!r} cannot be a folder: {path} is a file")
            return


def _check_int(name: str, value, minimum: int) -> None:
    try:
        integer(name, value, at_least=minimum)
    except TypeError as err:  # fit has always answered a wrong setting with ValueError
        raise ValueError(str(err).replace("must be an int,", f"must be an int >= {minimum},")) from None


# -- the pieces of the loop ------------------------------------------------------------------------
def seed_everything(seed: int) -> None:
    """Seed torch (CPU and all GPUs), numpy's global generator and Python's ``random``."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    random.seed(seed)


def example_lengths(model, loss: SentenceLoss, examples: list) -> np.ndarray:
    """Token length of each example: the longest of its columns, capped at the model's max_length."""
    columns = loss.columns(examples)
    lengths = np.max([model.token_lengths(column) for column in columns], axis=0)
    return np.minimum(lengths, getattr(model, "max_length", lengths.max()))


def epoch_batches(
    lengths: np.ndarray,
    batch_size: int,
    seed: int,
    epoch: int,
    dist: Distributed,
    length_grouping: bool,
) -> list[list[int]]:
    """This process's batches of example indices for ``epoch``, identical on every run with ``seed``.

    The global batches (``batch_size × world_size`` examples) are the same on every process; process r
    takes every world_size-th example of each, starting at r. Under DDP a last, incomplete global
    batch is dropped, so that every process holds the same number of examples in every step.
    """
    global_size = batch_size * dist.world_size
    drop_last = dist.world_size > 1
    if length_grouping:
        batches = length_grouped_batches(
            lengths, global_size, seed=seed + epoch, drop_last=drop_last
        )
    else:
        batches = random_batches(len(lengths), global_size, seed=seed + epoch, drop_last=drop_last)
    return [batch[dist.rank :: dist.world_size] for batch in batches]


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
    """A float in [0, 1] is a share of all steps (rounded up, as the paper's "10 % of the data"); an int is a count."""
    if isinstance(warmup, float):
        return math.ceil(warmup * total_steps)
    return int(warmup)


def rng_state() -> dict:
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


def _progress_bar(enabled: bool, total: int, initial: int):
    if not enabled:
        return None
    from tqdm.auto import tqdm

    # one redraw a second (see sbert_lab.encoder._progress)
    return tqdm(total=total, initial=initial, desc="fit", unit="step", dynamic_ncols=True, mininterval=1.0)


# -- fit --------------------------------------------------------------------------------------------
def fit(
    model: nn.Module,
    loss: SentenceLoss,
    examples: Sequence,
    *,
    epochs: int = 1,
    batch_size: int = 16,
    lr: float = 2e-5,
    warmup: float | int = 0.1,
    seed: int = 0,
    amp: str = "auto",
    max_grad_norm: float | None = 1.0,
    eval_fn: Callable[[nn.Module], float] | None = None,
    eval_every: int | None = None,
    checkpoint_dir: str | os.PathLike | None = None,
    resume: bool = False,
    progress: bool = True,
    checkpoint_every: int | None = None,
    weight_decay: float = 0.01,
    length_grouping: bool = True,
) -> History:
    """Train ``model`` in place on ``examples`` with ``loss``; return the ``History``.

    Args:
        model: a SentenceEncoder (or CrossEncoder); its weights change in place.
        loss: an objective from ``sbert_lab.losses``; its own weights, if any, are trained too.
        examples: what the loss trains on (NLIPair for SoftmaxLoss, STSPair for CosineMSELoss,
            Triplet for TripletLoss...); anything else is a TypeError before training starts.
        epochs, batch_size, lr: passes over the data, examples per step (per process), peak rate.
        warmup: share of all steps (float, 0.1 = the paper's 10 %) or number of steps (int) of
            linear warm-up; the rate then decays linearly to zero.
        seed: fixes the batch order, dropout and every random generator.
        amp: "auto" | "bf16" | "fp16" | "fp32" (see ``sbert_lab.precision``).
        max_grad_norm: clip the gradient norm to this (None: no clipping).
        eval_fn, eval_every: ``eval_fn(model) -> float`` runs every ``eval_every`` steps and at the end.
        checkpoint_dir: write checkpoints there: every ``checkpoint_every`` steps (default: at every
            evaluation when ``eval_every`` is set, else at the end of every epoch) and at the end.
        resume: continue from the newest checkpoint in ``checkpoint_dir`` (start afresh if none).
        progress: show a progress bar with the loss and the throughput.
        weight_decay: AdamW's decoupled weight decay (0.01, as sentence-transformers' ``fit``).
        length_grouping: batch examples of similar length (our addition; False: plain shuffling).
    """
    settings = FitSettings(
        epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        warmup=warmup,
        seed=seed,
        amp=amp,
        max_grad_norm=max_grad_norm,
        eval_fn=eval_fn,
        eval_every=eval_every,
        checkpoint_dir=checkpoint_dir,
        resume=resume,
        progress=progress,
        checkpoint_every=checkpoint_every,
        weight_decay=weight_decay,
        length_grouping=length_grouping,
    )
    settings.check()
    examples = check_training_input(model, loss, examples)
    dist = Distributed.start(model)
    try:
        return Run(model, loss, examples, settings, dist).train()
    finally:
        dist.stop()


class Run:
    """One call of ``fit``: the optimizer, the schedule and the history, and the loop that drives them."""

    def __init__(
        self,
        model: nn.Module,
        loss: SentenceLoss,
        examples: list,
        settings: FitSettings,
        dist: Distributed,
    ):
        from transformers import get_linear_schedule_with_warmup

        self.model, self.loss, self.examples, self.settings, self.dist = (
            model,
            loss,
            examples,
            settings,
            dist,
        )
        device = model.device
        precision = resolve_precision(settings.amp, device)
        seed_everything(settings.seed + dist.rank)  # a different dropout stream per process
        self.lengths = example_lengths(model, loss, examples)
        self.steps_per_epoch = len(self.batches(epoch=0))
        if self.steps_per_epoch == 0:
            raise ValueError(
                f"{len(examples)} examples make no full global batch of {settings.batch_size} x {dist.world_size} processes"
            )
        self.total_steps = settings.epochs * self.steps_per_epoch
        self.checkpoint_every = (
            settings.checkpoint_every or settings.eval_every or self.steps_per_epoch
        )
        self.objective = TrainingObjective(model, loss.to(device), precision)
        self.optimizer = make_optimizer(self.objective, settings.lr, settings.weight_decay)
        warmup = warmup_steps(settings.warmup, self.total_steps)
        self.scheduler = get_linear_schedule_with_warmup(self.optimizer, warmup, self.total_steps)
        self.scaler = torch.amp.GradScaler(device.type, enabled=precision == "fp16")
        self.history = History()
        self.skips_in_a_row = 0
        # what the forward pass goes through: the objective, or a DDP wrapper of it under torchrun
        self.trainable = self.objective
        if dist.world_size > 1:
            from torch.nn.parallel import DistributedDataParallel

            ids = [device.index] if device.type == "cuda" else None
            # find_unused_parameters: BERT's pooler belongs to the model but not to a sentence embedding
            self.trainable = DistributedDataParallel(
                self.objective, device_ids=ids, find_unused_parameters=True
            )

    def batches(self, epoch: int) -> list[list[int]]:
        s = self.settings
        return epoch_batches(
            self.lengths, s.batch_size, s.seed, epoch, self.dist, s.length_grouping
        )

    @property
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

    def train(self) -> History:
        started = time.perf_counter()
        s, history = self.settings, self.history
        if s.resume:
            self.resume()
        was_training = self.model.training
        self.objective.train()
        bar = _progress_bar(s.progress and self.dist.is_main, self.total_steps, history.steps)
        seen, step = 0, history.steps
        try:
            for epoch in range(step // self.steps_per_epoch, s.epochs):
                batches = self.batches(epoch)
                for position in range(step - epoch * self.steps_per_epoch, self.steps_per_epoch):
                    batch = [self.examples[i] for i in batches[position]]
                    step += 1
                    where = f"step {step} (epoch {epoch + 1}, batch {position + 1} of {self.steps_per_epoch})"
                    rate = self.optimizer.param_groups[0]["lr"]  # the rate this step uses
                    history.learning_rates.append(rate)
                    history.losses.append(self.step(batch, where))
                    history.steps = step
                    seen += len(batch) * self.dist.world_size
                    last = step == self.total_steps
                    if s.eval_fn is not None and (
                        last or s.eval_every and step % s.eval_every == 0
                    ):
                        history.evals.append((step, self.evaluate()))
                    if s.checkpoint_dir is not None and (last or step % self.checkpoint_every == 0):
                        self.save(step)
                    if bar is not None:
                        throughput = seen / (time.perf_counter() - started)
                        bar.set_postfix(
                            loss=f"{history.losses[-1]:.4f}",
                            ex_per_s=f"{throughput:.0f}",
                            refresh=False,
                        )
                        bar.update(1)
        finally:
            if bar is not None:
                bar.close()
            self.model.train(was_training)
        history.seconds = time.perf_counter() - started
        return history

    def step(self, batch: list, where: str) -> float:
        """One optimizer step on ``batch``; the loss value (mean over processes)."""
        device = self.model.device
        columns = self.loss.columns(batch)
        features = self.model.tokenize([text for column in columns for text in column])
        sizes = [len(column) for column in columns]
        labels = self.loss.labels(batch)
        value = self.trainable(features, sizes, None if labels is None else labels.to(device))
        mean_value = self.dist.mean(value)
        scaling = self.scaler.is_enabled()
        if not math.isfinite(mean_value) and not scaling:
            raise FloatingPointError(
                f"the loss is {mean_value} at {where}: training stopped. Try a lower lr, amp='fp32', "
                "or look for broken examples in that batch"
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

    def _skipped(self, where: str, loss: float) -> None:
        """Count an fp16 step that the gradient scaler skipped; raise when skips persist."""
        self.history.skipped_steps += 1
        self.skips_in_a_row += 1
        if self.skips_in_a_row >= MAX_SKIPS_IN_A_ROW:
            raise FloatingPointError(
                f"{self.skips_in_a_row} steps in a row overflowed in fp16 (last at {where}, loss {loss}): "
                "training stopped. Try a lower lr or amp='fp32'"
            )

    def evaluate(self) -> float:
        """``eval_fn(model)`` on rank 0, shared with every process."""
        value = None
        if self.dist.is_main:
            value = self.settings.eval_fn(self.model)
            if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
                raise TypeError(
                    f"eval_fn returned {value!r} ({type(value).__name__}) at step {self.history.steps}; it must "
                    "return a number, e.g. lambda model: sts_spearman(model, dev)"
                )
            value = float(value)
        self.objective.train()  # eval_fn may have switched to eval mode
        return self.dist.from_main(value)

    def save(self, step: int) -> None:
        """Write a checkpoint (rank 0) holding every process's random generators."""
        rngs = self.dist.gather(rng_state())
        if self.dist.is_main:
            state = {
                "step": step,
                "fingerprint": self.fingerprint,
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "scaler": self.scaler.state_dict(),
                "rng": rngs,
                "history": self.history.state(),
            }
            save_checkpoint(self.settings.checkpoint_dir, step, self.model, self.loss, state)
        self.dist.barrier()

    def resume(self) -> None:
        """Load the newest checkpoint, if any, into this run."""
        checkpoint_dir, say = (
            self.settings.checkpoint_dir,
            print if self.dist.is_main else (lambda *_: None),
        )
        folder = latest_checkpoint(checkpoint_dir)
        if folder is None:
            say(f"resume: no checkpoint in {checkpoint_dir} yet, starting from step 0")
            return
        state = read_trainer_state(folder)  # the fingerprint is compared before any weight is replaced
        for key, value in self.fingerprint.items():
            if state["fingerprint"].get(key) != value:
                raise ValueError(
                    f"{folder} belongs to a different run: {key} was {state['fingerprint'].get(key)!r}, now {value!r}. "
                    "Use another checkpoint_dir, or resume=False to start over"
                )
        load_weights(folder, self.model, self.loss)
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.scaler.load_state_dict(state["scaler"])
        set_rng_state(state["rng"][self.dist.rank])
        self.history.restore(state["history"])
        self.history.resumed_from = self.history.steps
        say(f"resume: continuing from {folder} (step {self.history.steps})")


__all__ = ["fit", "History", "FitSettings", "TrainingObjective", "seed_everything", "process_device"]
