"""The shipped records of runs too long for a lesson (sbert_lab/course/measured/*.json)."""

import pytest

from sbert_lab import course
from sbert_lab.course import pooling_table, records


def test_the_pooling_record_was_made_by_today_s_recipe_and_is_complete():
    record = records.load("pooling_ablation")
    profile = course.profiles.get_profile("offline")
    assert record["recipe"] == pooling_table.recipe(profile), (
        "the offline recipe changed since the record was made: rerun tools/pooling_ablation.py"
    )
    table = pooling_table.load_table()
    for objective in ("nli", "sts"):
        assert sorted(table[objective]) == sorted(pooling_table.POOLINGS)
        assert all(0 < value < 100 for value in table[objective].values())


def test_an_unknown_or_broken_record_is_named(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match="unknown record 'nope'; the records are nli_data_size"):
        records.load("nope")
    monkeypatch.setattr(records, "MEASURED", tmp_path)
    with pytest.raises(FileNotFoundError, match="run `python tools/pooling_ablation.py`"):
        records.load("pooling_ablation")
    (tmp_path / "pooling_ablation.json").write_text('{"runs": [')
    with pytest.raises(ValueError, match="pooling_ablation.json is not valid JSON"):
        records.load("pooling_ablation")
