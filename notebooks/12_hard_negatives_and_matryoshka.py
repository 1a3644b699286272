# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 12 — After SBERT: hard negatives, and vectors you can cut short (Matryoshka)
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/12_hard_negatives_and_matryoshka.ipynb)
#
# Lesson 3 replaced SBERT's softmax classifier with in-batch negatives; lesson 5 added the
# contradiction of each NLI premise as a *hard negative* and measured triplet accuracy. Supervised
# SimCSE (Gao et al. 2021) is exactly that combination, and with it BERT-base reaches 84.25 on
# STS-B test where SBERT-NLI-base reaches 77.03. Here the objectives meet on one table: the same
# triplets, the same steps, STS-B test. Then one more idea every recent embedding model ships with:
# **Matryoshka** training (Kusupati et al. 2022), which makes the first 32 numbers of a vector a
# usable embedding on their own — so that a search index can store a fraction of each vector.
#
# **You will learn**
# - why a contradiction is the most useful negative an NLI triplet offers, and what it adds to
#   in-batch negatives on STS-B;
# - how SBERT's softmax objective compares with both, on the same data and steps;
# - the Matryoshka loss: the same loss on nested prefixes of the vector, added up — and to write it;
# - to measure STS-B and retrieval recall@10 as a vector is truncated, with and without Matryoshka.
#
# **Rebuilds** Gao et al. (2021), Section 4 and Table 4 (supervised SimCSE; hard negatives,
# 84.9 → 86.2 STS-B dev) against SBERT's Table 1 (SBERT-NLI-base 77.03), and Kusupati et al.
# (2022)'s claim that a Matryoshka model keeps its quality at a fraction of its dimensions.

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
    "12_hard_negatives_and_matryoshka",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import matplotlib.pyplot as plt
import torch

profile = lesson.profile

# %% [markdown]
# ## 1 · One set of triplets, four objectives
#
# Every NLI premise with an entailed and a contradicting hypothesis makes a triplet (anchor,
# positive, negative), as in lesson 5. `course.triplet_objectives` trains a fresh raw BERT on the
# same `profile.triplet_objectives_size` triplets with each objective, the same number of steps
# (`profile.triplet_objectives_batch_size` triplets a step) and the workbook's recipe:
#
# | objective | reads from each triplet | loss |
# |---|---|---|
# | softmax (SBERT, Section 3) | (premise, entailment, 0), (premise, contradiction, 2) | softmax |
# | positives only (lesson 3) | (premise, entailment) | in-batch negatives |
# | hard negatives (sup. SimCSE) | the triplet | in-batch negatives + the contradiction |
# | + Matryoshka (section 3) | the triplet | the same, summed over prefixes |
#
# Why should the contradiction help? An in-batch negative is a random other sentence: usually about
# something else entirely, so easy to push away. The contradiction shares most of its words with
# the premise ("A man is sleeping" against "A man is running"): only a model that reads what the
# words *say* can put it further away than the entailment. SimCSE's Table 4 measures it on
# BERT-base: entailment positives alone 84.9 STS-B dev, with contradictions as hard negatives 86.2.

# %%
triplets = course.profiles.subset(
    course.recipes.nli_triplets(profile), profile.triplet_objectives_size
)
sts_test = course.recipes.sts_pairs(profile, "test")
per_step = profile.triplet_objectives_batch_size
steps = course.triplet_objectives.steps(profile, len(triplets))
print(f"{len(triplets):,} triplets: {steps} steps of {per_step} for every objective")
print("e.g.", triplets[0])

# %%
# NBVAL_IGNORE_OUTPUT
models, seconds = {}, {}
for objective in course.triplet_objectives.OBJECTIVES:
    models[objective], history = course.triplet_objectives.train_on_triplets(
        profile, triplets, objective
    )
    seconds[objective] = history.seconds
    print(f"{objective}: {history.steps} steps in {history.seconds:.0f} s")

# %%
paper_test = {"softmax": 77.03, "hard negatives": 84.25}  # BERT-base: SBERT-NLI, supervised SimCSE
raw = sl.SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
sts = {"raw BERT": sl.evaluation.sts_spearman(raw, sts_test, profile.encode_batch_size)}
lesson.compare("STS-B test, raw BERT mean pooling", paper=46.35, measured=sts["raw BERT"])
for objective in course.triplet_objectives.OBJECTIVES[:3]:
    sts[objective] = sl.evaluation.sts_spearman(
        models[objective], sts_test, profile.encode_batch_size
    )
    lesson.compare(
        f"STS-B test, {objective}", paper=paper_test.get(objective), measured=sts[objective]
    )
lesson.record("NLI triplets per objective", len(triplets))
for better, worse in (("hard negatives", "positives only"), ("hard negatives", "softmax")):
    gap = sts[better] - sts[worse]
    print(f"{better} above {worse}: {gap:+.2f} points")

# %% [markdown]
# The paper figures are BERT-base on all of AllNLI (942k pairs, 275k triplets); SimCSE's positives-
# only row is STS-B *dev* (84.9 vs 86.2), so it is printed in the prose, not beside a test figure.
# What compares is the order. Both in-batch rows stand far above the softmax row, as in the paper:
# the classifier has to learn its task before the sentence space moves (lesson 3's data-size
# record), while in-batch negatives rank sentences by cosine from the first step — exactly what
# STS-B measures. Between the two in-batch rows this run cannot decide: a few dozen steps of a
# small BERT put them within a point or two of each other, either way (the printed gap). A
# contradiction is a hard negative only for a model that already reads well; for a weak one it is
# nearly unreachable, and the gradient it sends is noise. SimCSE's +1.3 is BERT-base's, after a
# full epoch.

# %%
# NBVAL_IGNORE_OUTPUT
names = ["raw BERT", *course.triplet_objectives.OBJECTIVES[:3]]
course.viz.plot_paper_vs_yours(
    names,
    [46.35, 77.03, None, 84.25],
    [sts[name] for name in names],
    ylabel="STS-B test Spearman × 100",
    title=f"Same triplets, same steps ({len(triplets):,} triplets, {profile.raw_model})",
)
plt.show()

# %% [markdown]
# ## 2 · Exercise: write the Matryoshka loss
#
# A Matryoshka doll holds a smaller doll, which holds a smaller one. A Matryoshka embedding holds
# smaller embeddings: its first 32 numbers, its first 64, ... each trained to work alone. The loss
# is any embedding loss applied to every prefix and added up:
#
# $$\mathcal{L} = \sum_{d \in \{32, 64, 128, 256\}} \mathcal{L}_{\text{inner}}\big(u_{:d}, v_{:d},
# \dots\big)$$
#
# Nothing else changes: one encoder, one forward pass, the full vector computed once and sliced.
# Write `matryoshka_loss(inner, embeddings, dims)`: `embeddings` is the list of (B, H) tensors a
# loss takes, `inner` a loss such as `sl.losses.MultipleNegativesRankingLoss()`. The check compares
# it with `sl.losses.MatryoshkaLoss` on a batch of real embeddings.


# %% tags=["solution"]
def matryoshka_loss(inner, embeddings: list[torch.Tensor], dims: tuple[int, ...]) -> torch.Tensor:
    """sum over d in dims of inner([e[:, :d] for e in embeddings]); a scalar."""
    return sum(inner([e[:, :d] for e in embeddings], None) for d in dims)


# %%
# NBVAL_CHECK_OUTPUT
batch = triplets[:8]
with torch.no_grad():
    columns = [raw.embed(list(column)) for column in zip(*batch, strict=True)]  # 3 x (8, H)
dims = course.triplet_objectives.matryoshka_dims(raw.dim)
inner = sl.losses.MultipleNegativesRankingLoss(scale=20.0)
yours = matryoshka_loss(inner, columns, dims)
library = sl.losses.MatryoshkaLoss(inner, dims)(columns)
course.lesson.check(
    torch.isclose(yours, library, atol=1e-4),
    f"dims {dims}: yours {yours.item():.4f}, sl.losses.MatryoshkaLoss {library.item():.4f}",
    hint="slice the first d columns of EVERY embedding (anchors, positives, negatives) with "
    "e[:, :d], call the inner loss on that list, and add the results over dims",
)

# %% [markdown]
# ## 3 · Cutting vectors short
#
# The fourth model of section 1 trained with `MatryoshkaLoss` over the prefixes
# `course.triplet_objectives.matryoshka_dims(width)`. Now truncate the vectors of both hard-negative
# models — plain and Matryoshka — to each prefix (keep the first d numbers, renormalise) and
# measure two things:
#
# - STS-B test Spearman, as everywhere in this workbook;
# - **retrieval recall@10**: every STS-B test sentence is the corpus; each sentence of a pair scored
#   4 or more queries it for its paraphrase, its own row excluded (lesson 8's measure).
#
# Kusupati et al. report that a Matryoshka model keeps about 98 % of its retrieval quality at about
# 8 % of its dimensions, a model trained without it about 96 %. The number to read is the **share
# of its own full-width score** each model keeps at the smallest prefix.

# %%
# NBVAL_IGNORE_OUTPUT
sts_test = course.recipes.sts_pairs(profile, "test")  # section 1's test pairs, read again
widths = course.triplet_objectives.matryoshka_dims(models["hard negatives"].dim)
quality = {
    name: course.matryoshka.prefix_quality(
        models[objective], sts_test, widths, k=10, batch_size=profile.encode_batch_size
    )
    for name, objective in (
        ("plain", "hard negatives"),
        ("Matryoshka", "hard negatives + Matryoshka"),
    )
}

# %%
print(f"{'dims':>6} " + "".join(f"{n + ' STS-B':>18}{n + ' R@10':>17}" for n in quality))
for d in widths:
    row = "".join(f"{quality[n][d][0]:>18.2f}{quality[n][d][1]:>17.3f}" for n in quality)
    print(f"{d:>6} {row}")
smallest, full = widths[0], widths[-1]
for name in quality:
    kept_sts = 100 * quality[name][smallest][0] / quality[name][full][0]
    kept_recall = 100 * quality[name][smallest][1] / quality[name][full][1]
    lesson.compare(
        f"STS-B test at {smallest} dims, {name}", paper=None, measured=quality[name][smallest][0]
    )
    lesson.compare(
        f"share of STS-B kept at {smallest} dims, {name}, %", paper=None, measured=kept_sts
    )
    lesson.compare(
        f"share of recall@10 kept at {smallest} dims, {name}, %",
        paper=98.0 if name == "Matryoshka" else 96.0,
        measured=kept_recall,
    )
shares = {n: 100 * quality[n][smallest][0] / quality[n][full][0] for n in quality}
ahead = {d: quality["Matryoshka"][d][0] - quality["plain"][d][0] for d in (smallest, full)}
print(
    f"Matryoshka keeps {shares['Matryoshka'] - shares['plain']:+.2f} points more of its own STS-B "
    f"score at {smallest} dims; against plain it is {ahead[smallest]:+.2f} there and "
    f"{ahead[full]:+.2f} at full width"
)

# %%
# NBVAL_IGNORE_OUTPUT
fig, axes = plt.subplots(1, 2, figsize=(10, 3.6))
for name in quality:
    axes[0].plot(widths, [quality[name][d][0] for d in widths], marker="o", label=name)
    axes[1].plot(widths, [quality[name][d][1] for d in widths], marker="o", label=name)
axes[0].set(xlabel="dimensions kept", ylabel="STS-B test Spearman × 100", xscale="log")
axes[1].set(xlabel="dimensions kept", ylabel="paraphrase recall@10", xscale="log")
for ax in axes:
    ax.set_xticks(widths, [str(d) for d in widths])
    ax.legend()
fig.suptitle("Truncated vectors: plain vs Matryoshka training (same triplets, same steps)")
fig.tight_layout()
plt.show()

# %% [markdown]
# How to read it: both curves fall as dimensions go; Matryoshka training is meant to flatten the
# fall, trading a little at full width (its loss spends part of its gradient on the prefixes) for
# more at the small end. The printed line gives the gap between the two models at both ends; on
# one seed and a few dozen steps of a small BERT, a point either way is within noise. The share of
# its own score a model keeps is the steadier measure: in the project's runs of this lesson at
# three sizes (1,280 and 1,500 triplets, batches of 32 and 64) the Matryoshka model kept 1.5 to 5
# points more at 32 dimensions. Kusupati et al.'s models train for many epochs, where the prefixes
# end up almost as good as the whole. It is why most current embedding models ship Matryoshka
# vectors: a search index that stores 64 of 768 numbers is twelve times smaller. Lesson 13 cuts the
# bytes further, to one bit per number.

# %% [markdown]
# ## Summary
#
# - Supervised SimCSE is in-batch negatives on NLI triplets with the contradiction as a hard
#   negative; on the same triplets and steps it beats SBERT's softmax objective on STS-B (paper,
#   BERT-base: 84.25 vs 77.03). In the paper the hard negative adds over positives alone (86.2 vs
#   84.9 dev); on a few dozen steps of a small BERT the two are within noise.
# - A contradiction is a useful negative because it shares the premise's words: it can only be
#   pushed away by reading what they say.
# - Matryoshka training sums the loss over nested prefixes of the vector, so a prefix is an
#   embedding on its own; the measure is the share of full-width quality kept at a small prefix.

# %% [markdown]
# ## Check your understanding
#
# **1.** Why is a contradiction a more useful negative than a random sentence of the batch?
#
# <details><summary>Answer</summary>
#
# A random sentence is usually about something else, so the model already puts it far from the
# anchor and the loss gains little from it. A contradiction repeats most of the premise's words
# while saying the opposite: a model that encodes which words appear puts it close, and the loss
# then forces it to encode what they mean. Shown in section 1, 'One set of triplets, four
# objectives', where the hard-negatives row is compared with positives only — and why a weak model
# cannot yet use it.
#
# </details>
#
# **2.** Why does section 1 give the softmax objective two pairs per triplet and twice the batch?
#
# <details><summary>Answer</summary>
#
# So that every objective reads the same sentences for the same number of steps: a triplet holds
# one entailment and one contradiction, which the classifier sees as two labelled pairs. With a
# batch of twice as many pairs, the softmax run takes as many steps as the others and any
# difference comes from the objective, not from more updates or more data.
#
# </details>
#
# **3.** What in the Matryoshka loss makes the first 32 numbers a usable embedding, and what does it
# cost?
#
# <details><summary>Answer</summary>
#
# One term of the sum is the inner loss on the first 32 numbers alone, so the gradient pushes those
# 32 to rank sentences by themselves; the same numbers also appear in every longer prefix. The
# cost is that the full vector gets only part of the gradient, so at full width a Matryoshka model
# can score a little below a plain one. Shown in section 3, 'Cutting vectors short', in the
# full-width row of the table.
#
# </details>
#
# **4.** Why compare the *share* of each model's own full-width score kept at 32 dimensions rather
# than the raw scores?
#
# <details><summary>Answer</summary>
#
# The two models differ at full width too, for reasons that have nothing to do with truncation (the
# gradient the prefixes take, the noise of a short run). The question Matryoshka answers is how
# much a model loses when cut short; the share of its own full score isolates that loss. It is how
# Kusupati et al. report it (98 % of retrieval quality at 8 % of the dimensions). Shown in section
# 3, 'Cutting vectors short'.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. Train the two hard-negative models on three times as many triplets. Does the Matryoshka
#    advantage at 32 dimensions grow?
# 2. Weight the prefixes: `MatryoshkaLoss(inner, dims, weights=(4, 2, 1, 1))`. What happens at the
#    small and at the full end?
# 3. Truncate the *reference* model's 384-dimensional vectors (all-MiniLM-L6-v2, not trained with
#    Matryoshka) to 48 numbers. How much of its STS-B score is left?
# 4. Mine harder negatives: for each premise, take the training sentence closest to it that is not
#    its entailment (`course.search.top_k_cosine` on lesson 3's model). What can go wrong?

# %%
# NBVAL_IGNORE_OUTPUT
lesson.save()
