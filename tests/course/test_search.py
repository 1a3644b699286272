"""Search, mining and recall against brute force: the full (n, n) cosine matrix, sorted."""

import numpy as np
import pytest

from sbert_lab.course import search


def random_vectors(n, d=16, seed=0):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


def full_cosines(a, b):
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return a.astype(np.float64) @ b.astype(np.float64).T


def brute_force_pairs(x, top_n):
    sims = full_cosines(x, x)
    pairs = [(sims[i, j], i, j) for i in range(len(x)) for j in range(i + 1, len(x))]
    return sorted(pairs, key=lambda t: (-t[0], t[1], t[2]))[:top_n]


class FakeEncoder:
    """Looks a sentence's vector up in a table: an encoder with known outputs."""

    def __init__(self, table):
        self.table = table
        self.calls = []

    def encode(self, sentences, batch_size=32, normalize=False, progress=False):
        self.calls.append(list(sentences))
        return np.stack([self.table[s] for s in sentences]).astype(np.float32)


class FakeCrossEncoder:
    """Scores a pair by a fixed table, so the re-ranked order is known in advance."""

    def __init__(self, scores):
        self.scores = scores
        self.seen = []

    def predict(self, pairs, batch_size=32, progress=False):
        self.seen.append(list(pairs))
        return np.array([self.scores[pair] for pair in pairs], dtype=np.float32)


def test_normalize_rows_gives_unit_rows_and_keeps_zero_rows():
    x = np.array([[3.0, 4.0], [0.0, 0.0]])
    np.testing.assert_allclose(search.normalize_rows(x), [[0.6, 0.8], [0.0, 0.0]])
    with pytest.raises(ValueError, match="2-D"):
        search.normalize_rows(np.ones(3))


@pytest.mark.parametrize("chunk_size", [1, 7, 1000])
def test_top_k_equals_the_sorted_full_matrix(chunk_size):
    queries, corpus = (
        random_vectors(23, seed=1),
        random_vectors(300, seed=2) * 5.0,
    )  # scale must not matter
    scores, ids = search.top_k_cosine(queries, corpus, k=10, chunk_size=chunk_size)
    full = full_cosines(queries, corpus)
    expected_ids = np.argsort(-full, axis=1)[:, :10]
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_allclose(scores, np.take_along_axis(full, expected_ids, axis=1), atol=1e-5)
    assert (np.diff(scores, axis=1) <= 0).all()


def test_top_k_with_k_above_n_returns_everything_sorted():
    queries, corpus = random_vectors(3, seed=3), random_vectors(5, seed=4)
    scores, ids = search.top_k_cosine(queries, corpus, k=50)
    assert ids.shape == (3, 5)
    np.testing.assert_array_equal(ids, np.argsort(-full_cosines(queries, corpus), axis=1))


def test_top_k_exclude_skips_each_query_s_own_row():
    corpus = random_vectors(40, seed=5)
    scores, ids = search.top_k_cosine(corpus[:10], corpus, k=3, exclude=np.arange(10))
    full = full_cosines(corpus[:10], corpus)
    np.fill_diagonal(full[:, :10], -np.inf)
    np.testing.assert_array_equal(ids, np.argsort(-full, axis=1)[:, :3])
    assert not (ids == np.arange(10)[:, None]).any()
    _, unexcluded = search.top_k_cosine(corpus[:10], corpus, k=1)
    np.testing.assert_array_equal(
        unexcluded[:, 0], np.arange(10)
    )  # without exclude, itself comes first


def test_top_k_rejects_bad_arguments():
    x = random_vectors(4)
    with pytest.raises(ValueError, match="dimensions"):
        search.top_k_cosine(x, random_vectors(4, d=8))
    with pytest.raises(ValueError, match="k must be"):
        search.top_k_cosine(x, x, k=0)
    with pytest.raises(ValueError, match="chunk_size"):
        search.top_k_cosine(x, x, chunk_size=0)
    with pytest.raises(ValueError, match="exclude"):
        search.top_k_cosine(x, x, exclude=[0, 1])
    with pytest.raises(ValueError, match="outside the corpus"):
        search.top_k_cosine(x, x, exclude=[0, 1, 2, 9])


@pytest.mark.parametrize("chunk_size", [1, 16, 64, 1000])
def test_mining_in_chunks_equals_the_full_matrix_top_pairs(chunk_size):
    x = random_vectors(150, d=8, seed=6)
    mined = search.mine_paraphrases(x, top_n=40, chunk_size=chunk_size)
    expected = brute_force_pairs(x, 40)
    assert [(i, j) for _, i, j in mined] == [(i, j) for _, i, j in expected]
    np.testing.assert_allclose([s for s, _, _ in mined], [s for s, _, _ in expected], atol=1e-5)
    assert all(i < j for _, i, j in mined)


def test_mining_finds_planted_duplicates_first_and_caps_top_n():
    x = random_vectors(60, d=32, seed=7)
    x[45] = x[3] * 2.0  # same direction: cosine 1
    x[50] = x[10] + 1e-3
    mined = search.mine_paraphrases(x, top_n=2, chunk_size=8)
    assert [(i, j) for _, i, j in mined] == [(3, 45), (10, 50)]
    assert len(search.mine_paraphrases(x[:4], top_n=100)) == 6  # only 4 * 3 / 2 pairs exist
    with pytest.raises(ValueError, match="at least 2"):
        search.mine_paraphrases(x[:1])


def test_recall_at_k_on_a_hand_built_case():
    retrieved = np.array([[4, 2, 9], [1, 3, 0], [7, 8, 5]])
    relevant = [{2}, {0, 3}, {6}]
    # k=1: query 0 misses (4), query 1 misses (1), query 2 misses (7)            -> 0
    # k=2: query 0 hits 2 (1/1), query 1 has 3 of {0, 3} (1/2), query 2 nothing -> (1 + 0.5 + 0) / 3
    # k=3: query 1 now has both (2/2)                                            -> (1 + 1 + 0) / 3
    assert search.recall_at_k(retrieved, relevant, 1) == 0.0
    assert search.recall_at_k(retrieved, relevant, 2) == pytest.approx(0.5)
    assert search.recall_at_k(retrieved, relevant, 3) == pytest.approx(2 / 3)
    with pytest.raises(ValueError, match="fewer than k"):
        search.recall_at_k(retrieved, relevant, 4)
    with pytest.raises(ValueError, match="relevant sets"):
        search.recall_at_k(retrieved, relevant[:2], 1)
    with pytest.raises(ValueError, match="no relevant"):
        search.recall_at_k(retrieved, [{2}, set(), {6}], 1)


def test_build_index_dedupes_and_paraphrase_queries_go_both_ways():
    table = {s: v for s, v in zip("abcde", random_vectors(5, seed=8), strict=True)}
    encoder = FakeEncoder(table)
    index = search.build_index(encoder, ["a", "b", "a", "c", "d", "e"])
    assert index.sentences == ["a", "b", "c", "d", "e"] and encoder.calls == [
        ["a", "b", "c", "d", "e"]
    ]
    np.testing.assert_allclose(np.linalg.norm(index.embeddings, axis=1), 1.0, atol=1e-6)
    rows, relevant = search.paraphrase_queries(
        [("a", "c"), ("c", "d"), ("b", "zzz"), ("e", "e")], index
    )
    assert rows.tolist() == [
        0,
        2,
        3,
    ]  # "b" has no paraphrase inside the corpus; ("e", "e") is no pair
    assert relevant == [{2}, {0, 3}, {2}]


def test_index_search_matches_top_k_on_the_encoded_queries():
    table = {f"s{i}": v for i, v in enumerate(random_vectors(30, seed=9))}
    encoder = FakeEncoder(table)
    index = search.build_index(encoder, [f"s{i}" for i in range(20)])
    scores, ids = index.search(encoder, ["s25", "s3"], k=4)
    expected_scores, expected_ids = search.top_k_cosine(
        np.stack([table["s25"], table["s3"]]), index.embeddings, k=4
    )
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_allclose(scores, expected_scores)
    assert ids[1, 0] == 3


def test_rerank_sorts_each_query_s_candidates_by_the_cross_encoder():
    sentences = ["zero", "one", "two", "three"]
    candidates = np.array([[1, 2, 3], [0, 3, 2]])
    scores = {
        ("q0", "one"): 0.1,
        ("q0", "two"): 0.9,
        ("q0", "three"): 0.5,
        ("q1", "zero"): 0.2,
        ("q1", "three"): 0.2,
        ("q1", "two"): 0.7,
    }
    cross = FakeCrossEncoder(scores)
    new_scores, new_ids = search.rerank(cross, ["q0", "q1"], candidates, sentences)
    assert new_ids.tolist() == [
        [2, 3, 1],
        [2, 0, 3],
    ]  # ties keep the bi-encoder's order (0 before 3)
    np.testing.assert_allclose(new_scores, [[0.9, 0.5, 0.1], [0.7, 0.2, 0.2]])
    assert len(cross.seen) == 1 and len(cross.seen[0]) == 6  # one predict call for all pairs
    relevant = [{2}, {2}]
    assert search.recall_at_k(candidates, relevant, 1) == 0.0
    assert search.recall_at_k(new_ids, relevant, 1) == 1.0
    assert search.recall_at_k(new_ids, relevant, 3) == search.recall_at_k(candidates, relevant, 3)


@pytest.mark.slow  # imports sentence-transformers (~5 s)
def test_parity_with_sentence_transformers_util():
    """Same neighbours and mined pairs as sentence-transformers' semantic_search /
    paraphrase_mining_embeddings."""
    torch = pytest.importorskip("torch")
    util = pytest.importorskip("sentence_transformers.util")
    queries, corpus = random_vectors(12, seed=10), random_vectors(200, seed=11)
    _, ids = search.top_k_cosine(queries, corpus, k=5)
    hits = util.semantic_search(torch.from_numpy(queries), torch.from_numpy(corpus), top_k=5)
    assert ids.tolist() == [[hit["corpus_id"] for hit in row] for row in hits]
    mined = search.mine_paraphrases(corpus, top_n=25, chunk_size=32)
    theirs = util.paraphrase_mining_embeddings(torch.from_numpy(corpus), top_k=200, max_pairs=25)
    assert [(i, j) for _, i, j in mined] == [(min(i, j), max(i, j)) for _, i, j in theirs]
