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
# # Lesson 8 — Semantic search, re-ranking, paraphrase mining and clustering
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/08_semantic_search_and_rerank.ipynb)
#
# SBERT exists for one reason: to make *comparing many sentences* cheap. The paper opens with it
# (Section 1): finding the most similar pair among 10,000 sentences takes BERT, a cross-encoder,
# 49,995,000 forward passes — about 65 hours on a V100 — and SBERT about 5 seconds. This lesson uses
# a bi-encoder the way it is used in practice: as a **search index**, with the cross-encoder brought
# back only where it is affordable.
#
# **You will learn**
# - to index a corpus (unit-length vectors) and answer a query with the top-k cosine neighbours;
# - to **re-rank** the top k with a cross-encoder: the bi-encoder for recall over everything, the
#   cross-encoder — where it is the better judge — for precision over a few (section 5 measures
#   whether it is here);
# - to measure retrieval with **recall@k** on known paraphrase pairs, with and without re-ranking;
# - to **mine paraphrases** — the best pairs among n sentences — in chunks, never holding the n × n
#   matrix;
# - to **cluster** sentence vectors with k-means and agglomerative clustering.
#
# **Rebuilds** the use case of Section 1 (the 65 hours vs 5 seconds argument, and the Quora
# duplicate-question example) and puts Table 2's trade-off to work: a well-pretrained cross-encoder
# can score pairs more accurately (in the paper, with NLI first and BERT-large, 88.77 vs 86.10
# Spearman on STS-B; level on STS-B alone, 84.30 vs 84.67 with BERT-base) but can only afford to
# score a few of them.

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
    "08_semantic_search_and_rerank",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %%
import itertools
import json
import textwrap
import time
from collections import Counter

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.metrics import adjusted_rand_score

profile = lesson.profile


def short(sentence: str, width: int = 70) -> str:
    return textwrap.shorten(sentence, width, placeholder="…")


# %% [markdown]
# ## 1 · A corpus with known answers
#
# To *measure* search we need queries whose right answers we know. Paraphrase pairs give them: each
# sentence of a pair is a query, and the other one is the answer that must come back.
#
# - **Known paraphrases**: the 18 hand-written pairs shipped with the package (inside its
#   72-sentence topic corpus), and the STS-B dev and test pairs with a gold score ≥ 4.5 out of 5
#   ("the two sentences are completely equivalent"). STS-B *train* pairs are not used as queries:
#   the cross-encoder below was trained on them.
# - **Distractors**: every other STS-B and SNLI sentence we can load (here: STS-B train/dev/test and
#   SNLI dev/test; SNLI's 550k-pair train split is left out to keep the index quick to build).
#
# The corpus is capped at `profile.corpus_size` sentences: the topic corpus, then the paraphrase
# pairs (their sentences up to a quarter of what is left: every one becomes a query that costs 10
# cross-encoder passes below), then distractors.


# %%
def load_or_skip(load, *args):
    """``load(*args)``, or an empty list with a note when the data set is not available here."""
    try:
        return load(*args)
    except sl.data.DataNotFoundError as err:
        print(f"skipped {args[:2]}: {str(err).splitlines()[0]}")
        return []


stsb = {
    split: load_or_skip(sl.data.load_sts, "stsb", split, profile.data_dir)
    for split in ("train", "dev", "test")
}
snli = {
    split: load_or_skip(sl.data.load_nli, "snli", split, profile.data_dir)
    for split in ("dev", "test")
}

topics = course.lesson_data.load_topics()
topic_sentences = [sentence for _, sentence in topics]
known = {  # source -> known paraphrase pairs
    "hand-written": course.lesson_data.load_paraphrases(),
    "STS-B ≥ 4.5": [
        (p.s1, p.s2)
        for split in ("dev", "test")
        for p in stsb[split]
        if p.score >= 4.5 and p.s1 != p.s2
    ],
}
distractors = [s for split in stsb.values() for p in split for s in (p.s1, p.s2)]
distractors += [s for split in snli.values() for p in split for s in (p.premise, p.hypothesis)]
print(
    {name: len(known[name]) for name in known},
    f"{len(set(distractors))} distinct distractor sentences",
)

# %%
cap = profile.corpus_size or 10**9
pair_room = max(0, cap - len(topic_sentences)) // 4  # sentences
stsb_pairs = course.profiles.subset(known["STS-B ≥ 4.5"], pair_room // 2)
known = {**known, "STS-B ≥ 4.5": stsb_pairs}  # the known pairs the lesson uses from here on
corpus = list(dict.fromkeys(topic_sentences + [s for pair in stsb_pairs for s in pair]))
taken = set(corpus)
fill = course.profiles.subset(
    [s for s in dict.fromkeys(distractors) if s not in taken], cap - len(corpus)
)
corpus += fill
print(
    f"corpus: {len(corpus)} sentences = {len(topic_sentences)} topic + "
    f"{len(taken) - len(topic_sentences)} from STS-B pairs + {len(fill)} distractors"
)

# %% [markdown]
# ## 2 · Index: encode once, normalise once
#
# The bi-encoder is `profile.reference_model`, a trained SBERT-style model, so that the numbers mean
# something in every profile (swap in your own `course.recipes.sts_model(profile)` as an exercise).
# The "index" is nothing but the matrix of unit-length sentence vectors: with unit vectors, cosine
# similarity is a dot product, and a query against the whole corpus is one matrix-vector product.
# The cell also keeps the index on disk (`INDEX_DIR`, in the lesson's own folder), with the known
# pairs and the time it took to build: sections 5 and 6 load it from there.

# %%
# NBVAL_IGNORE_OUTPUT
bi_encoder = sl.SentenceEncoder(profile.reference_model, max_length=profile.max_length)
started = time.perf_counter()
index = course.search.build_index(bi_encoder, corpus, batch_size=profile.encode_batch_size)
encode_seconds = time.perf_counter() - started
print(
    f"indexed {len(index)} sentences in {encode_seconds:.2f} s -> embeddings "
    f"{index.embeddings.shape}, {index.embeddings.nbytes / 2**20:.1f} MiB"
)
INDEX_DIR = lesson.kept_dir() / "search-index"  # in the lesson's own folder on disk
INDEX_DIR.mkdir(exist_ok=True)
np.save(INDEX_DIR / "embeddings.npy", index.embeddings)
about = {"sentences": index.sentences, "known": known, "encode_seconds": encode_seconds}
(INDEX_DIR / "corpus.json").write_text(json.dumps(about))

# %% [markdown]
# ## 3 · Search, then re-rank
#
# `index.search` encodes the queries and returns each one's top-k corpus rows by cosine. Then the
# cross-encoder reads each (query, candidate) pair *jointly* and re-orders the k candidates. A
# re-ranker is only worth its cost if it is a *better* judge than the bi-encoder.
# `course.recipes.cross_encoder` loads the STS-B cross-encoder of lesson 4 from `runs/`, or trains
# it now with this profile's sizes; the `offline` profile starts it from the trained MiniLM instead
# (`profile.reranker_model`), trained on `profile.reranker_train_size` STS-B pairs to fit the
# lesson's budget, because lesson 4's cross-encoder, made from a small raw BERT on a few thousand
# pairs, ranks STS-B worse than the bi-encoder it would have to correct.

# %%
cross_encoder = course.recipes.cross_encoder(profile, start=profile.reranker_model)

# %%
queries = [
    "Someone is playing a musical instrument.",
    "How can I keep my money safe for the future?",
    "The weather will be terrible tomorrow.",
]
k = 5
bi_scores, bi_ids = index.search(bi_encoder, queries, k=k)
ce_scores, ce_ids = course.search.rerank(cross_encoder, queries, bi_ids, index.sentences)
for q, query in enumerate(queries):
    print(f"\nquery: {query}")
    print(f"  {'bi-encoder (cosine)':<46}  re-ranked by the cross-encoder (score)")
    for r in range(k):
        left = f"{bi_scores[q, r]:.2f} {short(index.sentences[bi_ids[q, r]], 40)}"
        right = f"{ce_scores[q, r]:.2f} {short(index.sentences[ce_ids[q, r]], 40)}"
        print(f"  {left:<46}  {right}")

# %% [markdown]
# ## 4 · Recall@k, with and without re-ranking
#
# **Recall@k**: for each query, the share of its known answers that appear among the first k
# results; averaged over queries. A tiny hand-made case first (ids of corpus rows):

# %%
# NBVAL_CHECK_OUTPUT
toy_retrieved = np.array([[4, 2, 9], [1, 3, 0], [7, 8, 5]])  # 3 queries, their top-3 results
toy_relevant = [{2}, {0, 3}, {6}]  # the known answers of each query
for toy_k in (1, 2, 3):
    print(f"recall@{toy_k} = {course.search.recall_at_k(toy_retrieved, toy_relevant, toy_k):.3f}")

# %% [markdown]
# Now on the corpus. Every sentence of a known pair queries the corpus; its own row is excluded (it
# would always come first). The bi-encoder retrieves the top 10; the cross-encoder re-orders those
# 10. Re-ranking only *permutes* the candidates, so recall@10 cannot change — it can only move
# answers up to rank 1.

# %%
ks = (1, 3, 5, 10)
recalls = {}  # (source, method) -> [recall@k for k in ks]; method "bi-encoder" or "re-ranked"
rankings = {}  # source -> (re-ranked ids, relevant rows): the exercise below checks against them
started = time.perf_counter()
for source, pairs in known.items():
    rows, relevant = course.search.paraphrase_queries(pairs, index)
    if len(rows) == 0:
        print(f"{source}: no pair has both sentences in the corpus; skipped")
        continue
    _, retrieved = course.search.top_k_cosine(
        index.embeddings[rows], index.embeddings, k=max(ks), exclude=rows
    )
    query_sentences = [index.sentences[r] for r in rows]
    _, reranked = course.search.rerank(
        cross_encoder,
        query_sentences,
        retrieved,
        index.sentences,
        batch_size=profile.encode_batch_size,
    )
    recalls[source, "bi-encoder"] = [course.search.recall_at_k(retrieved, relevant, k) for k in ks]
    recalls[source, "re-ranked"] = [course.search.recall_at_k(reranked, relevant, k) for k in ks]
    rankings[source] = reranked, relevant
    print(f"{source}: {len(rows)} queries")
rerank_seconds = time.perf_counter() - started

# %%
for (source, method), values in recalls.items():
    for k, value in zip(ks, values, strict=True):
        lesson.compare(f"recall@{k}, {source}, {method}", paper=None, measured=value, digits=3)

# %%
for source, (_, relevant) in rankings.items():
    before, after = recalls[source, "bi-encoder"], recalls[source, "re-ranked"]
    noise = np.sqrt(before[0] * (1 - before[0]) / len(relevant))  # one standard error, recall@1
    gap = after[0] - before[0]
    verdict = "lifts it" if gap > noise else "lowers it" if gap < -noise else "within noise"
    print(
        f"{source}: the bi-encoder's top 10 holds {before[-1]:.0%} of the answers; re-ranking moves"
        f" recall@1 {before[0]:.3f} -> {after[0]:.3f} ({gap:+.3f}, ±{noise:.3f}): {verdict}"
    )

# %%
fig, axes = plt.subplots(1, len(rankings), figsize=(11, 3.6), sharey=True, squeeze=False)
for ax, source in zip(axes[0], rankings, strict=True):  # the sources measured above
    for shift, method in ((-0.2, "bi-encoder"), (0.2, "re-ranked")):
        label = "bi-encoder top 10" if method == "bi-encoder" else "re-ranked by the cross-encoder"
        bars = ax.bar(np.arange(len(ks)) + shift, recalls[source, method], width=0.4, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=7)
    ax.set_xticks(np.arange(len(ks)), [f"@{k}" for k in ks])
    ax.set(title=f"queries: {source} paraphrases", xlabel="recall@k", ylim=(0, 1.3))
axes[0, 0].set_ylabel("recall")
axes[0, 0].legend(loc="upper left", ncols=2, fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# How to read it: the bi-encoder alone finds a share of the answers somewhere in its top 10 (the
# lines above the figure print it) — that is its job, recall over the whole corpus. Whether
# re-ranking helps recall@1 (the verdict after each share, against one standard error) depends on
# the cross-encoder being the better judge of pairs. A re-ranker that judges worse than the
# bi-encoder (try lesson 4's `course.recipes.cross_encoder(profile)` on the `offline` profile) makes
# rank 1 worse: re-ranking is a second opinion, worth only as much as the judge who gives it.
#
# ### Exercise: write recall@k
#
# Write `my_recall_at_k(retrieved, relevant, k)`: `retrieved` is an array (queries, ≥ k) of ids,
# best first; `relevant` a list with one set of correct ids per query. Return the mean over queries
# of
# |relevant ∩ first k retrieved| / |relevant|.


# %% tags=["solution"]
def my_recall_at_k(retrieved: np.ndarray, relevant: list[set[int]], k: int) -> float:
    """Mean over queries of the share of relevant ids found among the first k retrieved."""
    shares = [
        len(set(ids[:k].tolist()) & answers) / len(answers)
        for ids, answers in zip(retrieved, relevant, strict=True)
    ]
    return float(np.mean(shares))


# %%
toy_retrieved = np.array([[4, 2, 9], [1, 3, 0], [7, 8, 5]])  # section 4's toy case, as above
toy_relevant = [{2}, {0, 3}, {6}]
cases = [(toy_retrieved, toy_relevant, k) for k in (1, 2, 3)] + [
    (ids, rel, k) for ids, rel in rankings.values() for k in ks
]
course.lesson.check(
    all(
        abs(my_recall_at_k(r, rel, k) - course.search.recall_at_k(r, rel, k)) < 1e-9
        for r, rel, k in cases
    ),
    "my_recall_at_k differs from course.search.recall_at_k on at least one case (toy case: yours "
    f"{[round(my_recall_at_k(toy_retrieved, toy_relevant, k), 3) for k in (1, 2, 3)]}, expected "
    "[0.0, 0.5, 0.667])",
    hint="a query with two answers of which one is in the top k counts 1/2, not 1; look only at "
    "ids[:k]",
)

# %% [markdown]
# ## 5 · Paraphrase mining: the best pairs of the whole corpus
#
# The task of the paper's introduction: find the most similar pairs among n sentences. With vectors
# it is the n × n cosine matrix — but for n = 1,000,000 that matrix would take 4 TB.
# `course.search.mine_paraphrases` multiplies a chunk of rows at a time by the rows after them,
# keeps each chunk's best candidates (`np.argpartition`), and merges them into a heap of the best
# `top_n`: memory chunk × n, not n × n. Sections 5 and 6 work on the index section 2 kept on disk:
# the first cell below loads it.

# %%
saved = json.loads((INDEX_DIR / "corpus.json").read_text())
index = course.search.CorpusIndex(saved["sentences"], np.load(INDEX_DIR / "embeddings.npy"))
known, encode_seconds = saved["known"], saved["encode_seconds"]
print(f"loaded the index of section 2: {len(index)} sentences")

# %%
# NBVAL_IGNORE_OUTPUT
chunk_size = 128
started = time.perf_counter()
mined = course.search.mine_paraphrases(index.embeddings, top_n=10, chunk_size=chunk_size)
mining_seconds = time.perf_counter() - started
n = len(index)
print(
    f"mined {n * (n - 1) // 2:,} pairs in {mining_seconds:.2f} s; peak scores held: {chunk_size} "
    f"x {n} ({chunk_size * n * 4 / 2**20:.1f} MiB) instead of {n} x {n} ({n * n * 4 / 2**20:.1f} "
    "MiB)"
)
for score, i, j in mined:
    print(f"{score:.3f}  {short(index.sentences[i], 55):<57} {short(index.sentences[j], 55)}")

# %%
known_pairs = set(map(frozenset, itertools.chain.from_iterable(known.values())))
found = sum(frozenset((index.sentences[i], index.sentences[j])) in known_pairs for _, i, j in mined)
print(f"{found} of the {len(mined)} best pairs are known paraphrase pairs of section 1")

# %% [markdown]
# The other top pairs are worth reading: near-duplicates that no list records, or pairs the model
# rates too high. A cross-encoder doing the same would need n(n−1)/2 forward passes; lesson 6
# measured what one costs. Here is the bi-encoder's bill for this corpus (timings vary with the
# machine and its load):

# %%
# NBVAL_IGNORE_OUTPUT
print(
    f"bi-encoder: encode {n} sentences {encode_seconds:.2f} s + mine all pairs "
    f"{mining_seconds:.2f} s"
)
print(
    f"cross-encoder for the same: {n * (n - 1) // 2:,} pair passes (the paper: 65 h for n = "
    "10,000 on a V100)"
)

# %% [markdown]
# ## 6 · Clustering
#
# Clustering groups a corpus without queries. On the 72 topic sentences we know the right answer
# (six topics), so we can score a clustering with the **adjusted Rand index** (ARI: 1 = the topics
# exactly, 0 = no better than chance). Two classic algorithms from scikit-learn:
#
# - **k-means** on unit vectors (Euclidean distance between unit vectors ranks like cosine);
# - **agglomerative** clustering with average linkage on cosine distance: start with every sentence
#   alone and repeatedly merge the two closest groups.
#
# Raw BERT (`profile.raw_model`) is clustered too, for contrast.

# %%
topics = course.lesson_data.load_topics()  # section 1's topic corpus: (topic, sentence) pairs
topic_labels = [topic for topic, _ in topics]
topic_sentences = [text for _, text in topics]
topic_vectors = {
    "raw BERT": course.search.normalize_rows(
        sl.SentenceEncoder(profile.raw_model, max_length=profile.max_length).encode(
            topic_sentences, batch_size=profile.encode_batch_size
        )
    ),
    "reference SBERT": index.embeddings[[index.row[text] for text in topic_sentences]],
}

# %%
n_topics = len(set(topic_labels))
algorithms = {
    "k-means": lambda: KMeans(n_clusters=n_topics, n_init=10, random_state=0),
    "agglomerative": lambda: AgglomerativeClustering(
        n_clusters=n_topics, metric="cosine", linkage="average"
    ),
}
clusters = {}
for space, v in topic_vectors.items():
    for algorithm, make in algorithms.items():
        clusters[space, algorithm] = make().fit_predict(v)
        ari = adjusted_rand_score(topic_labels, clusters[space, algorithm])
        lesson.compare(f"ARI vs topics, {algorithm}, {space}", paper=None, measured=ari, digits=2)
for algorithm in algorithms:
    raw_ari, trained_ari = (
        adjusted_rand_score(topic_labels, clusters[space, algorithm]) for space in topic_vectors
    )
    print(
        f"{algorithm}: ARI {trained_ari:.2f} (reference SBERT) vs {raw_ari:.2f} (raw BERT): "
        + ("the trained model finds more of the topics" if trained_ari > raw_ari else "it does not")
    )


# %%
def print_clusters(
    vectors: np.ndarray,
    assignment: np.ndarray,
    sentences: list[str],
    labels: list[str],
    examples: int = 3,
) -> None:
    """Each cluster: its size, its most common topic (of ``labels``), and its most central
    ``sentences``."""
    for cluster in np.unique(assignment):
        members = np.flatnonzero(assignment == cluster)
        centre = vectors[members].mean(axis=0)
        central = members[np.argsort(-(vectors[members] @ centre))]  # closest to the centre first
        topic, count = Counter(labels[m] for m in members).most_common(1)[0]
        print(f"cluster {cluster}: {len(members):>2} sentences, {count:>2} of them '{topic}'")
        for m in central[:examples]:
            print(f"    {short(sentences[m])}")


print("k-means, reference SBERT")
print_clusters(
    topic_vectors["reference SBERT"],
    clusters["reference SBERT", "k-means"],
    topic_sentences,
    topic_labels,
)

# %%
print("agglomerative, reference SBERT")
print_clusters(
    topic_vectors["reference SBERT"],
    clusters["reference SBERT", "agglomerative"],
    topic_sentences,
    topic_labels,
    examples=2,
)

# %% [markdown]
# ## Summary
#
# - A bi-encoder turns search into linear algebra: encode the corpus **once**, normalise, and answer
#   each query with one matrix product and a top-k selection. This is what makes Section 1's
#   "65 hours → 5 seconds" possible.
# - **Retrieve, then re-rank**: the bi-encoder gives recall over the whole corpus cheaply; a
#   cross-encoder re-orders only the top k. Re-ranking can never change recall@k for the k it
#   re-ranks — only the order inside it, which is what recall@1 measures.
# - **Paraphrase mining** needs the best pairs of an n × n matrix, not the matrix: chunks of rows,
#   `argpartition` and a heap keep memory at chunk × n.
# - **Clustering** works on the same vectors; the adjusted Rand index against known topics tells a
#   clear but partial topic structure (trained SBERT, about 0.5) from a much weaker one (raw BERT,
#   near chance with one of the two methods; its vectors still reflect shared words: offline,
#   lesson 1 found a same-topic nearest neighbour for just over half of these sentences).

# %% [markdown]
# ## Check your understanding
#
# **1.** Why retrieve with the bi-encoder and re-rank only its top k with a cross-encoder, instead
# of scoring every sentence of the corpus with the cross-encoder?
#
# <details><summary>Answer</summary>
#
# The cross-encoder needs one pass per (query, sentence) pair and can prepare nothing in advance
# (lesson 6), so scoring the whole corpus costs one pass per corpus sentence for every query. The
# bi-encoder's index answers a query with one encoding and one matrix product: recall over
# everything, cheaply. The cross-encoder then spends k passes where they can change the answer, on
# the order of a short list. Shown in section 3, 'Search, then re-rank'.
#
# </details>
#
# **2.** Why can re-ranking the top 10 never change recall@10?
#
# <details><summary>Answer</summary>
#
# Re-ranking only permutes the 10 candidates the bi-encoder retrieved: a known answer among them
# stays among them, and one that is missing stays missing. Recall@10 counts the answers in the set
# of the first 10, not their order, so only recall@k for k below 10, recall@1 above all, can move.
# Shown in section 4, 'Recall@k, with and without re-ranking'.
#
# </details>
#
# **3.** Why does the offline profile re-rank with a MiniLM cross-encoder rather than lesson 4's,
# and what would a worse judge do to recall@1?
#
# <details><summary>Answer</summary>
#
# A re-ranker replaces the bi-encoder's order with its own, so it helps only if it judges pairs
# better than the bi-encoder does. Offline, lesson 4's cross-encoder, made from a small raw BERT on
# a few thousand pairs, ranks STS-B worse than the bi-encoder it would have to correct; re-ranking
# with it would replace a better order by a worse one and push answers down from rank 1. The paper's
# Table 2, where the cross-encoder leads once NLI comes first (88.77 vs 86.10, BERT-large) and is
# level on STS-B alone (84.30 vs 84.67, BERT-base), describes a cross-encoder made from a
# well-pretrained BERT, not every one. Shown in section 3, 'Search, then re-rank', and in the
# reading after section 4's figure.
#
# </details>
#
# **4.** Why does `mine_paraphrases` work through the cosine matrix in chunks of rows, and why does
# that lose no pair?
#
# <details><summary>Answer</summary>
#
# The full n × n matrix grows with n²: 4 TB for a million sentences. Only the best `top_n` pairs are
# wanted, so each chunk of rows is multiplied by the rows after it, its best candidates are kept
# with `np.argpartition`, and they are merged into a heap of the best so far; memory stays at chunk
# × n. Every pair is still scored, so the result is that of the full matrix: what is saved is
# memory, not work, which still grows like n². Shown in section 5, 'Paraphrase mining: the best
# pairs of the whole corpus'.
#
# </details>
#
# **5.** Why is a clustering scored with the adjusted Rand index, and not by the share of sentences
# in the "right" cluster?
#
# <details><summary>Answer</summary>
#
# Cluster numbers are arbitrary names: cluster 3 need not be 'sport', so there is no right cluster
# to count against. The Rand index asks, for every pair of sentences, whether the clustering and the
# known topics agree on putting them together or apart, and the adjusted version subtracts what
# chance alone would give, so 0 means no better than chance and 1 the topics exactly. Shown in
# section 6, 'Clustering', which scores raw BERT and the reference model this way.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. **Your own model.** Index the corpus with `course.recipes.sts_model(profile)` (lesson 4) or
#    `course.recipes.nli_model(profile)` instead of the reference model. How do recall@1 and
#    recall@10 compare, and does re-ranking help *your* bi-encoder more?
# 2. **How many to re-rank?** Re-rank the top 3, 10 and 30. Plot recall@1 against the number of
#    cross-encoder passes. Where is the knee?
# 3. **Threshold clustering.** Use `AgglomerativeClustering(n_clusters=None, distance_threshold=t,
#    metric="cosine", linkage="average")` on the whole corpus, for a few values of t, and print the
#    largest clusters. Which threshold groups paraphrases without merging topics?
# 4. **Scale.** Time `mine_paraphrases` for n = 1,000, 2,000 and 4,000 random unit vectors of
#    dimension 384. Does the time grow like n²? Extrapolate to the paper's 10,000 sentences and to
#    Quora's 40 million questions.

# %%
lesson.save()
