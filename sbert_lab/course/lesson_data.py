"""The data only lessons use, beside the paper's core sets (``sbert_lab.data``): Table 5's SentEval
transfer tasks (lesson 10), Table 4's Wikipedia-section triplets (lesson 05), and the hand-written
topic corpus and its known paraphrases (lessons 01, 07, 08).

Each looks in the places ``sbert_lab.data`` looks (its ``lookup``: ``data_dir`` or
``$SBERT_LAB_DATA``, the shipped copies, the hub), with the sources listed here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from .. import data
from ..data import Triplet


class Labelled(NamedTuple):
    """A sentence (``s2`` empty) or a sentence pair, and its class id: an example of a transfer
    task."""

    s1: str
    s2: str
    label: int


# Table 5's SentEval tasks (data/README.md: what was checked on each card). name: (hub id, subset,
# {our split: hub split}, sentence columns). MR, CR, SUBJ and MPQA are cross-validated over all
# splits.
TRANSFER_SOURCES = {
    "mr": (
        "cornell-movie-review-data/rotten_tomatoes",
        None,
        {"train": "train", "dev": "validation", "test": "test"},
        ("text",),
    ),
    "cr": ("mattymchen/cr", None, {"test": "test"}, ("text",)),  # all 3,775 reviews in one split
    "subj": ("SetFit/subj", None, {"train": "train", "test": "test"}, ("text",)),
    "mpqa": ("jxm/mpqa", None, {"train": "train", "dev": "dev", "test": "test"}, ("sentence",)),
    "sst2": (
        "yerevann/sst2",
        None,
        {"train": "train", "dev": "validation", "test": "test"},
        ("sentence",),
    ),
    "trec": ("jxm/trec", None, {"train": "train", "test": "test"}, ("sentence",)),
    # GLUE hides MRPC's test labels (-1): from the hub, "test" is GLUE's validation split (408
    # pairs); the original files (SentEval's 4,076 / 1,725) are used when $SBERT_LAB_DATA has them.
    "mrpc": (
        "nyu-mll/glue",
        "mrpc",
        {"train": "train", "test": "validation"},
        ("sentence1", "sentence2"),
    ),
}
TRANSFER_NAMES = (*TRANSFER_SOURCES, "sick-e")
# The two a data folder may hold: MRPC's original files (its licence keeps them out of the package)
# and SICK-E, SICK's files read for their entailment labels.
TRANSFER_LOCAL_SETS = {
    "mrpc": data.LocalSet(
        "MRPC", ("train", "test"), lambda split: [("mrpc", f"msr_paraphrase_{split}.txt")]
    ),
    "sick-e": data.SICK_FILES,
}
# Table 4 (Dor et al. 2018): train 1,779,417 / validation 220,400 / test 222,957 triplets, ~500 MB.
WIKISEC_SOURCE = (
    "sentence-transformers/wikipedia-sections",
    "triplet",
    {"train": "train", "dev": "validation", "test": "test"},
)


def load_topics() -> list[tuple[str, str]]:
    """(topic, sentence) rows of the hand-written topic corpus in
    ``sbert_lab/fixtures/topics.tsv``."""
    return [(topic, sentence) for topic, sentence in data.read_fixture("topics")]


def load_paraphrases() -> list[tuple[str, str]]:
    """Known paraphrase pairs among the sentences of ``load_topics()``."""
    return [(a, b) for a, b in data.read_fixture("paraphrases")]


def load_transfer(
    name: str, split: str, data_dir: str | os.PathLike | None = None, from_hub: bool = True
) -> list[Labelled]:
    """A SentEval transfer task of Table 5 ("mr", "cr", "subj", "mpqa", "sst2", "trec", "mrpc") or
    SICK's entailment labels ("sick-e", SentEval's SICK-E), as ``Labelled`` examples.

    MRPC is read from the original files (``mrpc/msr_paraphrase_{train,test}.txt`` in ``data_dir``
    or ``$SBERT_LAB_DATA``; its licence does not let the package ship it) or from GLUE on the hub;
    SICK-E from the shipped SICK files; the others from the hub only (``TRANSFER_SOURCES``).
    ``from_hub=False`` never asks the hub (an offline machine would wait ~25 s per set for retries).
    """
    data.check_name(name, TRANSFER_NAMES, "transfer")

    def hub(name: str, split: str) -> list[Labelled]:
        columns = TRANSFER_SOURCES[name][3]
        rows = data.hub_columns(TRANSFER_SOURCES[name], split, *columns, "label")
        if len(columns) == 1:
            return [Labelled(text, "", int(label)) for text, label in rows]
        return [Labelled(first, second, int(label)) for first, second, label in rows]

    return data.lookup(
        "transfer",
        name,
        split,
        data_dir,
        _local_transfer,
        lambda *_: None,
        hub if from_hub else None,
        TRANSFER_SOURCES,
        TRANSFER_LOCAL_SETS,
    )


def load_wikisec_triplets(split: str, size: int) -> list[Triplet]:
    """The first ``size`` Wikipedia-section triplets of ``split`` (Table 4; hub only, no offline
    copy).

    (anchor, a sentence of the same Wikipedia section, a sentence of another section of the same
    article), from ``sentence-transformers/wikipedia-sections`` (subset ``triplet``). The rows are
    streamed, so only what is read is downloaded (the whole set is ~500 MB); they come in the
    card's order, not a random sample.
    """
    if not isinstance(size, int) or size < 1:
        raise ValueError(f"size must be a positive number of triplets, got {size!r}")
    hub_id, subset, hub_split = data.hub_split(WIKISEC_SOURCE, split)
    import datasets

    try:
        stream = datasets.load_dataset(hub_id, subset, split=hub_split, streaming=True)
        rows = list(stream.take(size))
    except Exception as err:  # ConnectionError, OSError... all mean "not from the hub"
        raise data.DataNotFoundError(
            f"could not load Wikipedia-section triplets ({hub_id}, {split}) from the "
            f"Hugging Face hub: {type(err).__name__}: {str(err)[:200]}"
        ) from None
    return [Triplet(r["anchor"], r["positive"], r["negative"]) for r in rows]


# -- MRPC's original files -------------------------------------------------------------------------
def parse_mrpc_file(path: Path) -> list[Labelled]:
    """MRPC's ``msr_paraphrase_{train,test}.txt``: a header, then the columns Quality, #1 ID, #2 ID,
    #1 String and #2 String."""
    lines = data.read_lines(path)
    if not lines[0].startswith("Quality"):
        raise data.DataFormatError(
            f"{path}:1: expected MRPC's header line starting with 'Quality', found "
            f"{lines[0][:40]!r}"
        )
    pairs = []
    for line_no, fields in data.tab_rows(path, lines[1:], 2, (5,)):
        if fields[0] not in ("0", "1"):
            raise data.DataFormatError(
                f"{path}:{line_no}: the quality label must be 0 or 1, found {fields[0]!r}"
            )
        pairs.append(Labelled(fields[3], fields[4], int(fields[0])))
    return pairs


def _local_transfer(folder: Path, name: str, split: str) -> list[Labelled] | None:
    if name == "mrpc":
        path = data.find_file(folder, "mrpc", f"msr_paraphrase_{split}.txt")
        return parse_mrpc_file(path) if path else None
    if name == "sick-e":
        return data.local_sick(folder, split, lambda r: Labelled(r["s1"], r["s2"], r["label"]))
    return None
