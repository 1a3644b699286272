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
# # Lesson 6 — What a bi-encoder saves: 65 hours against 5 seconds
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/06_cost_bi_vs_cross.ipynb)
#
# Lesson 4 trained a cross-encoder — BERT reading both sentences at once — beside SBERT. In the
# paper's Table 2 the two are level when trained on STS-B alone (BERT-base: cross-encoder 84.30,
# SBERT 84.67), and with NLI first and BERT-large the cross-encoder leads (88.77 against 86.10).
# Offline, the cross-encoder made from the small BERT learns little and stays far below the
# bi-encoder; lesson 4 prints both and explains why (a cross-encoder depends on pretraining more
# than a bi-encoder does). Either way the cross-encoder has a cost that SBERT avoids, and that cost
# is this lesson's subject: it measures it, on your machine, and extrapolates.
#
# **You will learn**
# - why comparing all pairs of n sentences takes n(n−1)/2 cross-encoder passes but only n bi-encoder
#   passes, and what that does at n = 10,000 and at 40 million;
# - to time a model properly (warm-up, best of several runs, seconds per item);
# - how much *smart batching* (sorting sentences by length) and bf16 add on top.
#
# **Rebuilds** the abstract and Section 1 of Reimers & Gurevych (2019) — finding the most similar
# pair in a collection of 10,000 sentences takes about 50 million inference computations (~65 hours)
# with BERT, against ~5 seconds with SBERT — the Quora example of Section 1, and Section 7 (Table 7,
# computational efficiency and smart batching).

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
    "06_cost_bi_vs_cross",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import json

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from sbert_lab.course import cost

profile = lesson.profile

# %% [markdown]
# ## 1. Two ways to score a pair
#
# ```
#   cross-encoder (BERT, lesson 4)           bi-encoder (SBERT)
#
#   [CLS] s1 [SEP] s2 [SEP]                   s1                  s2
#            │                                │                   │
#        ┌──────┐                         ┌──────┐            ┌──────┐
#        │ BERT │  one pass per PAIR       │ BERT │            │ BERT │  one pass per SENTENCE
#        └──────┘                         └──────┘            └──────┘
#            │                                │ u                 │ v   (stored, reused)
#        score                                └──── cos(u, v) ────┘   a dot product: ~free
# ```
#
# The cross-encoder lets every word of s1 attend to every word of s2; that is why it is accurate,
# and also why nothing it computes can be reused: change one sentence of the pair and the whole pass
# is redone. To find the most similar pair among n sentences it must run on every pair — $n(n-1)/2$
# of them. The bi-encoder runs once per sentence; comparing two stored vectors is a dot product.
#
# ## 2. Counting passes
#
# `cost.pairs_needed(n)` is $n(n-1)/2$. The paper's n = 10,000 gives 49,995,000 — almost 50 million
# passes of BERT, against 10,000 for SBERT.

# %%
# NBVAL_CHECK_OUTPUT
for size in (10, 100, 1_000, 10_000, 40_000_000):
    print(
        f"n = {size:>12,}   cross-encoder passes {cost.pairs_needed(size):>26,}   "
        f"bi-encoder passes {size:>12,}"
    )

# %%
# NBVAL_IGNORE_OUTPUT
ns = np.unique(np.geomspace(2, 10**8, 300).round().astype(np.int64))
fig, ax = plt.subplots(figsize=(6.5, 4))
ax.loglog(
    ns, ns * (ns - 1) / 2, color=course.viz.CROSS_COLOR, label="cross-encoder: n(n−1)/2 passes"
)
ax.loglog(ns, ns, color=course.viz.YOURS_COLOR, label="bi-encoder: n passes")
ax.scatter([10_000], [49_995_000], color=course.viz.CROSS_COLOR, zorder=3)
ax.annotate(
    "n = 10,000: 49,995,000 pairs",
    (10_000, 49_995_000),
    xytext=(40, 10**5),
    fontsize=8,
    arrowprops={"arrowstyle": "->"},
)
ax.set(
    xlabel="n sentences",
    ylabel="transformer passes",
    title="Passes to compare all pairs of n sentences",
)
ax.legend()
plt.show()

# %% [markdown]
# On log–log axes a power law is a straight line, and its slope is the power: the bi-encoder's line
# has slope 1, the cross-encoder's slope 2. Each factor of 10 in n costs the bi-encoder 10× more and
# the cross-encoder 100× more. The gap between the lines *is* the factor (n − 1)/2.
#
# ## 3. Measuring one pass of each, on the same transformer
#
# A fair comparison uses the same transformer for both: `profile.cross_encoder_model` as a
# bi-encoder (`SentenceEncoder`, mean pooling) and as a cross-encoder (`CrossEncoder`, one output).
# Their weights do not matter for speed — a pass costs the same whether the model is trained or not
# — so the cross-encoder's new head stays untrained here. The cross-encoder reads both sentences at
# once, so it gets twice the bi-encoder's token budget.
#
# The sentences are STS-B test sentences; the pairs are STS-B test pairs.

# %%
encoder = sl.SentenceEncoder(
    profile.cross_encoder_model, pooling="mean", max_length=profile.max_length
)
cross_encoder = sl.cross_encoder.CrossEncoder(
    profile.cross_encoder_model, num_labels=1, max_length=2 * profile.max_length
)
print(encoder)
print(cross_encoder)
params = sum(p.numel() for p in encoder.model.parameters())
print(f"the same transformer in both: {params / 1e6:.1f} M parameters")

# %%
sts = sl.data.load_sts("stsb", "test", profile.data_dir)
sentences = list(
    dict.fromkeys(s for pair in sts for s in (pair.s1, pair.s2))
)  # unique, in file order
# items per timing run: four full batches, so that what a call costs once (e.g. on a CPU with
# fast bf16, a bf16 copy of the weights: ~26 ms) is shared, as when real work encodes thousands
timed = min(len(sts), 4 * profile.encode_batch_size)
timing_sentences = sentences[:timed]
timing_pairs = [(pair.s1, pair.s2) for pair in sts[:timed]]
print(
    f"{len(sentences):,} unique STS-B test sentences; timing on {timed} sentences and {timed} pairs"
)

# %% [markdown]
# **How to time a model.** The first call is slow for reasons that have nothing to do with the model
# (memory allocation, kernel selection, lazy imports), so `cost.best_seconds` runs once untimed,
# then takes the *fastest* of a few timed runs: other programs can only make a run slower, never
# faster. Dividing by the number of items gives seconds per sentence and seconds per pair. Timings
# on a shared machine still jitter by tens of per cent — read the orders of magnitude, not the
# digits.
#
# Batching matters: a batch of 32 sentences costs far less than 32 batches of one, because the
# hardware works on them in parallel. We time a few batch sizes (the slider in section 6 uses them
# all).

# %%
# NBVAL_IGNORE_OUTPUT
batch_sizes = sorted(
    {b for b in (1, 8, 64, profile.encode_batch_size) if b <= profile.encode_batch_size}
)
per_item = {}  # batch size -> (seconds per sentence, seconds per pair)
for batch_size in batch_sizes:
    per_sentence = cost.time_bi_encoder(encoder, timing_sentences, batch_size=batch_size, repeats=2)
    per_pair = cost.time_cross_encoder(
        cross_encoder, timing_pairs, batch_size=batch_size, repeats=2
    )
    per_item[batch_size] = (per_sentence, per_pair)
    print(
        f"batch {batch_size:>4}:  bi-encoder {cost.format_duration(per_sentence):>9} per sentence "
        f"  cross-encoder {cost.format_duration(per_pair):>9} per pair"
    )
per_cosine = cost.time_cosine(encoder.dim, device=encoder.device)
print(
    f"cosine similarity of two {encoder.dim}-d vectors (in a 2000 × 2000 matrix): "
    f"{cost.format_duration(per_cosine)}"
)
# kept in a file, from which section 5 reads them back: the cells of sections 5 and 6 then re-run
# on their own, without timing again
timings_file = lesson.kept_dir() / "timings.json"  # the lesson's own folder on disk
timings_file.write_text(
    json.dumps({"per_item": per_item, "per_cosine": per_cosine, "dim": encoder.dim})
)

# %% [markdown]
# A cross-encoder pass should be dearer than a bi-encoder pass — its input is two sentences long,
# and attention grows with the square of the length. The paper's figures imply
# $65\,\text{h} / 49{,}995{,}000 = 4.7$ ms per pair and $5\,\text{s} / 10{,}000 = 0.5$ ms per
# sentence on a V100, a ratio of 9.4; here the ratio is printed below, with a verdict (on 2 CPU
# cores with the offline profile's 4-layer model it has come out between 1.0 and 1.8 across runs,
# far below 9.4: per-batch overheads weigh as much as the extra tokens). Either way it is a
# constant factor. The difference between the architectures is not the price of a pass, it is the
# *number* of passes: n(n − 1)/2 against n.

# %%
# NBVAL_IGNORE_OUTPUT
per_sentence, per_pair = per_item[profile.encode_batch_size]
lesson.compare(
    "ms per cross-encoder pair",
    paper=1000 * cost.paper_seconds_per_pair(),
    measured=1000 * per_pair,
    digits=3,
)
lesson.compare(
    "ms per bi-encoder sentence",
    paper=1000 * cost.paper_seconds_per_sentence(),
    measured=1000 * per_sentence,
    digits=3,
)
lesson.compare(
    "pair / sentence cost ratio",
    paper=cost.paper_seconds_per_pair() / cost.paper_seconds_per_sentence(),
    measured=per_pair / per_sentence,
    digits=1,
)
TIMING_NOISE = 0.2  # timings on a shared machine jitter by tens of per cent (see above)
ratio = per_pair / per_sentence
print(
    "a pair costs "
    + (
        f"{ratio:.1f}x a sentence here: dearer, as in the paper"
        if ratio > 1 + TIMING_NOISE
        else f"{ratio:.1f}x a sentence here: about the same, within the timing noise "
        f"(±{100 * TIMING_NOISE:.0f} %)"
        if ratio >= 1 - TIMING_NOISE
        else f"{ratio:.1f}x a sentence here: cheaper, unlike the paper"
    )
)

# %% [markdown]
# ## 4. Measured: all pairs of n sentences, both ways
#
# Now the real task for the profile's sizes `profile.cost_sizes`: score every pair of n sentences
# with the cross-encoder, against encoding the n sentences and computing their n × n cosine matrix.
# Where n(n−1)/2 would take too long, `cost.time_all_pairs` times the first `MAX_TIMED_PAIRS` pairs
# and scales up (drawn hollow below).

# %%
# NBVAL_IGNORE_OUTPUT
MAX_TIMED_PAIRS = 20_000
measured = cost.time_all_pairs(
    encoder,
    cross_encoder,
    sentences,
    profile.cost_sizes,
    batch_size=profile.encode_batch_size,
    max_pairs=MAX_TIMED_PAIRS,
)
for row in measured:
    note = f"  (timed {row.timed_pairs:,} pairs, scaled)" if row.scaled else ""
    print(
        f"n = {row.n:>5,}  {row.pairs:>9,} pairs   cross-encoder "
        f"{cost.format_duration(row.cross_seconds):>9}   bi-encoder "
        f"{cost.format_duration(row.bi_seconds):>9}   "
        f"×{row.cross_seconds / row.bi_seconds:,.0f}{note}"
    )

# %% [markdown]
# ## 5. Extrapolating to the paper's 10,000 sentences and to 40 million questions
#
# With the per-item costs of section 3, `cost.estimate_all_pairs(n, ...)` gives cross-encoder =
# pairs × seconds per pair, and bi-encoder = n × seconds per sentence + n² × seconds per cosine. The
# paper's V100 figures are beside ours. Different hardware and (outside the `gpu` profile) a
# different model make the absolute times differ, and so does the speed-up: it is (pairs × cost per
# pair) / (n × cost per sentence) ≈ (n − 1)/2 × the pass-cost ratio, so a machine whose
# pair/sentence ratio is 1 instead of the paper's 9.4 shows a speed-up about 9 times smaller. What
# carries over is the **growth**: quadratic against linear, thousands of times apart at n = 10,000
# on any hardware.

# %%
# NBVAL_IGNORE_OUTPUT
# section 3's per-item costs, read back from the file it kept them in
kept = json.loads((lesson.kept_dir() / "timings.json").read_text())
per_item = {int(batch): tuple(seconds) for batch, seconds in kept["per_item"].items()}
per_sentence, per_pair = per_item[profile.encode_batch_size]
per_cosine = kept["per_cosine"]
for n in (100, 1_000, 10_000, 100_000, 1_000_000):
    e = cost.estimate_all_pairs(n, per_sentence, per_pair, per_cosine)
    print(
        f"n = {n:>9,}   cross-encoder {cost.format_duration(e.cross_seconds):>11}   bi-encoder "
        f"{cost.format_duration(e.encode_seconds):>9} encoding + "
        f"{cost.format_duration(e.cosine_seconds):>9} cosine   ×{e.speedup:,.0f}"
    )

# %%
# NBVAL_IGNORE_OUTPUT
paper_10k = cost.estimate_all_pairs(
    10_000,
    cost.paper_seconds_per_sentence(),
    cost.paper_seconds_per_pair(),
    cost.PAPER_COSINE_SECONDS / 10_000**2,
)
ours_10k = cost.estimate_all_pairs(10_000, per_sentence, per_pair, per_cosine)
lesson.compare(
    "10,000 sentences: cross-encoder, hours",
    paper=cost.PAPER_CROSS_HOURS,
    measured=ours_10k.cross_seconds / 3600,
    digits=1,
)
lesson.compare(
    "10,000 sentences: bi-encoder encoding, s",
    paper=cost.PAPER_BI_SECONDS,
    measured=ours_10k.encode_seconds,
    digits=2,
)
lesson.compare(
    "10,000 sentences: cosine matrix, s",
    paper=cost.PAPER_COSINE_SECONDS,
    measured=ours_10k.cosine_seconds,
    digits=3,
)
lesson.compare(
    "10,000 sentences: speed-up of the bi-encoder, ×",
    paper=paper_10k.speedup,
    measured=ours_10k.speedup,
    digits=0,
)

# %% [markdown]
# **Quora.** Section 1's second example: Quora holds over 40 million questions; to find the one most
# similar to a *new* question, a cross-encoder must read the new question with each of them — 40
# million passes, "over 50 hours" per query in the paper. A bi-encoder encodes the 40 million
# questions **once** (hours, but paid a single time), and then each new query costs one encoding
# plus 40 million dot products. (Stored as 32-bit floats, 40 million vectors of this model's width
# take a lot of memory — the cell prints how much; real systems search them with an approximate
# nearest-neighbour index, which lesson 9 builds; lesson 8 searches a small corpus by brute force.)

# %%
# NBVAL_IGNORE_OUTPUT
quora = cost.estimate_search(cost.PAPER_QUORA_QUESTIONS, per_sentence, per_pair, per_cosine)
paper_quora = cost.estimate_search(
    cost.PAPER_QUORA_QUESTIONS, cost.paper_seconds_per_sentence(), cost.paper_seconds_per_pair()
)
lesson.compare(
    "40 M questions: cross-encoder, hours per query",
    paper=cost.PAPER_QUORA_HOURS,
    measured=quora.cross_seconds / 3600,
    digits=1,
)
print(
    f"(the paper's own per-pair cost gives {paper_quora.cross_seconds / 3600:.1f} h: 'over 50 "
    "hours')"
)
print(
    f"bi-encoder: index the 40 M questions once in {cost.format_duration(quora.index_seconds)}, "
    f"then {cost.format_duration(quora.query_seconds)} per query"
)
print(
    f"the 40 M vectors of {kept['dim']} floats each, in fp32: "
    f"{cost.PAPER_QUORA_QUESTIONS * kept['dim'] * 4 / 1e9:,.0f} GB"
)

# %% [markdown]
# The same story as a picture: seconds to compare all pairs of n sentences, extrapolated from the
# per-item costs (lines), with your all-pairs measurements of section 4 (dots) and the paper's two
# V100 figures at n = 10,000 (stars). The bi-encoder line bends upward at the right: the n² cosines
# catch up with the n encodings eventually, but each is hundreds of thousands of times cheaper than
# a pass of BERT (printed in section 3).

# %%
# NBVAL_IGNORE_OUTPUT
fig, ax = plt.subplots(figsize=(7.5, 4.8))
course.viz.plot_cost_curves(
    ax, per_sentence, per_pair, per_cosine, measured=measured, max_n=10**7, mark_n=10_000
)
plt.show()

# %% [markdown]
# ## 6. Try it: a slider for n and the batch size
#
# Move the sliders: the estimate and the figure update (batch sizes are those timed in section 3).
# The printed table below the widget is the same estimate for a few n, computed once without the
# widget, so that the lesson also reads on GitHub, where widgets do not run.


# %%
def show_estimate(
    n: int, batch_size: int, per_item: dict[int, tuple[float, float]], per_cosine: float
) -> None:
    """Print and draw the all-pairs estimate for n sentences, with ``per_item[batch_size]`` (seconds
    per sentence, per pair) and ``per_cosine`` seconds per cosine."""
    sentence_seconds, pair_seconds = per_item[batch_size]
    e = cost.estimate_all_pairs(n, sentence_seconds, pair_seconds, per_cosine)
    print(f"n = {n:,} sentences → {e.pairs:,} pairs (batch size {batch_size})")
    print(f"  cross-encoder: {cost.format_duration(e.cross_seconds)}")
    print(
        f"  bi-encoder:    {cost.format_duration(e.bi_seconds)}  "
        f"({cost.format_duration(e.encode_seconds)} encoding + "
        f"{cost.format_duration(e.cosine_seconds)} cosine)"
    )
    print(f"  the bi-encoder is {e.speedup:,.0f}× faster")
    fig, ax = plt.subplots(figsize=(6.5, 4))
    course.viz.plot_cost_curves(
        ax, sentence_seconds, pair_seconds, per_cosine, max_n=10**6, mark_n=n
    )
    plt.show()


# %%
# NBVAL_IGNORE_OUTPUT
n_slider = widgets.IntSlider(
    value=10_000, min=10, max=100_000, step=10, description="n", continuous_update=False
)
batch_slider = widgets.SelectionSlider(
    options=sorted(per_item),  # the batch sizes timed in section 3
    value=profile.encode_batch_size,
    description="batch size",
    continuous_update=False,
)
fixed = {"per_item": widgets.fixed(per_item), "per_cosine": widgets.fixed(per_cosine)}
display(widgets.interactive(show_estimate, n=n_slider, batch_size=batch_slider, **fixed))
print(f"{'batch':>5} {'n':>9} {'pairs':>14} {'cross-encoder':>14} {'bi-encoder':>11}")
for batch in sorted(per_item):
    for n in (1_000, 10_000, 100_000):
        e = cost.estimate_all_pairs(n, *per_item[batch], per_cosine)
        print(
            f"{batch:>5} {n:>9,} {e.pairs:>14,} {cost.format_duration(e.cross_seconds):>14} "
            f"{cost.format_duration(e.bi_seconds):>11}"
        )

# %% [markdown]
# ## 7. Exercise: how long would it take?
#
# Write `cross_encoder_hours(n, seconds_per_pair)`: the hours a cross-encoder needs to score every
# pair of n sentences at `seconds_per_pair` each. Count the pairs yourself (don't call
# `cost.pairs_needed`). The check compares it with the library for several n, and with the paper:
# 10,000 sentences at the paper's 4.68 ms per pair must give 65 hours.


# %% tags=["solution"]
def cross_encoder_hours(n: int, seconds_per_pair: float) -> float:
    """Hours to score all n(n-1)/2 unordered pairs of n sentences."""
    pairs = n * (n - 1) // 2
    return pairs * seconds_per_pair / 3600


# %%
# NBVAL_CHECK_OUTPUT
seconds_per_pair = lesson.measured("ms per cross-encoder pair") / 1000  # section 3's, rounded
expected = {
    n: cost.estimate_all_pairs(n, 0.0, seconds_per_pair).cross_seconds / 3600
    for n in (2, 3, 10, 1_000, 10_000)
}
yours = {n: cross_encoder_hours(n, seconds_per_pair) for n in expected}
course.lesson.check(
    all(np.isclose(yours[n], expected[n], rtol=1e-9) for n in expected),
    f"your hours {yours} differ from cost.estimate_all_pairs {expected}",
    hint="n sentences make n(n-1)/2 unordered pairs (2 sentences: 1 pair, 3: 3 pairs); seconds / "
    "3600 = hours",
)
course.lesson.check(
    round(cross_encoder_hours(10_000, cost.paper_seconds_per_pair())) == 65,
    "the paper's 4.68 ms per pair over 10,000 sentences should give 65 h, you get "
    f"{cross_encoder_hours(10_000, cost.paper_seconds_per_pair()):.1f}",
)

# %% [markdown]
# ## 8. Smart batching: sort by length (Section 7, Table 7)
#
# A batch is padded to its longest sentence, and padding tokens cost as much compute as real ones.
# In a random order every batch likely holds one long sentence, so most of each batch is padding.
# **Smart batching** sorts the sentences by token length first (and puts the vectors back in input
# order at the end), so every batch holds sentences of about the same length. `encoder.encode`
# always does this; `sort_by_length=False` turns it off for this comparison. The paper's Table 7
# (sentences per second on STS-B sentences, an i7-5820K CPU and a V100 GPU):
#
# | model | CPU | GPU |
# |---|---|---|
# | Avg. GloVe embeddings | 6469 | 24163 |
# | InferSent | 137 | 5208 |
# | Universal Sentence Encoder | 67 | 1382 |
# | SBERT-base | 44 | 1378 |
# | **SBERT-base, smart batching** | **83** | **2042** |

# %%
# the bi-encoder of section 3 and the STS-B test sentences, made again (loading takes a second or
# two), so that the cells of sections 8 and 9 re-run on their own
encoder = sl.SentenceEncoder(
    profile.cross_encoder_model, pooling="mean", max_length=profile.max_length
)
sts = sl.data.load_sts("stsb", "test", profile.data_dir)
sentences = list(
    dict.fromkeys(text for example in sts for text in (example.s1, example.s2))
)  # unique, in file order

# %%
# NBVAL_IGNORE_OUTPUT
smart_sample = sentences[: 16 * profile.encode_batch_size]  # sixteen batches
smart = cost.time_smart_batching(
    encoder, smart_sample, batch_size=profile.encode_batch_size, repeats=2
)
hardware = (
    "gpu" if encoder.device.type == "cuda" else "cpu"
)  # which column of Table 7 to compare with
paper_unsorted, paper_sorted = cost.PAPER_SMART_BATCHING[hardware]
print(
    f"{len(smart_sample)} sentences, batch size {profile.encode_batch_size}, {hardware.upper()}, "
    f"precision {encoder.precision}"
)
lesson.compare(
    f"sentences/s, input order ({hardware.upper()})",
    paper=paper_unsorted,
    measured=smart.unsorted,
    digits=0,
)
lesson.compare(
    f"sentences/s, smart batching ({hardware.upper()})",
    paper=paper_sorted,
    measured=smart.sorted,
    digits=0,
)
lesson.compare(
    "smart batching speed-up, %",
    paper=100 * (paper_sorted / paper_unsorted - 1),
    measured=100 * (smart.speedup - 1),
    digits=0,
)
gain = smart.speedup - 1
print(
    f"smart batching here: {100 * gain:+.0f} % (paper, {hardware.upper()}: "
    f"+{100 * (paper_sorted / paper_unsorted - 1):.0f} %): "
    + (
        "faster, as in the paper"
        if gain > TIMING_NOISE
        else "slower, unlike the paper"
        if gain < -TIMING_NOISE
        else f"within the timing noise (±{100 * TIMING_NOISE:.0f} %)"
    )
)

# %% [markdown]
# Why sorting helps, without a stopwatch: count the token positions the transformer computes,
# padding included, for the same sentences in input order and sorted (`cost.tokens_computed`). This
# count is the same on every machine; the time it saves is not. A 4-layer model on a CPU also pays a
# fixed cost per batch and per call, which the sort does not shrink, so the measured speed-up above
# can be far below the share of padding removed — and on a busy machine it is within the noise.

# %%
lengths = np.minimum(encoder.token_lengths(smart_sample), encoder.max_length)
shuffled_lengths = lengths[
    np.random.default_rng(0).permutation(len(lengths))
]  # as time_smart_batching
for label, sort in (("input order", False), ("smart batching", True)):
    computed = cost.tokens_computed(
        shuffled_lengths, profile.encode_batch_size, sort_by_length=sort
    )
    lesson.compare(
        f"token positions per real token, {label}",
        paper=None,
        measured=computed / lengths.sum(),
        digits=2,
    )

# %% [markdown]
# How much sorting gains depends on how much the lengths vary and on the batch size: with a handful
# of sentences, or sentences of equal length, there is nothing to gain. In the paper the gain is
# larger on a CPU (+89 %) than on a GPU (+48 %), where a batch's padding is partly hidden by
# parallel hardware. On this project's 2-core CPU with the offline profile's 4-layer model the gain
# grows with the batch: +10 %, +8 % and −4 % in earlier runs with batches of 32 — within the noise —
# and +111 % to +139 % in runs with batches of 128, where padding every sentence to the longest of
# a large batch wastes the most (2.66 token positions per real token in input order).
#
# ## 9. bf16 against fp32
#
# The paper ran in 32-bit floats. Modern hardware also computes in **bfloat16**: the same exponent
# range as fp32 with fewer mantissa bits, so it rarely overflows, and matrix products run several
# times faster on hardware built for it. `sl.precision` picks it where the hardware does bf16
# natively (`precision="auto"`: GPUs of compute capability 8 or more, CPUs with AVX-512 BF16 or
# AMX). A T4 (compute capability 7.5) only emulates bf16, about 4× slower than fp16, so there it
# picks fp16 (with a gradient scaler when training). The paper has no figure for this: Table 7 does
# not vary the precision.

# %%
# NBVAL_IGNORE_OUTPUT
fast = sl.precision.resolve_precision("auto", encoder.device)
precisions = ("fp32", fast) if fast != "fp32" else ("fp32",)
throughput = cost.time_precisions(
    encoder, smart_sample, precisions, batch_size=profile.encode_batch_size, repeats=2
)
for precision, rate in throughput.items():
    lesson.compare(
        f"sentences/s, {precision}, smart batching ({hardware.upper()})",
        paper=None,
        measured=rate,
        digits=0,
    )
if fast == "fp32":
    print("this device has no fast half precision: 'auto' runs fp32")
else:
    print(f"{fast} is {throughput[fast] / throughput['fp32']:.2f}× the speed of fp32 here")

# %%
# NBVAL_IGNORE_OUTPUT
used = encoder.precision  # what the first two timings ran in: 'auto', resolved for this device
labels = [f"input order, {used}", f"smart batching, {used}"] + [
    f"smart batching, {precision}" + (" (timed again)" if precision == used else "")
    for precision in throughput
]
print(
    f"input order and smart batching were timed in {used}; 'smart batching, {used} (timed "
    "again)' is the same setting timed a second time: the gap between those two bars is noise"
)
yours = [smart.unsorted, smart.sorted, *throughput.values()]
rows = np.arange(len(labels))
fig, ax = plt.subplots(figsize=(7, 3.2))
ax.barh(
    rows[:2] - 0.2,
    [paper_unsorted, paper_sorted],
    height=0.4,
    color=course.viz.PAPER_COLOR,
    label=f"paper, SBERT-base ({hardware.upper()})",
)
ax.barh(
    rows + 0.2,
    yours,
    height=0.4,
    color=course.viz.YOURS_COLOR,
    label=f"yours, {profile.cross_encoder_model}",
)
ax.set_yticks(rows, labels)
ax.set(xlabel="sentences per second", title="Table 7: encoding speed")
ax.invert_yaxis()
ax.legend(fontsize=8)
plt.show()

# %% [markdown]
# Your model is not the paper's (BERT-base, 110 M parameters) outside the `gpu` profile, and your
# hardware is not an i7-5820K or a V100, so compare the *ratios* between bars, not the bars across
# colours. Each bar's label says the precision it ran in. On a CPU without fast bf16 (AVX2 only,
# as on most laptops) `precision="auto"` is fp32, so there is no second precision to show: the
# last bar repeats the smart-batching setting.
#
# ## Summary
#
# - A cross-encoder scores a pair in one pass; comparing all pairs of n sentences takes n(n−1)/2
#   passes — 49,995,000 for n = 10,000, about 65 hours on the paper's V100.
# - A bi-encoder encodes each sentence once (n passes, about 5 s for 10,000 on the paper's V100) and
#   compares vectors with a dot product (0.01 s for all 10,000² there); stored vectors are reused by
#   every later query.
# - A cross-encoder pass costs a constant multiple of a bi-encoder pass (9.4 in the paper's V100
#   figures; 1.0 to 1.8 in the offline runs on 2 CPU cores); the quadratic *count* of passes
#   is what makes it unusable for search and clustering — and why lesson 8 uses it only to re-rank
#   a short list that the bi-encoder found.
# - Smart batching (sort by length, pad per batch) gives the same vectors from fewer token
#   positions; how much time that saves depends on the hardware (the paper: +89 % on a CPU; offline
#   on 2 cores from within the noise at batch 32 to +111–139 % at batch 128). bf16 is faster only
#   where the hardware computes it natively; elsewhere `precision="auto"` stays in fp32.

# %% [markdown]
# ## Check your understanding
#
# **1.** Why can a cross-encoder not be used as an index, the way a bi-encoder's vectors can?
#
# <details><summary>Answer</summary>
#
# It computes nothing per sentence: every word of one sentence attends to every word of the other,
# so all it computes belongs to the pair, and changing one sentence redoes the whole pass. A new
# query therefore needs one pass with every sentence of the collection, for every query: 40 million
# passes for Quora. A bi-encoder encodes the collection once; a query then costs one encoding and a
# dot product with each stored vector. Shown in section 1, 'Two ways to score a pair', and the Quora
# paragraph of section 5.
#
# </details>
#
# **2.** On a CPU with a small model a cross-encoder pass costs only about 1–2 bi-encoder passes.
# Why is the bi-encoder still thousands of times faster at comparing all pairs of 10,000 sentences?
#
# <details><summary>Answer</summary>
#
# The difference is in the number of passes, not their price: n(n − 1)/2 for the cross-encoder
# against n for the bi-encoder, a factor of (n − 1)/2, about 5,000 at n = 10,000. The ratio of pass
# costs only multiplies that factor (9.4 in the paper's V100 figures), so it moves the speed-up by a
# constant while the count grows with n. Shown in section 3, 'Measuring one pass of each, on the
# same transformer', and section 5, 'Extrapolating to the paper's 10,000 sentences and to 40 million
# questions'.
#
# </details>
#
# **3.** In section 5's figure the bi-encoder's line bends upward at large n. What catches up, and
# why does it matter less than the cross-encoder's quadratic growth?
#
# <details><summary>Answer</summary>
#
# Comparing all pairs of vectors still takes n² cosines, which at large n outgrow the n encodings,
# so the bi-encoder's cost turns quadratic too. But a cosine of two stored vectors is a dot product,
# hundreds of thousands of times cheaper than a pass of BERT, so its quadratic term starts from a
# far lower price. Shown in section 5, in the figure of seconds against n after the Quora paragraph.
#
# </details>
#
# **4.** Why does smart batching make encoding faster, and why can its measured speed-up on a CPU be
# far smaller than the share of padding it removes?
#
# <details><summary>Answer</summary>
#
# A batch is padded to its longest sentence, and padding positions cost as much compute as real
# ones; sorting by length puts sentences of similar length together, so less padding is computed for
# the same vectors. The count of token positions shows how much padding goes, the same on every
# machine; the time it saves is not. A 4-layer model on a CPU also pays a fixed cost per batch and
# per call, which sorting does not shrink, and on a busy machine the gain can be within the noise.
# Shown in section 8, 'Smart batching: sort by length (Section 7, Table 7)'.
#
# </details>
#
# **5.** Why does `cost.best_seconds` run once untimed and then keep the fastest of its timed runs,
# not their mean?
#
# <details><summary>Answer</summary>
#
# The first call pays for things that have nothing to do with the model: memory allocation, kernel
# selection, lazy imports. After it, other programs on the machine can only make a run slower, never
# faster, so the fastest run is the closest to what the model itself costs; a mean would mix in the
# machine's load. Even so, timings on a shared machine jitter by tens of per cent: read the orders
# of magnitude. Shown in section 3, 'Measuring one pass of each, on the same transformer'.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. At what n does the bi-encoder's n² cosine term cost as much as its n encodings on your machine?
#    What does that say about searching 40 million vectors by brute force?
# 2. Re-rank instead of cross-encoding everything: retrieve the top k = 100 by cosine, then
#    cross-encode only those. Estimate the cost per query for 40 M questions with
#    `cost.estimate_search` and 100 pairs.
# 3. Time `encoder.encode` on sentences of equal length with and without `sort_by_length`. Why is
#    there no speed-up?
# 4. Repeat the timings with `profile.encode_batch_size` doubled. Where does a bigger batch stop
#    helping?

# %%
# NBVAL_IGNORE_OUTPUT
lesson.save()
