"""sbert_lab: the code behind the Sentence-BERT workbook (Reimers & Gurevych 2019, arXiv
1908.10084).

Submodules are imported on first use (``sl.train``, ``course.viz``...), so ``import sbert_lab``
stays quick and a lesson pays only for what it uses.
"""

import importlib
import os
import sys

# Idle OpenMP threads must sleep, not spin: with one other busy process on a 2-core machine,
# spinning threads made a lesson 6x slower (108 s instead of 18 s, measured). OpenMP reads this
# once, when torch loads, so it can only be set here if sbert_lab is imported first; an explicit
# setting is kept. ``OMP_WAIT_POLICY_SET_BY_SBERT_LAB`` tells whether it took effect (False: torch
# was imported first).
OMP_WAIT_POLICY_SET_BY_SBERT_LAB = (
    "torch" not in sys.modules and "OMP_WAIT_POLICY" not in os.environ
)
if OMP_WAIT_POLICY_SET_BY_SBERT_LAB:
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
# transformers loading a repo that holds only pytorch_model.bin (the cpu profile's
# google/bert_uncased_L-4_H-256_A-4) would start a background job on the hub to convert it to
# safetensors; a lesson has no business doing that.
os.environ.setdefault("DISABLE_SAFETENSORS_CONVERSION", "1")

__version__ = "0.1.0"

# The core, in reading order (ARCHITECTURE.md); ``course`` is the layer the lessons use on top of
# it.
SUBMODULES = (
    "pooling",
    "transformer",
    "encoder",
    "losses",
    "train",
    "evaluation",
    "data",
    "cross_encoder",
    "batching",
    "precision",
    "checkpoint",
    "distributed",
    "atomic",
    "model_folders",
    "model_sources",
    "checks",
    "progress",
    "memory",
    "cli",
    "course",
)
__all__ = ["SentenceEncoder", *SUBMODULES]


def __getattr__(name: str):
    if name == "SentenceEncoder":
        from .encoder import SentenceEncoder

        return SentenceEncoder
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'sbert_lab' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
