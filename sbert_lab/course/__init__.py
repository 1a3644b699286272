"""The course layer: what the lessons need around the Sentence-BERT core, and nothing the core
needs.

``profiles`` (sizes per machine), ``lesson`` (set-up, the paper-vs-yours tables, results/*.json),
``lesson_data`` (the data sets only lessons use), ``recipes`` (the models several lessons share,
trained once), ``records`` (shipped runs too long for a lesson), ``claims`` (each lesson's claims as
data, for the claims test and the report), and the helpers only lessons use: ``baselines`` (averaged
GloVe, raw BERT), ``mlm`` (BERT's pre-training, lesson 0), ``nli_scale`` (lesson 3's data-size
record), ``pooling_table`` (lesson 4's pooling record), ``cost`` (lesson 6), ``search`` and ``ann``
(lessons 8 and 9), ``transfer`` (lesson 10), ``simcse`` (lesson 11), ``triplet_objectives`` and
``matryoshka`` (lesson 12), ``distill`` and ``bridge`` (lesson 13), ``errors`` (the worst
predictions, lessons 1 and 4), ``viz`` (plots).

Imports flow one way: notebooks -> ``sbert_lab.course`` -> the core (``sbert_lab``) -> transformers.
Submodules load on first use (``course.viz``), as in the core.
"""

import importlib

SUBMODULES = (
    "ann",
    "baselines",
    "bridge",
    "claims",
    "cost",
    "distill",
    "errors",
    "lesson",
    "lesson_data",
    "matryoshka",
    "mlm",
    "nli_scale",
    "pooling_table",
    "profiles",
    "recipes",
    "records",
    "search",
    "simcse",
    "transfer",
    "triplet_objectives",
    "viz",
)
__all__ = list(SUBMODULES)


def __getattr__(name: str):
    if name in SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'sbert_lab.course' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
