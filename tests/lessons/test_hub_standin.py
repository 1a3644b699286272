"""The project's real hub loading code against the local hub stand-in (tests/hub_standin.py).

Every data set and model that the ``gpu`` and ``cpu`` profiles name is loaded through sbert_lab's
own functions (``load_sts``, ``load_nli``, ``load_triplets``, ``SentenceEncoder``), which call
``datasets.load_dataset`` and ``transformers.Auto*.from_pretrained`` unchanged; the stand-in is the
only source (no shipped copies, no $SBERT_LAB_DATA) and no request may leave 127.0.0.1.
"""

from __future__ import annotations

import time

import httpx2
import numpy as np
import pytest
from hub_standin import (  # noqa: F401  (the two *_fixture functions are the fixtures)
    MTEB_TEST_SIZES,
    OUTSIDE_REQUESTS,
    SERVED,
    HubStandIn,
    closed_port_url,
    hub_standin_fixture,
    hub_standin_server_fixture,
    hub_url,
    point_clients_at,
    source_folder,
)

import sbert_lab.course.profiles as profiles
import sbert_lab.data as data
from sbert_lab import SentenceEncoder
from sbert_lab.course import lesson_data
from sbert_lab.model_sources import PACKAGED_MINILM

pytestmark = pytest.mark.hub

SENTENCES = ["A man is playing a guitar.", "Someone is playing music on an instrument."]


@pytest.fixture
def hub_only(hub_standin, monkeypatch, tmp_path):
    """The stand-in, with the loaders' local sources taken away: no shipped copies, no
    $SBERT_LAB_DATA."""
    monkeypatch.setattr(data, "SHIPPED_DIR", tmp_path / "no-shipped-copies")
    monkeypatch.delenv("SBERT_LAB_DATA", raising=False)
    return hub_standin


def _served(server: HubStandIn, repo_id: str) -> bool:
    """Whether ``server`` answered a request about ``repo_id`` with a success."""
    return any(repo_id in path and status < 400 for _method, path, status in server.requests)


# -- data sets -----------------------------------------------------------------------------------
@pytest.mark.parametrize("split, size", [("train", 5749), ("dev", 1500), ("test", 1379)])
def test_stsb_from_the_hub_is_real_stsb_on_the_0_5_scale(hub_only, split, size):
    pairs = data.load_sts("stsb", split)
    assert len(pairs) == size
    assert _served(hub_only, "sentence-transformers/stsb")
    scores = np.array([p.score for p in pairs])
    # the card stores score / 5: back on 0-5
    assert 0.0 <= scores.min() and scores.max() <= 5.0 and scores.max() > 4.5
    original = data.load_sts("stsb", split, data_dir=source_folder())
    assert [(p.s1, p.s2) for p in pairs] == [(p.s1, p.s2) for p in original]
    np.testing.assert_allclose(scores, [p.score for p in original], atol=1e-9)


@pytest.mark.parametrize("task", sorted(MTEB_TEST_SIZES))
def test_sts12_to_16_have_the_cards_test_sizes(hub_only, task):
    pairs = data.load_sts(task, "test")
    assert len(pairs) == MTEB_TEST_SIZES[task]
    scores = [p.score for p in pairs]
    assert 0.0 <= min(scores) and max(scores) <= 5.0 and max(scores) > 4.5
    assert all(isinstance(p.s1, str) and isinstance(p.s2, str) for p in pairs)


@pytest.mark.parametrize(
    "task, split, size, classes",
    [
        ("mr", "dev", 1066, 2),
        ("cr", "test", 3775, 2),
        ("subj", "train", 8000, 2),
        ("mpqa", "dev", 256, 2),
        ("sst2", "dev", 872, 2),
        ("trec", "train", 5452, 6),
        ("mrpc", "train", 3668, 2),
        ("mrpc", "test", 408, 2),
    ],
)
def test_transfer_tasks_load_from_the_hub(hub_only, task, split, size, classes):
    examples = lesson_data.load_transfer(task, split)
    assert len(examples) == size
    assert {e.label for e in examples} <= set(range(classes)) and len(
        {e.label for e in examples}
    ) > 1
    assert all(e.s1 and bool(e.s2) == (task == "mrpc") for e in examples)


def test_wikisec_triplets_stream_only_what_is_asked(hub_only):
    triplets = lesson_data.load_wikisec_triplets("test", 300)
    assert len(triplets) == 300 and all(isinstance(t, data.Triplet) and all(t) for t in triplets)
    assert len(lesson_data.load_wikisec_triplets("dev", 10)) == 10


def test_transfer_from_hub_false_never_asks_the_hub(hub_only):
    before = len(hub_only.requests)
    with pytest.raises(data.DataNotFoundError, match=r"not asked \(from_hub=False\)"):
        lesson_data.load_transfer("mr", "train", from_hub=False)
    assert hub_only.requests[before:] == []


@pytest.mark.parametrize("split, size", [("train", 942_069), ("dev", 19_657), ("test", 19_656)])
def test_allnli_pairs(hub_only, split, size):
    pairs = data.load_nli("allnli", split)
    assert len(pairs) == size
    assert {p.label for p in pairs} == {0, 1, 2}
    assert isinstance(pairs[0].premise, str) and isinstance(pairs[0].hypothesis, str)


def test_allnli_triplets(hub_only):
    triplets = data.load_triplets("allnli", "train")
    assert len(triplets) == 557_850
    anchor, positive, negative = triplets[0]
    assert anchor and positive and negative and positive != negative


@pytest.mark.parametrize("split, size", [("dev", 9842), ("test", 9824)])
def test_snli_drops_the_pairs_without_gold_label(hub_only, split, size):
    pairs = data.load_nli("snli", split)  # the hub split holds 10,000 rows, some labelled -1
    assert len(pairs) == size
    assert pairs == data.load_nli("snli", split, data_dir=source_folder())  # SentEval's copy


# -- models --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "hub_id, dim",
    [
        ("bert-base-uncased", 128),  # the stand-in is shrunk (see SERVED)
        ("google/bert_uncased_L-4_H-256_A-4", 256),
        ("sentence-transformers/all-MiniLM-L6-v2", 384),
    ],
)
def test_models_load_and_encode(hub_standin, hub_id, dim):
    encoder = SentenceEncoder(hub_id, precision="fp32", device="cpu")
    vectors = encoder.encode(SENTENCES)
    assert vectors.shape == (2, dim) and np.isfinite(vectors).all()
    assert _served(hub_standin, f"{hub_id}/resolve/")


def test_minilm_from_the_hub_equals_the_packaged_copy(hub_standin):
    from_hub = SentenceEncoder(
        "sentence-transformers/all-MiniLM-L6-v2", precision="fp32", device="cpu"
    )
    packaged = SentenceEncoder(PACKAGED_MINILM, precision="fp32", device="cpu")
    assert (from_hub.pooling, from_hub.max_length) == (packaged.pooling, packaged.max_length)
    np.testing.assert_allclose(
        from_hub.encode(SENTENCES), packaged.encode(SENTENCES), atol=1e-5, rtol=0
    )


def test_a_pytorch_bin_only_repo_loads_without_safetensors_conversion(hub_standin):
    """The google repo has no safetensors: transformers falls back to pytorch_model.bin, converts
    nothing."""
    served = {
        path for path in hub_standin.store.get("model", "google/bert_uncased_L-4_H-256_A-4").files
    }
    assert served == {"config.json", "vocab.txt", "pytorch_model.bin"}
    SentenceEncoder("google/bert_uncased_L-4_H-256_A-4", precision="fp32", device="cpu")
    paths = [path for _method, path, _status in hub_standin.requests]
    assert any(p.endswith("/pytorch_model.bin") for p in paths)
    # the conversion thread would ask for the repo's commits, then open a PR on huggingface.co
    assert not any("/commits/" in p or "/discussions" in p for p in paths)


@pytest.mark.parametrize(
    "hub_id",
    sorted({p.cross_encoder_model for p in profiles.PROFILES.values()} - {PACKAGED_MINILM}),
)
def test_cross_encoder_models_load_from_the_hub(hub_standin, hub_id):
    from sbert_lab.cross_encoder import CrossEncoder

    scores = CrossEncoder(hub_id, device="cpu", precision="fp32").predict([tuple(SENTENCES)])
    assert scores.shape == (1,) and 0.0 <= scores[0] <= 1.0


# -- the hub probe -------------------------------------------------------------------------------
def test_hub_reachable_follows_hf_endpoint(hub_standin, monkeypatch):
    assert profiles.hub_endpoint() == hub_standin.url
    assert profiles.hub_reachable() is True
    monkeypatch.setenv("HF_ENDPOINT", closed_port_url())
    assert profiles.hub_reachable(timeout=1.0) is False


# -- coverage and a missing repo -----------------------------------------------------------------
def _profile_hub_ids() -> set[str]:
    """Every hub id that a profile names: its models and the hub sources of its data sets."""
    ids = set()
    for profile in profiles.PROFILES.values():
        ids |= {
            m
            for m in (profile.raw_model, profile.reference_model, profile.cross_encoder_model)
            if not m.startswith("sbert-lab:")
        }
        names = [name for name, _split in profile.nli_train]
        names += [profile.nli_eval[0], *profile.sts_tasks]
        # names with no hub source (sick, sickr) are read from local files only
        ids |= {data.HUB_SOURCES[name][0] for name in names if name in data.HUB_SOURCES}
    return ids


def test_every_hub_id_a_profile_names_is_served():
    missing = sorted(_profile_hub_ids() - set(SERVED))
    assert not missing, (
        f"the hub stand-in does not serve {missing}: add them to SERVED in tests/hub_standin.py"
    )


def test_a_repo_missing_from_the_hub_fails_naming_it(hub_only, tmp_path):
    """A second stand-in without two repos (fresh caches: datasets would fall back to a cached
    copy)."""
    missing = ["mteb/sts13-sts", "bert-base-uncased"]
    with (
        HubStandIn(hub_only.store.root, exclude=missing) as partial,
        point_clients_at(partial.url, tmp_path / "hf"),
    ):
        with pytest.raises(data.DataNotFoundError, match="mteb/sts13-sts") as raised:
            data.load_sts("sts13", "test")
        assert "doesn't exist on the Hub" in str(raised.value)  # not a network error
        with pytest.raises(OSError, match="bert-base-uncased"):
            SentenceEncoder("bert-base-uncased", device="cpu")
        assert data.load_sts("sts14", "test")  # the rest is still served
    for repo_id in missing:
        assert any(repo_id in path and status == 404 for _method, path, status in partial.requests)


# -- the protocol itself -------------------------------------------------------------------------
def test_errors_carry_the_hubs_error_codes_and_come_fast(hub_standin):
    sha = hub_standin.store.get("dataset", "sentence-transformers/stsb").sha
    cases = {
        hub_url(hub_standin, "dataset", "sentence-transformers/stsb", "no/such/file.txt"): (
            "EntryNotFound",
            sha,
        ),
        hub_url(hub_standin, "dataset", "nobody/nothing", "README.md"): ("RepoNotFound", None),
        hub_url(hub_standin, "dataset", "sentence-transformers/stsb", "README.md", revision="v9"): (
            "RevisionNotFound",
            sha,
        ),
        f"{hub_standin.url}/some/unknown/path": (None, None),
    }
    for url, (code, commit) in cases.items():
        start = time.monotonic()
        response = httpx2.head(url, timeout=5)
        assert time.monotonic() - start < 2
        assert response.status_code == 404, url
        assert response.headers.get("X-Error-Code") == code, url
        assert response.headers.get("X-Repo-Commit") == commit, url


def test_files_are_plain_http_with_ranges(hub_standin):
    repo = hub_standin.store.get("dataset", "sentence-transformers/stsb")
    url = hub_url(hub_standin, "dataset", repo.repo_id, "README.md")
    head = httpx2.head(url)
    assert head.headers["X-Repo-Commit"] == repo.sha
    assert int(head.headers["Content-Length"]) == repo.files["README.md"]["size"]
    assert head.headers["ETag"].strip('"') == repo.files["README.md"]["oid"]
    assert not any(name.lower().startswith("x-xet") for name in head.headers)
    part = httpx2.get(url, headers={"Range": "bytes=0-2"})
    assert part.status_code == 206 and part.content == b"---"
    assert part.headers["Content-Range"] == f"bytes 0-2/{repo.files['README.md']['size']}"


def test_tree_paths_info_and_pagination(hub_standin):
    from huggingface_hub import HfApi, HfFileSystem
    from huggingface_hub.utils import paginate

    api = HfApi()
    repo_id = "sentence-transformers/all-nli"
    files = {
        e.path
        for e in api.list_repo_tree(repo_id, repo_type="dataset", recursive=True)
        if hasattr(e, "size")
    }
    assert files == set(hub_standin.store.get("dataset", repo_id).files)
    top = {e.path for e in api.list_repo_tree(repo_id, repo_type="dataset")}
    assert top == {"README.md", "pair-class", "triplet"}
    assert {e.path for e in api.list_repo_tree(repo_id, "triplet", repo_type="dataset")} == {
        f"triplet/{s}-00000-of-00001.parquet" for s in ("train", "dev", "test")
    }
    info = api.get_paths_info(repo_id, ["README.md", "triplet", "missing.txt"], repo_type="dataset")
    assert [i.path for i in info] == ["README.md", "triplet"]
    tree_url = f"{hub_standin.url}/api/datasets/{repo_id}/tree/main"
    assert (
        len(list(paginate(tree_url, params={"recursive": "true", "limit": 2}, headers={})))
        == len(files) + 2
    )
    with HfFileSystem().open(f"datasets/{repo_id}/README.md", block_size=8) as f:
        assert f.read(3) == b"---"
    assert any("README.md" in path and status == 206 for _m, path, status in hub_standin.requests)


def test_no_request_left_this_machine(hub_standin):
    """Run last: every hub client request of this module went to the stand-in."""
    assert OUTSIDE_REQUESTS == []
    assert not [r for r in hub_standin.requests if r[2] >= 500]
