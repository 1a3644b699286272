"""sbert_lab: the code behind the Sentence-BERT workbook (Reimers & Gurevych 2019, arXiv 1908.10084)."""

from . import data, evaluation, lesson, profiles
from .encoder import SentenceEncoder

__version__ = "0.1.0"
__all__ = ["SentenceEncoder", "data", "evaluation", "lesson", "profiles"]
