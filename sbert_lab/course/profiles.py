"""Four profiles, one set of notebooks: ``gpu``, ``cpu``, ``offline`` and ``smoke`` differ only in
sizes.

A profile is data. Notebooks ask it for model names, subset sizes, batch sizes, learning rates and
step counts and never branch on its name. ``$SBERT_LAB_PROFILE`` chooses one; without it: ``gpu``
when CUDA is present, else ``cpu`` when the Hugging Face hub (``$HF_ENDPOINT`` if set) answers
within two seconds, else ``offline`` (the embedded offline defaults), and the profile says why.

============  =======================================  ==========================================
profile       encoder to fine-tune                     data
============  =======================================  ==========================================
gpu           bert-base-uncased (raw MLM weights)      AllNLI, STS-B, STS12-16, SICK-R (hub)
cpu           google/bert_uncased_L-4_H-256_A-4        subsets of the same (hub)
offline       this project's pretrained BERT of the    STS-B, SNLI, SICK, MultiNLI samples and
              cpu profile's shape (L4/H256)            CAD-SNLI shipped in the package (62,556
                                                       NLI training pairs)
smoke         tiny random BERT, real vocabulary        tiny subsets: for unit-level checks only
============  =======================================  ==========================================

``$SBERT_LAB_SCALE`` (a number in (0, 1], default 1) multiplies every data size of the chosen
profile: CI runs the ``cpu`` and ``gpu`` profiles' lessons against a stand-in hub at a small scale.

Learning rates: the paper's 2e-5 suits BERT-base; the small L4/H256 BERT of the ``cpu`` and
``offline`` profiles learns far too little at 2e-5 in a few thousand steps, and 1e-4 is used there
(a documented deviation; lesson 4 shows the measurement).
"""

from __future__ import annotations

import math
import os
import socket
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

import numpy as np

from ..checks import integer
from ..data import FIXTURES
from ..model_sources import PACKAGED_MINILM, RANDOM_BERT, RAW_BERT, TINY_RANDOM_BERT

PROFILE_NAMES = ("gpu", "cpu", "offline", "smoke")
PAPER_LR = 2e-5  # Section 3.1
SMALL_BERT_LR = 1e-4


@dataclass(frozen=True)
class Profile:
    """Everything that differs between a Colab GPU, a Binder CPU and an offline CI run."""

    name: str
    raw_model: str  # the MLM-only BERT the paper starts from
    reference_model: str  # a trained SBERT to compare against
    cross_encoder_model: str  # the transformer the cross-encoder is fine-tuned from (Table 2)
    nli_train: tuple[tuple[str, str], ...]  # (data set, split) pairs concatenated for NLI training
    nli_eval: tuple[str, str]  # (data set, split) for NLI accuracy
    sts_tasks: tuple[str, ...]  # Table 1's tasks this profile evaluates
    untrained_model: str = RANDOM_BERT  # the raw model's shape with random weights (lesson 1)
    reranker_model: str | None = (
        None  # the re-ranking cross-encoder's start (None: cross_encoder_model)
    )
    reranker_train_size: int | None = None  # its STS-B train pairs (None: sts_train_size)
    lr: float = PAPER_LR  # peak learning rate of every fine-tuning run
    data_dir: str | None = None  # None: $SBERT_LAB_DATA, then the hub
    nli_train_size: int | None = None  # None: all of it
    # the objective of the NLI model lessons 4-10 reuse (course.recipes.nli_model): "softmax" (the
    # paper's, Section 3) or "mnrl" (in-batch negatives on the entailment pairs, after the paper)
    nli_objective: str = "softmax"
    softmax_train_size: int | None = (
        None  # lesson 3's live run of the paper's objective (None: nli_train_size)
    )
    contrastive_batch_size: int = 64  # MNRL's batch: every other pair of the batch is a negative
    # lesson 11's unsupervised SimCSE: unlabelled sentences (SimCSE's gain peaks after a few hundred
    # steps) and sentences per step (SimCSE's 64; each is embedded twice)
    simcse_train_size: int = 32_000
    simcse_batch_size: int = 64
    # lesson 12: NLI triplets each of its four objectives trains on (course.triplet_objectives),
    # and triplets a step (the softmax run reads two pairs a triplet: 4 sentences each)
    triplet_objectives_size: int = 20_000
    triplet_objectives_batch_size: int = 64
    triplet_train_size: int | None = None  # NLI triplets for lesson 5 (None: nli_train_size)
    quick_nli_train_size: int | None = (
        None  # for lessons that need some NLI model (None: the full one)
    )
    sts_train_size: int | None = None
    eval_size: int | None = None  # cap on dev/test pairs (None: the whole split)
    nli_eval_size: int | None = None  # lesson 3's NLI-accuracy pairs (None: eval_size)
    batch_size: int = 16  # the paper's
    encode_batch_size: int = 32
    max_length: int = 128
    epochs: int = 1
    eval_points: int = 8  # how many dev evaluations to draw in a training curve
    # lesson 3's feature ablation: this share of the live softmax run's pairs per row (1: the live
    # run itself is the (u, v, |u-v|) row, and only (u, v) is trained again)
    ablation_share: float = 0.25
    cost_sizes: tuple[int, ...] = (10, 100, 1000)  # n for the bi- vs cross-encoder timing lesson
    corpus_size: int | None = None  # sentences indexed by the search lesson
    index_sizes: tuple[int, ...] = (
        1_000,
        10_000,
        100_000,
    )  # corpus sizes in the search-at-scale lesson
    index_real_sentences: int = (
        15_000  # of them real sentences (the rest: jittered copies, see course.ann)
    )
    transfer_size: int | None = (
        None  # examples per split of each transfer task, lesson 10 (None: all)
    )
    # outer folds of SentEval's cross-validated tasks (the paper: 10; C is chosen by an inner CV of
    # half as many); fewer only when sizes are scaled down, where 10 x 31 fits per task are slow
    transfer_folds: int = 10
    asks_hub: bool = False  # whether lessons may load hub-only data sets (Table 5's tasks)
    wikisec_train_size: int | None = (
        None  # Table 4's triplets, lesson 5 (None: hub only, not loaded)
    )
    wikisec_eval_size: int = 1_000  # Wikipedia-section test triplets
    projection_points: int = 1000  # points in the UMAP / PCA plots
    # lesson 13's static distillation: tokens of the teacher's vocabulary passed through it (None:
    # all ~30,000, as model2vec; fewer only in scaled-down test runs, where they were most of the
    # lesson's time)
    distill_tokens: int | None = None
    mlm_live_steps: int = 300  # lesson 0's live masked-word pre-training (a 2-layer, 128-wide BERT)
    reason: str = field(default="", compare=False)

    @property
    def numbers_are_meaningful(self) -> bool:
        """False for smoke (a tiny random model on a few pairs: it only shows that the code
        runs)."""
        return self.name != "smoke"

    def describe(self) -> str:
        """The profile's name and why it was chosen, e.g. "smoke (no CUDA device and ...)"."""
        return f"{self.name} ({self.reason})" if self.reason else self.name


def subset(items: list, size: int | None, seed: int = 0) -> list:
    """A reproducible random ``size``-subset of ``items`` in their original order (all when
    None)."""
    if size is not None:
        integer("size", size, at_least=0)
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
        simcse_train_size=32_000,  # 500 steps of 64, SimCSE's batch
        nli_train_size=100_000,  # the paper used all 942k for 1 epoch; a T4 runs fp16 + GradScaler
        quick_nli_train_size=20_000,
        # lesson 3: 6,250 softmax + ~520 in-batch-negatives + 2 x 625 ablation steps (~25 min on
        # a T4, estimated)
        ablation_share=0.1,
        max_length=128,
        encode_batch_size=128,
        cost_sizes=(10, 100, 1000, 2000),
        corpus_size=None,
        index_sizes=(1_000, 10_000, 100_000, 300_000),
        # AllNLI has ~550k distinct sentences; a T4 encodes them in minutes
        index_real_sentences=300_000,
        asks_hub=True,
        wikisec_train_size=20_000,  # the paper: all 1.78 M for one epoch; 1,250 steps here
        wikisec_eval_size=5_000,
        # per split: 310 logistic regressions per task and encoder (nested 10 x 5-fold CV, 6 values
        # of C) on 768-d bert-base vectors run on Colab's 2 CPU cores, not the GPU
        transfer_size=500,
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
        lr=SMALL_BERT_LR,
        nli_train_size=8_000,
        nli_objective="mnrl",  # 8k pairs move a small BERT with in-batch negatives, not softmax
        simcse_train_size=6_400,  # 200 steps of 32
        simcse_batch_size=32,
        triplet_objectives_size=3_000,
        triplet_objectives_batch_size=32,  # 64 peaked at 2.1 GB offline: over Binder's 2 GB
        quick_nli_train_size=2_000,
        sts_train_size=None,
        eval_size=1500,
        max_length=64,
        cost_sizes=(10, 100, 300),
        corpus_size=5000,
        index_real_sentences=10_000,
        asks_hub=True,
        wikisec_train_size=2_000,
        transfer_size=300,
        projection_points=800,
    ),
    "offline": Profile(
        name="offline",
        raw_model=RAW_BERT,
        reference_model=PACKAGED_MINILM,
        cross_encoder_model=RAW_BERT,
        # lesson 8 re-ranks with a cross-encoder made from the trained MiniLM: one from the small
        # raw BERT, trained on 5.7k STS-B pairs, ranks worse than the bi-encoder it should correct
        reranker_model=PACKAGED_MINILM,
        reranker_train_size=1_500,  # MiniLM reads 128-token pairs: 3,000 took 126 s on 2 AVX2 cores
        # 62,556 real NLI pairs shipped in the package (AllNLI, 942k, is hub only): SNLI dev, SICK
        # train and trial, two 10k samples of MultiNLI train and its two dev sets, CAD-SNLI train
        nli_train=(
            ("snli", "dev"),
            ("sick", "train"),
            ("sick", "trial"),
            ("multinli", "train-sample"),
            ("multinli", "dev-matched"),
            ("multinli", "dev-mismatched"),
            ("cad-snli", "train"),
        ),
        nli_eval=("snli", "test"),
        sts_tasks=("stsb", "sickr"),
        lr=SMALL_BERT_LR,
        # Lesson 3 trains the shared NLI model with in-batch negatives on the entailment pairs of
        # 9,000 NLI pairs (~3,000 pairs, 48 steps of 64) and the paper's softmax live on 1,600;
        # the runs on all 62,556 pairs (4-15 min each on 2 cores) are the shipped data-size record
        # (course.nli_scale). 3,000 of the 5,749 STS-B train pairs and 3,000-pair eval sets keep
        # lessons 3-5 and 8 near their 3-minute budget on 2 AVX2 cores (STS-B dev, test: whole)
        nli_train_size=9_000,
        nli_objective="mnrl",
        # lesson 11: 150 SimCSE steps of 32 sentences (0.5 s a step on 2 AVX2 cores; 100 steps
        # lifted STS-B test by 10.5; the record of course.records "simcse_controls" runs 300)
        simcse_train_size=4_800,
        simcse_batch_size=32,
        # 40 steps of 32 triplets, ~32 s a run on 2 AVX2 cores (1,500: lesson 12 took 184 s)
        triplet_objectives_size=1_280,
        triplet_objectives_batch_size=32,
        softmax_train_size=1_600,  # 100 steps: at 75 the classifier was still at the majority label
        # lesson 5 trains two models on half of them each (MultiNLI's long premises: 70 s each
        # for 2,000 triplets on 2 AVX2 cores, so 1,500)
        triplet_train_size=3_000,
        sts_train_size=3_000,
        eval_size=3_000,
        nli_eval_size=1_500,  # lesson 3 measures three classifiers' NLI accuracy within 3 minutes
        max_length=64,
        # each STS-B dev evaluation (3,000 sentences) costs ~5 s on 2 AVX2 cores at batch 32,
        # 3.8 s at 128 (length-sorted batches: the same Spearman to 4 decimals)
        encode_batch_size=128,
        eval_points=2,  # a dev curve of three points (before, middle, end)
        ablation_share=1.0,  # the live softmax run is the (u, v, |u-v|) row of the ablation
        cost_sizes=(10, 100, 300),
        corpus_size=3000,
        index_sizes=(1_000, 3_000, 10_000, 30_000, 100_000),
        index_real_sentences=15_000,  # 30 s of MiniLM on 2 cores; the shipped sets hold 47k
        transfer_size=2_000,  # 5 encoders x ~11k sentences, 37 logistic regressions each: ~2.5 min
        projection_points=600,
    ),
    "smoke": Profile(
        name="smoke",
        raw_model=TINY_RANDOM_BERT,
        untrained_model=TINY_RANDOM_BERT,
        reference_model=PACKAGED_MINILM,
        cross_encoder_model=PACKAGED_MINILM,
        nli_train=(("snli", "dev"), ("sick", "train")),
        nli_eval=("snli", "test"),
        sts_tasks=("stsb",),
        nli_train_size=96,
        simcse_train_size=64,
        simcse_batch_size=8,
        triplet_objectives_size=64,
        sts_train_size=64,
        eval_size=200,
        batch_size=8,
        max_length=32,
        eval_points=3,
        cost_sizes=(4, 8, 16),
        corpus_size=400,
        index_sizes=(1_000, 10_000),
        index_real_sentences=300,
        transfer_size=300,
        projection_points=150,
    ),
}


def hub_endpoint() -> str:
    """The hub's address: ``$HF_ENDPOINT`` (a mirror, or this project's stand-in in CI), else
    huggingface.co."""
    return os.environ.get("HF_ENDPOINT") or "https://huggingface.co"


def hub_reachable(timeout: float = 2.0) -> bool:
    """Whether the hub (``hub_endpoint()``) accepts a connection within ``timeout`` s; never when
    HF_HUB_OFFLINE=1."""
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
            raise ValueError(
                f"$SBERT_LAB_PROFILE={requested!r}; valid profiles are {', '.join(PROFILE_NAMES)}"
            )
        return requested, f"$SBERT_LAB_PROFILE={requested}"
    import torch

    if torch.cuda.is_available():
        return "gpu", f"CUDA device found: {torch.cuda.get_device_name(0)}"
    if hub_reachable():
        return "cpu", f"no CUDA device; the Hugging Face hub ({hub_endpoint()}) is reachable"
    return (
        "offline",
        "no CUDA device and the Hugging Face hub is not reachable: embedded offline defaults",
    )


def scaled(profile: Profile, factor: float) -> Profile:
    """``profile`` with every data size multiplied by ``factor`` (rounded up; at least two batches).

    A size of None ("all of it") is scaled from the full set's size in ``FULL_SIZES``.
    """
    if not 0 < factor <= 1:
        raise ValueError(f"factor must be in (0, 1], got {factor!r}")
    if factor == 1:
        return profile

    def size(n: int | None, what: str, floor: int) -> int:
        full = n if n is not None else FULL_SIZES[what][profile.name in ("offline", "smoke")]
        return max(floor, math.ceil(full * factor))

    floor = 2 * profile.batch_size
    return replace(
        profile,
        nli_train_size=size(profile.nli_train_size, "nli", floor),
        quick_nli_train_size=size(
            profile.quick_nli_train_size or profile.nli_train_size, "nli", floor
        ),
        softmax_train_size=size(profile.softmax_train_size or profile.nli_train_size, "nli", floor),
        sts_train_size=size(profile.sts_train_size, "sts", floor),
        simcse_train_size=max(
            2 * profile.simcse_batch_size, math.ceil(profile.simcse_train_size * factor)
        ),
        triplet_objectives_size=max(
            2 * profile.triplet_objectives_batch_size,
            math.ceil(profile.triplet_objectives_size * factor),
        ),
        eval_size=size(profile.eval_size, "eval", 50),
        nli_eval_size=None
        if profile.nli_eval_size is None
        else max(50, math.ceil(profile.nli_eval_size * factor)),
        corpus_size=size(profile.corpus_size, "corpus", 200),
        projection_points=size(profile.projection_points, "corpus", 100),
        cost_sizes=tuple(sorted({max(4, math.ceil(n * factor)) for n in profile.cost_sizes})),
        # the largest index stays >= 10,000 vectors: IVF-PQ needs that many to train its codes
        index_sizes=tuple(
            sorted({max(1_000, math.ceil(n * factor)) for n in profile.index_sizes} | {10_000})
        ),
        index_real_sentences=max(300, math.ceil(profile.index_real_sentences * factor)),
        transfer_size=size(profile.transfer_size, "transfer", 300),
        transfer_folds=profile.transfer_folds if factor >= 1 else 2,
        distill_tokens=size(profile.distill_tokens, "vocabulary", 1_000),
        reranker_train_size=None
        if profile.reranker_train_size is None
        else max(floor, math.ceil(profile.reranker_train_size * factor)),
        wikisec_train_size=None
        if profile.wikisec_train_size is None
        else max(floor, math.ceil(profile.wikisec_train_size * factor)),
        wikisec_eval_size=max(50, math.ceil(profile.wikisec_eval_size * factor)),
        mlm_live_steps=max(
            40, math.ceil(profile.mlm_live_steps * factor)
        ),  # 20 first and 20 last are compared
        reason=f"{profile.reason}; sizes x{factor} ($SBERT_LAB_SCALE)",
    )


# (hub profiles, offline profiles): how many items "all of it" is. NLI: AllNLI train vs SNLI dev +
# SICK train; STS-B train; the largest eval split used (STS-B dev, SNLI test); the search corpus;
# Table 5's task (MR, all splits, vs SICK-E test); the WordPiece vocabulary of bert-base-uncased,
# MiniLM and the small BERTs (lesson 13 distils every token of it).
FULL_SIZES = {
    "nli": (942_069, 62_556),
    "sts": (5_749, 5_749),
    "eval": (19_656, 9_824),
    "corpus": (10_000, 10_000),
    "transfer": (10_662, 4_927),
    "vocabulary": (30_522, 30_522),
}


def get_profile(name: str | None = None) -> Profile:
    """The named profile, or the one chosen from the environment (see the module docstring).

    For ``smoke``, ``data_dir`` is ``$SBERT_LAB_DATA`` when set, else the hand-written fixtures.
    ``$SBERT_LAB_SCALE`` shrinks the data sizes (see ``scaled``).
    """
    if name is not None:
        if name not in PROFILES:
            raise ValueError(
                f"unknown profile {name!r}; valid profiles are {', '.join(PROFILE_NAMES)}"
            )
        chosen, reason = name, "asked for by name"
    else:
        chosen, reason = _choose()
    profile = replace(PROFILES[chosen], reason=reason)
    if profile.name == "smoke" and profile.data_dir is None:
        profile = replace(profile, data_dir=os.environ.get("SBERT_LAB_DATA") or FIXTURES)
    scale = os.environ.get("SBERT_LAB_SCALE")
    if scale:
        try:
            factor = float(scale)
        except ValueError:
            raise ValueError(f"$SBERT_LAB_SCALE={scale!r} is not a number in (0, 1]") from None
        if not 0 < factor <= 1:  # NaN too
            raise ValueError(
                f"$SBERT_LAB_SCALE={scale} must be in (0, 1]: the share of every data size to use"
            )
        profile = scaled(profile, factor)
    return profile
