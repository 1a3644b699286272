# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 1 — Raw BERT is not a sentence encoder
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/01_raw_bert_fails.ipynb)
#
# BERT reads a sentence and returns one vector per token. A popular shortcut turned that into one
# vector per *sentence* — take the vector of the special `[CLS]` token, or average all token vectors
# — and compared sentences by the cosine of their vectors. Sentence-BERT (Reimers & Gurevych, 2019)
# opens by showing that this shortcut works badly: worse than averaging word vectors from 2014. In
# this lesson you measure that failure yourself and look at why it happens.
#
# **You will be able to**
# - judge a sentence embedding the way the paper does: Spearman correlation between cosine
#   similarity and human similarity scores (the STS benchmarks);
# - measure raw BERT with `[CLS]`, mean and max pooling, and averaged GloVe vectors, beside the
#   paper's Table 1;
# - explain why raw BERT fails (nothing in its training asks for a meaningful cosine), and why the
#   narrow cone its sentence vectors sit in (anisotropy) is a symptom of that, not the cause;
# - compute Spearman's correlation yourself, ties included.
#
# **Paper:** Section 1 (the motivation) and Section 4.1 with Table 1 (unsupervised STS: no model
# sees STS training data). The fix starts in lesson 2.

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
    "01_raw_bert_fails",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %% [markdown]
# The lines above say which **profile** this run uses. A profile only sets sizes and model names:
# `gpu` runs the paper's `bert-base-uncased` on the full data, `cpu` a small BERT
# (`google/bert_uncased_L-4_H-256_A-4`, 4 layers, 256 wide) on subsets, and `offline` (no GPU, no
# hub) a BERT of that small shape that this project pre-trained itself with BERT's two tasks
# (masked words, then next sentence) on 6 M words of mostly dictionary and fortune-cookie English
# (its model card:
# `sbert_lab/offline_models/raw-bert-L4-H256/README.md`; lesson 0 shows how). Every number printed
# is measured; a smaller BERT trained on far less text mostly scores lower than the paper's (raw
# `[CLS]` is the exception, section 1), and the text says where the order of the results is what
# matters.

# %% [markdown]
# ## 1 · What "a good sentence embedding" means here
#
# An STS (semantic textual similarity) benchmark is a list of sentence pairs, each with a human
# score from 0 (unrelated) to 5 (same meaning). An encoder turns every sentence into a vector; for
# each pair we compute the cosine of the two vectors and ask: **do the cosines put the pairs in the
# same order as the humans did?** Spearman's rank correlation measures exactly that agreement of
# order, reported ×100 (100 = identical order, 0 = no relation).
#
# Why ranks and not the raw values? An encoder may use any part of the cosine scale — only the
# order has to be right. The paper argues for Spearman over Pearson for this reason (Section 4.1).
# And no training on STS data is allowed here: the vectors must be good out of the box.

# %%
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

warnings.filterwarnings("ignore", message=".*were truncated")  # profile.max_length caps tokens
profile = lesson.profile
stsb_test = course.profiles.subset(
    sl.data.load_sts("stsb", "test", profile.data_dir), profile.eval_size
)
print(
    f"STS-B test: {len(stsb_test)} pairs (this profile evaluates at most "
    f"{profile.eval_size or 'all'})"
)

# %%
by_score = sorted(stsb_test, key=lambda pair: pair.score)
for pair in by_score[:: max(1, len(by_score) // 4)]:
    print(f"gold {pair.score:.1f}   {pair.s1}\n           {pair.s2}")

# %% [markdown]
# ## 2 · Raw BERT, three ways to pool
#
# BERT was pre-trained to fill in masked words and to guess whether two sentences follow each other.
# Nothing in that training asks the vector of a whole sentence to lie close to the vectors of
# sentences with the same meaning. Still, three recipes for a sentence vector were common:
#
# - **`[CLS]`**: the output vector of the special token BERT puts in front of every input;
# - **mean**: the average of the token vectors (the paper's "Avg. BERT embeddings");
# - **max**: for each of the H features, the largest value over the tokens.
#
# `course.baselines.raw_bert` gives the three as encoders that share one set of weights: the
# pre-trained checkpoint named by the profile, not fine-tuned at all. (The profile caps the number
# of tokens per sentence, `profile.max_length`, to save time; the few longer sentences are cut.)

# %%
raw_bert = course.baselines.raw_bert(profile.raw_model, max_length=profile.max_length)
print(raw_bert["mean"])

# %%
raw_scores = {
    mode: sl.evaluation.sts_spearman(encoder, stsb_test, batch_size=profile.encode_batch_size)
    for mode, encoder in raw_bert.items()
}
lesson.compare("STS-B test, raw BERT [CLS]", paper=16.50, measured=raw_scores["cls"])
lesson.compare("STS-B test, raw BERT mean", paper=46.35, measured=raw_scores["mean"])
lesson.compare("STS-B test, raw BERT max", paper=None, measured=raw_scores["max"])

# %% [markdown]
# The paper has no max row in Table 1 (max pooling comes back in Table 6), hence the dash. In the
# paper, `[CLS]` is the worst of all: 16.50 means its cosines barely follow the human order. `[CLS]`
# was only ever trained to feed the next-sentence classifier (lesson 0), and how far it falls
# depends on how long it was: bert-base-uncased (the `gpu` profile) for a million steps, the offline
# model for 1,800. Offline `[CLS]` still falls below mean pooling, on STS-B and on SICK-R (section
# 4), as in the paper, but by far less: about 3 points (STS-B) and 7 (SICK-R) against the
# paper's 30 and 16. Its
# `[CLS]` learnt the next-sentence task only in part (lesson 0). (After 1,000 of those steps the two
# were level on STS-B; before any, `[CLS]` was ahead.)

# %% [markdown]
# ### A control: the same network, never trained
#
# How much of that comes from what pre-training taught BERT? Take a network of the same shape whose
# weights were never trained (`profile.untrained_model`: BERT's random initialisation). Each word
# piece then gets a fixed random vector, and the layers mix them without any knowledge of language,
# so the mean of the token vectors says little more than *which word pieces a sentence contains*.
# Two sentences that share words get close vectors: an untrained BERT is a **lexical-overlap**
# baseline — and STS pairs with high scores do tend to share words.

# %%
untrained = course.baselines.raw_bert(profile.untrained_model, max_length=profile.max_length)
untrained_scores = {
    mode: sl.evaluation.sts_spearman(
        untrained[mode], stsb_test, batch_size=profile.encode_batch_size
    )
    for mode in ("cls", "mean")
}
lesson.compare("STS-B test, untrained BERT [CLS]", paper=None, measured=untrained_scores["cls"])
lesson.compare("STS-B test, untrained BERT mean", paper=None, measured=untrained_scores["mean"])
gap = untrained_scores["mean"] - raw_scores["mean"]
verdict = "better" if gap > 0 else "worse"
print(
    f"The untrained network ranks STS-B pairs {abs(gap):.1f} points {verdict} than raw BERT (mean "
    "pooling)."
)

# %% [markdown]
# On the `offline` profile the network that never learnt anything ranks STS pairs *better* than the
# one pre-trained on millions of words (the line above says which way it went in this run). That is
# not a bug in the pre-training: masked-word prediction never asked for the cosine of two sentence
# vectors to mean anything. A likely reading: pre-training fills the vectors with features that help
# predict a hidden word (its syntax, its frequency, its position), which weigh in the cosine beside
# *which* words a sentence holds, so word overlap shows less and nothing put meaning in its place.
# (Nor is it the narrow cone of section 5: offline, the untrained network's vectors sit in a
# narrower one; section 5 measures both.) Pre-training builds knowledge of language; fine-tuning
# (lessons 3 and 4) is what makes the cosine use it.

# %% [markdown]
# ## 3 · The bar to clear: averaged GloVe vectors
#
# GloVe (2014) gives every *word* one fixed vector, learned from how often words occur together.
# Averaging the word vectors of a sentence throws away word order entirely — and still beats raw
# BERT in the paper. This workbook uses GloVe 6B 50d (50 dimensions, 6 billion tokens of training
# text, installable from PyPI) instead of the paper's 840B 300d vectors (840 billion tokens, 6× the
# dimensions): expect it far below the paper's 58.02 — about 39 on all of STS-B test.

# %%
glove = course.baselines.GloVeAverage()
glove_score = sl.evaluation.sts_spearman(glove, stsb_test)
print(f"{glove}: {glove.coverage([pair.s1 for pair in stsb_test]):.1%} of the tokens have a vector")
lesson.compare("STS-B test, averaged GloVe", paper=58.02, measured=glove_score)

# %% [markdown]
# ### Where this workbook is heading
#
# For contrast, a *trained* sentence encoder of the kind you will build: the profile's reference
# model. It came after the paper and was trained on far more data, so there is no paper figure
# beside it (MTEB lists 82.03 for all-MiniLM-L6-v2 on the full STS-B test).

# %%
reference = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
reference_score = sl.evaluation.sts_spearman(
    reference, stsb_test, batch_size=profile.encode_batch_size
)
print(profile.reference_model)
lesson.compare("STS-B test, trained reference model", paper=None, measured=reference_score)

# %% [markdown]
# ## 4 · Table 1, row by row
#
# The paper evaluates on seven STS data sets: STS 2012–2016, the STS benchmark (STS-B) and SICK-R.
# Here are its figures for the three baselines (Spearman ×100). The cell checks that they average
# to the paper's own 61.32, 54.81 and 29.19 — a guard against a typo in a transcribed table.

# %%
TABLE_1 = pd.DataFrame(
    {
        "avg. GloVe": [55.14, 70.66, 59.73, 68.25, 63.66, 58.02, 53.76],
        "BERT mean": [38.78, 57.98, 57.98, 63.15, 61.06, 46.35, 58.40],
        "BERT [CLS]": [20.16, 30.01, 20.09, 36.88, 38.08, 16.50, 42.63],
    },
    index=list(sl.data.STS_TASKS),
).T
TABLE_1["avg"] = TABLE_1.mean(axis=1).round(2)
assert TABLE_1["avg"].tolist() == [61.32, 54.81, 29.19], (
    "the per-task figures must give the paper's averages"
)
TABLE_1

# %% [markdown]
# Now the same rows measured here. The profile lists the tasks it evaluates (`profile.sts_tasks`);
# each is read from `$SBERT_LAB_DATA` or downloaded from the Hugging Face hub. A task that cannot
# be loaded is reported and left out — never silently replaced.


# %%
def load_task(task):
    """Test pairs of an STS task (capped by the profile), or None after saying why it is missing."""
    try:
        return course.profiles.subset(
            sl.data.load_sts(task, "test", profile.data_dir), profile.eval_size
        )
    except sl.data.DataNotFoundError as err:
        print(f"{task}: not available, left out ({str(err).splitlines()[-1].strip().lstrip('- ')})")
        return None


# section 2's raw BERT, loaded again from its checkpoint: the same weights, the same vectors
raw_bert = course.baselines.raw_bert(profile.raw_model, max_length=profile.max_length)
encoders = {
    "avg. GloVe": glove,
    "BERT mean": raw_bert["mean"],
    "BERT [CLS]": raw_bert["cls"],
    "BERT max": raw_bert["max"],
}
measured = pd.DataFrame(index=list(encoders), columns=list(sl.data.STS_TASKS), dtype=float)
measured["stsb"] = [glove_score, raw_scores["mean"], raw_scores["cls"], raw_scores["max"]]
for task in profile.sts_tasks:
    pairs = None if task == "stsb" else load_task(task)  # STS-B was measured above
    if pairs is None:
        continue
    for method, encoder in encoders.items():
        measured.loc[method, task] = sl.evaluation.sts_spearman(
            encoder, pairs, batch_size=profile.encode_batch_size
        )
        paper = TABLE_1.loc[method, task] if method in TABLE_1.index else None
        lesson.compare(f"{task} test, {method}", paper=paper, measured=measured.loc[method, task])

# %%
done = [task for task in sl.data.STS_TASKS if measured[task].notna().any()]
print(f"Measured {len(done)} of Table 1's 7 tasks: {', '.join(done)}.")
missing = [task for task in sl.data.STS_TASKS if task not in done]
if missing:
    print(
        f"Not measured: {', '.join(missing)} (not in this profile's tasks, or not loadable); the "
        "gpu profile runs all seven."
    )
columns = {
    task: pd.DataFrame(
        {"paper": TABLE_1[task], "yours": measured[task].round(2)}, index=measured.index
    )
    for task in done
}
if len(done) == len(sl.data.STS_TASKS):  # all seven: the average, as in the paper's last column
    columns["avg"] = pd.DataFrame(
        {"paper": TABLE_1["avg"], "yours": measured.mean(axis=1).round(2)}, index=measured.index
    )
    for method in TABLE_1.index:
        lesson.compare(
            f"7-task average, {method}",
            paper=TABLE_1.loc[method, "avg"],
            measured=measured.loc[method].mean(),
        )
side_by_side = pd.concat(columns, axis=1)
side_by_side

# %% [markdown]
# ## 5 · A symptom: raw BERT's vectors point the same way
#
# Pair every STS-B sentence with a *random* other sentence: such pairs have nothing to do with each
# other, so a useful encoder should give them cosines near 0, and keep values near 1 for
# paraphrases.
#
# Raw BERT does not: its random pairs have a cosine far above 0 (printed below). Its sentence
# vectors sit in a cone: they share a few large common directions (the same frequent tokens,
# positions and special tokens in every sentence), and those shared parts dominate the cosine. Any
# two sentences look similar, and the differences that carry meaning are squeezed into part of the
# scale. This is called **anisotropy**. Whether it is *why* raw BERT ranks pairs badly is tested
# after the figure.

# %%
sentences = list(dict.fromkeys(s for pair in stsb_test for s in (pair.s1, pair.s2)))
row_of = {sentence: row for row, sentence in enumerate(sentences)}
first, second = [row_of[p.s1] for p in stsb_test], [row_of[p.s2] for p in stsb_test]
gold = np.array([pair.score for pair in stsb_test])
partner = np.random.default_rng(0).permutation(len(sentences))  # each sentence's random partner
distinct = partner != np.arange(len(sentences))

models = {"raw BERT mean": raw_bert["mean"], "trained reference": reference}
vectors = {
    name: encoder.encode(sentences, batch_size=profile.encode_batch_size)
    for name, encoder in models.items()
}

# %%
random_cosines, pair_cosines = {}, {}
for name, v in vectors.items():
    random_cosines[name] = sl.evaluation.row_cosine(
        v[distinct], v[partner[distinct]]
    )  # unrelated pairs
    pair_cosines[name] = sl.evaluation.row_cosine(v[first], v[second])  # the STS-B pairs
    lesson.compare(
        f"random-pair cosine, {name}", paper=None, measured=random_cosines[name].mean(), digits=3
    )

# %%
fig, axes = plt.subplots(1, 2, figsize=(11, 3.6), sharey=True)
for ax, name in zip(axes, models, strict=True):
    ax.hist(
        random_cosines[name],
        bins=40,
        range=(-0.2, 1.0),
        color="tab:gray",
        alpha=0.7,
        label="random pairs",
    )
    for label, chosen, color in (
        ("gold ≥ 4 (paraphrases)", gold >= 4, "tab:green"),
        ("gold ≤ 1 (unrelated)", gold <= 1, "tab:red"),
    ):
        if chosen.any():
            ax.axvline(
                pair_cosines[name][chosen].mean(),
                color=color,
                linewidth=2,
                label=f"mean cosine, {label}",
            )
    ax.set(title=name, xlabel="cosine similarity")
axes[0].set_ylabel("pairs")
axes[1].legend(loc="upper left", fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# How to read it: raw BERT's random pairs spread around a mean cosine far above 0 (0.56 offline),
# and the green line (paraphrases) sits only a little to the right of the red line (unrelated
# pairs). The trained model spreads random pairs around 0 and pulls the two lines far apart. A
# ranking by cosine can only be as good as that separation.

# %% [markdown]
# ### Is the cone the cause? Two tests
#
# If the cone were what spoils the ranking, a network whose vectors sit in a narrower cone should
# rank worse, and removing the cone should help. Both can be measured with what is at hand: the
# untrained network of section 2 (loaded again from its folder), on the same sentences, and raw
# BERT's vectors **mean-centred** — the mean vector of these STS-B test sentences subtracted from
# every vector (no gold score is used), which takes the direction all of them share out of every
# cosine.

# %%
from scipy import stats


def cone_and_ranking(v, first, second, gold, partner):
    """Mean cosine of the random pairs (row i and row partner[i], where they differ), and STS-B
    test Spearman x 100 of the pairs' cosines (rows first[i] and second[i] against gold[i])."""
    distinct = partner != np.arange(len(partner))
    random_pairs = sl.evaluation.row_cosine(v[distinct], v[partner[distinct]]).mean()
    ranking = stats.spearmanr(sl.evaluation.row_cosine(v[first], v[second]), gold).statistic
    return float(random_pairs), 100 * float(ranking)


untrained = course.baselines.raw_bert(profile.untrained_model, max_length=profile.max_length)
raw_v = vectors["raw BERT mean"]
untrained_v = untrained["mean"].encode(sentences, batch_size=profile.encode_batch_size)
raw_cone, untrained_cone, centred_cone = (
    cone_and_ranking(v, first, second, gold, partner)
    for v in (raw_v, untrained_v, raw_v - raw_v.mean(axis=0))  # centred: minus the mean vector
)
lesson.compare(
    "random-pair cosine, untrained BERT mean", paper=None, measured=untrained_cone[0], digits=3
)
lesson.compare(
    "random-pair cosine, raw BERT mean, mean-centred",
    paper=None,
    measured=centred_cone[0],
    digits=3,
)
lesson.compare("STS-B test, raw BERT mean, mean-centred", paper=None, measured=centred_cone[1])

# %%
noise = 100 * (1 - (raw_cone[1] / 100) ** 2) / np.sqrt(len(gold) - 1)  # one Spearman's std. error
narrower, better = untrained_cone[0] > raw_cone[0], untrained_cone[1] > raw_cone[1]
print(
    f"untrained vs raw BERT: random pairs {untrained_cone[0]:.3f} vs {raw_cone[0]:.3f}, STS-B "
    f"{untrained_cone[1]:.2f} vs {raw_cone[1]:.2f}: a {'narrower' if narrower else 'wider'} cone "
    f"and a {'better' if better else 'worse'} ranking"
)
gain = centred_cone[1] - raw_cone[1]
reference_score = lesson.measured("STS-B test, trained reference model")  # section 3, rounded
print(
    f"raw BERT mean-centred: random pairs {raw_cone[0]:.3f} -> {centred_cone[0]:.3f}, STS-B "
    f"{raw_cone[1]:.2f} -> {centred_cone[1]:.2f} ({gain:+.2f}; one standard error ±{noise:.1f})"
)
if abs(gain) <= noise:
    print("verdict: a symptom — without its cone raw BERT ranks no better (within noise)")
elif gain > 0:
    print(
        f"verdict: centring lifts the ranking {gain:.1f} points; the trained model's "
        f"{reference_score:.2f} stays {reference_score - centred_cone[1]:.1f} points ahead"
    )
else:
    print("verdict: a symptom — without its cone raw BERT ranks worse, not better")

# %% [markdown]
# Read the lines together. A narrow cone is what raw BERT's vectors *look like*, not what makes them
# rank badly: Spearman only sees the order of the cosines, and the order can be wrong whether the
# unrelated pairs sit at 0.9 or at 0. Offline, the untrained network sits in a narrower cone than
# raw BERT and ranks better, and centring removes raw BERT's cone without lifting its ranking beyond
# noise: the fault is in what the vectors encode, which only training for similarity changes.
# (Methods after SBERT, such as BERT-flow and whitening, go further than centring: they also rescale
# the directions.)

# %% [markdown]
# ### Look at the worst predictions
#
# A correlation hides *which* pairs go wrong. Spearman compares ranks, so measure each error in
# ranks too: turn the gold scores and each model's cosines into percentile ranks (0: the least
# similar pair of the test set, 1: the most similar) and list the pairs where the model's rank is
# furthest from the gold rank — then the pairs on which the two models disagree most. Read the
# sentences: what do raw BERT's mistakes have in common?

# %%
for name in pair_cosines:
    worst = course.errors.worst_pairs(pair_cosines[name], gold, k=3)
    course.errors.show(stsb_test, pair_cosines, worst, f"worst ranked by {name}:")
disagree = course.errors.disagreements(*pair_cosines.values(), k=3)
course.errors.show(stsb_test, pair_cosines, disagree, "where the two models disagree most:")

# %% [markdown]
# In the offline run raw BERT ranks near the top pairs with the same shape and other content ("A man
# is playing a guitar." / "A woman is riding a horse.") and near the bottom paraphrases written
# with other words or a misspelling: its mean-pooled vectors follow the form and the surface words
# of a sentence more than what it says. The trained model's worst pairs are of another kind —
# loose, conversational paraphrases (two of them even open with the same words) whose high gold
# score rests on a meaning the wording only hints at, where even annotators need a moment.

# %% [markdown]
# ## 6 · What that does to search: nearest neighbours
#
# A small hand-written corpus: 72 sentences on six topics (sport, cooking, weather, technology,
# finance, animals). For each sentence, find the most similar *other* sentence by cosine. A useful
# encoder should at least stay on topic.

# %%
topics = course.lesson_data.load_topics()
topic_of = np.array([topic for topic, _ in topics])
corpus = [text for _, text in topics]
# section 5's two encoders, loaded again from their checkpoints
raw_bert = course.baselines.raw_bert(profile.raw_model, max_length=profile.max_length)
reference = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
models = {"raw BERT mean": raw_bert["mean"], "trained reference": reference}


# %%
def nearest_neighbours(encoder, corpus):
    """Row of each corpus sentence's most cosine-similar *other* sentence (its own row is
    excluded)."""
    vectors = encoder.encode(corpus)
    _, ids = course.search.top_k_cosine(vectors, vectors, k=1, exclude=np.arange(len(corpus)))
    return ids[:, 0]  # (n,): the best of k = 1


neighbour = {name: nearest_neighbours(model, corpus) for name, model in models.items()}
for name, found in neighbour.items():
    same_topic = 100 * (topic_of[found] == topic_of).mean()
    lesson.compare(f"same-topic neighbour (%), {name}", paper=None, measured=same_topic, digits=1)

# %%
raw_found, reference_found = neighbour["raw BERT mean"], neighbour["trained reference"]
wrong = [i for i in range(len(corpus)) if topic_of[raw_found[i]] != topic_of[i]]
for i in wrong[:: max(1, len(wrong) // 4)][:4]:
    print(f"query              [{topic_of[i]}] {corpus[i]}")
    print(f"raw BERT's answer  [{topic_of[raw_found[i]]}] {corpus[raw_found[i]]}")
    print(f"trained answer     [{topic_of[reference_found[i]]}] {corpus[reference_found[i]]}\n")
print(f"raw BERT picked an off-topic neighbour for {len(wrong)} of {len(corpus)} sentences")

# %% [markdown]
# ## 7 · Exercise: Spearman's correlation by hand
#
# Every number in Table 1 is a Spearman correlation; write it yourself. Replace each value by its
# rank (1 for the smallest), then take the Pearson correlation of the two rank vectors.
#
# **Ties matter.** STS gold scores repeat a lot (many pairs score exactly 4.0), and tied values must
# share the average of the ranks they occupy: the values 10, 20, 20, 30 get the ranks 1, 2.5, 2.5,
# 4. Complete `average_ranks` and `spearman` below, without `scipy`. The check after them compares
# yours with `scipy` on STS-B test: the gold scores against the number of words the two sentences
# of each pair share, two lists full of ties.


# %% tags=["solution"]
def average_ranks(values):
    """Rank of each value, 1 = smallest; tied values share the mean of the ranks they occupy."""
    values = np.asarray(values, dtype=float)
    smaller = (values[:, None] > values[None, :]).sum(axis=1)  # values strictly below each one
    equal = (values[:, None] == values[None, :]).sum(axis=1)  # values tied with it, itself included
    return smaller + (equal + 1) / 2


def spearman(x, y):
    """Spearman's rank correlation of x and y, between -1 and 1."""
    return float(np.corrcoef(average_ranks(x), average_ranks(y))[0, 1])


# %%
from scipy.stats import spearmanr

course.lesson.check(
    np.allclose(average_ranks([10, 20, 20, 30]), [1, 2.5, 2.5, 4]),
    "average_ranks([10, 20, 20, 30]) should be [1, 2.5, 2.5, 4], got "
    f"{average_ranks([10, 20, 20, 30])}",
    hint="count the values strictly below each value, then add (number of equal values + 1) / 2",
)
gold = [example.score for example in stsb_test]  # STS-B test's gold scores, many of them tied
shared = [  # how many words the two sentences of each pair share: ties again
    len(set(example.s1.lower().split()) & set(example.s2.lower().split())) for example in stsb_test
]
course.lesson.check(
    abs(spearman(shared, gold) - spearmanr(shared, gold).statistic) < 1e-9,
    "spearman() disagrees with scipy.stats.spearmanr on STS-B test: the number of words the two "
    "sentences of a pair share, against the gold scores (ties on both sides)",
    hint="Pearson correlation of the two rank vectors: np.corrcoef(ranks_x, ranks_y)[0, 1]",
)

# %%
results_file = lesson.save()

# %% [markdown]
# ## Summary
#
# - **What failed.** Sentence vectors read off pre-trained BERT — `[CLS]` or the mean of the token
#   vectors — order STS pairs poorly: in the paper, 16.50 (`[CLS]`) and 46.35 (mean) Spearman on
#   STS-B, below averaged GloVe vectors (58.02). Nearest-neighbour search with them drifts off
#   topic.
# - **Why.** Nothing in BERT's pre-training (masked words, next sentence) asks sentence vectors to
#   be *compared by cosine*. The vectors also crowd into a cone (anisotropy), but that is a
#   symptom, not the cause: section 5 removes the cone by mean-centring and prints how much of the
#   ranking comes back (offline: nothing beyond noise), and offline an untrained network in a
#   narrower cone ranks better. `[CLS]` is worst in the paper: it was only trained to feed a
#   classifier for next-sentence prediction.
# - **What fixes it.** Train BERT so that cosine similarity *is* what the objective rewards: run one
#   shared BERT over both sentences (a siamese network), pool its token vectors into one vector, and
#   fine-tune on sentence pairs with known relations. Lesson 2 builds that encoder step by step;
#   lesson 3 trains it on NLI data, which in the paper moves STS-B from 46.35 to 77.03 (942k pairs;
#   offline, on a few thousand pairs, far less: lesson 3 shows how much).

# %% [markdown]
# ## Check your understanding
#
# **1.** Why does this lesson score an encoder with Spearman's correlation between cosines and gold
# scores, and not with Pearson's?
#
# <details><summary>Answer</summary>
#
# What matters for ranking and search is the order of the pairs, and an encoder may use any part of
# the cosine scale to express it: one may put paraphrases at 0.95 and unrelated pairs at 0.90,
# another at 0.8 and 0.1. Spearman compares ranks only, so it judges both by the order they give.
# Pearson also measures how close the cosines lie to a straight line against the gold scores, which
# a right order does not need. Shown in section 1, 'What "a good sentence embedding" means here'.
#
# </details>
#
# **2.** Why is `[CLS]` the worst pooling in the paper's Table 1, and why does it trail mean pooling
# by far less offline?
#
# <details><summary>Answer</summary>
#
# `[CLS]` was only ever trained to feed the next-sentence classifier (lesson 0): nothing made the
# cosine of two `[CLS]` vectors follow meaning, while a mean at least averages the vectors of the
# sentence's own words. How far it falls depends on how long it served that classifier:
# bert-base-uncased trained it for a million steps, the offline model for 1,800, and the offline
# `[CLS]` was ahead of mean pooling before any next-sentence training and level with it after 1,000
# steps. The more `[CLS]` was tuned to the classifier, the worse its cosine ranked the pairs. Shown
# in section 2, 'Raw BERT, three ways to pool', in the note after its scores.
#
# </details>
#
# **3.** On the offline profile an untrained network ranks STS-B pairs better than the pre-trained
# one. Does that mean pre-training taught BERT nothing?
#
# <details><summary>Answer</summary>
#
# No: lesson 0 shows the pre-trained model fills in hidden words far better than the untrained one.
# The untrained network's mean vector says little more than which word pieces a sentence contains,
# so it is a lexical-overlap baseline, and STS pairs with high scores tend to share words.
# Pre-training builds knowledge of language, but nothing in it asks the cosine of two sentence
# vectors to use that knowledge; fine-tuning (lessons 3 and 4) is what does. Shown in section 2, 'A
# control: the same network, never trained'.
#
# </details>
#
# **4.** Averaged GloVe ignores word order entirely. Why can it still beat raw BERT on STS, in the
# paper and offline?
#
# <details><summary>Answer</summary>
#
# GloVe's training shapes the dot products of its vectors directly: words that occur in similar
# contexts get similar vectors. An average of them is a vector of which words, and which kinds of
# words, a sentence holds, and sentences that people score as similar mostly share words or use
# related ones. Raw BERT's pooled vectors were never trained to be compared at all, so their cosine
# has no such head start. Shown in section 3, 'The bar to clear: averaged GloVe vectors', and in
# section 4's table.
#
# </details>
#
# **5.** Spearman only looks at order. Why, then, is the high cosine raw BERT gives unrelated pairs
# not by itself the reason it ranks STS-B pairs badly?
#
# <details><summary>Answer</summary>
#
# If every cosine were squeezed into a narrow band near 1 but kept its order, Spearman would not
# change at all. What hurts is that inside the band the order barely follows meaning: in section 5's
# figure the mean cosine of paraphrases (green) sits only a little right of that of unrelated pairs
# (red). The narrow cone is a symptom, the sign of vectors dominated by what all sentences share
# rather than by what each one says: subtracting the mean vector removes the cone, and the printed
# verdict says how much of the ranking comes back (offline: nothing beyond noise), while an
# untrained network in a narrower cone ranks better. Shown in section 5, 'A symptom: raw BERT's
# vectors point the same way', and its part 'Is the cone the cause? Two tests'.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. Spearman vs Pearson: compute `scipy.stats.pearsonr` on section 5's STS-B test cosines
#    (`pair_cosines`) for raw BERT and for the trained model. Which metric changes more, and why
#    does the paper prefer Spearman?
# 2. Whitening: section 5 only subtracted the mean vector. Also rescale: rotate the centred vectors
#    onto their principal directions (`np.linalg.svd` of the centred matrix) and divide each
#    coordinate by its standard deviation. Does raw BERT's STS-B score move now? (BERT-whitening,
#    Su et al. 2021, does this.)
# 3. Look at raw BERT's wrong neighbours above: what do the query and its neighbour share — length,
#    punctuation, frequent words? What does that tell you about what the raw vectors encode?
# 4. Which layer? Raw BERT's last layer is tuned for predicting words. Average the token vectors of
#    an earlier layer instead (`encoder.model(**features, output_hidden_states=True).hidden_states`)
#    and compare STS-B scores layer by layer.
