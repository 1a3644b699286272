"""SentEval's logistic-regression protocol (sbert_lab.course.transfer, the paper's Table 5)."""

import numpy as np
import pytest

from sbert_lab.course import transfer


def separable(n=400, d=20, seed=0):
    """Two Gaussian classes whose means differ by 8 standard deviations along one direction."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    x = rng.standard_normal((n, d))
    x[:, 0] += 8 * y
    return x, y


def test_linearly_separable_set_is_learnt_by_every_protocol():
    x, y = separable()
    assert transfer.cross_validated_accuracy(x, y) >= 0.99
    assert transfer.train_test_accuracy(x[:300], y[:300], x[300:], y[300:]) >= 0.99
    assert (
        transfer.dev_test_accuracy((x[:200], y[:200]), (x[200:300], y[200:300]), (x[300:], y[300:]))
        >= 0.99
    )


def test_shuffled_labels_give_chance_accuracy():
    x, y = separable(n=600)
    shuffled = np.random.default_rng(1).permutation(y)
    accuracy = transfer.cross_validated_accuracy(x, shuffled)
    assert abs(accuracy - 0.5) < 0.07, accuracy
    assert (
        abs(transfer.train_test_accuracy(x[:400], shuffled[:400], x[400:], shuffled[400:]) - 0.5)
        < 0.1
    )


def test_more_than_two_classes():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 6, 600)  # TREC has six coarse classes
    x = rng.standard_normal((600, 12)) + 6 * np.eye(12)[y]
    assert transfer.cross_validated_accuracy(x, y, folds=5, inner_folds=3) >= 0.99


def test_pair_features_are_absolute_difference_then_product():
    u = np.array([[1.0, -2.0], [0.5, 3.0]])
    v = np.array([[3.0, 1.0], [0.5, -1.0]])
    np.testing.assert_allclose(transfer.pair_features(u, v), [[2, 3, 3, -2], [0, 4, 0.25, -3]])


def test_regularisation_grid_is_senteval_s():
    assert transfer.REGULARISATION == (0.25, 0.5, 1.0, 2.0, 4.0, 8.0)


@pytest.mark.parametrize(
    "features, labels, message",
    [
        (np.zeros((10, 3)), np.zeros(10), "single class"),
        (np.full((10, 3), np.nan), np.arange(10) % 2, "NaN"),
        (np.zeros((10, 3)), np.arange(9) % 2, r"\(10, 3\) and labels \(9,\)"),
        (
            np.zeros((12, 3)),
            np.r_[np.zeros(9), np.ones(3)],
            "needs >= 10 examples of every class; one class has 3",
        ),
    ],
)
def test_bad_input_is_named(features, labels, message):
    with pytest.raises(ValueError, match=message):
        transfer.cross_validated_accuracy(features, labels)


def test_pair_features_refuse_mismatched_shapes():
    with pytest.raises(ValueError, match=r"u \(2, 3\) and v \(2, 4\)"):
        transfer.pair_features(np.zeros((2, 3)), np.zeros((2, 4)))


def test_task_accuracy_runs_the_folds_it_is_given():
    """Lesson 10 passes ``profile.transfer_folds``: 10 (SentEval) unless sizes are scaled down."""
    from sbert_lab.course.lesson_data import Labelled

    x, y = separable(n=300)
    shuffled = np.random.default_rng(1).permutation(y)  # chance: the fold count shows in the score
    examples = [Labelled(f"sentence {i}", "", int(label)) for i, label in enumerate(shuffled)]
    table = {e.s1: row for e, row in zip(examples, x, strict=True)}

    def vectors(batch):
        return np.stack([table[s] for s in batch])

    splits = {"test": examples}  # CR: cross-validated over its one split
    assert transfer.task_accuracy("cr", splits, vectors) == transfer.cross_validated_accuracy(
        x, shuffled
    )
    assert transfer.task_accuracy("cr", splits, vectors, folds=3) == (
        transfer.cross_validated_accuracy(x, shuffled, folds=3, inner_folds=2)
    )
