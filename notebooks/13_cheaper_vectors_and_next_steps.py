# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 13 — After SBERT: one bit per number, a model with no transformer, and where to go next
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/13_cheaper_vectors_and_next_steps.ipynb)
#
# SBERT made sentence search fast by turning every sentence into a vector once (lesson 6); lesson 9
# put the vectors into an index. Two later ideas make that cheaper again. **Quantised vectors**
# store each number in one byte, or one bit, instead of four: a corpus of 40 million questions
# with 384-dimensional float vectors needs 61 GB, with binary vectors under 2 GB. **Static
# embeddings** distil a trained encoder into a table of token vectors, so that encoding a sentence
# is a lookup and an average — no transformer at all. The lesson ends with a map from everything
# this workbook built to the library and benchmark that people use today.
#
# **You will learn**
# - int8 and binary quantisation of sentence vectors, Hamming-distance search, and rescoring with
#   the float query; to write a Hamming search yourself;
# - to measure each against exact float search: bytes per vector, recall@10, milliseconds per query;
# - to distil the reference model into a static model (the model2vec recipe: vocabulary through the
#   teacher, PCA, Zipf weighting) and compare its STS-B score and speed with the teacher and GloVe;
# - where each piece of this workbook lives in sentence-transformers v3+ and in MTEB.
#
# **Rebuilds** the binary and int8 retrieval of sentence-transformers' embedding-quantisation study
# (Shakir, Aarsen & Lee 2024: binary keeps ~92.5 % of retrieval quality, ~96 % with rescoring, at
# 32x less memory), the static distillation of model2vec (Tulkens & van Dongen 2024), and the speed
# argument of the SBERT paper's Section 7 taken one step further.

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
    "13_cheaper_vectors_and_next_steps",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import importlib.util
import tempfile
import time

import matplotlib.pyplot as plt
import numpy as np

profile = lesson.profile

# %% [markdown]
# ## 1 · A corpus of float vectors
#
# The reference model (all-MiniLM-L6-v2, 384 dimensions) encodes the distinct sentences of the
# profile's NLI pairs — up to `profile.index_real_sentences` of them — and 200 STS-B test sentences
# as queries. Exact search over the float vectors (lesson 9's `course.ann.exact_index`) is the
# reference every cheaper index is measured against: **recall@10 vs exact** is the share of the
# exact top 10 that a cheaper search also returns.

# %%
# NBVAL_IGNORE_OUTPUT
teacher = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
corpus_sentences = course.simcse.unlabelled_sentences(profile, profile.index_real_sentences)
sts_test = course.recipes.sts_pairs(profile, "test")
query_sentences = list(dict.fromkeys(pair.s1 for pair in sts_test))[:200]
started = time.perf_counter()
corpus = course.search.normalize_rows(
    teacher.encode(corpus_sentences, batch_size=profile.encode_batch_size, progress=True)
)
queries = course.search.normalize_rows(teacher.encode(query_sentences))
print(
    f"encoded {len(corpus):,} + {len(queries)} sentences in {time.perf_counter() - started:.0f} s"
)

# %% [markdown]
# ## 2 · int8 and binary vectors
#
# - **int8**: each dimension is scaled to 256 levels between its smallest and largest value in the
#   corpus (the corpus is the *calibration* set), one byte per number, 4x smaller. Search runs on
#   the decoded values.
# - **binary**: keep only the sign of each number, one bit: 384 dimensions become 48 bytes, 32x
#   smaller. Two vectors are compared by their **Hamming distance** — the number of bits that
#   differ, one XOR and a population count per byte, the cheapest comparison a CPU has. For unit
#   vectors the fraction of differing signs estimates the angle between them (Charikar 2002), so
#   Hamming order roughly follows cosine order.
# - **binary + rescoring**: take the best 4 × 10 candidates by Hamming distance, then re-rank them
#   by the inner product of the **float** query with their **int8** vectors. The study's recipe:
#   the binary index sits in memory, the int8 copy on disk, and only the 40 candidates' int8
#   vectors are read per query — so memory stays at 48 bytes a vector.

# %%
# NBVAL_IGNORE_OUTPUT
exact_index = course.ann.exact_index(corpus)
exact_top = course.ann.search(exact_index, queries, 10)
indexes = {
    "float32 (exact)": exact_index,
    "int8": course.ann.int8_index(corpus),
    "binary": course.ann.BinaryIndex(corpus),
    "binary + rescoring ×4": course.ann.BinaryIndex(corpus, rescore=4),
}
table = {}
for name, index in indexes.items():
    table[name] = (
        course.ann.bytes_per_vector(index),
        course.ann.recall_vs_exact(course.ann.search(index, queries, 10), exact_top),
        course.ann.query_milliseconds(index, queries, k=10),
    )

# %%
paper_recall = {"binary": 92.5, "binary + rescoring ×4": 96.0}  # shares of float quality (2024)
print(
    f"{'index':<24}{'bytes/vector':>14}{'+ on disk':>11}{'recall@10 vs exact':>20}{'ms/query':>10}"
)
for name, (size, recall, ms) in table.items():
    disk = getattr(indexes[name], "rescore_bytes_per_vector", 0)
    print(f"{name:<24}{size:>14.1f}{disk:>11}{recall:>20.3f}{ms:>10.3f}")
for name in ("int8", "binary", "binary + rescoring ×4"):
    size, recall, _ = table[name]
    lesson.compare(
        f"recall@10 vs float, {name}, %", paper=paper_recall.get(name), measured=100 * recall
    )
    lesson.compare(f"bytes per vector, {name}", paper=None, measured=size, digits=1)
lesson.compare(
    "bytes per vector, float32", paper=None, measured=table["float32 (exact)"][0], digits=1
)
shrink = table["float32 (exact)"][0] / table["binary + rescoring ×4"][0]
print(f"binary + rescoring: {shrink:.0f}x fewer bytes per vector than float32")

# %% [markdown]
# The reported figures (sentence-transformers' quantisation study, 2024) are shares of a *task's*
# retrieval score (NDCG@10 on MTEB retrieval sets) kept after quantisation; ours is the share of
# the exact float top 10 that survives. They measure the same loss from different sides. Note the
# milliseconds too: a binary flat index is still brute force — it reads every code — but 48 bytes
# per vector instead of 1,536 means far less memory traffic per query.

# %% [markdown]
# ## 3 · Exercise: Hamming search by hand
#
# Write `hamming_top_k(query_codes, corpus_codes, k)`: both are `uint8` arrays of packed sign bits
# (`np.packbits(vectors > 0, axis=1)`, 8 dimensions a byte). Return the (q, k) ids of the k corpus
# rows with the fewest differing bits, nearest first. Hint: XOR the bytes, then count the set bits
# with `np.unpackbits(...).sum(axis=-1)` (or a 256-entry lookup table). The check compares your
# distances with FAISS's `IndexBinaryFlat` inside `course.ann.BinaryIndex`.


# %% tags=["solution"]
def hamming_top_k(query_codes: np.ndarray, corpus_codes: np.ndarray, k: int) -> np.ndarray:
    """(q, k) ids of the corpus rows nearest each query row in Hamming distance."""
    differing = np.bitwise_xor(query_codes[:, None, :], corpus_codes[None, :, :])  # (q, n, bytes)
    distances = np.unpackbits(differing, axis=-1).sum(axis=-1)  # (q, n) differing bits
    return np.argsort(distances, axis=1, kind="stable")[:, :k]


# %%
# NBVAL_CHECK_OUTPUT
binary = course.ann.BinaryIndex(corpus[:2000])
few = queries[:20]
ours = hamming_top_k(np.packbits(few > 0, axis=1), binary.codes, 10)
faiss_distances, _ = binary.search(few, 10)
our_distances = np.unpackbits(
    np.bitwise_xor(np.packbits(few > 0, axis=1)[:, None, :], binary.codes[ours]), axis=-1
).sum(axis=-1)
course.lesson.check(
    ours.shape == (20, 10) and np.array_equal(our_distances, faiss_distances),
    "the Hamming distances of your top 10 equal FAISS's for all 20 queries (ids may differ "
    "where distances tie)",
    hint="XOR the packed bytes of each query with every corpus row, count the set bits, and sort "
    "ascending: a smaller distance is nearer",
)

# %% [markdown]
# ## 4 · A model with no transformer: static distillation
#
# A transformer reads every sentence anew. A static model does not read at all: each token has
# one fixed vector, and a sentence vector is the mean of its tokens' vectors — GloVe averaging
# (lesson 1), but with vectors that come from a trained sentence encoder. The model2vec recipe
# (Tulkens & van Dongen 2024), rebuilt in `course.distill.distill_static`:
#
# 1. pass every token of the teacher's vocabulary through the teacher, alone (`[CLS] token
#    [SEP]`), and keep its sentence vector: a (V, 384) table (`profile.distill_tokens` is None,
#    every token, except in the test runs at a small `$SBERT_LAB_SCALE`, which pass 1,000);
# 2. PCA to 256 dimensions — which also centres the table, removing the one direction every raw
#    vector shares (lesson 7's anisotropy);
# 3. weight each token by how informative it is: SIF weighting a / (a + p(token)), with p from
#    Zipf's law over the vocabulary's frequency order, so "the" and "," count for little.
#
# No sentence is ever read and no gradient is computed; the teacher runs once per token. The cell
# below builds the static model, then encodes the STS-B test sentences with it, with its teacher and
# with averaged GloVe: sentences per second, and STS-B Spearman.

# %%
# NBVAL_IGNORE_OUTPUT
started = time.perf_counter()
static = course.distill.distill_static(teacher, dims=256, tokens=profile.distill_tokens)
print(f"{static} built in {time.perf_counter() - started:.0f} s")

sentences = [s for pair in sts_test for s in (pair.s1, pair.s2)]
speed, sts = {}, {}
for name, model in (
    ("teacher (MiniLM, 6 layers)", teacher),
    ("static, distilled", static),
    ("GloVe 6B 50d average", course.baselines.GloVeAverage()),
):
    started = time.perf_counter()
    model.encode(sentences, batch_size=profile.encode_batch_size)
    speed[name] = len(sentences) / (time.perf_counter() - started)
    sts[name] = sl.evaluation.sts_spearman(model, sts_test, profile.encode_batch_size)

# %%
for name in sts:
    lesson.compare(f"STS-B test, {name}", paper=None, measured=sts[name])
    lesson.compare(f"sentences per second, {name}", paper=None, measured=speed[name], digits=0)
gain = sts["static, distilled"] - sts["GloVe 6B 50d average"]
ratio = speed["static, distilled"] / speed["teacher (MiniLM, 6 layers)"]
print(f"static above GloVe by {gain:+.2f} points, {ratio:.0f}x the teacher's speed on this machine")
print(
    "for scale (MTEB STS averages, not STS-B): model2vec's distilled model 68.58, GloVe 300d "
    "61.90; the SBERT paper's GloVe average on STS-B test 58.02"
)

# %%
# NBVAL_IGNORE_OUTPUT
fig, ax = plt.subplots(figsize=(6, 3.6))
for name in sts:
    ax.scatter(speed[name], sts[name], s=60)
    ax.annotate(name, (speed[name], sts[name]), textcoords="offset points", xytext=(6, 4))
ax.set(
    xscale="log",
    xlabel="sentences per second (log scale, this machine)",
    ylabel="STS-B test Spearman × 100",
    title="Quality against speed",
)
fig.tight_layout()
plt.show()

# %% [markdown]
# The static model keeps part of the teacher's quality at a large multiple of its speed, and beats
# GloVe because its token vectors were shaped by a sentence encoder trained on similarity, not by
# co-occurrence counts. What it cannot do is read: "not good" is the mean of "not" and "good",
# whatever their order — the weakness of lesson 1's averaged GloVe, traded for speed.

# %% [markdown]
# ## 5 · Where to go next: this workbook in sentence-transformers and MTEB
#
# Every piece built in these lessons has a counterpart in sentence-transformers (v3 and later) —
# the library by the SBERT paper's first author — and the models are compared on MTEB (Muennighoff
# et al. 2023), the benchmark that grew out of the paper's STS and SentEval tables.
#
# | this workbook (lesson) | sentence-transformers v3+ / MTEB |
# |---|---|
# | `sl.SentenceEncoder` (2, 4) | `SentenceTransformer`: `models.Transformer` + `models.Pooling` |
# | `sl.losses.SoftmaxLoss`, `CosineMSELoss` (3, 4) | `losses.SoftmaxLoss`, `CosineSimilarityLoss` |
# | `sl.losses.TripletLoss` (5) | `losses.TripletLoss` |
# | `MultipleNegativesRankingLoss` (3, 5, 12) | `losses.MultipleNegativesRankingLoss` |
# | `UnsupervisedSimCSELoss` (11) | `MultipleNegativesRankingLoss` on (s, s) pairs |
# | `MatryoshkaLoss` (12) | `losses.MatryoshkaLoss`; `SentenceTransformer(truncate_dim=...)` |
# | `sl.train.fit` (3) | `SentenceTransformerTrainer`, `SentenceTransformerTrainingArguments` |
# | `sl.evaluation.sts_spearman` (1) | `evaluation.EmbeddingSimilarityEvaluator` |
# | `course.search.top_k_cosine`, `rerank` (8) | `util.semantic_search`, `CrossEncoder.rank` |
# | `course.ann` indexes, int8, binary (9, 13) | `quantize_embeddings`, `semantic_search_faiss` |
# | hard negatives from NLI (5, 12) | `util.mine_hard_negatives` |
# | STS and transfer tables (1, 10) | MTEB: `mteb.get_tasks(...)`, the MTEB leaderboard |
#
# One check that the map is right: train the same raw BERT on the same pairs (the (premise,
# entailment) pairs of lesson 12's triplets: lesson 3's in-batch negatives) with the same recipe —
# loss, batch, learning rate, warm-up, schedule, clipping, weight decay — in both libraries, and
# compare STS-B test. One setting differs by default: `sl.train.fit` groups examples of similar
# length into a batch (to pad less, Section 7 of the paper), sentence-transformers draws plain
# random batches; here ours draws random batches too (`length_grouping=False`).
# The cell skips sentence-transformers where it is not installed (`pip install
# sentence-transformers`).

# %%
# NBVAL_IGNORE_OUTPUT
triplets = course.profiles.subset(
    course.recipes.nli_triplets(profile), profile.triplet_objectives_size
)
sts_test = course.recipes.sts_pairs(profile, "test")
steps = course.triplet_objectives.steps(profile, len(triplets))
print(f"{len(triplets):,} pairs, {steps} steps of {profile.triplet_objectives_batch_size}")
ours, _ = course.triplet_objectives.train_on_triplets(
    profile, triplets, "positives only", length_grouping=False
)
bridge = {"sbert_lab": sl.evaluation.sts_spearman(ours, sts_test, profile.encode_batch_size)}
if importlib.util.find_spec("sentence_transformers") is None:
    print("sentence-transformers is not installed: pip install sentence-transformers")
else:
    with tempfile.TemporaryDirectory() as scratch:
        theirs = course.bridge.train_with_sentence_transformers(
            profile, triplets, scratch, "positives only"
        )
        bridge["sentence-transformers"] = sl.evaluation.sts_spearman(
            theirs, sts_test, profile.encode_batch_size
        )

# %%
raw = sl.SentenceEncoder(profile.raw_model, pooling="mean", max_length=profile.max_length)
lesson.compare(
    "STS-B test, raw BERT",
    paper=None,
    measured=sl.evaluation.sts_spearman(raw, sts_test, profile.encode_batch_size),
)
for name, value in bridge.items():
    lesson.compare(f"STS-B test, {name} (random batches)", paper=None, measured=value)
if "sentence-transformers" in bridge:
    gap = abs(bridge["sbert_lab"] - bridge["sentence-transformers"])
    lesson.compare("STS-B test gap, sbert_lab vs sentence-transformers", paper=None, measured=gap)

# %% [markdown]
# Both libraries lift raw BERT by about the same amount and land a point or two apart (the
# printed gap): the map holds. They cannot agree to the decimal — each library draws its own batch
# order and dropout masks, and on a few dozen steps those move the score by a point or so. With
# `sl.train.fit`'s default length-grouped batches the project measured 41.94 against 41.17 for
# random batches on these pairs (and +2.8 and −1.0 with hard negatives on 750 and 640 triplets):
# grouping by length also decides which sentences are each other's negatives — similar lengths take
# away the shortcut of telling a partner by its length — but on runs this short the effect is
# within the noise.

# %% [markdown]
# ## Summary
#
# - int8 vectors cost a quarter of float32 and lose almost nothing; binary vectors cost a 32nd, and
#   rescoring the Hamming shortlist with the float query recovers most of what they lose.
# - Hamming distance is XOR and a bit count: the cheapest comparison there is.
# - A static model distilled from a sentence encoder is a table lookup: many times faster than its
#   teacher, better than GloVe, blind to word order.
# - Every piece of this workbook has a counterpart in sentence-transformers, and the same run in
#   both lands close; MTEB is where models are compared today.
# - Two libraries, one recipe, one number within noise: only the batch order differs, and on a
#   short run it moves the score by about a point.

# %% [markdown]
# ## Check your understanding
#
# **1.** Why can the signs alone of a unit vector's numbers still find its neighbours?
#
# <details><summary>Answer</summary>
#
# Two vectors at a small angle have the same sign on most coordinates, and the share of coordinates
# whose signs differ grows with the angle between them (for random directions it estimates the
# angle, Charikar 2002). So ordering by Hamming distance roughly follows ordering by cosine; what
# is lost is the fine order among near neighbours. Shown in section 2, 'int8 and binary vectors',
# in the recall of the binary row.
#
# </details>
#
# **2.** What does rescoring keep binary, and why does it recover recall?
#
# <details><summary>Answer</summary>
#
# The corpus stays binary — 48 bytes a vector in memory. Only the query, which is computed anyway,
# stays float. Hamming search picks a shortlist four times longer than needed; the float query's
# inner product with each candidate's ±1 vector then orders the shortlist more finely than bit
# counts can, so answers that Hamming distance ranked 11th to 40th move back into the top 10.
# Shown in section 2, 'int8 and binary vectors', binary against binary + rescoring.
#
# </details>
#
# **3.** Why does the static model beat averaged GloVe, and what can it never do?
#
# <details><summary>Answer</summary>
#
# Its token vectors come from a sentence encoder trained to rank sentences by meaning, and PCA and
# SIF weighting remove the shared direction and the weight of frequent tokens; GloVe's vectors
# come from word co-occurrence and weigh every word the same. But both average: a sentence vector
# is the same whatever the order of its words, so "the dog bit the man" equals "the man bit the
# dog". Shown in section 4, 'A model with no transformer: static distillation'.
#
# </details>
#
# **4.** Section 5 trains the same model with the same recipe in two libraries. Why do the numbers
# differ at all, and what could batching by length change for in-batch negatives?
#
# <details><summary>Answer</summary>
#
# Same loss, learning rate, schedule, batch size and data, but each library draws its own batch
# order and dropout masks; on a short run those move the final score by a point or so, so the check
# is that both land close, not that they agree to the decimal. Batching by length also decides
# which sentences are each other's negatives: in a random batch a partner can partly be told by its
# length, a cue useless for meaning; in a batch of similar lengths only the content separates the
# candidates. Shown in section 5, 'Where to go next'.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. Combine lessons 12 and 13: truncate the Matryoshka model's vectors to 64 numbers, then
#    binarise them — 8 bytes a sentence. How much recall is left?
# 2. Rescore with a longer shortlist (`rescore=10`): where does recall stop improving, and what
#    does each step cost in milliseconds?
# 3. Distil with `dims=64` and `dims=384` (no reduction). Which matters more for STS-B, the PCA or
#    the SIF weights? Try `course.distill.sif_weights(n, a=1.0)` (nearly uniform) to see.
# 4. Run one MTEB task on the reference model (`pip install mteb`, on a machine with network) and
#    compare its STS-B score with this workbook's `sl.evaluation.sts_spearman`.
# 5. Train ours in section 5 with length-grouped batches (the default) and with random ones, three
#    seeds each (`sl.train.fit(..., seed=s)`). Is grouping's effect larger than the seeds' spread?

# %%
# NBVAL_IGNORE_OUTPUT
lesson.save()
