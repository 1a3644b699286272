"""Loaders for the data sets of the paper: STS-B, SICK, SNLI / AllNLI, and NLI triplets.

Every loader looks in the same places, in this order, and stops at the first that works:

1. ``data_dir`` (an argument), else ``$SBERT_LAB_DATA``: a folder holding the ORIGINAL files —
   ``stsbenchmark/sts-{train,dev,test}.csv``, ``sick/SICK_{train,trial,test_annotated}.txt``,
   ``snli/{s1,s2,labels}.{train,dev,test}`` (SentEval's copy of SNLI), ``multinli/``, ``cad-snli/``
   (``LOCAL_SETS`` lists each set's files), plain or compressed (``.gz``, ``.xz``). The files
   may also sit directly in the folder. A folder given this way is used or refused, never passed
   over: when it lacks the files of a set that has them (a set of ``LOCAL_SETS``), the loader
   raises a ``DataNotFoundError`` naming the folder and the files it expected, instead of reading
   another copy. Sets read from the hub only (AllNLI, STS12-16, most transfer tasks) go on to the
   hub. ``data_dir="fixtures"`` means the small hand-written sets in ``sbert_lab/fixtures`` (for
   unit tests); a set without a fixture is looked up as if it were not given.
2. The copies shipped inside the package (``sbert_lab/shipped``: STS-B, SNLI dev/test, SICK; see its
   README for licences), so that an offline machine evaluates on the real sets.
3. The Hugging Face hub through ``datasets`` (``HUB_SOURCES`` below).
4. Otherwise a ``DataNotFoundError`` that lists every place tried and why each failed.

The sets only lessons use (Table 5's transfer tasks, Table 4's Wikipedia sections, the topic corpus)
are in ``course.lesson_data``; they go through the same ``lookup`` with their own hub sources and
files (MRPC's ``mrpc/``, SICK-E's).

Scores stay on each set's own scale (``SCORE_RANGES``): STS-B 0–5, SICK 1–5. NLI labels are ids
0 = entailment, 1 = neutral, 2 = contradiction (the order of sentence-transformers/all-nli).
"""

from __future__ import annotations

import gzip
import json
import lzma
import os
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

FIXTURES = "fixtures"
FIXTURES_DIR = Path(__file__).parent / "fixtures"
SHIPPED_DIR = Path(__file__).parent / "shipped"
NLI_LABELS = ("entailment", "neutral", "contradiction")
SCORE_RANGES = {"stsb": (0.0, 5.0), "sick": (1.0, 5.0), "sickr": (1.0, 5.0)}
STS_TASKS = ("sts12", "sts13", "sts14", "sts15", "sts16", "stsb", "sickr")  # Table 1's seven
STS_NAMES = ("stsb", "sick", "sts12", "sts13", "sts14", "sts15", "sts16", "sickr")
# multinli: two 10k samples of MultiNLI train and both dev sets; cad-snli: counterfactually
# augmented SNLI train (shipped, see sbert_lab/shipped/README.md; no hub source for these copies)
NLI_NAMES = ("snli", "sick", "multinli", "cad-snli", "allnli")
MULTINLI_FILES = {
    "train-sample": ("train_sample_a.json", "train_sample_b.jsonl"),
    "dev-matched": ("dev_matched.jsonl",),
    "dev-mismatched": ("dev_mismatched.jsonl",),
}
SPLITS = {
    "stsb": ("train", "dev", "test"),
    "sick": ("train", "trial", "test"),
    "snli": ("train", "dev", "test"),
}


class STSPair(NamedTuple):
    """Two sentences and their gold similarity on the data set's own scale."""

    s1: str
    s2: str
    score: float


class NLIPair(NamedTuple):
    """A premise, a hypothesis and the label id (0 entailment, 1 neutral, 2 contradiction)."""

    premise: str
    hypothesis: str
    label: int


class Triplet(NamedTuple):
    """An anchor, a sentence close to it (positive) and one further away (negative)."""

    anchor: str
    positive: str
    negative: str


class DataFormatError(ValueError):
    """A data file does not have the expected layout; the message names file and line."""


class DataNotFoundError(FileNotFoundError):
    """No source had the data set; the message lists every place tried."""


def score_range(name: str) -> tuple[float, float]:
    """(low, high) of a similarity data set's gold scores: (0, 5) except SICK's (1, 5)."""
    if name not in STS_NAMES:
        raise ValueError(f"unknown STS data set {name!r}; valid names are {', '.join(STS_NAMES)}")
    return SCORE_RANGES.get(name, (0.0, 5.0))


# -- parsers of the original files -----------------------------------------------------------------
def read_bytes(path: Path) -> bytes:
    """The bytes of a file, decompressed when its name ends in .gz or .xz; a ``DataFormatError``
    naming the file when it is empty or its compressed stream is cut short."""
    opener = {".gz": gzip.open, ".xz": lzma.open}.get(Path(path).suffix, open)
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError) as err:
        raise DataFormatError(
            f"{path}: not a whole compressed file ({err}); was the download cut short?"
        ) from None
    if not raw:
        raise DataFormatError(f"{path}: the file is empty")
    return raw


def iter_lines(path: Path):
    """(line number, line) of a UTF-8 text file one line at a time, with ``read_lines``' checks
    and errors, without holding the whole file (MultiNLI's dev files decompress to 25 MB each)."""
    opener = {".gz": gzip.open, ".xz": lzma.open}.get(Path(path).suffix, open)
    line_no = 0
    try:
        with opener(path, "rb") as f:
            for line_no, raw in enumerate(f, start=1):
                if line_no == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as err:
                    raise DataFormatError(
                        f"{path}:{line_no}: not UTF-8 text ({err.reason} at byte {err.start})"
                    ) from None
                if not text.endswith("\n"):
                    raise DataFormatError(
                        f"{path}: the last line has no line end: the file looks cut short"
                    )
                yield line_no, text[:-1].rstrip("\r")
    except (EOFError, gzip.BadGzipFile, zlib.error, lzma.LZMAError) as err:
        raise DataFormatError(
            f"{path}: not a whole compressed file ({err}); was the download cut short?"
        ) from None
    if line_no == 0:
        raise DataFormatError(f"{path}: the file is empty")


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file (compressed when its name ends in .gz or .xz), split on "\n"
    only.

    A sentence may hold any other character. A byte-order mark at the start is dropped (MRPC's files
    have one), and so are a trailing "\r" (Windows line ends) and the empty string after the final
    "\n". Refused with a ``DataFormatError`` naming the file (and line): an empty file, bytes that
    are not UTF-8, and a last line without "\n" — the original files all end with one, so a file
    that does not was most likely cut short, and its last sentence with it.
    """
    raw = read_bytes(path)
    if not raw.endswith(b"\n"):
        raise DataFormatError(f"{path}: the last line has no line end: the file looks cut short")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_no = raw[: err.start].count(b"\n") + 1
        raise DataFormatError(
            f"{path}:{line_no}: not UTF-8 text ({err.reason} at byte {err.start})"
        ) from None
    return [line.rstrip("\r") for line in text[:-1].split("\n")]


def tab_rows(path: Path, lines: list[str], first_line_no: int, counts: tuple[int, ...]):
    """(line number, tab-separated fields) of each non-blank line; another field count is an error.

    Only the documented counts are accepted: a tab inside a sentence would otherwise move words of
    one sentence into the next field without a word.
    """
    for line_no, line in enumerate(lines, start=first_line_no):
        if not line:
            continue
        fields = line.split("\t")
        if len(fields) not in counts:
            expected = " or ".join(map(str, counts))
            raise DataFormatError(
                f"{path}:{line_no}: expected {expected} tab-separated fields, found {len(fields)}"
                + (" (a tab inside a sentence?)" if len(fields) > min(counts) else "")
            )
        yield line_no, fields


def parse_stsb_file(path: Path) -> list[STSPair]:
    """STS-B ``sts-*.csv``: tab-separated genre, file, year, id, score, s1, s2 [, two sources]; no
    quoting.

    Blank lines are skipped; a line with other than 7 or 9 fields (the originals have only these),
    or a score that is not a number in [0, 5], raises a ``DataFormatError`` naming file and line.
    """
    pairs = []
    for line_no, fields in tab_rows(path, read_lines(path), first_line_no=1, counts=(7, 9)):
        score = _parse_score(fields[4], path, line_no, (0.0, 5.0))
        pairs.append(STSPair(fields[5], fields[6], score))
    return pairs


def parse_sick_file(path: Path) -> list[dict]:
    """SICK ``SICK_*.txt``: header, then pair_ID, sentence_A, sentence_B, relatedness (1–5),
    entailment."""
    lines = read_lines(path)
    header = lines[0].split("\t") if lines else []
    expected = ["pair_ID", "sentence_A", "sentence_B", "relatedness_score", "entailment_judgment"]
    if header[:5] != expected:
        raise DataFormatError(f"{path}:1: expected header {expected}, found {header}")
    rows = []
    for line_no, fields in tab_rows(path, lines[1:], first_line_no=2, counts=(5,)):
        score = _parse_score(fields[3], path, line_no, (1.0, 5.0))
        label = _parse_label(fields[4], path, line_no)
        rows.append({"s1": fields[1], "s2": fields[2], "score": score, "label": label})
    return rows


def parse_senteval_snli(folder: Path, split: str) -> list[NLIPair]:
    """SentEval's SNLI: ``s1.<split>``, ``s2.<split>``, ``labels.<split>`` (or ``.gz``), one item
    per line."""
    files = [
        find_file(folder, "", f"{name}.{split}") or folder / f"{name}.{split}"
        for name in ("s1", "s2", "labels")
    ]
    columns = [read_lines(path) for path in files]
    counts = [len(c) for c in columns]
    if len(set(counts)) != 1:
        listing = ", ".join(f"{p.name}: {n} lines" for p, n in zip(files, counts, strict=True))
        raise DataFormatError(
            f"{folder}: the three SNLI files must have the same number of lines ({listing})"
        )
    premises, hypotheses, labels = columns
    return [
        NLIPair(p.strip(), h.strip(), _parse_label(lab, files[2], line_no))
        for line_no, (p, h, lab) in enumerate(
            zip(premises, hypotheses, labels, strict=True), start=1
        )
    ]


def parse_multinli_file(path: Path) -> list[NLIPair]:
    """A MultiNLI 1.0 file: JSON lines (``*.jsonl``) or one JSON list (``*.json``) of objects with
    ``sentence1``, ``sentence2`` and ``gold_label``. Pairs whose gold label is "-" (the annotators
    did not agree) are left out, as in every published use of MultiNLI; any other label, or a
    missing field, is a ``DataFormatError`` naming the file and line (or item)."""
    name = Path(path).name.removesuffix(".xz").removesuffix(".gz")
    if name.endswith(".jsonl"):  # one row at a time: the dev files carry parse trees
        rows = (
            (line_no, _json(line, f"{path}:{line_no}"))
            for line_no, line in iter_lines(path)
            if line.strip()
        )
    else:
        items = _json(read_bytes(path).decode("utf-8-sig", errors="strict"), str(path))
        if not isinstance(items, list):
            raise DataFormatError(f"{path}: expected a JSON list of pairs, found {type(items)}")
        rows = ((f"item {i}", item) for i, item in enumerate(items))
    pairs = []
    for where, row in rows:
        if not isinstance(row, dict) or not {"sentence1", "sentence2", "gold_label"} <= set(row):
            raise DataFormatError(f"{path}:{where}: expected sentence1, sentence2 and gold_label")
        if row["gold_label"] != "-":
            label = _parse_label(row["gold_label"], path, where)
            pairs.append(NLIPair(row["sentence1"].strip(), row["sentence2"].strip(), label))
    return pairs


def parse_cad_snli_file(path: Path) -> list[NLIPair]:
    """Counterfactually-augmented SNLI (``train.tsv``): a header sentence1, sentence2, gold_label,
    then one tab-separated pair per line."""
    lines = read_lines(path)
    expected = ["sentence1", "sentence2", "gold_label"]
    if lines[0].split("\t") != expected:
        raise DataFormatError(f"{path}:1: expected header {expected}, found {lines[0][:60]!r}")
    return [
        NLIPair(first.strip(), second.strip(), _parse_label(label, path, line_no))
        for line_no, (first, second, label) in tab_rows(path, lines[1:], 2, (3,))
    ]


def _json(text: str, where: str):
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise DataFormatError(
            f"{where}: not valid JSON ({err.msg} at column {err.colno})"
        ) from None


def _parse_score(text: str, path: Path, line_no: int, bounds: tuple[float, float]) -> float:
    try:
        score = float(text)
    except ValueError:
        raise DataFormatError(f"{path}:{line_no}: score {text!r} is not a number") from None
    low, high = bounds
    if not low <= score <= high:
        raise DataFormatError(f"{path}:{line_no}: score {score} is outside [{low}, {high}]")
    return score


def _parse_label(text: str, path: Path, line_no: int | str) -> int:
    label = text.strip().lower()
    if label not in NLI_LABELS:
        raise DataFormatError(
            f"{path}:{line_no}: label {text.strip()!r} is not one of {', '.join(NLI_LABELS)}"
        )
    return NLI_LABELS.index(label)


# -- fixtures -------------------------------------------------------------------------------------
def read_fixture(name: str) -> list[list[str]]:
    path = FIXTURES_DIR / f"{name}.tsv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    rows = []
    for line_no, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            raise DataFormatError(
                f"{path}:{line_no}: expected {len(header)} fields, found {len(fields)}"
            )
        rows.append(fields)
    return rows


def _fixture_split(split: str) -> str:
    return {"trial": "dev", "validation": "dev"}.get(split, split)


def _fixture_sts(name: str, split: str) -> list[STSPair]:
    if name in ("sick", "sickr"):
        rows = read_fixture("sick")
        return [
            STSPair(a, b, float(r))
            for s, r, _e, a, b in rows
            if s == _fixture_split(split).replace("dev", "trial")
        ]
    return [
        STSPair(a, b, float(score))
        for s, score, a, b in read_fixture("sts")
        if s == _fixture_split(split)
    ]


def _fixture_nli(name: str, split: str) -> list[NLIPair]:
    if name == "sick":
        rows = read_fixture("sick")
        wanted = _fixture_split(split).replace("dev", "trial")
        return [
            NLIPair(a, b, NLI_LABELS.index(e.lower())) for s, _r, e, a, b in rows if s == wanted
        ]
    return [
        NLIPair(p, h, NLI_LABELS.index(lab))
        for s, lab, p, h in read_fixture("nli")
        if s == _fixture_split(split)
    ]


# -- local folders -------------------------------------------------------------------------------
def find_file(folder: Path, subfolder: str, filename: str) -> Path | None:
    """``folder/subfolder/filename`` or ``folder/filename``, plain or with ``.gz`` or ``.xz``
    added; None if neither."""
    for place in (folder / subfolder, folder):
        for candidate in (place / filename, place / f"{filename}.gz", place / f"{filename}.xz"):
            if candidate.is_file():
                return candidate
    return None


def local_sick(folder: Path, split: str, make) -> list | None:
    """``make(row)`` for each row of SICK's ``split``; None when its file is not in ``folder``."""
    path = find_file(folder, "sick", _sick_filename(split))
    return [make(row) for row in parse_sick_file(path)] if path else None


def _local_sts(folder: Path, name: str, split: str) -> list[STSPair] | None:
    if name == "stsb":
        path = find_file(folder, "stsbenchmark", f"sts-{split}.csv")
        return parse_stsb_file(path) if path else None
    if name in ("sick", "sickr"):  # SICK-R of Table 1 is the relatedness of SICK's 4,927 test pairs
        return local_sick(folder, split, lambda r: STSPair(r["s1"], r["s2"], r["score"]))
    return None


def _local_nli(folder: Path, name: str, split: str) -> list[NLIPair] | None:
    if name == "snli":
        first = find_file(folder, "snli", f"s1.{split}")
        return parse_senteval_snli(first.parent, split) if first else None
    if name == "sick":
        return local_sick(folder, split, lambda r: NLIPair(r["s1"], r["s2"], r["label"]))
    if name == "multinli":
        return _local_multinli(folder, split)
    if name == "cad-snli" and split == "train":
        path = find_file(folder, "cad-snli", "train.tsv")
        return parse_cad_snli_file(path) if path else None
    return None


def _local_multinli(folder: Path, split: str) -> list[NLIPair] | None:
    """MultiNLI's ``split`` (``MULTINLI_FILES``); the two train samples share 262 pairs, which are
    kept once (the first time they occur)."""
    paths = [find_file(folder, "multinli", filename) for filename in MULTINLI_FILES.get(split, ())]
    if not paths or None in paths:
        return None
    pairs = [pair for path in paths for pair in parse_multinli_file(path)]
    return list(dict.fromkeys(pairs))


def _sick_filename(split: str) -> str:
    return {"test": "SICK_test_annotated.txt"}.get(split, f"SICK_{split}.txt")


class LocalSet(NamedTuple):
    """How a data folder holds one set: its title in messages, the splits a folder may hold, and
    ``files(split)``, the (subfolder, file name) pairs of a split."""

    title: str
    splits: tuple[str, ...]
    files: Callable[[str], list[tuple[str, str]]]


SICK_FILES = LocalSet("SICK", SPLITS["sick"], lambda split: [("sick", _sick_filename(split))])
LOCAL_SETS = {  # the sets a data folder may hold; sets not here come from the hub only
    "stsb": LocalSet("STS-B", SPLITS["stsb"], lambda split: [("stsbenchmark", f"sts-{split}.csv")]),
    "sick": SICK_FILES,
    "sickr": SICK_FILES._replace(splits=("test",)),
    "snli": LocalSet(
        "SNLI",
        SPLITS["snli"],
        lambda split: [("snli", f"{column}.{split}") for column in ("s1", "s2", "labels")],
    ),
    "multinli": LocalSet(
        "MultiNLI",
        tuple(MULTINLI_FILES),
        lambda split: [("multinli", name) for name in MULTINLI_FILES[split]],
    ),
    "cad-snli": LocalSet("CAD-SNLI", ("train",), lambda split: [("cad-snli", "train.tsv")]),
}


def local_files(
    name: str, split: str, local_sets: dict[str, LocalSet] = LOCAL_SETS
) -> list[tuple[str, str]] | None:
    """The (subfolder, file name) pairs that hold ``split`` of ``name`` in a data folder ([] for a
    split no folder holds; None for a set read from the hub only). Each file may also sit directly
    in the folder, and end in .gz or .xz."""
    known = local_sets.get(name)
    if known is None:
        return None
    return known.files(split) if split in known.splits else []


# -- the hub ---------------------------------------------------------------------------------------
HUB_SOURCES = {
    # name: (hub id, subset, {our split: hub split})
    "stsb": (
        "sentence-transformers/stsb",
        None,
        {"train": "train", "dev": "validation", "test": "test"},
    ),
    "snli": ("stanfordnlp/snli", None, {"train": "train", "dev": "validation", "test": "test"}),
    "allnli": (
        "sentence-transformers/all-nli",
        "pair-class",
        {"train": "train", "dev": "dev", "test": "test"},
    ),
    "allnli-triplet": (
        "sentence-transformers/all-nli",
        "triplet",
        {"train": "train", "dev": "dev", "test": "test"},
    ),
    **{
        t: (f"mteb/{t}-sts", None, {"test": "test"})
        for t in ("sts12", "sts13", "sts14", "sts15", "sts16")
    },
}
# SICK has no hub source on purpose: the package ships the original files (4,500 / 500 / 4,927
# pairs). On the hub, RobZamp/sick is a loading script that datasets >= 4 refuses, its parquet
# conversions hold 4,439 / 495 / 4,906 pairs, and mteb/sickr-sts puts all ~9,927 pairs in one "test"
# split, which is not the paper's SICK-R test set.


def hub_split(source: tuple, split: str) -> tuple[str, str | None, str]:
    """(hub id, subset, the hub's name for ``split``) of a ``source`` (hub id, subset, {our split:
    hub split}, ...) such as ``HUB_SOURCES[name]``."""
    hub_id, subset, splits = source[:3]
    if split not in splits:
        raise ValueError(f"{hub_id} has no split {split!r}; it has {', '.join(splits)}")
    return hub_id, subset, splits[split]


def hub_columns(source: tuple, split: str, *columns: str) -> list[tuple]:
    """``columns`` of each row of a hub set, read column by column through Arrow.

    Row-by-row iteration of a ``datasets.Dataset`` builds a dict per row: about 40x slower, 12 s
    instead of 0.3 s for AllNLI's 942,069 training pairs.
    """
    import datasets

    hub_id, subset, split_on_hub = hub_split(source, split)
    rows = datasets.load_dataset(hub_id, subset, split=split_on_hub)
    table = rows.select_columns(list(columns)).to_dict()
    return list(zip(*(table[column] for column in columns), strict=True))


def _hub_sts(name: str, split: str) -> list[STSPair]:
    if name == "stsb":  # sentence-transformers/stsb stores score / 5: put it back on 0-5
        rows = hub_columns(HUB_SOURCES[name], split, "sentence1", "sentence2", "score")
        return [STSPair(s1, s2, float(score) * 5.0) for s1, s2, score in rows]
    rows = hub_columns(HUB_SOURCES[name], split, "sentence1", "sentence2", "score")
    return [STSPair(s1, s2, float(score)) for s1, s2, score in rows]


def _hub_nli(name: str, split: str) -> list[NLIPair]:
    rows = hub_columns(HUB_SOURCES[name], split, "premise", "hypothesis", "label")
    # SNLI marks pairs with no gold label as -1: they are left out, as in SentEval's copy.
    return [NLIPair(first, second, int(label)) for first, second, label in rows if int(label) >= 0]


# -- the lookup ------------------------------------------------------------------------------------
def lookup(
    kind: str,
    name: str,
    split: str,
    data_dir,
    local: Callable,
    fixture: Callable,
    hub: Callable | None,
    sources: dict = HUB_SOURCES,
    local_sets: dict[str, LocalSet] = LOCAL_SETS,
):
    """The first of ``data_dir`` / ``$SBERT_LAB_DATA`` (``local`` reads it, laid out as
    ``local_sets`` says; ``fixture`` for "fixtures"), the shipped copy, the hub (``hub``, from
    ``sources[name]``) that gives ``kind`` set ``name``'s ``split``; else a DataNotFoundError
    listing every place tried (the module's docstring)."""
    _check_data_dir(data_dir)
    files = local_files(name, split, local_sets)
    tried = []
    given = [("data_dir", data_dir), ("$SBERT_LAB_DATA", os.environ.get("SBERT_LAB_DATA") or None)]
    for label, folder in given:
        if folder is None:
            tried.append(f"{label}: not set")
        elif str(folder) == FIXTURES:
            result = fixture(name, split)
            if result:
                return result
            tried.append(f"{label}=fixtures: no {name} {split} fixture")
        elif files is None:  # a folder cannot hold it: the hub's sets
            tried.append(f"{label}={folder}: {name} is read from the hub only")
        else:  # the folder has the set's files, or the user is told which it lacks
            other = _other_source(files, sources.get(name) if hub is not None else None)
            _check_folder(label, Path(folder), split, local_sets[name], files, other)
            return local(Path(folder), name, split)
    if not SHIPPED_DIR.is_dir():
        tried.append(f"shipped copy={SHIPPED_DIR}: no such folder")
    elif files and not _missing(SHIPPED_DIR, files)[0]:
        return local(SHIPPED_DIR, name, split)
    else:
        tried.append(f"shipped copy={SHIPPED_DIR}: no original {name} {split} file there")
    if hub is None:
        tried.append("Hugging Face hub: not asked (from_hub=False)")
    elif name in sources:
        hub_id = sources[name][0]
        try:
            return hub(name, split)
        except Exception as err:  # ConnectionError, OSError, ValueError...: "not from the hub"
            tried.append(f"Hugging Face hub {hub_id}: {type(err).__name__}: {str(err)[:200]}")
    else:
        tried.append(f"Hugging Face hub: no source known for {name!r}")
    raise DataNotFoundError(
        f"could not load {kind} data set {name!r} split {split!r}; tried:\n  - "
        + "\n  - ".join(tried)
    )


def load_sts(name: str, split: str, data_dir: str | os.PathLike | None = None) -> list[STSPair]:
    """STS pairs of ``name`` ("stsb", "sick", or hub-only "sts12".."sts16", "sickr") and ``split``.

    STS-B splits: train / dev / test (5749 / 1500 / 1379). SICK: train / trial / test (4500 / 500 /
    4927). "sickr" is Table 1's SICK-R: the relatedness scores of SICK's test split (its only
    split). ``score`` stays on the set's own scale (see ``score_range``).
    """
    check_name(name, STS_NAMES, "STS")
    split = "dev" if split == "validation" and name == "stsb" else split
    if name == "sickr" and split != "test":
        raise ValueError(f"sickr (Table 1's SICK-R) has only the test split, not {split!r}")
    return lookup("STS", name, split, data_dir, _local_sts, _fixture_sts, _hub_sts)


def load_nli(name: str, split: str, data_dir: str | os.PathLike | None = None) -> list[NLIPair]:
    """NLI pairs of ``name`` ("snli", "sick", "multinli", "cad-snli", or hub-only "allnli") and
    ``split``; labels as ``NLI_LABELS``.

    SNLI (SentEval's copy): dev 9842, test 9824. SICK: train 4500, trial 500, test 4927. MultiNLI
    (shipped samples, ``MULTINLI_FILES``): train-sample 19,738 (two 10k samples of its training
    set, overlap kept once), dev-matched 9,815, dev-mismatched 9,832. CAD-SNLI: train 8,330.
    AllNLI (SNLI + MultiNLI, hub): train 942,069.
    With ``data_dir="fixtures"``, "allnli" reads the hand-written NLI fixture.
    """
    check_name(name, NLI_NAMES, "NLI")
    fixture = lambda n, s: _fixture_nli("snli" if n == "allnli" else n, s)  # noqa: E731
    return lookup("NLI", name, split, data_dir, _local_nli, fixture, _hub_nli)


def nli_triplets(pairs: list[NLIPair]) -> list[Triplet]:
    """(premise, entailed hypothesis, contradicting hypothesis) for every premise that has both.

    The triplet objective of Section 3 needs an anchor with a closer and a further sentence; NLI
    gives them for free, as sentence-transformers' AllNLI triplets do. Order follows the first
    occurrence of each premise; each entailment is paired with each contradiction of the same
    premise.
    """
    by_premise: dict[str, dict[int, list[str]]] = defaultdict(lambda: defaultdict(list))
    for pair in pairs:
        by_premise[pair.premise][pair.label].append(pair.hypothesis)
    entail, contradict = NLI_LABELS.index("entailment"), NLI_LABELS.index("contradiction")
    return [
        Triplet(premise, positive, negative)
        for premise, groups in by_premise.items()
        for positive in groups[entail]
        for negative in groups[contradict]
    ]


def load_triplets(
    name: str, split: str, data_dir: str | os.PathLike | None = None
) -> list[Triplet]:
    """NLI triplets (anchor, entailment, contradiction).

    "allnli" comes from the hub's triplet subset (train 557,850), or from the NLI fixture with
    ``data_dir="fixtures"``; any other NLI set ("snli", "sick") is loaded with ``load_nli`` and
    turned into triplets by ``nli_triplets``.
    """
    if name != "allnli":
        return nli_triplets(load_nli(name, split, data_dir))

    def hub(_name: str, split: str) -> list[Triplet]:
        return [
            Triplet(*row)
            for row in hub_columns(
                HUB_SOURCES["allnli-triplet"], split, "anchor", "positive", "negative"
            )
        ]

    def fixture(_name: str, split: str) -> list[Triplet]:
        return nli_triplets(_fixture_nli("snli", split))

    return lookup("triplet", name, split, data_dir, lambda *_: None, fixture, hub)


# -- checks: what the loaders above refuse, and the hints they give --------------------------------
def _check_data_dir(data_dir) -> None:
    """TypeError / ValueError / DataNotFoundError for a ``data_dir`` that cannot name a folder."""
    if data_dir is None or str(data_dir) == FIXTURES:
        return
    if not isinstance(data_dir, (str, os.PathLike)):
        raise TypeError(
            f"data_dir must be a folder (a str or a pathlib.Path), None or 'fixtures'; got "
            f"{type(data_dir).__name__} {data_dir!r}"
        )
    if str(data_dir) == "":
        raise ValueError(
            "data_dir='' names no folder: pass a folder, or None to look in $SBERT_LAB_DATA, the "
            "copies shipped with sbert_lab, then the hub"
        )
    if not Path(data_dir).is_dir():
        raise DataNotFoundError(f"data_dir={str(data_dir)!r} is not a folder")


def _missing(folder: Path, files: list[tuple[str, str]]) -> tuple[list[str], list[Path]]:
    """(the ``files`` of a split that are not in ``folder``, those found)."""
    missing, found = [], []
    for subfolder, filename in files:
        path = find_file(folder, subfolder, filename)
        missing += [] if path else [f"{subfolder}/{filename}"]
        found += [path] if path else []
    return missing, found


def _check_folder(
    label: str, folder: Path, split: str, known: LocalSet, files: list, other: str | None
) -> None:
    """DataNotFoundError unless ``folder`` (``data_dir`` or ``$SBERT_LAB_DATA``) holds every file of
    the set's ``split`` (``files``): the message names the folder, the files expected and where
    else (``other``) the set would come from."""
    where = str(folder) if label == "data_dir" else f"{label}={folder}"
    title = known.title
    if not folder.is_dir():
        raise DataNotFoundError(
            f"{where} is not a folder: point {label} at a folder of original data files, or unset "
            "it"
        )
    missing, found = _missing(folder, files)
    if not missing and found:
        return
    if not found and not missing:  # a split that no data folder holds
        raise DataNotFoundError(
            f"no {title} {split} files in {where}: a data folder holds {title}'s "
            f"{', '.join(known.splits)} splits only"
        )
    if found:
        problem = (
            f"the {title} {split} files in {where} are incomplete: missing {', '.join(missing)} "
            f"(found {', '.join(str(p) for p in found)})"
        )
    else:
        expected = ", ".join(str(folder / path) for path in missing)
        problem = (
            f"no {title} {split} files found in {where}: expected {expected} (each may also sit "
            f"directly in {folder}; .gz/.xz allowed){_case_hint(folder, files)}"
        )
    env = os.environ.get("SBERT_LAB_DATA")
    if label == "data_dir" and env and not _missing(Path(env), files)[0]:
        advice = f"Add them, or leave data_dir out to load {title} from $SBERT_LAB_DATA={env}"
    elif label == "data_dir" and other:
        unset = " and unset $SBERT_LAB_DATA" if env else ""
        advice = f"Add them, or leave data_dir out{unset} to load {title} from {other}"
    elif label != "data_dir" and other:
        advice = (
            f"Add them; without $SBERT_LAB_DATA it would come from {other}: unset $SBERT_LAB_DATA "
            "to load it from there"
        )
    else:
        advice = "Add them there: no shipped copy or hub source has this split"
    raise DataNotFoundError(f"{problem}. {advice}")


def _case_hint(folder: Path, files: list[tuple[str, str]]) -> str:
    """A note ("; found SNLI/ ...") when ``folder`` holds the set's subfolder in another case."""
    subfolder = files[0][0]
    others = [
        p.name
        for p in folder.iterdir()
        if p.is_dir() and p.name.lower() == subfolder.lower() and p.name != subfolder
    ]
    if not others:
        return ""
    return f"; found {others[0]}/: file names are case-sensitive, rename it {subfolder}/"


def _other_source(files: list[tuple[str, str]], hub_source: tuple | None) -> str | None:
    """Where a split (its ``files``) would come from without a data folder: the shipped copy, the
    hub (``hub_source``, when the hub is asked), or None."""
    if SHIPPED_DIR.is_dir() and files and not _missing(SHIPPED_DIR, files)[0]:
        return f"the copy shipped with sbert_lab ({SHIPPED_DIR})"
    return f"the Hugging Face hub ({hub_source[0]})" if hub_source else None


def check_name(name: str, valid: tuple[str, ...], kind: str) -> None:
    if name not in valid:
        raise ValueError(f"unknown {kind} data set {name!r}; valid names are {', '.join(valid)}")
