"""The models several lessons share, trained once per profile and kept under ``runs/<profile>/``.

Lesson 3 trains the NLI model that lessons 4-8 use; lesson 4 trains the STS model and the
cross-encoder that lessons 6 and 8 use. So that every notebook still runs on its own after
"Restart & Run All", each of them asks this module: the model is loaded when its folder exists
and was trained by the same recipe, and trained (with the profile's sizes), saved and loaded
otherwise. Each call prints which of the two happened.

========================  ==========================================  =========================
function                  recipe                                      folder in runs/<profile>/
========================  ==========================================  =========================
``nli_model``             profile.raw_model + pooling, trained on      nli-<pooling>
                          profile.nli_train with profile.nli_objective:
                          SoftmaxLoss over (u, v, |u-v|) (the paper's)
                          or in-batch negatives on the entailment pairs
``sts_model``             nli_model("mean"), then CosineMSELoss on     nli-stsb
                          STS-B train (SBERT-NLI-STSb, Table 2)
``cross_encoder``         profile.cross_encoder_model + a 1-logit      cross-encoder-stsb
                          head, BCE on STS-B train
========================  ==========================================  =========================

A lesson that trains one of them in front of the student (lesson 3 the NLI model, lesson 4 the
other two) hands it to ``save_nli_model`` / ``save_sts_model`` / ``save_cross_encoder``, which keep
it where the three functions look. Folders are written atomically (temporary folder, then rename).

All three follow the paper's recipe (Section 3.1): batch ``profile.batch_size``, Adam with 10 %
linear warm-up, ``profile.epochs`` epoch(s), seed 0; the learning rate is ``profile.lr`` (the
paper's 2e-5 for BERT-base, 1e-4 for the small BERT of the cpu and offline profiles). Each folder
also holds ``training.json``: the recipe, the loss of every step and the STS-B dev Spearman at
``profile.eval_points`` points.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import torch

from .. import data, evaluation
from ..atomic import atomic_folder
from ..cross_encoder import CrossEncoder
from ..encoder import SentenceEncoder
from ..losses import CosineMSELoss, MultipleNegativesRankingLoss, SoftmaxLoss
from ..train import History, fit
from .lesson import as_profile, runs_dir
from .profiles import Profile, subset

RECIPE_FILE = "training.json"
SEED = 0
WARMUP = 0.1
NLI_OBJECTIVES = ("softmax", "mnrl")
MNRL_SCALE = 20.0  # sentence-transformers' default: a temperature of 0.05


# -- the data each recipe trains and evaluates on --------------------------------------------------
def nli_pairs(profile: Profile) -> list[data.NLIPair]:
    """The profile's NLI training pairs: its ``nli_train`` sets concatenated, then
    ``nli_train_size`` of them. ``profile`` may also be a profile's name ("smoke")."""
    profile = as_profile(profile)
    pairs = [
        p for name, split in profile.nli_train for p in data.load_nli(name, split, profile.data_dir)
    ]
    return subset(pairs, profile.nli_train_size, seed=SEED)


def nli_examples(pairs: list[data.NLIPair], objective: str) -> list:
    """What ``objective`` trains on, made from NLI ``pairs``: the labelled pairs themselves
    ("softmax", Section 3) or the (premise, entailed hypothesis) pairs among them ("mnrl": in-batch
    negatives need only positives; the other pairs of a batch are the negatives)."""
    if objective not in NLI_OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(NLI_OBJECTIVES)}, got {objective!r}")
    if objective == "softmax":
        return list(pairs)
    entailment = data.NLI_LABELS.index("entailment")
    return [(p.premise, p.hypothesis) for p in pairs if p.label == entailment]


def nli_triplets(profile: Profile) -> list[data.Triplet]:
    """(premise, entailment, contradiction) triplets from the profile's NLI training sets, up to
    ``triplet_train_size`` of them (default ``nli_train_size``); ``profile`` may be a name."""
    profile = as_profile(profile)
    triplets = [
        t
        for name, split in profile.nli_train
        for t in data.load_triplets(name, split, profile.data_dir)
    ]
    return subset(triplets, profile.triplet_train_size or profile.nli_train_size, seed=SEED)


def sts_pairs(profile: Profile, split: str) -> list[data.STSPair]:
    """STS-B ``split``: all of train up to ``sts_train_size``; dev/test up to ``eval_size``
    (``profile`` may be a name)."""
    profile = as_profile(profile)
    pairs = data.load_sts("stsb", split, profile.data_dir)
    return subset(
        pairs, profile.sts_train_size if split == "train" else profile.eval_size, seed=SEED
    )


# -- the three shared models -----------------------------------------------------------------------
def nli_recipe(profile: Profile, pooling: str = "mean") -> dict:
    """Everything that decides what ``nli_model`` trains (a saved model is reused only if it
    matches)."""
    objective = profile.nli_objective
    return {
        "recipe": "nli",
        "objective": objective,
        "model": profile.raw_model,
        "pooling": pooling,
        "data": profile.nli_train,
        "size": profile.nli_train_size,
        "data_dir": profile.data_dir,
        "max_length": profile.max_length,
        **_fit_settings(profile, objective),
    }


def sts_recipe(profile: Profile) -> dict:
    """What ``sts_model`` trains: the NLI model's recipe, then STS-B train."""
    return {
        "recipe": "sts",
        "start": nli_recipe(profile, "mean"),
        "data": "stsb train",
        "size": profile.sts_train_size,
        "data_dir": profile.data_dir,
        **_fit_settings(profile),
    }


def cross_encoder_recipe(profile: Profile, start: str | None = None) -> dict:
    """What ``cross_encoder`` trains (from ``start``, default ``profile.cross_encoder_model``)."""
    return {
        "recipe": "cross-encoder",
        "model": start or profile.cross_encoder_model,
        "data": "stsb train",
        "size": _cross_encoder_size(profile, start),
        "data_dir": profile.data_dir,
        "max_length": 2 * profile.max_length,
        **_fit_settings(profile),
    }


def _cross_encoder_size(profile: Profile, start: str | None) -> int | None:
    """STS-B train pairs of a cross-encoder: ``sts_train_size``; lesson 8's re-ranker (another
    ``start``) ``reranker_train_size`` when the profile sets one."""
    if start not in (None, profile.cross_encoder_model) and profile.reranker_train_size:
        return profile.reranker_train_size
    return profile.sts_train_size


def nli_model(
    profile: Profile, pooling: str = "mean", progress: bool = True, quick: bool = False
) -> SentenceEncoder:
    """SBERT-NLI: ``profile.raw_model`` with ``pooling``, fine-tuned with SoftmaxLoss on NLI
    (Section 3).

    ``quick=True`` is for a lesson that needs *some* NLI model rather than the one lesson 3 trains:
    it loads lesson 3's model when that is there, and otherwise trains one on
    ``profile.quick_nli_train_size`` pairs (a few minutes instead of lesson 3's full run).
    """
    profile = as_profile(profile)
    full_name, full_recipe = f"nli-{pooling}", nli_recipe(profile, pooling)
    if quick and profile.quick_nli_train_size is not None:
        if _read_recipe(runs_dir(profile) / full_name) == _as_json(full_recipe):
            print(f"nli_model: loaded lesson 3's {full_name} from {runs_dir(profile)}")
            return SentenceEncoder.load(runs_dir(profile) / full_name)
        profile = replace(profile, nli_train_size=profile.quick_nli_train_size)
        name, recipe = f"{full_name}-quick", nli_recipe(profile, pooling)
    else:
        name, recipe = full_name, full_recipe

    objective = profile.nli_objective

    def train() -> tuple[SentenceEncoder, History]:
        pairs = nli_pairs(profile)
        encoder, _, history = train_nli(
            profile, pairs, pooling, objective=objective, progress=progress
        )
        return encoder, history

    examples = len(nli_examples(nli_pairs(profile), objective))
    n_steps = steps(profile, examples, objective)
    folder = _load_or_train(name, profile, recipe, train, "nli_model", n_steps, objective)
    return SentenceEncoder.load(folder)


def train_nli(
    profile: Profile,
    pairs: list[data.NLIPair],
    pooling: str = "mean",
    features: tuple[str, ...] = ("u", "v", "|u-v|"),
    progress: bool = True,
    dev_curve: bool = True,
    objective: str = "softmax",
    eval_fn: Callable | None = None,
) -> tuple[SentenceEncoder, SoftmaxLoss | MultipleNegativesRankingLoss, History]:
    """``profile.raw_model`` with ``pooling``, fine-tuned on NLI ``pairs`` with the profile's recipe
    and ``objective``:

    - "softmax" (Section 3): SoftmaxLoss over ``features`` on every pair, batch
      ``profile.batch_size`` (Table 6 ablates pooling and features);
    - "mnrl" (after the paper): in-batch negatives (scale 20) on the (premise, entailed hypothesis)
      pairs, batch ``profile.contrastive_batch_size``.

    ``dev_curve`` evaluates STS-B dev about ``profile.eval_points`` times (False: never, faster);
    ``eval_fn`` replaces that evaluation (e.g. a live plot's tracker). Not saved: ``nli_model``
    keeps the run of the full recipe.
    """
    profile = as_profile(profile)
    encoder = SentenceEncoder(profile.raw_model, pooling=pooling, max_length=profile.max_length)
    torch.manual_seed(SEED)  # the classifier's initial weights
    if objective == "softmax":
        loss = SoftmaxLoss(encoder.dim, features=features)
    else:
        loss = MultipleNegativesRankingLoss(scale=MNRL_SCALE)
    examples = nli_examples(pairs, objective)
    history = fit_with_recipe(
        profile, encoder, loss, examples, progress, dev_curve, objective, eval_fn
    )
    return encoder, loss, history


def train_sts(
    profile: Profile,
    pairs: list[data.STSPair],
    pooling: str = "mean",
    start: SentenceEncoder | None = None,
    progress: bool = True,
    dev_curve: bool = False,
    eval_fn: Callable | None = None,
) -> tuple[SentenceEncoder, History]:
    """SBERT-STSb: ``start`` (default: ``profile.raw_model`` with ``pooling``) fine-tuned with
    CosineMSELoss on STS-B ``pairs`` (targets score / 5) and the profile's recipe (Section 3,
    regression objective; Table 2). ``dev_curve``: STS-B dev about ``profile.eval_points`` times;
    ``eval_fn`` replaces that evaluation (e.g. a live plot's tracker)."""
    profile = as_profile(profile)
    if start is None:
        start = SentenceEncoder(profile.raw_model, pooling=pooling, max_length=profile.max_length)
    loss = CosineMSELoss(data.score_range("stsb"))
    return start, fit_with_recipe(profile, start, loss, pairs, progress, dev_curve, eval_fn=eval_fn)


def sts_model(profile: Profile, progress: bool = True) -> SentenceEncoder:
    """SBERT-NLI-STSb: ``nli_model(profile)`` fine-tuned with CosineMSELoss on STS-B train (Table
    2)."""
    profile = as_profile(profile)

    def train() -> tuple[SentenceEncoder, History]:
        start = nli_model(profile, "mean", progress)
        return train_sts(profile, sts_pairs(profile, "train"), start=start, progress=progress,
                         dev_curve=True)  # fmt: skip

    n_steps = steps(profile, len(sts_pairs(profile, "train")))
    folder = _load_or_train("nli-stsb", profile, sts_recipe(profile), train, "sts_model", n_steps)
    return SentenceEncoder.load(folder)


def cross_encoder(
    profile: Profile, progress: bool = True, start: str | None = None
) -> CrossEncoder:
    """A cross-encoder (``start`` + one-logit head) fine-tuned on STS-B train.

    ``start`` defaults to ``profile.cross_encoder_model`` (lesson 4's, kept in cross-encoder-stsb);
    another start (lesson 8's re-ranker, ``profile.reranker_model``) is kept in its own folder.
    Its ``max_length`` is twice the profile's: it reads both sentences of a pair at once.
    """
    profile = as_profile(profile)
    start = start or profile.cross_encoder_model

    examples = subset(sts_pairs(profile, "train"), _cross_encoder_size(profile, start), seed=SEED)

    def train() -> tuple[CrossEncoder, History]:
        torch.manual_seed(SEED)  # the new head's initial weights
        model = CrossEncoder(start, num_labels=1, max_length=2 * profile.max_length)
        dev = sts_pairs(profile, "dev")
        history = model.fit(
            examples,
            score_range=data.score_range("stsb"),
            **_fit_settings(profile),
            progress=progress,
            eval_fn=lambda m: evaluation.cross_encoder_spearman(m, dev),
            eval_every=steps(profile, len(examples)),  # dev once, at the end
        )
        return model, history

    recipe = cross_encoder_recipe(profile, start)
    name = "cross-encoder-stsb"
    if start != profile.cross_encoder_model:
        name += "-" + start.replace("sbert-lab:", "").replace("/", "--")
    n_steps = steps(profile, len(examples))
    folder = _load_or_train(name, profile, recipe, train, "cross_encoder", n_steps)
    return CrossEncoder.load(folder)


# -- a lesson that trains one of the three itself keeps it where the others look -------------------
def save_nli_model(encoder: SentenceEncoder, history: History, profile: Profile) -> Path:
    """Keep an NLI model a lesson trained with ``nli_model``'s recipe, so that ``nli_model`` loads
    it.

    The caller vouches for the recipe (``nli_recipe(profile, encoder.pooling)``: the profile's raw
    model, NLI data and sizes, lr 2e-5, 10 % warm-up, seed 0); it is written beside the weights.
    """
    recipe = nli_recipe(profile, encoder.pooling)
    return _keep(f"nli-{encoder.pooling}", profile, recipe, encoder, history)


def save_sts_model(encoder: SentenceEncoder, history: History, profile: Profile) -> Path:
    """Keep a model trained with ``sts_model``'s recipe (nli_model, then STS-B train) for
    ``sts_model``."""
    return _keep("nli-stsb", profile, sts_recipe(profile), encoder, history)


def save_cross_encoder(model: CrossEncoder, history: History, profile: Profile) -> Path:
    """Keep a cross-encoder trained with ``cross_encoder``'s recipe, so that ``cross_encoder`` loads
    it."""
    return _keep("cross-encoder-stsb", profile, cross_encoder_recipe(profile), model, history)


def training_log(profile: Profile, name: str) -> dict:
    """``training.json`` of ``runs/<profile>/<name>``: recipe, per-step losses, dev Spearman curve,
    seconds. ``profile`` may be a profile's name."""
    path = runs_dir(as_profile(profile)) / name / RECIPE_FILE
    if not path.is_file():
        raise FileNotFoundError(
            f"no {RECIPE_FILE} in {path.parent}: train it first (e.g. "
            "course.recipes.nli_model(profile))"
        )
    return _read_log(path)


# -- shared machinery ------------------------------------------------------------------------------
def _fit_settings(profile: Profile, objective: str = "softmax") -> dict:
    """fit's settings for ``profile``; in-batch negatives ("mnrl") train on larger batches."""
    return {
        "epochs": profile.epochs,
        "batch_size": batch_size(profile, objective),
        "lr": profile.lr,
        "warmup": WARMUP,
        "seed": SEED,
    }


def batch_size(profile: Profile, objective: str = "softmax") -> int:
    """Examples per step: the paper's ``profile.batch_size``, ``contrastive_batch_size`` for
    in-batch negatives (a batch of 16 would give each positive only 15 negatives), or
    ``simcse_batch_size`` for unsupervised SimCSE (lesson 11)."""
    if objective == "simcse":
        return profile.simcse_batch_size
    return profile.contrastive_batch_size if objective == "mnrl" else profile.batch_size


def steps(profile: Profile, examples: int, objective: str = "softmax") -> int:
    """Optimizer steps of one run on ``examples`` examples: full batches and a last partial one,
    times ``profile.epochs``."""
    return -(-examples // batch_size(profile, objective)) * profile.epochs


def eval_every(profile: Profile, examples: int, objective: str = "softmax") -> int:
    """Steps between dev evaluations so that a run evaluates about ``profile.eval_points`` times."""
    return max(1, -(-steps(profile, examples, objective) // max(1, profile.eval_points)))


def fit_with_recipe(
    profile: Profile,
    encoder: SentenceEncoder,
    loss,
    examples: list,
    progress: bool,
    dev_curve: bool = True,
    objective: str = "softmax",
    eval_fn: Callable | None = None,
) -> History:
    """``fit`` with the profile's recipe for ``objective`` (module docstring); ``dev_curve``: STS-B
    dev about ``profile.eval_points`` times, or ``eval_fn`` at those steps."""
    evaluation_settings = {}
    if dev_curve or eval_fn is not None:
        if eval_fn is None:
            dev = sts_pairs(profile, "dev")
            eval_fn = lambda e: evaluation.sts_spearman(e, dev, profile.encode_batch_size)  # noqa: E731
        evaluation_settings = {
            "eval_fn": eval_fn,
            "eval_every": eval_every(profile, len(examples), objective),
        }
    settings = _fit_settings(profile, objective)
    return fit(encoder, loss, examples, **settings, progress=progress, **evaluation_settings)


def _read_recipe(folder: Path) -> dict | None:
    path = folder / RECIPE_FILE
    return _read_log(path)["recipe"] if path.is_file() else None


def _read_log(path: Path) -> dict:
    """The ``training.json`` at ``path``; a ValueError naming it, and how to fix it, when it is not
    one (a copy cut short, or edited by hand)."""
    fix = f"delete {path.parent} to train that model again (or save it again from its lesson)"
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        raise ValueError(
            f"{path} is not valid JSON ({err}): was it cut short? Then {fix}"
        ) from None
    if not isinstance(log, dict) or not isinstance(log.get("recipe"), dict):
        raise ValueError(f"{path} holds no recipe (it is not a training log); {fix}")
    return log


def _load_or_train(
    name: str,
    profile: Profile,
    recipe: dict,
    train: Callable,
    who: str,
    n_steps: int,
    objective: str = "softmax",
) -> Path:
    """The folder ``runs/<profile>/<name>``: reused when its recipe matches, else trained now and
    kept."""
    folder = runs_dir(profile) / name
    saved = _read_recipe(folder)
    if saved == _as_json(recipe):
        print(f"{who}: loaded {folder} (trained earlier with the same recipe)")
        return folder
    reason = "no model there yet" if saved is None else "it was trained with another recipe"
    print(f"{who}: training {name} ({reason}; saving to {folder})")
    print(
        f"{who}: {n_steps:,} steps of {batch_size(profile, objective)}; the bar below shows the "
        "speed and the time left"
    )
    model, history = train()
    _keep(name, profile, recipe, model, history)
    print(f"{who}: trained in {history.seconds:.1f} s ({history.steps} steps); saved to {folder}")
    return folder


def _keep(name: str, profile: Profile, recipe: dict, model, history: History) -> Path:
    """Write ``model`` and ``training.json`` to ``runs/<profile>/<name>`` atomically (temp folder +
    rename)."""
    folder = runs_dir(profile) / name
    log = {
        "recipe": _as_json(recipe),
        "losses": history.losses,
        "dev_spearman": history.evals,
        "seconds": history.seconds,
    }
    with atomic_folder(folder) as tmp:
        model.save(
            tmp
        )  # itself atomic: an interrupted save leaves tmp empty, and tmp is never loaded
        (tmp / RECIPE_FILE).write_text(json.dumps(log) + "\n")
    return folder


def _as_json(recipe: dict) -> dict:
    """The recipe as it reads back from the file (tuples become lists)."""
    return json.loads(json.dumps(recipe))


__all__ = [
    "NLI_OBJECTIVES",
    "nli_examples",
    "batch_size",
    "steps",
    "eval_every",
    "nli_model",
    "train_nli",
    "train_sts",
    "sts_model",
    "cross_encoder",
    "training_log",
    "nli_pairs",
    "nli_triplets",
    "sts_pairs",
    "nli_recipe",
    "sts_recipe",
    "cross_encoder_recipe",
    "save_nli_model",
    "save_sts_model",
    "save_cross_encoder",
]
