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
# # Lesson 9 — Search at scale: an index instead of brute force
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/09_search_at_scale.ipynb)
#
# The paper's introduction (Section 1) makes its case with Quora: finding which of its more than 40
# million questions is most similar to a new one would take a cross-encoder BERT **over 50 hours per
# query**. SBERT turns every question into a vector once; a query is then a nearest-neighbour search
# among vectors. Lesson 8 did that search by brute force — one dot product with every vector. That
# is exact, but its time grows with the corpus: at 40 million vectors it would read 61 GB (57 GiB)
# of fp32 vectors for every query. What every real SBERT deployment does next is build an **index**
# made for nearest-neighbour search, which reads only a small part of the vectors: a graph index
# (HNSW) is *almost* always right, a compressed one (IVF-PQ) noticeably less often.
#
# **You will learn**
# - two index families: **HNSW** (a navigable graph of the vectors) and **IVF-PQ** (k-means cells
#   and vectors compressed to a few bytes), both from FAISS;
# - to measure an approximate index by its **recall@10 against exact search**, its latency per
#   query, and its memory per vector;
# - how latency grows with the corpus (at least like n for brute force, far slower for a graph), and
#   what that predicts for 40 million questions;
# - to tune the one knob that trades speed for recall (`efSearch`).
#
# **Rebuilds** the use case of Section 1 (similar-question search in Quora's 40 M questions) with
# the tools SBERT is used with in practice; the paper itself stops at brute-force cosine.

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
    "09_search_at_scale",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
from tqdm.auto import tqdm

profile = lesson.profile
K = 10  # every search returns the top 10, and recall is measured at 10

# %% [markdown]
# ## 1 · A corpus of sentence vectors
#
# Real sentences first: every distinct sentence of the STS-B splits and of the profile's NLI sets,
# up to `profile.index_real_sentences` of them, encoded once by the trained reference model. 200
# further sentences, not in the corpus, are the **queries**. The vectors are also written to a file
# in the lesson's own folder (`lesson.kept_dir()`), from which section 4 reads them back.

# %%
sources = [
    ("stsb", "train"),
    ("stsb", "dev"),
    ("stsb", "test"),
    *profile.nli_train,
    profile.nli_eval,
]
pool = []
for name, split in sources:
    loader = sl.data.load_sts if name == "stsb" else sl.data.load_nli
    pool += [s for item in loader(name, split, profile.data_dir) for s in item[:2]]
pool = list(dict.fromkeys(pool))  # distinct, in a fixed order
picked = course.profiles.subset(pool, profile.index_real_sentences + 200)
query_sentences, real_sentences = picked[:200], picked[200:]
print(
    f"{len(pool):,} distinct sentences in {len(sources)} sets; "
    f"{len(real_sentences):,} go into the corpus, {len(query_sentences)} are queries"
)

# %%
# NBVAL_IGNORE_OUTPUT
encoder = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
started = time.perf_counter()
vectors = course.search.normalize_rows(
    encoder.encode(
        real_sentences + query_sentences, batch_size=profile.encode_batch_size, progress=True
    )
)
real, queries = vectors[: len(real_sentences)], vectors[len(real_sentences) :]
print(
    f"encoded {len(vectors):,} sentences in {time.perf_counter() - started:.0f} s -> "
    f"{vectors.shape}"
)
VECTORS_FILE = lesson.kept_dir() / "vectors.npz"  # the lesson's own folder on disk
np.savez(VECTORS_FILE, real=real, queries=queries)  # section 4 loads them instead of encoding

# %% [markdown]
# The corpus sizes of this lesson are `profile.index_sizes`. Where a size is larger than the real
# sentences we have, the rest are **jittered copies**: a real vector plus Gaussian noise,
# renormalised (`course.ann.jittered_copies`; each keeps a cosine of about 0.9 with its source;
# `course.ann.grown_corpus` puts the real vectors first and fills up with copies).
# They are not sentences and carry no meaning; they make the index do the work of a bigger corpus —
# and they are *harder* than real text for an approximate index, since they crowd around the real
# vectors. The lines printed below say how many vectors of each size are real.

# %%
everything = course.ann.grown_corpus(real, max(profile.index_sizes), seed=0)
corpora = {n: everything[:n] for n in profile.index_sizes}
for n in profile.index_sizes:
    print(
        f"n = {n:>7,}: {min(n, len(real)):>7,} real sentences + {max(0, n - len(real)):>7,} "
        "jittered copies"
    )

# %% [markdown]
# ## 2 · Three indexes, three corpus sizes, one table
#
# - **exact** (`IndexFlatIP`): brute force, what lesson 8 did; the reference for recall.
# - **HNSW** (Malkov & Yashunin 2018): the vectors are nodes of a graph, each linked to M = 32 near
#   neighbours, in layers like a skip list. A query starts at the top layer and greedily walks
#   towards closer nodes, keeping the best `efSearch` = 64 candidates: it visits a few thousand
#   nodes, not n.
# - **IVF-PQ** (Jégou et al. 2011): k-means cuts the space into ~4·√n cells (at most
#   n/39 on small corpora); a query scans only the
#   16 cells nearest to it. Each vector is stored as 48 one-byte codes (**product quantisation**:
#   split the 384 numbers into 48 groups of 8 and replace each group by the id of the nearest of
#   256 learnt centroids), so scores are approximate too. It needs ≥ 10,000 vectors to learn its
#   codes.
#
# Latency is the mean time to answer one query on one core (the fastest of 3 passes over the 200
# queries, divided by 200): the latency one user sees. Timings depend on the machine and on what
# else runs on it.

# %%
# NBVAL_IGNORE_OUTPUT
rows = []  # one per (size, index)
builders = {
    "exact": course.ann.exact_index,
    "HNSW": course.ann.hnsw_index,
    "IVF-PQ": course.ann.ivfpq_index,
}
for n in tqdm(profile.index_sizes, desc="corpus sizes", mininterval=1.0):
    for kind, build in builders.items():  # "exact" first: the others are scored against it
        if kind == "IVF-PQ" and n < 10_000:
            continue  # too few vectors to learn its codes
        started = time.perf_counter()
        index = build(corpora[n])
        build_seconds = time.perf_counter() - started
        ids = course.ann.search(index, queries, K)
        if kind == "exact":
            exact_ids = ids
        rows.append(
            {
                "n": n,
                "index": kind,
                "build s": build_seconds,
                "ms / query": course.ann.query_milliseconds(index, queries, K),
                "recall@10": course.ann.recall_vs_exact(ids, exact_ids),
                "bytes / vector": course.ann.bytes_per_vector(index),
            }
        )

print(
    f"{'n':>8} {'index':<7} {'build s':>8} {'ms / query':>11} {'recall@10':>10} "
    f"{'bytes / vector':>15}"
)
for r in rows:
    print(
        f"{r['n']:>8,} {r['index']:<7} {r['build s']:>8.1f} {r['ms / query']:>11.3f} "
        f"{r['recall@10']:>10.3f} {r['bytes / vector']:>15,.0f}"
    )

# %% [markdown]
# The recall of each index at the largest corpus, the memory each needs per vector, HNSW's recall
# at every size and one timing ratio (brute force's latency over HNSW's at the largest size) are
# what this lesson keeps in `results/`; the other timings are printed, not kept: they belong to
# this machine.

# %%
largest = max(profile.index_sizes)
at_largest = {r["index"]: r for r in rows if r["n"] == largest}
for kind, r in at_largest.items():
    lesson.compare(
        f"recall@10 vs exact, {kind}, n = {largest:,}",
        paper=None,
        measured=r["recall@10"],
        digits=3,
    )
    lesson.record(f"bytes per vector, {kind}", round(r["bytes / vector"]))
lesson.record(
    "HNSW recall@10 at each size",
    {r["n"]: round(r["recall@10"], 3) for r in rows if r["index"] == "HNSW"},
)
lesson.record(
    "latency ratio exact / HNSW at the largest size",
    round(at_largest["exact"]["ms / query"] / at_largest["HNSW"]["ms / query"], 1),
)

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8))
for kind, style in (("exact", "o-"), ("HNSW", "s-"), ("IVF-PQ", "^-")):
    mine = [r for r in rows if r["index"] == kind]
    sizes = [r["n"] for r in mine]
    left.plot(sizes, [r["ms / query"] for r in mine], style, label=kind)
    right.plot(sizes, [r["recall@10"] for r in mine], style, label=kind)
left.set(
    xscale="log",
    yscale="log",
    xlabel="corpus size n (vectors)",
    ylabel="ms per query (one core)",
    title="brute force grows with n, the graph barely",
)
right.set(
    xscale="log",
    xlabel="corpus size n (vectors)",
    ylabel="recall@10 vs exact search",
    ylim=(0, 1.05),
    title="what the shortcut costs in answers",
)
right.axhline(0.95, color="grey", lw=0.8, ls="--")
right.text(min(profile.index_sizes), 0.96, "0.95", fontsize=8, color="grey")
left.legend()
plt.tight_layout()
plt.show()

# %%
if "IVF-PQ" in at_largest:
    hnsw_recall, pq_recall = (at_largest[kind]["recall@10"] for kind in ("HNSW", "IVF-PQ"))
    pooled = (hnsw_recall + pq_recall) / 2
    noise = np.sqrt(2 * pooled * (1 - pooled) / (K * len(queries)))  # ~ one standard error
    gap = hnsw_recall - pq_recall
    verdict = "holds" if gap > noise else "reversed" if gap < -noise else "within noise"
    print(
        f"n = {largest:,}: recall@10 HNSW {hnsw_recall:.3f}, IVF-PQ {pq_recall:.3f}; IVF-PQ gives "
        f"up more recall: {verdict} ({gap:+.3f}, ±{noise:.3f})"
    )

# %% [markdown]
# How to read it: the exact line should rise with a slope of at least 1 on log-log axes — ten times
# the corpus, at least ten times the time. (Once the vectors outgrow the CPU's caches, each one
# costs more to read, so the slope can come out above 1.) HNSW's line should be nearly flat: a
# bigger graph adds a layer or two to the walk, not a proportional amount of reading. Section 3
# fits both slopes and says whether that held here. HNSW's recall stays near 1; IVF-PQ gives up
# more recall for its compression (the scores themselves are approximate), which the line printed
# just above checks. A common remedy, not used here, is to re-score IVF-PQ's top 100 with the exact
# vectors.
#
# ## 3 · Extrapolating to Quora's 40 million questions
#
# Fit latency = a · n^b to the sizes measured (from 10,000 up, where the fixed cost of a call no
# longer dominates) and follow the fit to 40 M. Memory is simpler: bytes per vector × 40 M.
# Extrapolating 400-fold (more than two orders of magnitude) is a rough guide, not a measurement: a
# 61 GB index no longer fits in the CPU's caches, nor in this machine's memory.

# %%
QUORA = 40_000_000
fitted = {}
for kind in ("exact", "HNSW"):
    mine = [r for r in rows if r["index"] == kind and r["n"] >= 10_000]
    a, b = course.ann.growth_exponent([r["n"] for r in mine], [r["ms / query"] for r in mine])
    fitted[kind] = (a, b)

# %%
# NBVAL_IGNORE_OUTPUT
for kind, (a, b) in fitted.items():
    print(f"{kind:<6} latency ~ n^{b:.2f}: predicted {a * QUORA**b:,.1f} ms per query at 40 M")
print(f"cross-encoder BERT (the paper): over 50 hours per query = {50 * 3600 * 1000:,} ms")
exact_slope, hnsw_slope = fitted["exact"][1], fitted["HNSW"][1]
print(
    f"brute force grows like n^{exact_slope:.2f}: "
    + (
        "at least linear, as expected"
        if exact_slope >= 1
        else "close to linear (timing noise)"
        if exact_slope >= 0.8
        else "slower than linear here (fixed costs per call still weigh)"
    )
)
print(
    f"HNSW grows like n^{hnsw_slope:.2f}: "
    + (
        "far slower than brute force, as expected"
        if hnsw_slope < exact_slope / 2
        else "not far slower than brute force here"
    )
)

# %%
print(f"{'index':<7} {'bytes / vector':>15} {'memory for 40 M vectors':>25}")
for kind, r in at_largest.items():
    print(
        f"{kind:<7} {r['bytes / vector']:>15,.0f} {r['bytes / vector'] * QUORA / 2**30:>22,.1f} GiB"
    )
print(
    "(fp32 vectors alone: 384 x 4 = 1,536 bytes; HNSW adds its graph links, IVF-PQ stores 48 "
    "codes + an id)"
)

# %% [markdown]
# So the paper's "over 50 hours" for one query becomes what the fits above predict: seconds rather
# than hours with SBERT and brute force, and far less with a graph index — at the price of the few
# answers in a hundred that HNSW's recall misses and tens of GB of memory; product quantisation
# fits the whole of Quora into a few GB (its bytes per vector × 40 M, printed above), at a larger
# price in recall.
#
# ## 4 · The knob: `efSearch`
#
# HNSW keeps a list of the `efSearch` best candidates while it walks. A longer list visits more
# nodes: slower, and more often right. One graph, built once, serves every setting: the trade-off
# can be chosen per query.
#
# First the largest corpus again: section 1's vectors, read back from the file it wrote, and the
# same jittered copies (the same seed).

# %%
with np.load(VECTORS_FILE) as saved:
    real, queries = saved["real"], saved["queries"]
largest = max(profile.index_sizes)
corpus = course.ann.grown_corpus(real, largest, seed=0)  # as section 1's
print(f"n = {len(corpus):,} vectors, {len(queries)} queries")

# %%
# NBVAL_IGNORE_OUTPUT
hnsw = course.ann.hnsw_index(corpus)
exact_ids = course.ann.search(course.ann.exact_index(corpus), queries, K)
breadths = (8, 16, 32, 64, 128, 256)
trade_off = []  # (efSearch, ms / query, recall@10)
for breadth in breadths:
    hnsw.hnsw.efSearch = breadth
    recall = course.ann.recall_vs_exact(course.ann.search(hnsw, queries, K), exact_ids)
    trade_off.append((breadth, course.ann.query_milliseconds(hnsw, queries, K), recall))
    print(f"efSearch {breadth:>3}: {trade_off[-1][1]:.3f} ms per query, recall@10 {recall:.3f}")

# %%
fig, ax = plt.subplots(figsize=(5.5, 3.6))
ax.plot([ms for _, ms, _ in trade_off], [r for _, _, r in trade_off], "s-")
for breadth, ms, recall in trade_off:
    ax.annotate(str(breadth), (ms, recall), textcoords="offset points", xytext=(4, -10), fontsize=8)
ax.set(
    xlabel="ms per query (one core)",
    ylabel="recall@10 vs exact",
    title=f"HNSW on n = {largest:,}: labels are efSearch",
)
plt.tight_layout()
plt.show()

# %% [markdown]
# ### Exercise: choose `efSearch` for a recall target
#
# Write `smallest_breadth(index, queries, exact_ids, target, breadths)`: the smallest value in
# `breadths` for which the HNSW `index` reaches recall@10 ≥ `target` against `exact_ids` (set
# `index.hnsw.efSearch`, search with `course.ann.search`, score with `course.ann.recall_vs_exact`);
# `None` if none does.


# %% tags=["solution"]
def smallest_breadth(
    index, queries: np.ndarray, exact_ids: np.ndarray, target: float, breadths: tuple[int, ...]
) -> int | None:
    """The smallest efSearch in ``breadths`` whose recall@10 against ``exact_ids`` is >= target."""
    for breadth in breadths:
        index.hnsw.efSearch = breadth
        if course.ann.recall_vs_exact(course.ann.search(index, queries, K), exact_ids) >= target:
            return breadth
    return None


# %%
recall_at = {breadth: recall for breadth, _, recall in trade_off}  # measured in section 4
for target in (0.9, 0.95, 0.99):
    expected = next((breadth for breadth in breadths if recall_at[breadth] >= target), None)
    yours = smallest_breadth(hnsw, queries, exact_ids, target, breadths)
    course.lesson.check(
        yours == expected,
        f"for recall >= {target} you chose efSearch {yours}; the smallest that reaches it is "
        f"{expected} (recalls measured above: {recall_at})",
        hint="try the values in increasing order and stop at the first one that reaches the target",
    )

# %% [markdown]
# ## Summary
#
# - Brute-force search reads every vector: its latency grows at least like n, and at Quora's 40 M
#   questions it reads the whole 61 GB of fp32 vectors for each query.
# - An **HNSW graph** answers in a time that barely grows with n, with recall@10 near 1 at the
#   default `efSearch`; it stores the exact vectors plus its links (more memory, not less).
# - **IVF-PQ** stores each vector in under a hundred bytes at 100,000 vectors (48 one-byte codes, an
#   id and its share of the centroids) instead of 1,536, scans only a few cells, and
#   pays for both in recall.
# - Measure an approximate index against exact search on your own vectors: recall@10, latency and
#   bytes per vector — and pick the knob (`efSearch`, `nprobe`) for the recall you need.

# %% [markdown]
# ## Check your understanding
#
# **1.** Why is an approximate index scored by its recall@10 against exact search, and not against
# known paraphrases?
#
# <details><summary>Answer</summary>
#
# An index is meant to return what brute force over the same vectors returns, only faster; recall
# against exact search measures what the shortcut loses, whatever the quality of the encoder.
# Whether the exact neighbours are good answers is the encoder's business, measured in lesson 8 with
# known paraphrases. Keeping the two apart tells you what to fix, the model or the search; and the
# jittered copies have no known answers at all. Shown in section 2, 'Three indexes, three corpus
# sizes, one table'.
#
# </details>
#
# **2.** Why does brute-force latency grow at least like n while HNSW's barely grows?
#
# <details><summary>Answer</summary>
#
# Brute force reads every vector for every query: ten times the corpus, ten times the reading, and
# more once the vectors outgrow the CPU's caches. HNSW walks its graph greedily from the top layer
# towards closer nodes and visits a few thousand nodes, not n; a bigger graph adds a layer or two to
# the walk. It pays in memory, storing the exact vectors plus its links, and in a little recall.
# Shown in section 2's figure and the reading after it.
#
# </details>
#
# **3.** Why does HNSW's recall depend on `efSearch`?
#
# <details><summary>Answer</summary>
#
# The walk is greedy and keeps only the `efSearch` best candidates found so far, expanding their
# neighbours until none is closer. A short list can settle among nodes that are close but not the
# closest, and a true neighbour reachable only through a candidate the list dropped is never
# visited. A longer list explores more of the graph: fewer misses, more time per query, on the same
# graph. Shown in section 4, 'The knob: `efSearch`'.
#
# </details>
#
# **4.** IVF-PQ loses more recall than HNSW. Where do its losses come from?
#
# <details><summary>Answer</summary>
#
# From two approximations. A query scans only the 16 k-means cells nearest to it, so a true
# neighbour in another cell is never looked at; and each vector is stored as 48 one-byte codes, the
# ids of learnt centroids for its groups of 8 numbers, so scores are computed from approximate
# vectors and close candidates can swap places with the true top 10. That compression is what lets
# 40 million vectors fit in a few GB. Shown in section 2, 'Three indexes, three corpus sizes, one
# table', and the bytes per vector of section 3.
#
# </details>
#
# **5.** Why is section 3's prediction for 40 million questions a rough guide and not a measurement?
#
# <details><summary>Answer</summary>
#
# It follows a power law, fitted on the profile's corpus sizes, far beyond the largest of them, and
# so assumes that reading a vector keeps costing what it cost there. It does not: a 61 GB index fits
# neither in the CPU's caches nor in this machine's memory, and each vector read gets dearer. What
# carries over is the growth, at least linear for brute force and nearly flat for the graph. Shown
# in section 3, 'Extrapolating to Quora's 40 million questions'.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. **Re-score IVF-PQ.** Ask IVF-PQ for its top 100, re-score those 100 with the exact vectors
#    (`corpora[largest][ids] @ query`) and keep the top 10. How much recall comes back, at what
#    cost?
# 2. **`nprobe`.** Plot IVF-PQ's recall@10 and latency for `index.nprobe` = 1, 4, 16, 64.
# 3. **Real text only.** Rerun section 2 with `profile.index_sizes` capped at the number of real
#    sentences. Is recall on real text higher or lower than on the jittered copies, and why?
# 4. **Threads.** Time a batch of all 200 queries at once with FAISS's default thread count instead
#    of one query on one core. Which number matters for a search service, and which for mining
#    paraphrases offline (lesson 8)?

# %%
lesson.save()
