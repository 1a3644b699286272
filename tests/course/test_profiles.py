"""Profile choice: $SBERT_LAB_PROFILE, else CUDA -> gpu, else a reachable hub -> cpu, else smoke."""

import socket

import pytest
import torch

from sbert_lab.course import profiles
from sbert_lab.course.profiles import get_profile, subset
from sbert_lab.data import FIXTURES, load_nli, load_sts
from sbert_lab.model_sources import PACKAGED_MINILM, TINY_RANDOM_BERT


@pytest.fixture
def no_choice(monkeypatch):
    """No profile asked for, no CUDA, and a hub reachability check that must be stubbed per test."""
    monkeypatch.delenv("SBERT_LAB_PROFILE", raising=False)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)


def test_the_environment_variable_chooses_and_is_named_as_the_reason(monkeypatch):
    monkeypatch.setenv("SBERT_LAB_PROFILE", "cpu")
    profile = get_profile()
    assert profile.name == "cpu" and "$SBERT_LAB_PROFILE=cpu" in profile.describe()


def test_an_invalid_profile_name_lists_the_valid_ones(monkeypatch):
    monkeypatch.setenv("SBERT_LAB_PROFILE", "laptop")
    with pytest.raises(
        ValueError,
        match=r"\$SBERT_LAB_PROFILE='laptop'; valid profiles are gpu, cpu, offline, smoke",
    ):
        get_profile()
    with pytest.raises(
        ValueError, match="unknown profile 'tpu'; valid profiles are gpu, cpu, offline, smoke"
    ):
        get_profile("tpu")


def test_a_name_beats_the_environment(monkeypatch):
    monkeypatch.setenv("SBERT_LAB_PROFILE", "cpu")
    assert get_profile("gpu").name == "gpu"


def test_cuda_chooses_gpu(no_choice, monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_name", lambda *_: "Tesla T4")
    profile = get_profile()
    assert profile.name == "gpu" and "Tesla T4" in profile.reason


def test_no_cuda_and_a_reachable_hub_chooses_cpu(no_choice, monkeypatch):
    monkeypatch.setattr(profiles, "hub_reachable", lambda: True)
    profile = get_profile()
    assert profile.name == "cpu" and "reachable" in profile.reason


def test_no_gpu_and_no_hub_chooses_offline_and_says_why(no_choice, monkeypatch):
    monkeypatch.setattr(profiles, "hub_reachable", lambda: False)
    profile = get_profile()
    assert profile.name == "offline" and "not reachable" in profile.describe()
    assert (
        profile.raw_model == "sbert-lab:raw-bert-L4-H256" and profile.data_dir is None
    )  # shipped data
    assert profile.numbers_are_meaningful


def test_offline_profile_learns_at_the_small_bert_rate_and_the_gpu_at_the_papers():
    assert get_profile("offline").lr == get_profile("cpu").lr == 1e-4
    assert get_profile("gpu").lr == 2e-5


def test_sbert_lab_scale_shrinks_every_size_of_a_profile(monkeypatch):
    monkeypatch.setenv("SBERT_LAB_SCALE", "0.01")
    small = get_profile("cpu")
    assert (
        small.nli_train_size == 80 and small.quick_nli_train_size == 32
    )  # 8,000 and 2,000, floor 2 batches
    assert small.sts_train_size == 58 and small.eval_size == 50 and small.corpus_size == 200
    assert "x0.01" in small.describe() and small.lr == get_profile("cpu").lr  # sizes only
    assert small.transfer_folds == 2  # lesson 10's nested CV: 2 x 13 fits a task, not 10 x 31
    assert small.distill_tokens == 1_000  # lesson 13's static model: not all 30,522 tokens
    monkeypatch.delenv("SBERT_LAB_SCALE")
    assert get_profile("cpu").transfer_folds == get_profile("offline").transfer_folds == 10
    assert get_profile("cpu").distill_tokens is get_profile("offline").distill_tokens is None
    monkeypatch.setenv("SBERT_LAB_SCALE", "2")
    with pytest.raises(ValueError, match=r"\$SBERT_LAB_SCALE=2 must be in \(0, 1\]"):
        get_profile("cpu")


def test_hub_check_never_touches_the_network_when_hf_hub_offline_is_set(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("hub_reachable opened a connection although HF_HUB_OFFLINE=1")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert profiles.hub_reachable() is False


def test_hub_check_is_false_when_the_connection_fails(monkeypatch):
    def refused(address, timeout):
        assert address == ("huggingface.co", 443) and timeout <= 2.0
        raise OSError("network is unreachable")

    monkeypatch.setattr(socket, "create_connection", refused)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    assert profiles.hub_reachable() is False


@pytest.mark.parametrize(
    "endpoint, address",
    [
        ("https://hf-mirror.example", ("hf-mirror.example", 443)),
        ("http://127.0.0.1:8123", ("127.0.0.1", 8123)),
        ("http://localhost", ("localhost", 80)),
        ("", ("huggingface.co", 443)),
    ],
)
def test_hub_check_asks_hf_endpoint(monkeypatch, endpoint, address):
    asked = []

    class Connection:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def connect(where, timeout):
        asked.append(where)
        return Connection()

    monkeypatch.setattr(socket, "create_connection", connect)
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("HF_ENDPOINT", endpoint)
    assert profiles.hub_reachable() is True and asked == [address]


def test_smoke_reads_sbert_lab_data_when_set_else_the_fixtures(monkeypatch, tmp_path):
    monkeypatch.setenv("SBERT_LAB_DATA", str(tmp_path))
    assert get_profile("smoke").data_dir == str(tmp_path)
    monkeypatch.delenv("SBERT_LAB_DATA")
    assert get_profile("smoke").data_dir == FIXTURES
    assert get_profile("cpu").data_dir is None  # $SBERT_LAB_DATA at load time, then the hub


def test_smoke_needs_no_network():
    smoke = get_profile("smoke")
    assert (smoke.raw_model, smoke.reference_model) == (TINY_RANDOM_BERT, PACKAGED_MINILM)
    assert not smoke.numbers_are_meaningful and get_profile("gpu").numbers_are_meaningful
    # every data set it names exists among the fixtures
    for name, split in (*smoke.nli_train, smoke.nli_eval):
        assert load_nli(name, split, data_dir=FIXTURES)
    for task in smoke.sts_tasks:
        assert load_sts(task, "test", data_dir=FIXTURES)


def test_subset_is_reproducible_keeps_order_and_size():
    items = list(range(100))
    picked = subset(items, 10, seed=3)
    assert picked == subset(items, 10, seed=3) != subset(items, 10, seed=4)
    assert len(picked) == 10 and picked == sorted(picked) and set(picked) <= set(items)
    assert subset(items, None) == items and subset(items, 500) == items
