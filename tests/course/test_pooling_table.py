"""course.pooling_table (lesson 2): the shipped record of the pooling ablation is today's recipe's,
and complete."""

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
