# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.0
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 7 — The geometry of sentence embeddings
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/07_embedding_geometry.ipynb)
#
# Lessons 1–6 judged sentence vectors by numbers: Spearman correlations, accuracies, seconds. This
# lesson **looks at the space itself**, before and after fine-tuning, and asks what changed.
#
# **You will learn**
# - to measure **anisotropy** (the mean cosine of unrelated sentences) and why it equals, almost
#   exactly, the squared length of the mean direction of the vectors;
# - to read a cosine-similarity **heat map**;
# - to project vectors to 2-D with **PCA** (linear, keeps the largest variance) and **UMAP** (keeps
#   neighbourhoods), and what each picture can and cannot tell you;
# - to check a picture against numbers measured in the full space (neighbour purity, entailment vs
#   contradiction cosines);
# - to explore nearest neighbours in the raw and the fine-tuned space side by side.
#
# **Rebuilds** the argument of Section 1 and Table 1 of Reimers & Gurevych (2019): raw BERT's
# sentence vectors are "rather bad sentence embeddings" for cosine similarity, and siamese
# fine-tuning (Section 3) makes cosine meaningful. The paper draws no picture of the space, so the
# figures here have no paper counterpart; the anisotropy measure is Ethayarajh's (2019).

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
    "07_embedding_geometry",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import json
import textwrap

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display
from scipy.stats import spearmanr

profile = lesson.profile

# %% [markdown]
# ## 1 · Three spaces
#
# We compare three encoders on the same sentences:
#
# - **raw BERT**: `profile.raw_model` with mean pooling, never trained on sentence pairs — the
#   starting point of the paper;
# - **SBERT-NLI (yours)**: the same network after the NLI fine-tuning of lesson 3
#   (`course.recipes.nli_model` loads it from `runs/`, or trains it now with this profile's sizes);
# - **reference SBERT**: `profile.reference_model`, a trained SBERT-style model (all-MiniLM-L6-v2,
#   trained on far more pairs than the paper used) — what a well-trained space looks like.
#
# How far "yours" moves from raw BERT depends on how much NLI it saw and how: the paper's 942k pairs
# reshape the space. The `offline` profile's model (lesson 3's in-batch negatives on about 3,000
# entailment pairs) spreads it out and starts to group it — the numbers below measure how far. The
# reference panel shows what far more training gives.

# %%
raw = sl.SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
yours = course.recipes.nli_model(profile, quick=True)  # lesson 3's model, or a quicker one
reference = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
encoders = {"raw BERT": raw, "SBERT-NLI (yours)": yours, "reference SBERT": reference}
for name, encoder in encoders.items():
    print(f"{name:<18} {encoder.name_or_path}  ({encoder.dim} dimensions)")

# %% [markdown]
# ## 2 · The sentences
#
# Three sources, about `profile.projection_points` sentences in all (the "pool"):
#
# - the **topic corpus** shipped with the package: 72 hand-written sentences in six topics, where
#   rows 1–2, 3–4 and 5–6 of each topic are paraphrases (it exists everywhere, so every profile
#   draws the same topic plots);
# - **STS-B** dev sentences (a third of the rest);
# - **NLI** premises from `profile.nli_eval`, each with all its hypotheses and their labels
#   (entailment / neutral / contradiction), for section 6.

# %%
topics = course.lesson_data.load_topics()
topic_labels = [topic for topic, _ in topics]
topic_sentences = [sentence for _, sentence in topics]

budget = max(0, profile.projection_points - len(topic_sentences))
sts_pairs = sl.data.load_sts("stsb", "dev", profile.data_dir)
sts_sentences = course.profiles.subset(
    list(dict.fromkeys(s for p in sts_pairs for s in (p.s1, p.s2))), budget // 3
)

hypotheses_of = {}  # premise -> its NLI pairs (SNLI has about three per premise, one per label)
for pair in sl.data.load_nli(*profile.nli_eval, profile.data_dir):
    hypotheses_of.setdefault(pair.premise, []).append(pair)
premises = course.profiles.subset(
    list(hypotheses_of), (budget - len(sts_sentences)) // 4
)  # ~4 sentences each
nli_pairs = [pair for premise in premises for pair in hypotheses_of[premise]]
nli_sentences = list(dict.fromkeys(s for p in nli_pairs for s in (p.premise, p.hypothesis)))

sources = {"topics": topic_sentences, "STS-B": sts_sentences, "NLI": nli_sentences}
pool = list(dict.fromkeys(s for group in sources.values() for s in group))  # every sentence once
source_of = {s: name for name, group in reversed(list(sources.items())) for s in group}
for name, group in sources.items():
    print(f"{name:<7} {len(group):>5} sentences")
print(f"pool    {len(pool):>5} sentences, with {len(nli_pairs)} NLI pairs among them")

# %%
# The topic corpus is the same in every profile and on every machine:
# NBVAL_CHECK_OUTPUT
print({topic: topic_labels.count(topic) for topic in dict.fromkeys(topic_labels)})
print(topic_sentences[0], "|", topic_sentences[1])

# %% [markdown]
# Each encoder turns the pool into unit-length vectors (rows of `vectors[name]`). With unit vectors
# a dot product *is* the cosine, which makes everything below one matrix product. The cell also
# keeps the pool (with its sources and NLI pairs) and its vectors in the lesson's own folder
# (`lesson.kept_dir()`): sections 4–7 read them back from there instead of encoding again.

# %%
vectors = {
    name: course.search.normalize_rows(encoder.encode(pool, batch_size=profile.encode_batch_size))
    for name, encoder in encoders.items()
}
print({name: v.shape for name, v in vectors.items()})

# Kept for sections 4-7, in the lesson's own folder on disk
kept = lesson.kept_dir()
np.savez(kept / "vectors.npz", **vectors)
pool_info = {"pool": pool, "source_of": source_of, "nli_pairs": nli_pairs}
(kept / "pool.json").write_text(json.dumps(pool_info))

# %% [markdown]
# ## 3 · Anisotropy: how alike do unrelated sentences look?
#
# Lesson 1 showed that raw BERT gives random, unrelated sentence pairs a high cosine. Here that
# becomes one number per space: the **mean cosine of random pairs**. A space that uses its
# directions well ("isotropic") puts unrelated sentences near 0; an anisotropic one crowds every
# vector into a narrow cone, and cosine loses its resolution.

# %%
rng = np.random.default_rng(0)
first = rng.integers(len(pool), size=5000)
second = (first + rng.integers(1, len(pool), size=5000)) % len(pool)  # never the same sentence
random_cosines = {name: (v[first] * v[second]).sum(axis=1) for name, v in vectors.items()}
for name, sample in random_cosines.items():
    lesson.compare(
        f"mean cosine of random pairs, {name}", paper=None, measured=sample.mean(), digits=3
    )

# %%
fig, ax = plt.subplots(figsize=(7, 3.4))
for name, sample in random_cosines.items():
    ax.hist(
        sample,
        bins=60,
        range=(-1, 1),
        histtype="step",
        linewidth=1.6,
        label=f"{name} (mean {sample.mean():.2f})",
    )
ax.axvline(0, color="black", linewidth=0.5)
ax.set(
    xlabel="cosine similarity of two random sentences",
    ylabel="pairs",
    title="anisotropy: where unrelated pairs land",
)
ax.legend(fontsize=8, loc="upper left")
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise: anisotropy exactly, over all pairs
#
# 5,000 random pairs give an *estimate*. Write `mean_pairwise_cosine(x)`: the mean cosine over
# **all** pairs of different rows of `x` (n rows → n(n−1) ordered pairs; leave out the diagonal,
# where every cosine is 1). Normalise the rows first — do not assume they already have unit length.


# %% tags=["solution"]
def mean_pairwise_cosine(x: np.ndarray) -> float:
    """Mean cosine similarity over all pairs (i, j) with i != j of the rows of x (n, d)."""
    unit = x / np.linalg.norm(x, axis=1, keepdims=True)
    sims = unit @ unit.T  # (n, n)
    n = len(x)
    return float((sims.sum() - np.trace(sims)) / (n * (n - 1)))


# %%
from sklearn.metrics.pairwise import cosine_similarity

x = vectors["reference SBERT"][:200]
x = x * np.linspace(0.5, 3.0, len(x))[:, None]  # rows of different lengths
full = cosine_similarity(x)  # scikit-learn's all-pairs cosine
expected = full[~np.eye(len(x), dtype=bool)].mean()
course.lesson.check(
    abs(mean_pairwise_cosine(x) - expected) < 1e-4,
    f"mean_pairwise_cosine gives {mean_pairwise_cosine(x):.4f}; scikit-learn's matrix gives "
    f"{expected:.4f}",
    hint="normalise each row to length 1, take the (n, n) matrix of dot products, and average it "
    "without its diagonal",
)

# %% [markdown]
# **Why is it a cone?** Write each unit vector as $\hat u_i$ and their mean as
# $m = \frac1n\sum_i \hat u_i$. The sum of all n² cosines is
# $\lVert\sum_i \hat u_i\rVert^2 = n^2\lVert m\rVert^2$, and the diagonal contributes n, so
#
# $$\text{mean pairwise cosine} = \frac{n^2\lVert m\rVert^2 - n}{n(n-1)}
#   \approx \lVert m\rVert^2 .$$
#
# Anisotropy *is* the squared length of the mean direction: all vectors share one common component.
# Subtracting the mean removes it — lesson 1's section 5 did exactly that (the cone went from
# 0.556 to −0.010 while STS-B barely moved) — and the
# identity gives the answer for 20,000 sentences without ever building the 20,000 × 20,000 matrix.

# %%
for name, v in vectors.items():
    n, mean_length = len(v), np.linalg.norm(v.mean(axis=0))
    by_identity = (n**2 * mean_length**2 - n) / (n * (n - 1))
    centred = v - v.mean(axis=0)
    print(
        f"{name:<18} exact {sl.evaluation.mean_pairwise_cosine(v):6.3f}   via |m|² "
        f"{by_identity:6.3f}   |m| {mean_length:.2f}   after subtracting the mean "
        f"{sl.evaluation.mean_pairwise_cosine(centred):6.3f}"
    )

# %% [markdown]
# ## 4 · A similarity heat map
#
# Sections 4–6 work on section 2's pool (its sentences, their sources, the NLI pairs) and vectors.
# The next cell reads them back from the files section 2 kept (`lesson.kept_dir()`): after it, any
# cell of these sections can be re-run on its own, and nothing is encoded again.

# %%
kept = lesson.kept_dir()
vectors = dict(np.load(kept / "vectors.npz"))  # name -> unit rows, one per pool sentence
pool_info = json.loads((kept / "pool.json").read_text())
pool, source_of = pool_info["pool"], pool_info["source_of"]
nli_pairs = [sl.data.NLIPair(*fields) for fields in pool_info["nli_pairs"]]
row_of = {text: row for row, text in enumerate(pool)}
topics = course.lesson_data.load_topics()
topic_labels = [label for label, _ in topics]
topic_rows = np.array([row_of[text] for _, text in topics])

# %% [markdown]
# The first four sentences of each topic (two pairs of paraphrases), grouped by topic. On a fixed
# −1…1 colour scale a useful space shows a **block diagonal**: red within a topic, pale across
# topics, with the darkest 2 × 2 squares on the paraphrases. An anisotropic space is red everywhere.

# %%
first_four = [
    k
    for t in dict.fromkeys(topic_labels)
    for k in [j for j, lab in enumerate(topic_labels) if lab == t][:4]
]
heat_rows, heat_labels = topic_rows[first_four], [topic_labels[k] for k in first_four]
fig, axes = plt.subplots(1, 3, figsize=(13, 4.2))
for ax, (name, v) in zip(axes, vectors.items(), strict=True):
    image = course.viz.plot_similarity_heatmap(
        ax, v[heat_rows], heat_labels if ax is axes[0] else None, title=name
    )
fig.colorbar(image, ax=axes, shrink=0.8, label="cosine similarity")
plt.show()

# %% [markdown]
# ## 5 · Pictures of the space: PCA and UMAP
#
# A 256- or 384-dimensional space (768 for BERT-base) has to be squeezed into 2-D to be seen, and
# every squeeze lies a little:
#
# - **PCA** keeps the two directions of largest variance. It is linear and honest about global
#   layout, but the top directions may encode something other than meaning (length, punctuation).
# - **UMAP** (McInnes et al. 2018) keeps each point's nearest neighbours together. Clusters are
#   meaningful; distances *between* clusters and cluster sizes are not.
#
# Both are fitted on the whole pool; the topic sentences are coloured by topic, the STS-B and NLI
# sentences drawn in grey behind them. `course.viz.pca_2d` and `course.viz.umap_2d` cache their
# results under a hash of the vectors, so re-running a cell is instant. UMAP compiles its code on
# the first fit in a Python process: the next cell takes several seconds once.

# %%
# NBVAL_IGNORE_OUTPUT
topic_of = {text: label for label, text in topics}
point_labels = [topic_of.get(text, source_of[text]) for text in pool]  # a topic, "STS-B" or "NLI"
fig, axes = plt.subplots(2, 3, figsize=(14, 8.5))
for column, (name, v) in enumerate(vectors.items()):
    for row, (method, project) in enumerate(
        (("PCA", course.viz.pca_2d), ("UMAP", course.viz.umap_2d))
    ):
        course.viz.plot_projection(
            axes[row, column],
            project(v),
            point_labels,
            muted=("STS-B", "NLI"),
            title=f"{name} — {method}",
            legend=(row, column) == (0, 0),
        )
plt.tight_layout()
plt.show()

# %% [markdown]
# A picture can mislead, so check it with a number measured in the **full** space: for each topic
# sentence, the share of its 5 nearest neighbours (by cosine, among the other 71) that have the same
# topic. Chance is 11/71 ≈ 0.15.


# %%
def neighbour_purity(v: np.ndarray, labels: list[str], k: int = 5) -> float:
    """Share of each row's k nearest rows (cosine, itself left out) that carry the same label."""
    _, ids = course.search.top_k_cosine(v, v, k=k, exclude=np.arange(len(v)))
    labels = np.asarray(labels)
    return float((labels[ids] == labels[:, None]).mean())


for name, v in vectors.items():
    lesson.compare(
        f"5-NN topic purity, {name}",
        paper=None,
        measured=neighbour_purity(v[topic_rows], topic_labels),
        digits=2,
    )

# %% [markdown]
# Read the three against chance (0.15). The reference, trained on a billion pairs of every kind,
# groups the topics. Your SBERT-NLI moves from raw BERT towards it, but only part of the way: NLI's
# sentences describe people and scenes rather than these six topics, and a few thousand pairs
# (offline) teach a small BERT only some of what meaning-based neighbourhoods need.
#
# What does PCA's first axis measure? Colour *all* pooled sentences by their length in tokens and
# compare the rank correlation of the first principal component with length. If length explains the
# main direction of variation, the space spends its largest variance on something that is not
# meaning.

# %%
raw = sl.SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
lengths = np.array(raw.token_lengths(pool))  # raw BERT's tokenizer
fig, axes = plt.subplots(1, 3, figsize=(14, 4))
for ax, (name, v) in zip(axes, vectors.items(), strict=True):
    coords = course.viz.pca_2d(v)
    rho = spearmanr(coords[:, 0], lengths).statistic
    points = ax.scatter(coords[:, 0], coords[:, 1], c=lengths, cmap="viridis", s=10)
    ax.set(
        title=f"{name}\nSpearman(PC1, length) = {rho:+.2f}",
        xlabel="PC1",
        ylabel="PC2",
        xticks=[],
        yticks=[],
    )
    lesson.record(f"Spearman(PC1, token length), {name}", round(float(rho), 2))
fig.colorbar(points, ax=axes, shrink=0.8, label="tokens")
plt.show()

# %% [markdown]
# ## 6 · Does the space know about entailment?
#
# The paper's SBERT-NLI was trained to *classify* NLI pairs from (u, v, |u − v|), not to put
# entailed sentences close (the offline model was trained with in-batch negatives, which does ask
# for it). Yet if the training worked, a hypothesis entailed by its premise should sit closer to it
# than a contradicting one. Here are the cosines of premise and hypothesis, split by gold label.

# %%
labels = sl.data.NLI_LABELS
gold = np.array([example.label for example in nli_pairs])
premise_rows = np.array([row_of[example.premise] for example in nli_pairs])
hypothesis_rows = np.array([row_of[example.hypothesis] for example in nli_pairs])
nli_cosines = {
    name: (v[premise_rows] * v[hypothesis_rows]).sum(axis=1) for name, v in vectors.items()
}  # unit rows

print(f"{'mean cos(premise, hypothesis)':<30}" + "".join(f"{label:>15}" for label in labels))
for name, cosines in nli_cosines.items():
    means = [cosines[gold == label_id].mean() for label_id in range(len(labels))]
    print(f"{name:<30}" + "".join(f"{m:>15.3f}" for m in means))
    lesson.compare(
        f"entailment − contradiction cosine, {name}",
        paper=None,
        measured=means[0] - means[2],
        digits=3,
    )

# %%
separation = {
    name: cosines[gold == 0].mean() - cosines[gold == 2].mean()
    for name, cosines in nli_cosines.items()
}
for name, gap in separation.items():
    print(
        f"{name:<30} entailed hypotheses sit {'closer' if gap > 0 else 'farther'} than "
        f"contradicting ones by {abs(gap):.3f} in cosine"
    )

# %% [markdown]
# The reference model separates the labels clearly. Yours separates them less, but in the right
# direction where raw BERT hardly does: SNLI's contradictions reuse most of the premise's words, so
# a space built on shared words puts them as close as entailed hypotheses. Lesson 3's in-batch
# negatives pulled each premise towards its entailed hypothesis, which is what moves this gap; the
# paper's softmax objective asks for it only through the classifier. The line above says by how
# much it moved in your run.

# %%
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4), sharey=True)
for ax, (name, cosines) in zip(axes, nli_cosines.items(), strict=True):
    for label_id, label in enumerate(labels):
        ax.hist(
            cosines[gold == label_id],
            bins=30,
            range=(-0.2, 1),
            histtype="step",
            linewidth=1.6,
            label=label,
        )
    ax.set(title=name, xlabel="cos(premise, hypothesis)")
axes[0].set_ylabel("pairs")
axes[0].legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7 · Explore: nearest neighbours in each space
#
# `neighbours_table` retrieves the 5 nearest pool sentences of a sentence in every space (the
# sentence itself left out) and prints them side by side. A raw space returns sentences that *look*
# alike (length, the same function words); a trained one returns sentences that *mean* alike. It
# takes the encoders, the vectors and the pool as arguments: the cell after it loads them again.


# %%
def neighbours_table(
    sentence: str, encoders: dict, vectors: dict, pool: list[str], k: int = 5, width: int = 40
) -> str:
    """The k nearest ``pool`` sentences of ``sentence`` in each space, side by side, with cosines.

    ``vectors[name]`` holds the pool's unit rows in the space of ``encoders[name]``, which encodes a
    sentence that is not in the pool."""
    columns = []
    for name, encoder in encoders.items():
        if sentence in pool:
            row = pool.index(sentence)
            query, skip = vectors[name][[row]], [row]
        else:
            query, skip = encoder.encode([sentence]), None
        scores, ids = course.search.top_k_cosine(query, vectors[name], k=k, exclude=skip)
        cells = [
            f"{s:.2f} {textwrap.shorten(pool[i], width - 5, placeholder='…')}"
            for s, i in zip(scores[0], ids[0], strict=True)
        ]
        columns.append([name, "-" * len(name), *cells])
    lines = ["  ".join(f"{col[r]:<{width}}" for col in columns).rstrip() for r in range(k + 2)]
    return f"query: {sentence}\n\n" + "\n".join(lines)


# %%
# The three encoders again (a typed sentence must be encoded), and section 2's pool and vectors
raw = sl.SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
yours = course.recipes.nli_model(profile, quick=True)  # section 1's model, loaded from runs/
reference = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
encoders = {"raw BERT": raw, "SBERT-NLI (yours)": yours, "reference SBERT": reference}
kept = lesson.kept_dir()
vectors = dict(np.load(kept / "vectors.npz"))
pool = json.loads((kept / "pool.json").read_text())["pool"]
print(neighbours_table(pool[0], encoders, vectors, pool))  # pool[0]: the first topic sentence

# %% [markdown]
# Now pick any pooled sentence, or type your own and press Enter. (Widgets need a live kernel: on
# GitHub you see only the table printed above.)

# %%
# NBVAL_IGNORE_OUTPUT
picker = widgets.Dropdown(
    options=pool[:300],
    value=pool[0],
    description="sentence",
    layout=widgets.Layout(width="95%"),
)
typed = widgets.Text(
    placeholder="…or type a sentence and press Enter",
    description="your own",
    layout=widgets.Layout(width="95%"),
)
shown = widgets.Output()


# %%
# NBVAL_IGNORE_OUTPUT
def show(
    sentence: str, output: widgets.Output, encoders: dict, vectors: dict, pool: list[str]
) -> None:
    """Replace what ``output`` shows with the neighbours table of ``sentence``."""
    with output:
        output.clear_output()
        print(neighbours_table(sentence, encoders, vectors, pool))


picker.observe(lambda change: show(change["new"], shown, encoders, vectors, pool), names="value")
typed.continuous_update = False
typed.observe(
    lambda change: (
        show(change["new"], shown, encoders, vectors, pool) if change["new"].strip() else None
    ),
    names="value",
)
display(widgets.VBox([picker, typed, shown]))
show(picker.value, shown, encoders, vectors, pool)

# %% [markdown]
# ## Summary
#
# - **Anisotropy** is one number: the mean cosine of unrelated sentences, which equals (up to 1/n)
#   the squared length of the vectors' mean direction $\lVert m\rVert^2$. A raw encoder spends most
#   of every vector on that shared direction; fine-tuning on sentence pairs spreads the vectors out,
#   so cosine can separate related from unrelated pairs.
# - A **heat map** on a fixed scale shows both facts at once: block structure (meaning) and overall
#   colour (anisotropy).
# - **PCA** shows the directions of largest variance — check what they encode (length?) before
#   reading meaning into them. **UMAP** shows neighbourhoods; trust its clusters, not its distances.
# - Check every picture with a number from the full space (neighbour purity, cosines by NLI label).
# - The paper's claim (Section 1, Table 1) that raw BERT vectors are poor for cosine similarity is
#   visible as geometry; siamese fine-tuning (Section 3) is what reshapes the space.

# %% [markdown]
# ## Check your understanding
#
# **1.** What does the mean cosine of random sentence pairs measure, and why is a high value a
# symptom of a poor sentence space rather than its cause?
#
# <details><summary>Answer</summary>
#
# It is (up to 1/n) the squared length of the vectors' mean direction: how much of every vector
# is spent on one shared direction. Spearman only looks at the order of cosines, so a shared
# offset alone would not spoil a ranking; raw BERT ranks pairs badly because the directions
# that are left do not follow meaning. A random network's space is even more anisotropic and
# can still rank by word overlap. Shown in section 3, 'Anisotropy: how alike do unrelated
# sentences look?'.
#
# </details>
#
# **2.** Why check a UMAP picture with a number measured in the full space?
#
# <details><summary>Answer</summary>
#
# UMAP keeps neighbourhoods but distorts distances and can draw clusters that a different
# setting would split or merge; the picture is a projection of hundreds of dimensions onto two.
# The share of each sentence's nearest neighbours (by cosine, in all dimensions) that share its
# topic is a number the projection cannot change. Shown in section 5, 'Pictures of the space:
# PCA and UMAP', and its 5-NN topic purity.
#
# </details>
#
# **3.** Why would NLI training move entailed hypotheses closer to their premise than contradicting
# ones, although a contradiction reuses most of the premise's words?
#
# <details><summary>Answer</summary>
#
# With in-batch negatives the entailed hypothesis is the positive each premise must pick out,
# so training pulls it towards the premise by cosine; with the softmax objective the
# classifier needs |u − v| small for entailment and large for contradiction. A space built on
# shared words cannot tell the two apart, so how far the gap moves shows how much the training
# changed the space. Shown in section 6, 'Does the space know about entailment?'.
#
# </details>
#
# **4.** Raw BERT's first principal component may follow sentence length. Why is that a warning
# about reading meaning into a PCA plot?
#
# <details><summary>Answer</summary>
#
# PCA's first axis is the direction of largest variance, whatever it encodes. If the number of
# tokens explains it, the space spends its largest variance on something that is not meaning,
# and a plot of the first two components shows mostly length. Shown in section 5, in the plot
# coloured by token length with Spearman(PC1, length) in each title.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. **Whitening.** Subtract the mean *and* divide by the standard deviation along each principal
#    direction of raw BERT's vectors. Re-measure anisotropy and 5-NN topic purity. Does raw BERT
#    become a good encoder, or only an isotropic one?
# 2. **UMAP's knobs.** Redraw the UMAP panels with `n_neighbors=5` and `n_neighbors=50`, and
#    `min_dist=0.5`. Which features of the picture survive every setting?
# 3. **Pooling.** Repeat sections 3 and 5 with `raw.with_pooling("cls")`. Is the `[CLS]` space more
#    or less anisotropic than mean pooling? Relate it to Table 1 (CLS 29.19 vs mean 54.81).
# 4. **Length.** Find the pool sentences whose raw-BERT nearest neighbour has a different topic or
#    source. How often do the two have about the same number of tokens?

# %%
lesson.save()
