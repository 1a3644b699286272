"""Data loaders: real row counts, malformed files, the lookup order, and the hub code paths.

The hub cannot be reached here, so ``datasets.load_dataset`` is replaced by a fake that serves rows
shaped like the hub's (column names and scales from the data sets' cards).
"""

import os
from pathlib import Path

import datasets
import pytest

import sbert_lab.data as sl_data
from sbert_lab import data
from sbert_lab.data import (
    DataFormatError,
    DataNotFoundError,
    NLIPair,
    STSPair,
    Triplet,
    load_nli,
    load_sts,
    load_triplets,
    nli_triplets,
    parse_senteval_snli,
    parse_sick_file,
    parse_stsb_file,
    score_range,
)

SICK_HEADER = "pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n"


# -- the original files ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "split", "rows"),
    [
        ("stsb", "train", 5749),
        ("stsb", "dev", 1500),
        ("stsb", "test", 1379),
        ("sick", "train", 4500),
        ("sick", "trial", 500),
    ],
)
def test_sts_row_counts_of_the_original_files(shared_data, name, split, rows):
    pairs = load_sts(name, split, data_dir=shared_data)
    assert len(pairs) == rows
    low, high = score_range(name)
    assert all(isinstance(p, STSPair) and low <= p.score <= high and p.s1 and p.s2 for p in pairs)


@pytest.mark.parametrize(
    ("name", "split", "rows"),
    [
        ("snli", "dev", 9842),
        ("snli", "test", 9824),
        ("sick", "train", 4500),
        ("sick", "trial", 500),
        # MultiNLI: 2 x 10,000 train samples sharing 261 pairs; dev sets without the "-" rows and
        # with the 2 exact repeats of dev-mismatched kept once (39,384 pairs in all)
        ("multinli", "train-sample", 19739),
        ("multinli", "dev-matched", 9815),
        ("multinli", "dev-mismatched", 9830),
        ("cad-snli", "train", 8330),
    ],
)
def test_nli_row_counts_of_the_original_files(shared_data, name, split, rows):
    pairs = load_nli(name, split, data_dir=shared_data)
    assert len(pairs) == rows
    assert {p.label for p in pairs} == {0, 1, 2}


def test_original_files_are_split_on_tabs_into_the_right_fields(shared_data):
    assert load_sts("stsb", "test", shared_data)[0] == STSPair(
        "A girl is styling her hair.", "A girl is brushing her hair.", 2.5
    )
    first = load_nli("snli", "dev", shared_data)[0]
    assert (
        first.premise == "Two women are embracing while holding to go packages ."
        and first.label == 1
    )  # neutral


def test_sbert_lab_data_is_used_when_no_data_dir_is_given(shared_data, monkeypatch):
    monkeypatch.setenv("SBERT_LAB_DATA", str(shared_data))
    assert len(load_sts("stsb", "validation")) == 1500  # "validation" is the hub's name for dev


# -- malformed files -------------------------------------------------------------------------------
def _stsb_line(score="2.5", s1="A cat sits.", s2="A cat is sitting."):
    return f"main-captions\tMSRvid\t2012test\t0001\t{score}\t{s1}\t{s2}\n"


def test_stsb_parser_keeps_quotes_and_extra_columns_and_skips_blank_lines(tmp_path):
    path = tmp_path / "sts-test.csv"
    path.write_text(
        _stsb_line(s1='"Quoted," she said.')
        + _stsb_line("5.000").rstrip("\n")
        + "\tsrc1\tsrc2\r\n\n"
    )
    assert parse_stsb_file(path) == [
        STSPair('"Quoted," she said.', "A cat is sitting.", 2.5),
        STSPair("A cat sits.", "A cat is sitting.", 5.0),
    ]


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("only\tfour\tfields\there\n", "expected 7 or 9 tab-separated fields, found 4"),
        (
            _stsb_line(s1="A tab\tinside"),
            r"expected 7 or 9 tab-separated fields, found 8 \(a tab inside a sentence\?\)",
        ),
        (_stsb_line(score="high"), "score 'high' is not a number"),
        (_stsb_line(score="7.5"), r"score 7.5 is outside \[0.0, 5.0\]"),
    ],
)
def test_stsb_parser_names_file_and_line_of_a_malformed_row(tmp_path, bad_line, message):
    path = tmp_path / "sts-dev.csv"
    path.write_text(_stsb_line() + _stsb_line() + bad_line)
    with pytest.raises(DataFormatError, match=f"sts-dev.csv:3: {message}"):
        parse_stsb_file(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", r"sts-dev.csv: the file is empty"),
        (
            _stsb_line().encode() + _stsb_line().encode()[:-9],
            r"sts-dev.csv: the last line has no line end: the file looks cut short",
        ),
        (
            _stsb_line().encode() + b"genre\tf\t2012\t1\t1.0\tna\xefve caf\xe9\tx\n",
            r"sts-dev.csv:2: not UTF-8 text",
        ),
    ],
)
def test_empty_cut_short_or_non_utf8_files_are_refused_naming_the_file(tmp_path, content, message):
    path = tmp_path / "sts-dev.csv"
    path.write_bytes(content)
    with pytest.raises(DataFormatError, match=message):
        parse_stsb_file(path)


def test_a_byte_order_mark_does_not_end_up_in_the_first_sentence(tmp_path):
    for name, text in (
        ("s1.dev", "A man sleeps.\n"),
        ("s2.dev", "A man rests.\n"),
        ("labels.dev", "entailment\n"),
    ):
        (tmp_path / name).write_text(text, encoding="utf-8-sig" if name == "s1.dev" else "utf-8")
    assert parse_senteval_snli(tmp_path, "dev") == [NLIPair("A man sleeps.", "A man rests.", 0)]


def test_gzip_compressed_originals_read_like_plain_ones(tmp_path):
    import gzip

    plain = tmp_path / "plain" / "sts-dev.csv"
    plain.parent.mkdir()
    plain.write_text(_stsb_line() + _stsb_line("1.0"))
    packed = tmp_path / "packed" / "stsbenchmark" / "sts-dev.csv.gz"
    packed.parent.mkdir(parents=True)
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert load_sts("stsb", "dev", tmp_path / "packed") == parse_stsb_file(plain)


def test_sick_parser_reads_scores_and_labels_and_names_bad_lines(tmp_path):
    path = tmp_path / "SICK_trial.txt"
    path.write_text(
        SICK_HEADER + "1\tA dog runs.\tA dog is running.\t4.8\tENTAILMENT\n2\tA dog runs.\tNo dog "
        "runs.\t3.1\tCONTRADICTION\n"
    )
    assert parse_sick_file(path) == [
        {"s1": "A dog runs.", "s2": "A dog is running.", "score": 4.8, "label": 0},
        {"s1": "A dog runs.", "s2": "No dog runs.", "score": 3.1, "label": 2},
    ]
    path.write_text(SICK_HEADER + "1\tA dog runs.\tA dog is running.\t4.8\tMAYBE\n")
    with pytest.raises(
        DataFormatError,
        match="SICK_trial.txt:2: label 'MAYBE' is not one of entailment, neutral, contradiction",
    ):
        parse_sick_file(path)
    path.write_text(SICK_HEADER + "1\tA dog runs.\tA dog is running.\t0.5\tNEUTRAL\n")
    with pytest.raises(
        DataFormatError, match=r"SICK_trial.txt:2: score 0.5 is outside \[1.0, 5.0\]"
    ):
        parse_sick_file(path)
    path.write_text("id\ts1\ts2\n")
    with pytest.raises(DataFormatError, match="SICK_trial.txt:1: expected header"):
        parse_sick_file(path)


def _write_snli(folder, premises, hypotheses, labels, split="dev"):
    for name, lines in (("s1", premises), ("s2", hypotheses), ("labels", labels)):
        (folder / f"{name}.{split}").write_text("".join(line + "\n" for line in lines))


def test_senteval_snli_parser_aligns_three_files(tmp_path):
    # U+2028 is a line break to str.splitlines but not to a file of lines: it must not split a
    # sentence.
    _write_snli(
        tmp_path,
        ["A man sleeps .", "Kids play\u2028outside ."],
        ["A man rests .", "Kids are inside ."],
        ["entailment", "contradiction"],
    )
    assert parse_senteval_snli(tmp_path, "dev") == [
        NLIPair("A man sleeps .", "A man rests .", 0),
        NLIPair("Kids play\u2028outside .", "Kids are inside .", 2),
    ]


def test_senteval_snli_parser_names_what_is_wrong(tmp_path):
    _write_snli(tmp_path, ["a", "b"], ["c"], ["neutral", "neutral"])
    with pytest.raises(
        DataFormatError, match="s1.dev: 2 lines, s2.dev: 1 lines, labels.dev: 2 lines"
    ):
        parse_senteval_snli(tmp_path, "dev")
    _write_snli(tmp_path, ["a", "b"], ["c", "d"], ["neutral", "-"])
    with pytest.raises(DataFormatError, match="labels.dev:2: label '-'"):
        parse_senteval_snli(tmp_path, "dev")


# -- where data is looked for ----------------------------------------------------------------------
@pytest.fixture
def no_hub(monkeypatch):
    """No $SBERT_LAB_DATA, no shipped copies, and a hub that answers like an unreachable one."""
    monkeypatch.delenv("SBERT_LAB_DATA", raising=False)
    monkeypatch.setattr(sl_data, "SHIPPED_DIR", Path("/nonexistent/shipped"))
    calls = []

    def unreachable(path, name=None, split=None, **kwargs):
        calls.append((path, name, split))
        raise ConnectionError(f"Couldn't reach '{path}' on the Hub")

    monkeypatch.setattr(datasets, "load_dataset", unreachable)
    return calls


def test_data_dir_comes_before_sbert_lab_data(tmp_path, monkeypatch, no_hub):
    for folder, score in (("mine", "1.0"), ("env", "4.0")):
        (tmp_path / folder / "stsbenchmark").mkdir(parents=True)
        (tmp_path / folder / "stsbenchmark" / "sts-dev.csv").write_text(_stsb_line(score))
    monkeypatch.setenv("SBERT_LAB_DATA", str(tmp_path / "env"))
    assert load_sts("stsb", "dev", data_dir=tmp_path / "mine")[0].score == 1.0
    assert load_sts("stsb", "dev")[0].score == 4.0
    (tmp_path / "flat").mkdir()  # files may also sit directly in the folder
    (tmp_path / "flat" / "sts-dev.csv").write_text(_stsb_line("2.0"))
    assert load_sts("stsb", "dev", data_dir=tmp_path / "flat")[0].score == 2.0
    assert no_hub == []  # the hub was never asked


def test_nothing_found_lists_every_place_tried(no_hub):
    with pytest.raises(DataNotFoundError) as error:
        load_sts("stsb", "test")
    message = str(error.value)
    assert "could not load STS data set 'stsb' split 'test'" in message
    assert "data_dir: not set" in message and "$SBERT_LAB_DATA: not set" in message
    assert "shipped copy=/nonexistent/shipped: no such folder" in message
    assert "Hugging Face hub sentence-transformers/stsb: ConnectionError: Couldn't reach" in message
    assert no_hub == [("sentence-transformers/stsb", None, "test")]


def test_a_data_dir_without_the_files_is_refused_not_passed_over(tmp_path, monkeypatch, no_hub):
    """Issue 28: a folder that was given is used or refused; the STS-B files of $SBERT_LAB_DATA (or
    a shipped copy, or the hub) never stand in for it."""
    (tmp_path / "env" / "stsbenchmark").mkdir(parents=True)
    (tmp_path / "env" / "stsbenchmark" / "sts-test.csv").write_text(_stsb_line("4.0"))
    monkeypatch.setenv("SBERT_LAB_DATA", str(tmp_path / "env"))
    (tmp_path / "mine" / "STSbenchmark").mkdir(parents=True)
    with pytest.raises(DataNotFoundError) as error:
        load_sts("stsb", "test", data_dir=tmp_path / "mine")
    message = str(error.value)
    assert message.startswith(
        f"no STS-B test files found in {tmp_path / 'mine'}: expected "
        f"{tmp_path / 'mine' / 'stsbenchmark' / 'sts-test.csv'} (each may also sit directly in "
    )
    assert "found STSbenchmark/: file names are case-sensitive" in message
    assert f"leave data_dir out to load STS-B from $SBERT_LAB_DATA={tmp_path / 'env'}" in message
    assert no_hub == []


def test_sbert_lab_data_without_the_files_is_refused_and_says_where_else_to_look(
    tmp_path, monkeypatch, no_hub
):
    monkeypatch.setenv("SBERT_LAB_DATA", str(tmp_path))
    with pytest.raises(DataNotFoundError) as error:
        load_nli("snli", "train")
    message = str(error.value)
    assert f"no SNLI train files found in $SBERT_LAB_DATA={tmp_path}: expected " in message
    assert f"{tmp_path / 'snli' / 'labels.train'}" in message
    assert "the Hugging Face hub (stanfordnlp/snli): unset $SBERT_LAB_DATA" in message
    (tmp_path / "snli").mkdir()
    (tmp_path / "snli" / "s1.dev").write_text("A man sleeps .\n")
    with pytest.raises(DataNotFoundError, match=r"incomplete: missing snli/s2\.dev, snli/labels"):
        load_nli("snli", "dev")
    monkeypatch.setenv("SBERT_LAB_DATA", str(tmp_path / "missing"))
    with pytest.raises(DataNotFoundError, match=r"\$SBERT_LAB_DATA=\S+missing is not a folder"):
        load_nli("snli", "dev")
    assert no_hub == []


def test_sets_read_from_the_hub_only_still_go_to_the_hub_with_sbert_lab_data_set(
    tmp_path, monkeypatch, no_hub
):
    monkeypatch.setenv("SBERT_LAB_DATA", str(tmp_path))
    for load, name, split in ((load_sts, "sts12", "test"), (load_nli, "allnli", "train")):
        with pytest.raises(DataNotFoundError, match="read from the hub only.*\n.*\n.*Couldn't"):
            load(name, split)
    with pytest.raises(DataNotFoundError, match="read from the hub only"):
        load_triplets("allnli", "train", data_dir=tmp_path)
    hub_ids = [call[0] for call in no_hub]
    assert hub_ids == ["mteb/sts12-sts"] + ["sentence-transformers/all-nli"] * 2


def test_every_set_of_the_offline_profile_loads_from_sbert_lab_data(shared_data, monkeypatch):
    """With $SBERT_LAB_DATA at CI's data folder (else the shipped copies), nothing the offline
    profile reads is refused."""
    from sbert_lab.course.profiles import PROFILES

    monkeypatch.setenv("SBERT_LAB_DATA", str(shared_data))
    offline = PROFILES["offline"]
    for name, split in (*offline.nli_train, offline.nli_eval):
        assert load_nli(name, split)
    for name, split in (("stsb", "train"), ("stsb", "dev"), ("stsb", "test"), ("sickr", "test")):
        assert load_sts(name, split)


def test_a_data_dir_of_the_wrong_type_or_empty_is_named():
    with pytest.raises(TypeError, match="data_dir must be a folder .*got int 123"):
        load_sts("stsb", "test", data_dir=123)
    with pytest.raises(ValueError, match="data_dir='' names no folder"):
        load_nli("snli", "dev", data_dir="")


def test_a_data_dir_that_does_not_exist_is_an_error_not_a_fallback(tmp_path):
    with pytest.raises(DataNotFoundError, match="data_dir='.*missing' is not a folder"):
        load_sts("stsb", "test", data_dir=tmp_path / "missing")


def test_the_shipped_copies_are_found_with_no_setting_and_are_the_originals(
    monkeypatch, shared_data
):
    monkeypatch.delenv("SBERT_LAB_DATA", raising=False)
    assert load_sts("stsb", "test") == load_sts("stsb", "test", data_dir=shared_data)
    assert (
        len(load_sts("sick", "test")) == len(load_sts("sickr", "test")) == 4927
    )  # Table 1's SICK-R
    assert len(load_nli("snli", "dev")) == 9842
    for name, split in (("multinli", "dev-matched"), ("cad-snli", "train")):
        assert load_nli(name, split) == load_nli(name, split, data_dir=shared_data)


def test_multinli_reads_json_lines_and_json_lists_and_drops_unlabelled_pairs(tmp_path):
    row = '{{"sentence1": "A b.", "sentence2": "C d.", "gold_label": "{}", "genre": "x"}}'
    (tmp_path / "dev_matched.jsonl").write_text(
        "\n".join(row.format(label) for label in ("entailment", "-", "contradiction")) + "\n"
    )
    assert load_nli("multinli", "dev-matched", data_dir=tmp_path) == [
        NLIPair("A b.", "C d.", 0),
        NLIPair("A b.", "C d.", 2),
    ]
    (tmp_path / "train_sample_a.json").write_text(
        '[{"sentence1": "E.", "sentence2": "F.", "gold_label": "neutral"}]'
    )
    (tmp_path / "train_sample_b.jsonl").write_text(row.format("neutral") + "\n")
    assert len(load_nli("multinli", "train-sample", data_dir=tmp_path)) == 2


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"sentence1": "A", "sentence2": "B", "gold_label": "entails"}\n', r"jsonl:1: label"),
        ('{"sentence1": "A", "sentence2": "B"}\n', r"jsonl:1: expected sentence1, sentence2"),
        ('{"sentence1": "A", "sentence2": \n', r"jsonl:1: not valid JSON"),
    ],
)
def test_multinli_parser_names_file_and_line(tmp_path, content, message):
    (tmp_path / "dev_matched.jsonl").write_text(content)
    with pytest.raises(DataFormatError, match=message):
        load_nli("multinli", "dev-matched", data_dir=tmp_path)


def test_cad_snli_parser_checks_its_header_and_fields(tmp_path):
    folder = tmp_path / "cad-snli"
    folder.mkdir()
    (folder / "train.tsv").write_text("sentence1\tsentence2\tgold_label\nA.\tB.\tneutral\n")
    assert load_nli("cad-snli", "train", data_dir=tmp_path) == [NLIPair("A.", "B.", 1)]
    (folder / "train.tsv").write_text("premise\thypothesis\tlabel\nA.\tB.\tneutral\n")
    with pytest.raises(DataFormatError, match="train.tsv:1: expected header"):
        load_nli("cad-snli", "train", data_dir=tmp_path)
    (folder / "train.tsv").write_text("sentence1\tsentence2\tgold_label\nA.\tB.\tmaybe\n")
    with pytest.raises(DataFormatError, match="train.tsv:2: label 'maybe'"):
        load_nli("cad-snli", "train", data_dir=tmp_path)


def test_xz_compressed_files_cut_short_are_named(tmp_path):
    import lzma

    whole = lzma.compress(b'{"sentence1": "A", "sentence2": "B", "gold_label": "neutral"}\n')
    (tmp_path / "dev_matched.jsonl.xz").write_bytes(whole[:-8])
    with pytest.raises(DataFormatError, match="dev_matched.jsonl.xz: not a whole compressed file"):
        load_nli("multinli", "dev-matched", data_dir=tmp_path)


def test_unset_places_are_listed_too(no_hub):
    with pytest.raises(
        DataNotFoundError,
        match=r"(?s)data_dir: not set.*\$SBERT_LAB_DATA: not set.*stanfordnlp/snli",
    ):
        load_nli("snli", "train")


def test_the_real_hub_fails_fast_and_clearly_when_offline(tmp_path, monkeypatch):

    if os.environ.get("HF_HUB_OFFLINE") not in ("1", "true", "True", "YES", "yes", "ON", "on"):
        pytest.skip("skipped: HF_HUB_OFFLINE is not set, so this test could reach the network")
    monkeypatch.delenv("SBERT_LAB_DATA", raising=False)
    monkeypatch.setattr(sl_data, "SHIPPED_DIR", tmp_path / "no-shipped-copies")
    with pytest.raises(
        DataNotFoundError, match="Hugging Face hub sentence-transformers/stsb: .*Error"
    ):
        load_sts("stsb", "dev")


def test_unknown_data_set_names_list_the_valid_ones():
    with pytest.raises(ValueError, match="unknown STS data set 'snli'; valid names are stsb, sick"):
        load_sts("snli", "test")
    with pytest.raises(
        ValueError,
        match="unknown NLI data set 'mnli'; valid names are snli, sick, multinli, cad-snli, allnli",
    ):
        load_nli("mnli", "train")


# -- the hub code paths, with a fake hub -----------------------------------------------------------
@pytest.fixture
def fake_hub(monkeypatch):
    """Serve ``rows[(hub id, subset, hub split)]`` from a fake ``datasets.load_dataset`` (no shipped
    copies)."""
    monkeypatch.delenv("SBERT_LAB_DATA", raising=False)
    monkeypatch.setattr(sl_data, "SHIPPED_DIR", Path("/nonexistent/shipped"))
    rows = {}

    def load_dataset(path, name=None, split=None, **kwargs):
        if (path, name, split) not in rows:
            raise FileNotFoundError(f"fake hub has no {path} {name} {split}")
        return datasets.Dataset.from_list(rows[(path, name, split)])  # what the real one returns

    monkeypatch.setattr(datasets, "load_dataset", load_dataset)
    return rows


def test_hub_stsb_scores_are_put_back_on_the_0_to_5_scale(fake_hub):
    fake_hub[("sentence-transformers/stsb", None, "validation")] = [
        {"sentence1": "A man is eating.", "sentence2": "A man eats.", "score": 0.96},
        {"sentence1": "A cat.", "sentence2": "The stock market fell.", "score": 0.0},
    ]
    pairs = load_sts("stsb", "dev")
    assert [p.score for p in pairs] == pytest.approx([4.8, 0.0])
    assert pairs[0][:2] == ("A man is eating.", "A man eats.")


def test_hub_snli_drops_pairs_without_a_gold_label(fake_hub):
    fake_hub[("stanfordnlp/snli", None, "test")] = [
        {"premise": "A dog runs.", "hypothesis": "An animal moves.", "label": 0},
        {"premise": "A dog runs.", "hypothesis": "A cat sleeps.", "label": -1},
        {"premise": "A dog runs.", "hypothesis": "The dog sits still.", "label": 2},
    ]
    assert load_nli("snli", "test") == [
        NLIPair("A dog runs.", "An animal moves.", 0),
        NLIPair("A dog runs.", "The dog sits still.", 2),
    ]


def test_hub_allnli_pairs_and_triplets_come_from_their_subsets(fake_hub):
    fake_hub[("sentence-transformers/all-nli", "pair-class", "dev")] = [
        {"premise": "P", "hypothesis": "H", "label": 1}
    ]
    fake_hub[("sentence-transformers/all-nli", "triplet", "train")] = [
        {"anchor": "A", "positive": "B", "negative": "C"}
    ]
    assert load_nli("allnli", "dev") == [NLIPair("P", "H", 1)]
    assert load_triplets("allnli", "train") == [Triplet("A", "B", "C")]


def test_hub_mteb_sts_keeps_its_0_to_5_scale_and_sick_never_asks_the_hub(fake_hub):
    fake_hub[("mteb/sts12-sts", None, "test")] = [
        {"sentence1": "X", "sentence2": "Y", "score": 3.2}
    ]
    assert load_sts("sts12", "test") == [STSPair("X", "Y", 3.2)]
    # SICK's hub copies are a refused loading script or have other sizes: shipped originals only
    for name in ("sick", "sickr"):
        with pytest.raises(DataNotFoundError, match=f"no source known for '{name}'"):
            load_sts(name, "test")
    with pytest.raises(ValueError, match="sickr .* has only the test split"):
        load_sts("sickr", "train")


def test_a_split_the_hub_does_not_have_is_reported(fake_hub):
    with pytest.raises(
        DataNotFoundError,
        match="mteb/sts13-sts: ValueError: mteb/sts13-sts has no split 'train'; it has test",
    ):
        load_sts("sts13", "train")


# -- fixtures and helpers --------------------------------------------------------------------------
def test_fixtures_have_the_documented_sizes():
    sets = (
        ("sts", load_sts, "stsb", ("train", "dev", "test")),
        ("nli", load_nli, "snli", ("train", "dev", "test")),
        ("sick", load_sts, "sick", ("train", "trial", "test")),
    )
    sizes = {
        (kind, split): len(loader(name, split, data_dir="fixtures"))
        for kind, loader, name, splits in sets
        for split in splits
    }
    assert sizes == {
        ("sts", "train"): 48, ("sts", "dev"): 20, ("sts", "test"): 20,
        ("nli", "train"): 48, ("nli", "dev"): 24, ("nli", "test"): 24,
        ("sick", "train"): 24, ("sick", "trial"): 12, ("sick", "test"): 12,
    }  # fmt: skip
    assert len(load_nli("allnli", "train", data_dir="fixtures")) == 48
    assert len(load_triplets("allnli", "dev", data_dir="fixtures")) == 8  # one per premise


def test_nli_triplets_pair_each_entailment_with_each_contradiction_of_its_premise():
    pairs = [
        NLIPair("P1", "e1", 0), NLIPair("P1", "n1", 1), NLIPair("P1", "c1", 2),
        NLIPair("P1", "e2", 0),
        NLIPair("P2", "c2", 2),  # no entailment: no triplet
        NLIPair("P3", "e3", 0), NLIPair("P3", "c3", 2),
    ]  # fmt: skip
    assert nli_triplets(pairs) == [
        Triplet("P1", "e1", "c1"),
        Triplet("P1", "e2", "c1"),
        Triplet("P3", "e3", "c3"),
    ]


def test_score_ranges():
    assert (
        score_range("stsb") == (0.0, 5.0)
        and score_range("sick") == (1.0, 5.0)
        and score_range("sts12") == (0.0, 5.0)
    )
    assert data.NLI_LABELS == ("entailment", "neutral", "contradiction")
