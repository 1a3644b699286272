"""Training checkpoints that are never half-written, and that let a run continue exactly.

A checkpoint is a folder ``<checkpoint_dir>/step-00000120/`` holding

* ``model.safetensors`` — the weights of the model being trained (safetensors: no pickle, fast);
* ``loss.safetensors`` — the loss's own weights (e.g. SoftmaxLoss's classifier; empty for others);
* ``trainer_state.pt`` — optimizer, learning-rate schedule, gradient scaler, the random number
  generators of torch / numpy / random (one per process), the step, the history so far, and a
  fingerprint of the run (data size, batch size, seed...) so that a different run cannot resume it.

Atomicity (``sbert_lab.atomic``): the folder is written under a temporary name
(``.step-00000120.tmp-...``), each file flushed to disk, then renamed into place with
``os.replace``; only then is the small text file ``latest`` — which names the newest complete
folder — replaced, again through a temporary file and ``os.replace``. A process killed at any moment
therefore leaves either the previous checkpoint or the new one, never a torn one; leftover
``.step-*`` folders are ignored and cleaned up by the next save.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import torch
from safetensors.torch import load_model, save_model
from torch import nn

from .atomic import fsync, staged_folder, write_text_atomically
from .model_folders import check_safetensors

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
    final = root / step_folder_name(step)
    # the same step may be written again (a resumed run that had finished): it is replaced
    with staged_folder(final) as tmp:
        save_model(model, str(tmp / MODEL_FILE))
        save_model(loss, str(tmp / LOSS_FILE))
        torch.save(state, tmp / STATE_FILE)
    write_text_atomically(root / LATEST, final.name + "\n")
    fsync(root)
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


def check_fingerprint(folder: Path, state: dict, expected: dict) -> None:
    """ValueError unless the checkpoint's run fingerprint (``state["fingerprint"]``) is
    ``expected``, naming the first setting that differs."""
    if not isinstance(state.get("fingerprint"), dict):
        raise ValueError(
            f"{folder / STATE_FILE} holds no run fingerprint: it was not written by "
            f"sbert_lab.train.fit; {RESTART}"
        )
    for key, value in expected.items():
        if state["fingerprint"].get(key) != value:
            raise ValueError(
                f"{folder} belongs to a different run: {key} was "
                f"{state['fingerprint'].get(key)!r}, now {value!r}. "
                "Use another checkpoint_dir, or resume=False to start over"
            )


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
            and path.name.startswith(("step-", ".step-"))  # .step-*: a killed save's leftovers
        ):
            shutil.rmtree(path, ignore_errors=True)


__all__ = [
    "save_checkpoint",
    "load_checkpoint",
    "latest_checkpoint",
    "read_trainer_state",
    "load_weights",
    "check_fingerprint",
]
