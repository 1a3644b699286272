"""course.lesson_data: the sets only lessons use (Table 5's transfer tasks, the topic corpus), read
through the same lookup as the core sets."""

import os
import re
from pathlib import Path

import pytest

from sbert_lab import data
from sbert_lab.course import lesson_data


def test_the_topic_corpus_and_its_paraphrases_have_the_documented_sizes():
    topics = lesson_data.load_topics()
    assert len(topics) == 72 and len({t for t, _ in topics}) == 6
    known = {s for _, s in topics}
    paraphrases = lesson_data.load_paraphrases()
    assert len(paraphrases) == 18 and all(a in known and b in known for a, b in paraphrases)


def test_the_transfer_sets_with_original_files_load_from_sbert_lab_data(shared_data, monkeypatch):
    """With $SBERT_LAB_DATA at CI's data folder (else the shipped copies), SICK-E (and MRPC where
    the folder has it) load without the hub."""
    monkeypatch.setenv("SBERT_LAB_DATA", str(shared_data))
    assert lesson_data.load_transfer("sick-e", "test", from_hub=False)
    if (shared_data / "mrpc").is_dir():
        assert lesson_data.load_transfer("mrpc", "train") and lesson_data.load_transfer(
            "mrpc", "test"
        )


# -- transfer tasks (Table 5) ---
MRPC_HEADER = "\ufeffQuality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"


def test_mrpc_original_file_is_read_with_its_byte_order_mark(tmp_path):
    (tmp_path / "mrpc").mkdir()
    (tmp_path / "mrpc" / "msr_paraphrase_train.txt").write_text(
        MRPC_HEADER + "1\t1\t2\tA cat sat .\tThe cat sat .\n0\t3\t4\tIt rained .\tStocks fell .\n",
        encoding="utf-8",
    )
    pairs = lesson_data.load_transfer("mrpc", "train", tmp_path)
    assert pairs == [
        lesson_data.Labelled("A cat sat .", "The cat sat .", 1),
        lesson_data.Labelled("It rained .", "Stocks fell .", 0),
    ]


def test_mrpc_bad_label_names_file_and_line(tmp_path):
    path = tmp_path / "msr_paraphrase_test.txt"
    path.write_text(MRPC_HEADER + "1\t1\t2\ta\tb\nyes\t3\t4\tc\td\n", encoding="utf-8")
    with pytest.raises(
        data.DataFormatError, match=r"msr_paraphrase_test.txt:3: the quality label must be 0 or 1"
    ):
        lesson_data.load_transfer("mrpc", "test", tmp_path)


def test_sick_entailment_comes_from_the_shipped_copy(monkeypatch):
    monkeypatch.delenv("SBERT_LAB_DATA", raising=False)
    pairs = lesson_data.load_transfer("sick-e", "test")
    assert len(pairs) == 4927 and {p.label for p in pairs} == {0, 1, 2}


def test_unknown_transfer_task_lists_the_valid_ones():
    with pytest.raises(
        ValueError, match="valid names are mr, cr, subj, mpqa, sst2, trec, mrpc, sick-e"
    ):
        lesson_data.load_transfer("imdb", "train")


@pytest.mark.realdata
def test_mrpc_real_files_have_senteval_s_sizes():
    folder = os.environ.get("SBERT_LAB_DATA")
    if not folder or not (Path(folder) / "mrpc").is_dir():
        pytest.skip("MRPC is not shipped (its licence): needs $SBERT_LAB_DATA/mrpc")
    train, test = (lesson_data.load_transfer("mrpc", split, folder) for split in ("train", "test"))
    assert (len(train), len(test)) == (4076, 1725)
    assert sum(p.label for p in test) == 1147  # 66.5 % paraphrases: the majority baseline


def test_only_the_course_knows_where_a_folder_keeps_mrpc(tmp_path):
    assert data.local_files("mrpc", "test") is None  # the core's loaders read no MRPC
    assert data.local_files("mrpc", "test", lesson_data.TRANSFER_LOCAL_SETS) == [
        ("mrpc", "msr_paraphrase_test.txt")
    ]
    expected = f"no MRPC test files found in {tmp_path}: expected {tmp_path / 'mrpc'}"
    with pytest.raises(data.DataNotFoundError, match=re.escape(expected)):
        lesson_data.load_transfer("mrpc", "test", tmp_path)
