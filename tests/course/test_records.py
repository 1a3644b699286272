"""The shipped records of runs too long for a lesson (sbert_lab/course/measured/*.json)."""

import pytest

from sbert_lab.course import records


def test_an_unknown_or_broken_record_is_named(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown record 'nope'; the records are nli_data_size"):
        records.load("nope")
    monkeypatch.setattr(records, "MEASURED", tmp_path)
    with pytest.raises(FileNotFoundError, match="run `python tools/pooling_ablation.py`"):
        records.load("pooling_ablation")
    (tmp_path / "pooling_ablation.json").write_text('{"runs": [')
    with pytest.raises(ValueError, match="pooling_ablation.json is not valid JSON"):
        records.load("pooling_ablation")
