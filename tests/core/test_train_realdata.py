"""Acceptance runs of ``fit`` on the real data sets (issue 3), on the original files in
$SBERT_LAB_DATA or the copies shipped in the package.

Both start from the packaged all-MiniLM-L6-v2 and follow the paper's recipe (Section 3.1): 1 epoch,
batch 16, lr 2e-5, 10 % linear warm-up, seed 0, with fit's defaults (bf16 autocast where the CPU
has it, length-grouped batches).
"""

import pytest
import torch

import sbert_lab as sl
from sbert_lab import course
from sbert_lab.model_sources import PACKAGED_MINILM

pytestmark = [
    pytest.mark.slow,
    pytest.mark.realdata,
]  # the loaders read $SBERT_LAB_DATA when it is set, else the real files shipped in the package
RECIPE = {"epochs": 1, "batch_size": 16, "lr": 2e-5, "warmup": 0.1, "seed": 0, "progress": False}

# The NLI run trains on a seeded subset of SNLI dev + SICK train (14,342 pairs in all). All of it is
# 897 steps, several minutes on CI's 2 cores; the STS run already shows that fit reproduces a known
# figure, so this one only needs to show that the SoftmaxLoss classifier and the encoder learn NLI
# together. 4,000 pairs (250 steps) does that well above chance; bench/train.py runs all 14,342.
NLI_TRAIN_PAIRS = 4000
SNLI_TEST_PAIRS = 3000


@pytest.fixture(scope="module")
def stsb_test():
    return sl.data.load_sts("stsb", "test")


def test_sts_regression_reaches_the_sbert_stsb_figure(stsb_test):
    """CosineMSELoss on STS-B train: sentence-transformers' fit with this recipe reaches 85.11 here,
    the paper's SBERT-STSb-base 84.67 (Table 2)."""
    encoder = sl.SentenceEncoder(PACKAGED_MINILM)
    before = sl.evaluation.sts_spearman(encoder, stsb_test)
    loss = sl.losses.CosineMSELoss(sl.data.score_range("stsb"))
    history = sl.train.fit(encoder, loss, sl.data.load_sts("stsb", "train"), **RECIPE)
    after = sl.evaluation.sts_spearman(encoder, stsb_test)
    print(
        f"STS-B test Spearman x100: {before:.2f} before, {after:.2f} after {history.steps} steps "
        f"({history.seconds:.0f} s, {history.steps_per_second:.2f} steps/s)"
    )
    assert history.steps == 360  # 5,749 pairs / 16, last batch partial
    assert after >= 84.6


def test_nli_softmax_training_learns_the_labels(stsb_test):
    """SoftmaxLoss on SNLI dev + SICK train; the classifier's SNLI test accuracy must be far above
    chance."""
    pairs = sl.data.load_nli("snli", "dev") + sl.data.load_nli("sick", "train")
    pairs = course.profiles.subset(pairs, NLI_TRAIN_PAIRS, seed=0)
    # a seeded third of SNLI test: each accuracy is then one encoding of 6,000 sentences, not 19,648
    # (standard error about 0.009, far inside the margins asserted below)
    snli_test = course.profiles.subset(sl.data.load_nli("snli", "test"), SNLI_TEST_PAIRS, seed=0)
    encoder = sl.SentenceEncoder(PACKAGED_MINILM)
    torch.manual_seed(0)
    loss = sl.losses.SoftmaxLoss(encoder.dim)
    untrained = sl.evaluation.nli_accuracy(encoder, loss, snli_test)
    history = sl.train.fit(encoder, loss, pairs, **RECIPE)
    accuracy = sl.evaluation.nli_accuracy(encoder, loss, snli_test)
    spearman = sl.evaluation.sts_spearman(encoder, stsb_test)
    print(
        f"SNLI test accuracy {accuracy:.4f} (untrained classifier {untrained:.4f}); STS-B test "
        f"Spearman x100 after NLI training {spearman:.2f}; {history.steps} steps in "
        f"{history.seconds:.0f} s"
    )
    # Measured in CI's clean clone on all of SNLI test: 0.527 after 250 steps (untrained classifier
    # 0.354; chance about 1/3); on the 3,000-pair subset 0.523 (untrained 0.344). A linear
    # classifier on (u, v, |u-v|) of a 6-layer model after 4,000 pairs is far from SNLI's state of
    # the art (~0.90 for cross-attention models); the point is that it learns, together with the
    # encoder.
    assert accuracy >= 0.45
    assert accuracy >= untrained + 0.10
    assert spearman > 70  # NLI training must not wreck the embedding (82.03 before)
