"""Transfer learning with frozen sentence vectors: the SentEval protocol of the paper's Table 5.

Section 5 of the paper asks whether SBERT's vectors are useful *features* for other tasks. SentEval
(Conneau & Kiela 2018) freezes the encoder, turns every sentence into a vector, and trains only a
logistic-regression classifier on top. The paper reports (accuracy, %) MR, CR, SUBJ, MPQA with
10-fold cross-validation, and SST-2, TREC, MRPC on their test sets; its point is that SBERT's
vectors transfer well (87.41 average for SBERT-NLI-base, 84.66 for BERT [CLS], 81.52 for averaged
GloVe) although the method was never meant for transfer, and fine-tuning BERT itself on each task
would do better.

    sentences --frozen encoder--> X (n, d) ;  labels y (n,)
    single-sentence task: features X          pair task (MRPC, SICK-E): [|u - v|, u * v]
    one fold: LogisticRegression(C) on the training part, accuracy on the held-out part
    C from SentEval's grid 2^-2 ... 2^3, chosen on the training part only (inner k-fold, or dev set)

Protocols (SentEval's ``tools/validation.py``), all with scikit-learn's logistic regression:

- ``cross_validated_accuracy`` (MR, CR, SUBJ, MPQA): outer stratified k-fold over all examples;
  inside each outer training part, an inner k-fold picks C. SentEval's default k is 5 (``kfold``);
  the paper reports 10 outer folds. This module uses 10 outer and 5 inner folds.
- ``train_test_accuracy`` (TREC, MRPC): C by 5-fold CV on the training set, then one classifier on
  all of it, scored on the test set.
- ``dev_test_accuracy`` (SST-2, SICK-E): C by accuracy on the dev set, then scored on the test set.

Features go in raw, as in SentEval, so the grid's C means a different strength for vectors of
different scale (unit-length MiniLM vectors are regularised far more than raw BERT's); standardising
them instead let 768 pair features over-fit MRPC's 2,000 training pairs below the majority class.
SentEval's default seed is 1111; here every split uses ``seed``.
"""

from __future__ import annotations

import functools

import numpy as np

REGULARISATION = tuple(2.0**t for t in range(-2, 4))  # SentEval's grid of C for logistic regression
# Each task's protocol and the splits it reads, in order (cv: all splits pooled; dev: train, dev,
# test).
PROTOCOLS = {
    "mr": ("cv", ("train", "dev", "test")),
    "cr": ("cv", ("test",)),
    "subj": ("cv", ("train", "test")),
    "mpqa": ("cv", ("train", "dev", "test")),
    "sst2": ("dev", ("train", "dev", "test")),
    "trec": ("train-test", ("train", "test")),
    "mrpc": ("train-test", ("train", "test")),
    "sick-e": ("dev", ("train", "trial", "test")),
}


def pair_features(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """SentEval's features for a sentence pair (MRPC, SICK-E): ``[|u - v|, u * v]``, (n, 2d)."""
    u, v = np.asarray(u, np.float32), np.asarray(v, np.float32)
    if u.shape != v.shape or u.ndim != 2:
        raise ValueError(f"u {u.shape} and v {v.shape} must be two (n, d) arrays of the same shape")
    return np.hstack([np.abs(u - v), u * v])


def _check(features: np.ndarray, labels: np.ndarray, name: str) -> tuple[np.ndarray, np.ndarray]:
    x, y = np.asarray(features, np.float64), np.asarray(labels)
    if x.ndim != 2 or y.ndim != 1 or len(x) != len(y):
        raise ValueError(f"{name}: features {x.shape} and labels {y.shape} must be (n, d) and (n,)")
    if not np.isfinite(x).all():
        raise ValueError(
            f"{name}: the features hold NaN or an infinity (row "
            f"{np.flatnonzero(~np.isfinite(x).all(1))[0]})"
        )
    if len(np.unique(y)) < 2:
        raise ValueError(
            f"{name}: the labels hold a single class ({y[0]!r}); there is nothing to classify"
        )
    return x, y


def _one_thread(protocol):
    """Run ``protocol`` with BLAS on one thread: for these small problems (thousands x hundreds) the
    thread hand-offs of numpy's and scipy's OpenBLAS pools cost more than they save — measured 5x
    faster for a binary and 3x for a 3-class fit of 2,000 x 768 features on 2 cores."""

    @functools.wraps(protocol)
    def run(*args, **kwargs):
        from threadpoolctl import threadpool_limits  # a dependency of scikit-learn

        with threadpool_limits(limits=1):
            return protocol(*args, **kwargs)

    return run


def _classifier(c: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(
        C=c, max_iter=1000, random_state=seed
    )  # lbfgs, raw features: as SentEval


def _folds(y: np.ndarray, k: int, seed: int):
    from sklearn.model_selection import StratifiedKFold

    smallest = np.bincount(np.unique(y, return_inverse=True)[1]).min()
    if smallest < k:
        raise ValueError(
            f"{k}-fold cross-validation needs >= {k} examples of every class; one class has "
            f"{smallest}"
        )
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(y)), y)


def _accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(model.predict(x) == y))


@_one_thread
def choose_regularisation(x: np.ndarray, y: np.ndarray, folds: int = 5, seed: int = 0) -> float:
    """The C of ``REGULARISATION`` with the best mean accuracy over ``folds`` folds of (x, y)."""
    splits = list(_folds(y, folds, seed))
    scores = [
        np.mean(
            [_accuracy(_classifier(c, seed).fit(x[tr], y[tr]), x[te], y[te]) for tr, te in splits]
        )
        for c in REGULARISATION
    ]
    return REGULARISATION[int(np.argmax(scores))]


@_one_thread
def cross_validated_accuracy(
    features, labels, folds: int = 10, inner_folds: int = 5, seed: int = 0
) -> float:
    """Nested k-fold accuracy (MR, CR, SUBJ, MPQA): C chosen inside each outer training part."""
    x, y = _check(features, labels, "cross_validated_accuracy")
    scores = []
    for train, test in _folds(y, folds, seed):
        c = choose_regularisation(x[train], y[train], inner_folds, seed)
        scores.append(_accuracy(_classifier(c, seed).fit(x[train], y[train]), x[test], y[test]))
    return float(np.mean(scores))


@_one_thread
def train_test_accuracy(
    train_features, train_labels, test_features, test_labels, folds: int = 5, seed: int = 0
) -> float:
    """Test accuracy with C chosen by k-fold CV on the training set (TREC, MRPC)."""
    x, y = _check(train_features, train_labels, "train_test_accuracy, training set")
    xt, yt = _check(test_features, test_labels, "train_test_accuracy, test set")
    c = choose_regularisation(x, y, folds, seed)
    return _accuracy(_classifier(c, seed).fit(x, y), xt, yt)


@_one_thread
def dev_test_accuracy(train, dev, test, seed: int = 0) -> float:
    """Test accuracy with C chosen on the dev set (SST-2, SICK-E); each argument is (features,
    labels)."""
    x, y = _check(*train, "dev_test_accuracy, training set")
    xd, yd = _check(*dev, "dev_test_accuracy, dev set")
    xt, yt = _check(*test, "dev_test_accuracy, test set")
    models = {c: _classifier(c, seed).fit(x, y) for c in REGULARISATION}
    best = max(REGULARISATION, key=lambda c: _accuracy(models[c], xd, yd))
    return _accuracy(models[best], xt, yt)


def features(examples, vectors) -> tuple[np.ndarray, np.ndarray]:
    """(features, labels) of ``Labelled`` examples; ``vectors(sentences)`` gives their (n, d)
    vectors.

    Single sentences (``s2`` empty) give their vector; pairs give ``pair_features``.
    """
    labels = np.array([e.label for e in examples])
    if all(e.s2 for e in examples):
        return pair_features(
            vectors([e.s1 for e in examples]), vectors([e.s2 for e in examples])
        ), labels
    if any(e.s2 for e in examples):
        raise ValueError("a task mixes single sentences and sentence pairs")
    return np.asarray(vectors([e.s1 for e in examples]), np.float32), labels


def task_accuracy(
    task: str, splits: dict[str, list], vectors, seed: int = 0, folds: int = 10
) -> float:
    """Accuracy on ``task`` by its SentEval protocol (``PROTOCOLS``); ``splits`` maps split ->
    examples. ``folds``: outer folds of the cross-validated tasks (C by an inner CV of half as
    many, at least 2: 5 for SentEval's 10; train/test tasks choose C with the inner count too)."""
    if task not in PROTOCOLS:
        raise ValueError(f"unknown task {task!r}; known: {', '.join(PROTOCOLS)}")
    protocol, names = PROTOCOLS[task]
    missing = [name for name in names if name not in splits]
    if missing and protocol != "cv":
        raise ValueError(f"{task} needs the splits {names}; missing {missing}")
    parts = [features(splits[name], vectors) for name in names if name in splits]
    inner_folds = max(2, folds // 2)  # SentEval: 10 outer, 5 inner
    if protocol == "cv":
        return cross_validated_accuracy(
            np.vstack([x for x, _ in parts]),
            np.concatenate([y for _, y in parts]),
            folds=folds,
            inner_folds=inner_folds,
            seed=seed,
        )
    if protocol == "dev":
        return dev_test_accuracy(*parts, seed=seed)
    return train_test_accuracy(*parts[0], *parts[1], folds=inner_folds, seed=seed)
