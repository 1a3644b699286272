# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 4 — STS regression, and the cross-encoder it competes with
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/04_sts_regression_and_cross_encoder.ipynb)
#
# In lesson 3 the NLI classifier taught BERT to produce sentence vectors, although nothing in that
# objective looked at a cosine. Here we train the cosine **directly**: on STS-B's human similarity
# scores, starting from the NLI model. Then we train the model SBERT was built to replace — a
# **cross-encoder**, BERT reading both sentences at once — on the same data, and compare the two.
#
# **You will learn**
# - the regression objective: mean squared error between cos(u, v) and the gold score scaled to [0,
#   1];
# - why NLI first, then STS-B, beats STS-B alone (Table 2);
# - how a cross-encoder differs from a bi-encoder, and what its extra accuracy costs;
# - why MAX pooling, harmless after NLI, breaks STS regression (the pooling ablation of Table 6).
#
# **Rebuilds** Section 3 of Reimers & Gurevych (2019) (*Regression Objective Function*), Section 4.2
# and Table 2 (supervised STS: SBERT-NLI-STSb-base 85.35, SBERT-STSb-base 84.67, the BERT
# cross-encoder 84.30), and the pooling half of Table 6 (Section 6).

# %%
# Setup: on Google Colab, install this workbook's package (about a minute);
# elsewhere it is installed already.
import subprocess
import sys

# Colab gives every notebook a fresh machine: keep the models lessons train in your Google Drive
# (Colab asks for permission once), so that later lessons load them instead of training them again.
KEEP_MODELS_IN_DRIVE = True

if "google.colab" in sys.modules:
    package = "sbert-lab[colab] @ git+https://github.com/sbert-lab/sbert-lab"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)

import sbert_lab as sl
from sbert_lab import course

lesson = course.lesson.start(
    "04_sts_regression_and_cross_encoder",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import math

import matplotlib.pyplot as plt
import torch
import torch.nn.functional as F
from scipy.stats import spearmanr

profile = lesson.profile

# %% [markdown]
# ## 1. The regression objective
#
# STS-B gives sentence pairs a human similarity score from 0 (unrelated) to 5 (same meaning).
# SBERT's regression objective makes the cosine of the two sentence vectors *be* that score, scaled
# to [0, 1]:
#
# ```
#  s1 "A man is slicing a tomato."            s2 "A man is cutting a tomato."      gold 4.6
#        │                                          │
#     ┌──────┐        one set of weights         ┌──────┐
#     │ BERT │ ◄───────────────────────────────► │ BERT │
#     └──────┘                                   └──────┘
#        │ (B, T, H) → mean pooling                 │ (B, T', H) → mean pooling
#        u (B, H)                                   v (B, H)
#        └──────────────┬───────────────────────────┘
#                       ▼
#          cos(u, v)  (B,)   ──── MSE ────   gold / 5 = 0.92  (B,)
# ```
#
# $\mathcal{L} = \frac{1}{B}\sum_i \big(\cos(u_i, v_i) - y_i\big)^2$ with $y_i$ the gold score
# mapped linearly onto [0, 1]. Unlike the NLI objective there are **no new weights**: the loss
# trains exactly the number we compute at test time, so there is nothing to throw away afterwards.
#
# ## 2. The data

# %%
sts_train = course.recipes.sts_pairs(
    profile, "train"
)  # STS-B train, up to profile.sts_train_size pairs
sts_dev = course.recipes.sts_pairs(profile, "dev")  # up to profile.eval_size pairs
sts_test = course.recipes.sts_pairs(profile, "test")
print(f"STS-B train {len(sts_train):,} pairs, dev {len(sts_dev):,}, test {len(sts_test):,}")
for pair in sorted(sts_train[:40], key=lambda p: p.score)[::13]:
    print(f"{pair.score:4.1f}  {pair.s1!r}\n      {pair.s2!r}")

# %% [markdown]
# ## 3. Exercise: from gold scores to regression targets
#
# The cosine lives in [−1, 1], the gold score on the data set's own scale: STS-B 0–5, SICK-R 1–5.
# The target is the score mapped **linearly** onto [0, 1], so that the lowest score becomes 0 and
# the highest 1. Write `unit_score(score, low, high)`, then `cosine_mse(u, v, targets)`, the loss of
# a batch. The check compares them with `sl.losses.CosineMSELoss` on STS-B (target = score / 5) and
# on SICK (target = (score − 1) / 4).


# %% tags=["solution"]
def unit_score(score: float, low: float, high: float) -> float:
    """``score`` on a [low, high] scale mapped linearly onto [0, 1]."""
    return (score - low) / (high - low)


def cosine_mse(u: torch.Tensor, v: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of (cos(u_i, v_i) - target_i)²: (B, H), (B, H), (B,) -> scalar."""
    return ((F.cosine_similarity(u, v, dim=-1) - targets) ** 2).mean()


# %%
# NBVAL_CHECK_OUTPUT
sick_train = sl.data.load_sts("sick", "train", profile.data_dir)
for name, pairs in (("stsb", sts_train[:32]), ("sick", sick_train[:32])):
    low, high = sl.data.score_range(name)
    reference = sl.losses.CosineMSELoss(score_range=(low, high))
    yours = torch.tensor([unit_score(p.score, low, high) for p in pairs])
    course.lesson.check(
        torch.allclose(yours, reference.labels(pairs)),
        f"{name}: your targets {yours[:3].tolist()} ... differ from CosineMSELoss's "
        f"{reference.labels(pairs)[:3].tolist()} ...",
        hint=f"{name} scores run from {low} to {high}: "
        "subtract the low end, divide by the width of the range",
    )
    u, v = torch.randn(len(pairs), 16), torch.randn(len(pairs), 16)
    course.lesson.check(
        torch.allclose(
            cosine_mse(u, v, yours), reference([u, v], reference.labels(pairs)), atol=1e-6
        ),
        f"{name}: your loss {cosine_mse(u, v, yours).item():.5f} ≠ CosineMSELoss "
        f"{reference([u, v], yours).item():.5f}",
        hint="F.cosine_similarity(u, v, dim=-1) gives one cosine per row; then the mean of the "
        "squared differences",
    )

# %% [markdown]
# Why not regress onto the raw 0–5 score? A cosine can never exceed 1, so every pair scored above 1
# would push the loss forever in the same direction. And why a *linear* map? Spearman only looks at
# ranks, so any increasing map would keep the ranking — but MSE weighs errors by size, and the
# linear map keeps the annotators' spacing between scores.
#
# ## 4. Start from the NLI model of lesson 3
#
# `course.recipes.nli_model` loads the model lesson 3 trained (from
# `course.lesson.runs_dir(profile)`), or trains it now with the same recipe if it is missing, and
# says which.

# %%
# NBVAL_IGNORE_OUTPUT
encoder = course.recipes.nli_model(profile)
print(encoder)


# %%
def test_spearman(model) -> float:
    return sl.evaluation.sts_spearman(model, sts_test, batch_size=profile.encode_batch_size)


def dev_spearman(model) -> float:
    return sl.evaluation.sts_spearman(model, sts_dev, batch_size=profile.encode_batch_size)


nli_cosines, gold = sl.evaluation.sts_cosines(
    encoder, sts_test, batch_size=profile.encode_batch_size
)
nli_test = spearmanr(nli_cosines, gold).statistic * 100
lesson.compare("STS-B test, SBERT-NLI (start)", paper=77.03, measured=nli_test)

# %% [markdown]
# ## 5. Train the cosine on STS-B
#
# The same loop as in lesson 3 with the same recipe (1 epoch, batch 16, lr `profile.lr`, 10 %
# warm-up); only the loss and the data change. `train` below is that recipe; we will call it several
# times.


# %%
def train(model, loss, pairs, **fit_kwargs):
    """The paper's recipe (Section 3.1) with this profile's batch size and epochs."""
    return sl.train.fit(
        model,
        loss,
        pairs,
        epochs=profile.epochs,
        batch_size=profile.batch_size,
        lr=profile.lr,
        **fit_kwargs,
    )  # warm-up 10 %, seed 0: fit's defaults


def cosine_mse_loss():
    return sl.losses.CosineMSELoss(score_range=sl.data.score_range("stsb"))  # targets score / 5


steps = math.ceil(len(sts_train) / profile.batch_size) * profile.epochs
eval_every = max(1, steps // profile.eval_points)
print(f"{steps} steps of {profile.batch_size} pairs; STS-B dev every {eval_every} steps")

# %%
# NBVAL_IGNORE_OUTPUT
before_dev = dev_spearman(encoder)
curve = course.viz.LiveCurve("STS-B dev Spearman", start=before_dev, paper=None)
history = train(
    encoder,
    cosine_mse_loss(),
    sts_train,
    eval_fn=curve.track(dev_spearman, every=eval_every, total_steps=steps),
    eval_every=eval_every,
)
curve.finish(history)
course.recipes.save_sts_model(
    encoder, history, profile
)  # lessons 6 and 8 load it with course.recipes.sts_model

# %%
# NBVAL_IGNORE_OUTPUT
course.viz.plot_training(
    history,
    eval_label="STS-B dev Spearman",
    start=before_dev,
    title="CosineMSELoss on STS-B train, from the NLI model",
)
plt.show()

# %%
sts_cosines, _ = sl.evaluation.sts_cosines(encoder, sts_test, batch_size=profile.encode_batch_size)
nli_sts_test = spearmanr(sts_cosines, gold).statistic * 100
lesson.compare("STS-B test, SBERT-NLI-STSb (after)", paper=85.35, measured=nli_sts_test)

# %% [markdown]
# ### What regression did to the cosines
#
# Each dot is one STS-B test pair: its gold score across, the model's cosine up. Spearman only cares
# about the *order* of the dots, but the picture shows more. After NLI training the cosines usually
# crowd into the upper part of the range — the classifier never asked for cosines to mean anything
# in absolute terms. After regression they spread out and follow gold / 5: a cosine of 0.6 now
# *means* "about 3 out of 5".

# %%
# NBVAL_IGNORE_OUTPUT
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
course.viz.plot_sts_scatter(axes[0], nli_cosines, gold, title="after NLI (lesson 3)")
course.viz.plot_sts_scatter(axes[1], sts_cosines, gold, title="after NLI, then STS-B regression")
axes[1].plot([0, 5], [0, 1], color="#9e9e9e", linestyle="--", label="cosine = gold / 5")
axes[1].legend(loc="lower right")
plt.show()

# %% [markdown]
# ## 6. Is NLI pre-training worth it? SBERT-STSb from raw BERT
#
# Table 2 also trains SBERT on STS-B **alone**, from raw BERT: 84.67 against 85.35 with NLI first.
# For the bi-encoder the two-stage training is worth less than a point; the paper finds it matters
# much more for the cross-encoder (section 8). Same loop, other starting point:


# %%
def raw_encoder(pooling: str) -> sl.SentenceEncoder:
    return sl.SentenceEncoder(profile.raw_model, pooling=pooling, max_length=profile.max_length)


sts_only = raw_encoder("mean")
train(sts_only, cosine_mse_loss(), sts_train, progress=False)
raw_sts_test = test_spearman(sts_only)
del sts_only  # free the memory: only its score is needed from here on
lesson.compare("STS-B test, SBERT-STSb (raw BERT → STS-B)", paper=84.67, measured=raw_sts_test)

# %% [markdown]
# ## 7. The cross-encoder
#
# A cross-encoder gives BERT both sentences in **one** input, so that every token of one sentence
# can attend to every token of the other, and reads a score off the [CLS] position:
#
# ```
#  [CLS] A man is slicing a tomato . [SEP] A man is cutting a tomato . [SEP]      (B, T1 + T2 + 3)
#                          │
#                       ┌──────┐   full attention across both sentences
#                       │ BERT │
#                       └──────┘
#                          │ [CLS] hidden state (B, H)
#                 linear H → 1, sigmoid        score ∈ [0, 1]   ── binary cross-entropy ──  gold / 5
# ```
#
# This is how BERT itself reached the state of the art on STS-B (the paper's "BERT-STSb" rows). It
# is more accurate, but there is **no sentence vector**: scoring n sentences against each other
# takes n(n − 1)/2 passes instead of n (lesson 6 measures what that costs).
# `sl.cross_encoder.CrossEncoder` trains with the same `sl.train.fit` loop; its `max_length` is
# twice the bi-encoder's because it reads two sentences.

# %%
torch.manual_seed(0)  # the new scoring head starts random
cross = sl.cross_encoder.CrossEncoder(
    profile.cross_encoder_model, num_labels=1, max_length=2 * profile.max_length
)
print(cross)


def cross_spearman(model, pairs) -> float:
    """The paper's metric on the cross-encoder's scores (no cosine: there are no sentence
    vectors)."""
    return sl.evaluation.cross_encoder_spearman(model, pairs, batch_size=profile.encode_batch_size)


# %%
# NBVAL_IGNORE_OUTPUT
cross_history = cross.fit(
    sts_train,
    score_range=sl.data.score_range("stsb"),
    epochs=profile.epochs,
    batch_size=profile.batch_size,
    lr=profile.lr,
    eval_fn=lambda model: cross_spearman(model, sts_dev),  # dev once, at the end
)
course.recipes.save_cross_encoder(
    cross, cross_history, profile
)  # lessons 6 and 8 load it with course.recipes.cross_encoder
print(
    f"{cross_history.steps} steps in {cross_history.seconds:.0f} s; dev Spearman "
    f"{cross_history.evals[-1][1]:.2f}"
)

# %%
cross_test = cross_spearman(cross, sts_test)
lesson.compare("STS-B test, BERT-STSb cross-encoder", paper=84.30, measured=cross_test)

# %% [markdown]
# ## 8. Bi-encoder against cross-encoder: Table 2
#
# The paper's rows (STS-B test, Spearman × 100, mean ± standard deviation over 10 random seeds):
#
# | model | kind | trained on | paper | ± |
# |---|---|---|---|---|
# | SBERT-NLI-base | bi-encoder | NLI | 77.03 | |
# | SBERT-STSb-base | bi-encoder | STS-B | 84.67 | 0.19 |
# | SBERT-NLI-STSb-base | bi-encoder | NLI, then STS-B | 85.35 | 0.17 |
# | BERT-STSb-base | cross-encoder | STS-B | 84.30 | 0.76 |
# | BERT-NLI-STSb-base | cross-encoder | NLI, then STS-B | 88.33 | 0.19 |
# | SBERT-NLI-STSb-large | bi-encoder | NLI, then STS-B | 86.10 | 0.13 |
# | BERT-NLI-STSb-large | cross-encoder | NLI, then STS-B | 88.77 | 0.46 |
#
# Trained on STS-B alone, bi- and cross-encoder are level (84.67 vs 84.30); with NLI first the
# cross-encoder pulls ahead by about 3 points (88.33 vs 85.35, and 88.77 vs 86.10 for the large
# models). That is the price of a sentence vector — and what it buys is the subject of lesson 6. Our
# four rows, beside the paper's:

# %%
ours = {  # model -> (paper, yours), STS-B test Spearman × 100
    "SBERT-NLI (bi)": (77.03, nli_test),
    "SBERT-STSb (bi)": (84.67, raw_sts_test),
    "SBERT-NLI-STSb (bi)": (85.35, nli_sts_test),
    "BERT-STSb (cross)": (84.30, cross_test),
}
for name, (paper, measured) in ours.items():
    print(f"{name:<24} paper {paper:6.2f}   yours {measured:6.2f}")

# %%
# NBVAL_IGNORE_OUTPUT
course.viz.plot_paper_vs_yours(
    [name.replace(" (", "\n(") for name in ours],
    [paper for paper, _ in ours.values()],
    [measured for _, measured in ours.values()],
    ylabel="STS-B test Spearman × 100",
    title="Table 2: bi-encoders and a cross-encoder",
)
plt.show()

# %% [markdown]
# Reading your numbers: the `gpu` profile trains bert-base-uncased as the paper does, but on a 100k
# subset of NLI, once, with one seed — expect to land within a few points of the paper, with the
# same order. In the `cpu` and `offline` profiles both kinds start from the same 4-layer, 256-wide
# BERT, and the order can flip: a cross-encoder must learn *inside* the network how to compare two
# sentences, from a few thousand pairs (`profile.sts_train_size`) and one epoch, while the
# bi-encoder only has to bend a cosine that mean pooling already ties to shared words. Matching the
# words of one sentence against the other is something BERT-base learnt in pre-training, over a
# million steps on whole documents; the offline model saw sentence pairs for 1,800 steps (its
# next-sentence accuracy stayed near 0.8). Measured with all 5,749 pairs on its 1,000-step
# checkpoint: 26 after one epoch, 31 after four, against the bi-encoder's 60 — more epochs do not
# close the gap.
# The cell below says which way it went here.

# %%
gap = cross_test - raw_sts_test
print(
    f"cross-encoder {cross_test:.2f} vs bi-encoder trained on the same data {raw_sts_test:.2f}: "
    f"{'the cross-encoder leads' if gap > 0 else 'the bi-encoder leads'} by {abs(gap):.2f} points "
    "(paper, BERT-base: 84.30 vs 84.67, level)"
)

# %% [markdown]
# ## 9. Which pooling? The other half of Table 6
#
# The paper trains BERT with each pooling — MEAN, MAX, and the [CLS] token — once with the NLI
# objective and once with the STS-B regression objective, and reports STS-B **dev** Spearman:
#
# | pooling | MEAN | MAX | CLS |
# |---|---|---|---|
# | NLI (classification) | 80.78 | 79.07 | 79.80 |
# | STS-B (regression) | 87.44 | 69.92 | 86.62 |
#
# After NLI the choice hardly matters; after regression MAX collapses. The paper reports this
# without explaining it (and contrasts it with InferSent, whose BiLSTM did better with MAX than
# MEAN). One way to think about it: each dimension of a max-pooled vector is set by a single token,
# so the gradient that tunes a cosine to a precise value reaches one token per dimension at a time —
# coarse for a fine regression target, while a classifier only needs each pair on the right side of
# a boundary. We rerun both columns from raw BERT. To stay within the lesson's time budget each run
# uses a share of the data: `profile.ablation_share` of the NLI pairs, and as many pairs of STS-B
# train (or all of it).

# %%
nli_pairs = course.recipes.nli_pairs(profile)
nli_ablation = course.profiles.subset(
    nli_pairs, max(profile.batch_size, round(len(nli_pairs) * profile.ablation_share))
)
sts_ablation = course.profiles.subset(sts_train, len(nli_ablation))
sts_pooling_dev, nli_pooling_dev = {}, {}
for pooling in ("mean", "max", "cls"):
    model = raw_encoder(pooling)
    train(model, cosine_mse_loss(), sts_ablation, progress=False)
    sts_pooling_dev[pooling] = dev_spearman(model)
    model = raw_encoder(pooling)
    torch.manual_seed(0)
    train(model, sl.losses.SoftmaxLoss(model.dim), nli_ablation, progress=False)
    nli_pooling_dev[pooling] = dev_spearman(model)
print(
    f"each run: STS-B regression on {len(sts_ablation):,} pairs, NLI on {len(nli_ablation):,} pairs"
)

# %%
PAPER_POOLING = {
    "nli": {"mean": 80.78, "max": 79.07, "cls": 79.80},
    "sts": {"mean": 87.44, "max": 69.92, "cls": 86.62},
}
for objective, measured in (("nli", nli_pooling_dev), ("sts", sts_pooling_dev)):
    for pooling in ("mean", "max", "cls"):
        trained_on = "NLI" if objective == "nli" else "STS-B regression"
        what = f"STS-B dev, {pooling.upper()} pooling, {trained_on}"
        lesson.compare(what, paper=PAPER_POOLING[objective][pooling], measured=measured[pooling])

# %%
# NBVAL_IGNORE_OUTPUT
poolings = ["mean", "max", "cls"]
labels = [f"{p.upper()}\n{o}" for o in ("NLI", "STS-B") for p in poolings]
paper = [PAPER_POOLING[o][p] for o in ("nli", "sts") for p in poolings]
measured = [nli_pooling_dev[p] for p in poolings] + [sts_pooling_dev[p] for p in poolings]
course.viz.plot_paper_vs_yours(
    labels, paper, measured, ylabel="STS-B dev Spearman × 100", title="Table 6: pooling"
)
plt.show()

# %% [markdown]
# ## Summary
#
# - The regression objective trains the cosine itself: MSE between cos(u, v) and the gold score
#   mapped onto [0, 1] (STS-B: score / 5; SICK: (score − 1) / 4). No extra weights, nothing thrown
#   away.
# - NLI first, then STS-B, is the best bi-encoder recipe of the paper (85.35 on STS-B test).
# - A cross-encoder reads both sentences together and is more accurate (88.33 with NLI first), but
#   gives no sentence vector: every pair costs a full BERT pass.
# - Pooling: MEAN is a safe default; MAX breaks under regression (69.92 against 87.44).
#
# ## Further exercises
#
# 1. Train on SICK-R instead (`sl.data.load_sts("sick", "train")`,
#    `score_range=sl.data.score_range("sick")`) and evaluate on STS-B: how well does the model
#    transfer?
# 2. Use a wrong score range on purpose (`CosineMSELoss(score_range=(0, 1))` on STS-B). What
#    happens, and where do you find out?
# 3. Start the cross-encoder from the NLI model
#    (`CrossEncoder(<the folder of course.recipes.nli_model>)`): the paper's BERT-NLI-STSb row
#    (88.33). Does NLI help the cross-encoder as much as the bi-encoder?
# 4. Time `cross.predict` on the test pairs against `encoder.encode` of their sentences. How does
#    each grow when every sentence has to be compared with every other?

# %%
# NBVAL_IGNORE_OUTPUT
lesson.save()
