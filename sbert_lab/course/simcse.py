"""Lesson 11's pieces around unsupervised SimCSE (Gao et al. 2021): the unlabelled sentences it
trains on, the no-dropout control, and the alignment / uniformity of a model (Wang & Isola 2020).

The loss itself is library code: ``sbert_lab.losses.UnsupervisedSimCSELoss``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from torch import nn

from .. import data
from ..encoder import SentenceEncoder
from ..evaluation import Encoder, alignment, check_sts_pairs, encode_unique, uniformity
from ..losses import UnsupervisedSimCSELoss
from ..train import History
from . import records
from .lesson import as_profile
from .profiles import Profile
from .recipes import MNRL_SCALE, SEED, WARMUP, fit_with_recipe, nli_pairs

# SimCSE's Table 2 (STS-B dev, BERT-base): the two dropout views, and the two controls that collapse
VARIANTS = ("dropout", "no dropout", "same mask")
RECORD_STEPS = 300  # the controls' record (tools/simcse_controls.py): 3 x ~3 min on 2 AVX2 cores

# SimCSE (Section 5) takes STS-B pairs scored above 4 of 5 as the positives of alignment
POSITIVE_SCORE = 4.0
HELD_OUT = (("stsb", "dev"), ("stsb", "test"), ("sickr", "test"))  # never trained on (if loaded)


def unlabelled_sentences(profile: Profile | str, size: int | None = None) -> list[str]:
    """Distinct sentences of the profile's NLI training pairs (premises and hypotheses, labels
    dropped), shuffled with the recipes' seed, first ``size`` of them (None: all).

    SimCSE trained on a million Wikipedia sentences; any running text works. A sentence of STS-B
    dev or test or of SICK test (where the profile evaluates SICK-R) is left out: they are what the
    lessons evaluate on."""
    profile = as_profile(profile)
    held_out = {
        sentence
        for name, split in HELD_OUT
        if name in ("stsb", *profile.sts_tasks)
        for pair in data.load_sts(name, split, profile.data_dir)
        for sentence in (pair.s1, pair.s2)
    }
    sentences = [
        s
        for s in dict.fromkeys(t for p in nli_pairs(profile) for t in (p.premise, p.hypothesis))
        if s not in held_out
    ]
    order = np.random.default_rng(SEED).permutation(len(sentences))
    return [sentences[i] for i in order[:size]]


def set_dropout(model: nn.Module, p: float) -> int:
    """Set the probability of every dropout layer of ``model`` to ``p`` (SimCSE's p = 0 control:
    ``set_dropout(encoder, 0.0)``); returns how many layers were changed."""
    if not 0.0 <= p < 1.0:
        raise ValueError(f"p must be in [0, 1), got {p!r}")
    layers = [m for m in model.modules() if isinstance(m, nn.Dropout)]
    for layer in layers:
        layer.p = float(p)
    return len(layers)


def alignment_uniformity(
    encoder: Encoder, pairs: list[data.STSPair], batch_size: int = 32
) -> tuple[float, float]:
    """(alignment, uniformity) of ``encoder`` on STS-B pairs (gold 0-5), as SimCSE measures them
    (Section 5): alignment over the pairs scored 4 or more, uniformity over every sentence."""
    gold = check_sts_pairs(pairs)
    positives = [pair for pair, score in zip(pairs, gold, strict=True) if score >= POSITIVE_SCORE]
    if len(positives) < 2:
        raise ValueError(
            f"alignment needs 2 pairs scored >= {POSITIVE_SCORE:g}, got {len(positives)}"
        )
    vectors = encode_unique(encoder, [s for p in pairs for s in (p.s1, p.s2)], batch_size)
    x = np.stack([vectors[p.s1] for p in positives])
    y = np.stack([vectors[p.s2] for p in positives])
    return alignment(x, y), uniformity(np.stack(list(vectors.values())))


def train_simcse(
    profile: Profile | str,
    sentences: list[str],
    variant: str = "dropout",
    progress: bool = True,
    dev_curve: bool = True,
    eval_fn: Callable | None = None,
) -> tuple[SentenceEncoder, History]:
    """Unsupervised SimCSE on ``sentences``: ``profile.raw_model`` with mean pooling, the
    recipes' schedule (lr ``profile.lr``, 10 % warm-up, seed 0), ``profile.simcse_batch_size``
    sentences a step, temperature 0.05 (scale 20). ``variant``:

    - "dropout": the two views of a sentence differ by their dropout masks (p = 0.1, BERT's);
    - "no dropout": p = 0, the two views are the same vector (SimCSE Table 2: 71.1 vs 82.5);
    - "same mask": one mask for both views, the same vector again (Table 2: 43.6).

    ``dev_curve`` / ``eval_fn`` as ``recipes.fit_with_recipe``."""
    if variant not in VARIANTS:
        raise ValueError(f"variant must be one of {VARIANTS}, got {variant!r}")
    profile = as_profile(profile)
    encoder = SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
    if variant == "no dropout":
        set_dropout(encoder, 0.0)
    loss = UnsupervisedSimCSELoss(scale=MNRL_SCALE, same_dropout_mask=variant == "same mask")
    history = fit_with_recipe(
        profile, encoder, loss, sentences, progress, dev_curve, "simcse", eval_fn
    )
    return encoder, history


def record_recipe(profile: Profile | str) -> dict:
    """What decides the numbers of the controls' record; it is valid only while this is
    unchanged."""
    profile = as_profile(profile)
    return {
        "model": profile.raw_model,
        "sentences": "distinct sentences of the profile's NLI training pairs (unlabelled)",
        "nli_data": [list(source) for source in profile.nli_train],
        "nli_size": profile.nli_train_size,
        "steps": RECORD_STEPS,
        "batch_size": profile.simcse_batch_size,
        "max_length": profile.max_length,
        "lr": profile.lr,
        "warmup": WARMUP,
        "scale": MNRL_SCALE,
        "seed": SEED,
    }


def load_controls() -> dict[str, dict]:
    """``{variant: run}`` of the shipped record: steps, dev curve, STS-B dev and test, alignment,
    uniformity, seconds."""
    return {run["variant"]: run for run in records.load("simcse_controls")["runs"]}
