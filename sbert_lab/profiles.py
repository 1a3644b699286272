"""Three profiles, one set of notebooks: ``gpu``, ``cpu`` and ``smoke`` differ only in sizes and models.

A profile is data. Notebooks ask it for model names, subset sizes, batch sizes and step counts and
never branch on its name. ``$SBERT_LAB_PROFILE`` chooses one; without it: ``gpu`` when CUDA is
present, else ``cpu`` when the Hugging Face hub answers within two seconds, else ``smoke`` (the
embedded offline defaults), and the profile says which it chose and why.

============  =====================================  ===========================================
profile       encoder to fine-tune                   data
============  =====================================  ===========================================
gpu           bert-base-uncased (raw MLM weights)    AllNLI, STS-B, STS12-16, SICK-R (hub)
cpu           google/bert_uncased_L-4_H-256_A-4      subsets of the same (hub)
smoke         tiny random BERT, real vocabulary      $SBERT_LAB_DATA files, else hand-written fixtures
============  =====================================  ===========================================
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import numpy as np

from .data import FIXTURES
from .models import PACKAGED_MINILM, TINY_RANDOM_BERT

PROFILE_NAMES = ("gpu", "cpu", "smoke")


@dataclass(frozen=True)
class Profile:
    """Everything that differs between a Colab GPU, a Binder CPU and an offline CI run."""

    name: str
    raw_model: str  # the MLM-only BERT the paper starts from
    reference_model: str  # a trained SBERT to compare against
    cross_encoder_model: str  # the transformer the cross-encoder is fine-tuned from
    nli_train: tuple[tuple[str, str], ...]  # (data set, split) pairs concatenated for NLI training
    nli_eval: tuple[str, str]  # (data set, split) for NLI accuracy
    sts_tasks: tuple[str, ...]  # Table 1's tasks this profile evaluates
    data_dir: str | None = None  # None: $SBERT_LAB_DATA, then the hub
    nli_train_size: int | None = None  # None: all of it
    quick_nli_train_size: int | None = None  # for lessons that need some NLI model (None: the full one)
    sts_train_size: int | None = None
    eval_size: int | None = None  # cap on dev/test pairs (None: the whole split)
    batch_size: int = 16  # the paper's
    encode_batch_size: int = 32
    max_length: int = 128
    epochs: int = 1
    eval_points: int = 8  # how many dev evaluations to draw in a training curve
    cost_sizes: tuple[int, ...] = (10, 100, 1000)  # n for the bi- vs cross-encoder timing lesson
    corpus_size: int | None = None  # sentences indexed by the search lesson
    projection_points: int = 1000  # points in the UMAP / PCA plots
    reason: str = field(default="", compare=False)

    @property
    def numbers_are_meaningful(self) -> bool:
        """False for smoke, whose random model and tiny data give numbers that mean nothing."""
        return self.name != "smoke"

    def describe(self) -> str:
        """The profile's name and why it was chosen, e.g. "smoke (no CUDA device and ...)"."""
        return f"{self.name} ({self.reason})" if self.reason else self.name


def subset(items: list, size: int | None, seed: int = 0) -> list:
    """A reproducible random ``size``-subset of ``items`` in their original order (all when None)."""
    if size is None or size >= len(items):
        return list(items)
    keep = np.sort(np.random.default_rng(seed).choice(len(items), size=size, replace=False))
    return [items[i] for i in keep]


PROFILES = {
    "gpu": Profile(
        name="gpu",
        raw_model="bert-base-uncased",
        reference_model="sentence-transformers/all-MiniLM-L6-v2",
        cross_encoder_model="bert-base-uncased",
        nli_train=(("allnli", "train"),),
        nli_eval=("allnli", "test"),
        sts_tasks=("sts12", "sts13", "sts14", "sts15", "sts16", "stsb", "sickr"),
        nli_train_size=100_000,  # the paper used all 942k for 1 epoch; a T4 runs fp16 + GradScaler
        quick_nli_train_size=20_000,
        max_length=128,
        encode_batch_size=128,
        cost_sizes=(10, 100, 1000, 2000),
        corpus_size=None,
        projection_points=2000,
    ),
    "cpu": Profile(
        name="cpu",
        raw_model="google/bert_uncased_L-4_H-256_A-4",
        reference_model="sentence-transformers/all-MiniLM-L6-v2",
        cross_encoder_model="google/bert_uncased_L-4_H-256_A-4",
        nli_train=(("allnli", "train"),),
        nli_eval=("allnli", "test"),
        sts_tasks=("stsb", "sickr"),
        nli_train_size=8_000,
        quick_nli_train_size=2_000,
        sts_train_size=None,
        eval_size=1500,
        max_length=64,
        cost_sizes=(10, 100, 300),
        corpus_size=5000,
        projection_points=800,
    ),
    "smoke": Profile(
        name="smoke",
        raw_model=TINY_RANDOM_BERT,
        reference_model=PACKAGED_MINILM,
        cross_encoder_model=PACKAGED_MINILM,
        nli_train=(("snli", "dev"), ("sick", "train")),
        nli_eval=("snli", "test"),
        sts_tasks=("stsb",),
        nli_train_size=96,
        sts_train_size=64,
        eval_size=200,
        batch_size=8,
        max_length=32,
        eval_points=3,
        cost_sizes=(4, 8, 16),
        corpus_size=400,
        projection_points=150,
    ),
}


def hub_endpoint() -> str:
    """The hub's address: ``$HF_ENDPOINT`` (a mirror, or this project's stand-in in CI), else huggingface.co."""
    return os.environ.get("HF_ENDPOINT") or "https://huggingface.co"


def hub_reachable(timeout: float = 2.0) -> bool:
    """Whether the hub (``hub_endpoint()``) accepts a connection within ``timeout`` s; never when HF_HUB_OFFLINE=1."""
    if os.environ.get("HF_HUB_OFFLINE", "0") not in ("", "0", "false", "False"):
        return False
    url = urlsplit(hub_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=timeout):
            return True
    except (OSError, TypeError):  # TypeError: an endpoint with no host name
        return False


def _choose() -> tuple[str, str]:
    requested = os.environ.get("SBERT_LAB_PROFILE")
    if requested:
        if requested not in PROFILES:
            raise ValueError(f"$SBERT_LAB_PROFILE={requested!r}; valid profiles are {', '.join(PROFILE_NAMES)}")
        return requested, f"$SBERT_LAB_PROFILE={requested}"
    import torch

    if torch.cuda.is_available():
        return "gpu", f"CUDA device found: {torch.cuda.get_device_name(0)}"
    if hub_reachable():
        return "cpu", f"no CUDA device; the Hugging Face hub ({hub_endpoint()}) is reachable"
    return "smoke", "no CUDA device and the Hugging Face hub is not reachable: embedded offline defaults"


def get_profile(name: str | None = None) -> Profile:
    """The named profile, or the one chosen from the environment (see the module docstring).

    For ``smoke``, ``data_dir`` is ``$SBERT_LAB_DATA`` when set, else the hand-written fixtures.
    """
    if name is not None:
        if name not in PROFILES:
            raise ValueError(f"unknown profile {name!r}; valid profiles are {', '.join(PROFILE_NAMES)}")
        chosen, reason = name, "asked for by name"
    else:
        chosen, reason = _choose()
    profile = replace(PROFILES[chosen], reason=reason)
    if profile.name == "smoke" and profile.data_dir is None:
        profile = replace(profile, data_dir=os.environ.get("SBERT_LAB_DATA") or FIXTURES)
    return profile
