"""Acceptance runs of ``fit`` on the real data sets (issue 3), on the original files in
$SBERT_LAB_DATA or the copies shipped in the package.

Both start from the packaged all-MiniLM-L6-v2 and follow the paper's recipe (Section 3.1): 1 epoch,
batch 16, lr 2e-5, 10 % linear warm-up, seed 0, with fit's defaults (bf16 autocast where the CPU
has it, length-grouped batches). Each trains on a seeded 2,000-pair part of its set (125 steps,
about 1.5 minutes on one AVX2 core): the whole sets took 4 and 3.6 minutes, a sixth of the unit
tests. The whole runs, against sentence-transformers' fit on the same data, are
``bench/train.py``'s (STS-B: 85.04 here, 85.11 there, the paper's SBERT-STSb-base 84.67).
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

TRAIN_PAIRS = 2000  # of STS-B train (5,749) and of SNLI dev + SICK train (14,342)
# SoftmaxLoss needs more steps than cosine-MSE: at 2e-5, 94 steps left SNLI test accuracy at the
# untrained classifier's (0.353 vs 0.357) and 250 steps reached 0.527; at 5e-5 125 steps reach 0.523
NLI_LR = 5e-5
SNLI_TEST_PAIRS = 1500


@pytest.fixture(scope="module")
def stsb_test():
    return sl.data.load_sts("stsb", "test")


def test_sts_regression_lifts_minilm_towards_the_sbert_stsb_figure(stsb_test):
    """CosineMSELoss on 2,000 STS-B train pairs lifts the STS-B test Spearman of all-MiniLM-L6-v2
    (82.03) by 2 of the 3 points the whole set gives (85.04; the paper's SBERT-STSb-base 84.67,
    Table 2)."""
    encoder = sl.SentenceEncoder(PACKAGED_MINILM)
    before = sl.evaluation.sts_spearman(encoder, stsb_test)
    loss = sl.losses.CosineMSELoss(sl.data.score_range("stsb"))
    train = course.profiles.subset(sl.data.load_sts("stsb", "train"), TRAIN_PAIRS, seed=0)
    history = sl.train.fit(encoder, loss, train, **RECIPE)
    after = sl.evaluation.sts_spearman(encoder, stsb_test)
    print(
        f"STS-B test Spearman x100: {before:.2f} before, {after:.2f} after {history.steps} steps "
        f"({history.seconds:.0f} s, {history.steps_per_second:.2f} steps/s)"
    )
    assert history.steps == 125  # 2,000 pairs / 16, last batch partial
    assert after >= 83.5 and after - before >= 1.5  # measured 84.05, from 82.03 (fp32, AVX2)


def test_nli_softmax_training_learns_the_labels(stsb_test):
    """SoftmaxLoss on SNLI dev + SICK train; the classifier's SNLI test accuracy must be far above
    chance."""
    pairs = sl.data.load_nli("snli", "dev") + sl.data.load_nli("sick", "train")
    pairs = course.profiles.subset(pairs, TRAIN_PAIRS, seed=0)
    # a seeded 1,500 of SNLI test's 9,824: each accuracy is one encoding of 3,000 sentences, not
    # 19,648 (standard error about 0.013, far inside the margins asserted below)
    snli_test = course.profiles.subset(sl.data.load_nli("snli", "test"), SNLI_TEST_PAIRS, seed=0)
    encoder = sl.SentenceEncoder(PACKAGED_MINILM)
    torch.manual_seed(0)
    loss = sl.losses.SoftmaxLoss(encoder.dim)
    untrained = sl.evaluation.nli_accuracy(encoder, loss, snli_test)
    history = sl.train.fit(encoder, loss, pairs, **(RECIPE | {"lr": NLI_LR}))
    accuracy = sl.evaluation.nli_accuracy(encoder, loss, snli_test)
    spearman = sl.evaluation.sts_spearman(encoder, stsb_test)
    print(
        f"SNLI test accuracy {accuracy:.4f} (untrained classifier {untrained:.4f}); STS-B test "
        f"Spearman x100 after NLI training {spearman:.2f}; {history.steps} steps in "
        f"{history.seconds:.0f} s"
    )
    # Measured on the AVX2 kind (fp32): 0.523 after 125 steps (untrained classifier 0.357; chance
    # about 1/3), STS-B 72.94. A linear classifier on (u, v, |u-v|) of a 6-layer model after 2,000
    # pairs is far from SNLI's state of the art (~0.90 for cross-attention models); the point is
    # that it learns, together with the encoder. (At 1e-4, 94 steps reached 0.519 but took STS-B to
    # 64.86: the softmax objective alone pulls the vectors away from similarity.)
    assert accuracy >= 0.45
    assert accuracy >= untrained + 0.10
    assert spearman > 70  # NLI training must not wreck the embedding (82.03 before)
