"""sbert_lab.model_sources: this project's offline names resolve to folders, the random BERTs are
built once and the same every time, and a model that cannot be found says what to use offline."""

from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from sbert_lab import SentenceEncoder, model_sources
from sbert_lab.model_sources import PACKAGED_MINILM, RANDOM_BERT, RAW_BERT, TINY_RANDOM_BERT


def test_offline_names_resolve_to_model_folders_and_other_names_pass_through(tmp_path):
    for name in (PACKAGED_MINILM, RAW_BERT, TINY_RANDOM_BERT, RANDOM_BERT):
        assert (Path(model_sources.resolve_model(name)) / "config.json").is_file(), name
    assert model_sources.resolve_model("bert-base-uncased") == "bert-base-uncased"  # a hub id
    assert model_sources.resolve_model(tmp_path) == str(tmp_path)  # a folder


def test_a_random_bert_is_the_same_every_time_and_leaves_the_global_seed_alone(tmp_path):
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    first = model_sources.build_random_bert(tmp_path / "a", hidden=64, layers=1)
    second = model_sources.build_random_bert(tmp_path / "b", hidden=64, layers=1)
    torch.testing.assert_close(torch.rand(1), expected_next)  # the caller's random stream goes on
    weights_a = load_file(first / "model.safetensors")
    weights_b = load_file(second / "model.safetensors")
    assert weights_a.keys() == weights_b.keys()
    for name in weights_a:
        torch.testing.assert_close(weights_a[name], weights_b[name], rtol=0, atol=0)
    assert (first / "vocab.txt").read_text() == (second / "vocab.txt").read_text()  # the real vocab
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]  # nothing temporary left


def test_a_missing_raw_bert_says_how_to_rebuild_it(tmp_path, monkeypatch):
    monkeypatch.setattr(model_sources, "RAW_BERT_DIR", tmp_path / "raw-bert-L4-H256")
    with pytest.raises(FileNotFoundError, match="reinstall sbert-lab, or rebuild it with python"):
        model_sources.raw_bert_path()


def test_quiet_transformers_restores_transformers_verbosity():
    from transformers.utils import logging as hf_logging

    before = hf_logging.get_verbosity()
    with model_sources.quiet_transformers():
        assert hf_logging.get_verbosity() == hf_logging.ERROR
    assert hf_logging.get_verbosity() == before


def test_a_model_that_cannot_be_found_offline_gets_a_clear_error():
    with pytest.raises(
        OSError, match="could not load model 'nobody/no-such-model'.*Offline\\? Use 'sbert-lab:"
    ):
        SentenceEncoder("nobody/no-such-model")
