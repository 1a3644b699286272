"""Training checkpoints that are never half-written, and that let a run continue exactly.

A checkpoint is a folder ``<checkpoint_dir>/step-00000120/`` holding

* ``model.safetensors`` — the weights of the model being trained (safetensors: no pickle, fast);
* ``loss.safetensors`` — the loss's own weights (e.g. SoftmaxLoss's classifier; empty for others);
* ``trainer_state.pt`` — optimizer, learning-rate schedule, gradient scaler, the random number
  generators of torch / numpy / random (one per process), the step, the history so far, and a
  fingerprint of the run (data size, batch size, seed...) so that a different run cannot resume it.

Atomicity: the folder is written under a temporary name (``.tmp-...``), each file flushed to disk,
then renamed into place with ``os.replace``; only then is the small text file ``latest`` — which
names the newest complete folder — replaced, again through a temporary file and ``os.replace``. A
process killed at any moment therefore leaves either the previous checkpoint or the new one, never
a torn one; leftover ``.tmp-*`` folders are ignored and cleaned up by the next save.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_model, save_model
from torch import nn

from .folders import check_safetensors
from .folders import fsync as _fsync
from .folders import write_text_atomically as _write_text_atomically

LATEST = "latest"
MODEL_FILE = "model.safetensors"
LOSS_FILE = "loss.safetensors"
STATE_FILE = "trainer_state.pt"
RESTART = "start over with resume=False, or use another checkpoint_dir"


def step_folder_name(step: int) -> str:
    return f"step-{step:08d}"


def save_checkpoint(
    checkpoint_dir: str | os.PathLike, step: int, model: nn.Module, loss: nn.Module, state: dict
) -> Path:
    """Write the checkpoint of ``step`` atomically, point ``latest`` at it, and delete older
    ones."""
    root = Path(checkpoint_dir)
    root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=root, prefix=f".tmp-{step_folder_name(step)}-"))
    save_model(model, str(tmp / MODEL_FILE))
    save_model(loss, str(tmp / LOSS_FILE))
    torch.save(state, tmp / STATE_FILE)
    for path in tmp.iterdir():
        _fsync(path)
    final = root / step_folder_name(step)
    if final.exists():  # the same step written again (e.g. a resumed run that had finished)
        shutil.rmtree(final)
    os.replace(tmp, final)
    _write_text_atomically(root / LATEST, final.name + "\n")
    _fsync(root)
    _remove_all_but(root, keep=final.name)
    return final


def latest_checkpoint(checkpoint_dir: str | os.PathLike) -> Path | None:
    """The folder ``latest`` names, or None when there is no complete checkpoint yet."""
    pointer = Path(checkpoint_dir) / LATEST
    if not pointer.is_file():
        return None
    folder = Path(checkpoint_dir) / pointer.read_text().strip()
    missing = [
        name for name in (MODEL_FILE, LOSS_FILE, STATE_FILE) if not (folder / name).is_file()
    ]
    if missing:
        raise FileNotFoundError(
            f"{pointer} names {folder}, which lacks {', '.join(missing)}: was it edited by hand?"
        )
    return folder


def read_trainer_state(folder: str | os.PathLike) -> dict:
    """The trainer state of a checkpoint (fingerprint, optimizer, step...), without touching any
    model.

    ``fit(resume=True)`` reads this first and compares the fingerprint, so that a checkpoint of
    another run is refused before it has replaced a single weight. A file that is cut short or
    would run code is refused with a ValueError naming it.
    """
    path = Path(folder) / STATE_FILE
    if path.stat().st_size == 0:
        raise ValueError(f"{path} is empty (0 bytes): the checkpoint was not finished; {RESTART}")
    try:
        state = torch.load(path, weights_only=True)
    except Exception as err:  # noqa: BLE001 - torch raises RuntimeError, EOFError, UnpicklingError...
        raise _unreadable_state(path, err) from None
    if not isinstance(state, dict):
        raise ValueError(f"{path} holds a {type(state).__name__}, not a trainer state; {RESTART}")
    return state


def load_weights(folder: str | os.PathLike, model: nn.Module, loss: nn.Module) -> None:
    """Load a checkpoint's weights into ``model`` and ``loss`` (in place), after checking every
    shape."""
    folder = Path(folder)
    for module, name in ((model, MODEL_FILE), (loss, LOSS_FILE)):
        check_safetensors(folder / name, remedy=RESTART)
        check_fits(folder / name, module)
        load_model(module, str(folder / name), strict=False, device=_device_of(module))


def check_fits(path: Path, module: nn.Module) -> None:
    """ValueError unless the tensors in ``path`` are exactly ``module``'s, name for name and shape
    for shape."""
    from safetensors import safe_open

    expected = {key: tuple(value.shape) for key, value in module.state_dict().items()}
    with safe_open(str(path), framework="pt") as stored:
        found = {key: tuple(stored.get_slice(key).get_shape()) for key in stored.keys()}
    # tied weights (BERT's embeddings and MLM decoder) are stored once: a missing name is fine if it
    # is tied
    missing = sorted(k for k in expected.keys() - found.keys() if not _is_tied(module, k))
    unexpected = sorted(found.keys() - expected.keys())
    wrong = [
        (k, found[k], expected[k])
        for k in sorted(found.keys() & expected.keys())
        if found[k] != expected[k]
    ]
    if missing or unexpected or wrong:
        shapes = "; ".join(f"{k} is {f} there but {e} here" for k, f, e in wrong[:3])
        raise ValueError(
            f"{path} does not fit this {type(module).__name__} (a checkpoint of a different "
            "model?): "
            + ", ".join(
                part
                for part in (
                    shapes,
                    f"missing {missing[:5]}" if missing else "",
                    f"unexpected {unexpected[:5]}" if unexpected else "",
                )
                if part
            )
        )


def _is_tied(module: nn.Module, key: str) -> bool:
    """Whether parameter ``key`` shares its storage with another parameter (and so is saved under
    that name)."""
    state = module.state_dict(keep_vars=True)
    pointer = state[key].data_ptr()
    return any(value.data_ptr() == pointer for other, value in state.items() if other != key)


def load_checkpoint(folder: str | os.PathLike, model: nn.Module, loss: nn.Module) -> dict:
    """Load weights into ``model`` and ``loss`` (in place) and return the trainer state."""
    state = read_trainer_state(folder)
    load_weights(folder, model, loss)
    return state


def _unreadable_state(path: Path, err: Exception) -> ValueError:
    """What to raise when torch could not read a trainer state: a refused pickle that would run
    code is told apart from a file that is cut short, and torch's advice to load it with
    weights_only=False is not passed on."""
    if "Unsupported global" in str(err):
        return ValueError(
            f"{path}: the trainer state is a pickle that would run code other than loading "
            "tensors, and was refused. Do not load it with weights_only=False unless you wrote it "
            f"yourself; {RESTART}"
        )
    reason = str(err).split(". ")[0].splitlines()[0][:120] or type(err).__name__
    return ValueError(
        f"{path} ({path.stat().st_size:,} bytes) is not a whole trainer state ({reason}): was the "
        f"checkpoint cut short? {RESTART[0].upper()}{RESTART[1:]}"
    )


def _device_of(module: nn.Module) -> str:
    parameter = next(module.parameters(), None)
    return str(parameter.device) if parameter is not None else "cpu"


def _remove_all_but(root: Path, keep: str) -> None:
    for path in root.iterdir():
        if (
            path.is_dir()
            and path.name != keep
            and (path.name.startswith("step-") or path.name.startswith(".tmp-"))
        ):
            shutil.rmtree(path, ignore_errors=True)


__all__ = [
    "save_checkpoint",
    "load_checkpoint",
    "latest_checkpoint",
    "read_trainer_state",
    "load_weights",
]


# -- a run of ``fit``: its whole state, saved on rank 0, restored on every process
# --------------------
def save_run(run, step: int) -> None:
    """Write a checkpoint of ``run`` (a ``train.Run``) holding every process's random generators."""
    rngs = run.dist.gather(rng_state())
    if run.dist.is_main:
        state = {
            "step": step,
            "fingerprint": fingerprint(run),
            "optimizer": run.optimizer.state_dict(),
            "scheduler": run.scheduler.state_dict(),
            "scaler": run.scaler.state_dict(),
            "rng": rngs,
            "history": {
                "losses": run.history.losses,
                "evals": [list(e) for e in run.history.evals],
                "learning_rates": run.history.learning_rates,
                "skipped_steps": run.history.skipped_steps,
            },
        }
        save_checkpoint(run.settings.checkpoint_dir, step, run.model, run.loss, state)
    run.dist.barrier()


def resume_run(run) -> None:
    """Load the newest checkpoint in ``run.settings.checkpoint_dir``, if any, into ``run``."""
    checkpoint_dir = run.settings.checkpoint_dir
    say = print if run.dist.is_main else (lambda *_: None)
    folder = latest_checkpoint(checkpoint_dir)
    if folder is None:
        say(f"resume: no checkpoint in {checkpoint_dir} yet, starting from step 0")
        return
    state = read_trainer_state(folder)  # the fingerprint is compared before any weight is replaced
    if not isinstance(state.get("fingerprint"), dict):
        raise ValueError(
            f"{folder / STATE_FILE} holds no run fingerprint: it was not written by "
            f"sbert_lab.train.fit; {RESTART}"
        )
    for key, value in fingerprint(run).items():
        if state["fingerprint"].get(key) != value:
            raise ValueError(
                f"{folder} belongs to a different run: {key} was "
                f"{state['fingerprint'].get(key)!r}, now {value!r}. "
                "Use another checkpoint_dir, or resume=False to start over"
            )
    load_weights(folder, run.model, run.loss)
    run.optimizer.load_state_dict(state["optimizer"])
    run.scheduler.load_state_dict(state["scheduler"])
    run.scaler.load_state_dict(state["scaler"])
    set_rng_state(state["rng"][run.dist.rank])
    history, saved = run.history, state["history"]
    history.losses = list(saved["losses"])
    history.evals = [(int(s), float(v)) for s, v in saved["evals"]]
    history.learning_rates = list(saved["learning_rates"])
    history.skipped_steps = int(saved.get("skipped_steps", 0))
    history.steps = history.resumed_from = len(history.losses)
    say(f"resume: continuing from {folder} (step {run.history.steps})")


def fingerprint(run) -> dict:
    """What must match for a checkpoint to be resumed by ``run``."""
    s = run.settings
    return {
        "examples": len(run.examples),
        "batch_size": s.batch_size,
        "epochs": s.epochs,
        "seed": s.seed,
        "world_size": run.dist.world_size,
        "loss": repr(run.loss),
        "length_grouping": s.length_grouping,
        # a resumed run would silently keep the old rate (the optimizer's state holds it) and
        # continue with a new pooling: both are part of what must match
        "lr": s.lr,
        "warmup": s.warmup,
        "weight_decay": s.weight_decay,
        "pooling": getattr(run.model, "pooling", None),
    }


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
