"""sbert_lab: the code behind the Sentence-BERT workbook (Reimers & Gurevych 2019, arXiv 1908.10084)."""

from . import baselines, data, evaluation, lesson, pooling, profiles
from . import cross_encoder, losses, recipes, train  # training (issue 3)
from . import viz  # plots the lessons share
from . import cost  # bi- vs cross-encoder timings and extrapolation (lesson 6)
from . import search  # top-k retrieval, re-ranking, paraphrase mining, recall@k (lesson 8)
from .encoder import SentenceEncoder

__version__ = "0.1.0"
__all__ = ["SentenceEncoder", "baselines", "data", "evaluation", "lesson", "pooling", "profiles", "cross_encoder", "losses", "recipes", "train", "viz", "cost", "search"]
