"""The sentence-transformers folder layout (sbert_lab.model_folders): the settings of versions up to
5 and of 6 are read alike, and what SentenceEncoder cannot do is refused."""

import json

import pytest

from sbert_lab.model_folders import read_folder_settings


def _write(path, value):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value))


def _modules(*kinds):
    paths = {
        "Transformer": "",
        "Pooling": "1_Pooling",
        "Normalize": "2_Normalize",
        "Dense": "2_Dense",
    }
    return [
        {"idx": i, "name": str(i), "path": paths[k], "type": f"sentence_transformers.models.{k}"}
        for i, k in enumerate(kinds)
    ]


def test_folder_settings_of_sentence_transformers_up_to_version_5(tmp_path):
    _write(tmp_path / "modules.json", _modules("Transformer", "Pooling", "Normalize"))
    _write(tmp_path / "sentence_bert_config.json", {"max_seq_length": 128, "do_lower_case": False})
    _write(
        tmp_path / "1_Pooling" / "config.json",
        {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False},
    )
    settings = read_folder_settings(str(tmp_path))
    assert (settings.pooling, settings.max_length, settings.normalize) == ("cls", 128, True)


def test_folder_settings_of_sentence_transformers_6(tmp_path):
    _write(tmp_path / "modules.json", _modules("Transformer", "Pooling"))
    _write(tmp_path / "sentence_bert_config.json", {"transformer_task": "feature-extraction"})
    _write(tmp_path / "tokenizer_config.json", {"model_max_length": 64})
    _write(
        tmp_path / "1_Pooling" / "config.json", {"embedding_dimension": 384, "pooling_mode": "max"}
    )
    settings = read_folder_settings(str(tmp_path))
    assert (settings.pooling, settings.max_length, settings.normalize) == ("max", 64, False)


def test_folder_settings_refuse_what_sentence_encoder_cannot_do(tmp_path):
    assert read_folder_settings(str(tmp_path)).pooling is None  # a plain transformers folder
    _write(tmp_path / "modules.json", _modules("Transformer", "Pooling", "Dense"))
    _write(tmp_path / "1_Pooling" / "config.json", {"pooling_mode": "mean"})
    with pytest.raises(ValueError, match="Dense is not supported"):
        read_folder_settings(str(tmp_path))
    _write(tmp_path / "modules.json", _modules("Transformer", "Pooling"))
    _write(
        tmp_path / "1_Pooling" / "config.json",
        {"pooling_mode_mean_tokens": True, "pooling_mode_max_tokens": True},
    )
    with pytest.raises(ValueError, match="exactly one of"):
        read_folder_settings(str(tmp_path))
    _write(tmp_path / "1_Pooling" / "config.json", {"pooling_mode": "weightedmean"})
    with pytest.raises(ValueError, match="'weightedmean' is not supported"):
        read_folder_settings(str(tmp_path))
