"""The training objectives of SBERT (Reimers & Gurevych 2019, Section 3), plus in-batch negatives.

Every loss is an ``nn.Module`` that tells the training loop (``sbert_lab.train.fit``) three things:

* ``check(examples, model)`` — can it train this model on these examples? Before the first step it
  raises TypeError / ValueError naming the first example it cannot train on (``trains_on`` lists the
  example types it takes: ``STSPair``, ``NLIPair``, ``Triplet``...);
* ``columns(batch)`` — the lists of texts to embed, one list per column: ``[premises, hypotheses]``;
* ``labels(batch)`` — a tensor of targets, or None when the batch itself is the target.

``fit`` embeds each column with the same encoder (the siamese network: one set of weights, applied
to every sentence) and calls ``loss(embeddings, labels)``, where ``embeddings`` is a list with one
(B, dim) tensor per column. The loss returns a scalar. Losses run in float32 even when the encoder
runs under bf16/fp16 autocast.

======================================  ============================  ==============================
loss                                    trains on                     paper
======================================  ============================  ==============================
``SoftmaxLoss``                         NLIPair (premise, hyp, label)  Section 3, classification
``CosineMSELoss``                       STSPair (s1, s2, score)        Section 3, regression
``TripletLoss``                         Triplet (anchor, pos, neg)     Section 3, triplet
``MultipleNegativesRankingLoss``        Triplet, or (anchor, pos)      not in the paper (see class)
``UnsupervisedSimCSELoss``              a sentence (str)               after the paper: SimCSE
``MatryoshkaLoss(inner)``               what ``inner`` trains on       after the paper: Matryoshka
======================================  ============================  ==============================
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .checks import integer, number, pair, utf8_text
from .data import NLI_LABELS, NLIPair, STSPair, Triplet

SOFTMAX_FEATURES = ("u", "v", "|u-v|", "u*v")
TRIPLET_DISTANCES = ("euclidean", "cosine", "manhattan")


class SentenceLoss(nn.Module):
    """What every objective shares: the examples it takes, and how a batch becomes columns and
    labels."""

    trains_on: tuple[type, ...] = ()  # the example types
    fields: str = ""  # what one example holds, for error messages
    texts: int | None = None  # how many of its first fields are texts (None: all; then a label)
    # how many embeddings forward takes (most; None: any number) and what they are; a direct call
    # is checked against them before forward runs (check_call, at the end of this file)
    takes: tuple[int, int | None] | None = None
    embedding_names: str = ""

    def __init__(self):
        super().__init__()
        if self.takes is not None:
            self.register_forward_pre_hook(check_call, with_kwargs=True)

    @property
    def who(self) -> str:
        """The name error messages give this loss."""
        return type(self).__name__

    def columns(self, batch: Sequence) -> list[list[str]]:
        """The texts to embed, one list per column (default: every field of the example)."""
        return [list(column) for column in zip(*batch, strict=True)]

    def labels(self, batch: Sequence) -> torch.Tensor | None:
        """The targets of ``batch`` (None: the loss needs no labels)."""
        return None

    def check(self, examples: Sequence, model=None) -> None:
        """TypeError / ValueError naming ``examples[i]`` when this loss cannot train ``model`` on
        it: the example's type and its texts here, labels and the model's width in subclasses."""
        for index, example in enumerate(examples):
            if not isinstance(example, self.trains_on):
                names = " or ".join(t.__name__ for t in self.trains_on)
                raise TypeError(
                    f"{self.who} trains on {names} examples ({self.fields}); "
                    f"examples[{index}] is a {type(example).__name__}: {_short(example)}"
                )
            for position, text in enumerate(example[: self.texts]):
                if not isinstance(text, str):
                    raise TypeError(
                        f"examples[{index}][{position}] is {type(text).__name__}, not str: "
                        f"{_short(example)}"
                    )
                utf8_text(f"examples[{index}][{position}]", text)


class SoftmaxLoss(SentenceLoss):
    """Classification objective: softmax over a linear map of (u, v, |u - v|) — SBERT's NLI loss.

    Section 3 of the paper: with u, v the two sentence embeddings (n numbers each) and k labels,

        o = softmax(W_t · (u, v, |u - v|)),   W_t ∈ R^{3n × k},   loss = cross-entropy(o, label)

    The classifier ``W_t`` (with a bias, as ``nn.Linear`` has) is trained together with the encoder
    and thrown away afterwards: only the encoder is the sentence embedding. ``features`` picks the
    concatenated parts, any non-empty subset of "u", "v", "|u-v|", "u*v" in the order given — the
    paper's Table 6 ablates them and finds (u, v, |u - v|) best, |u - v| being the part that
    matters.

    Inputs: ``NLIPair(premise, hypothesis, label)`` with label in 0..num_labels-1
    (0 entailment, 1 neutral, 2 contradiction). The paper trains on SNLI + MultiNLI for one epoch.

    Example::

        loss = SoftmaxLoss(dim=384)
        u, v = torch.randn(2, 384), torch.randn(2, 384)
        loss([u, v], torch.tensor([0, 2]))        # scalar: mean cross-entropy over the 2 pairs
        loss.logits(u, v).shape                    # (2, 3): one score per label
    """

    trains_on = (NLIPair,)
    fields, texts = "premise, hypothesis, label", 2
    takes, embedding_names = (2, 2), "u, v"

    def __init__(
        self,
        dim: int,
        num_labels: int = len(NLI_LABELS),
        features: Sequence[str] = ("u", "v", "|u-v|"),
    ):
        super().__init__()
        features = tuple(features)
        unknown = [f for f in features if f not in SOFTMAX_FEATURES]
        if not features or unknown or len(set(features)) != len(features):
            raise ValueError(
                f"features must be a non-empty list of distinct names from {SOFTMAX_FEATURES}, got "
                f"{features}"
            )
        integer("dim", dim, at_least=1)
        integer("num_labels", num_labels, at_least=2)
        self.dim, self.num_labels, self.features = int(dim), int(num_labels), features
        self.classifier = nn.Linear(len(features) * self.dim, self.num_labels)  # W_t, (3n -> k)

    def extra_repr(self) -> str:
        return f"features={self.features}"

    def columns(self, batch: Sequence[NLIPair]) -> list[list[str]]:
        return [[p.premise for p in batch], [p.hypothesis for p in batch]]

    def labels(self, batch: Sequence[NLIPair]) -> torch.Tensor:
        return torch.tensor([p.label for p in batch], dtype=torch.long)

    def check(self, examples: Sequence[NLIPair], model=None) -> None:
        super().check(examples, model)
        check_labels(examples, self.num_labels, self.who)
        dim = getattr(model, "dim", None)
        if dim is not None and dim != self.dim:
            raise ValueError(
                f"SoftmaxLoss(dim={self.dim}) cannot read the {dim}-dimensional vectors of this "
                "model: build it as SoftmaxLoss(dim=model.dim)"
            )

    def concatenate(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """(u, v, |u-v|, ...) as chosen by ``features``: (B, n) x (B, n) -> (B, len(features) *
        n)."""
        parts = {
            "u": lambda: u,
            "v": lambda: v,
            "|u-v|": lambda: (u - v).abs(),
            "u*v": lambda: u * v,
        }
        return torch.cat([parts[name]() for name in self.features], dim=-1)

    def logits(self, u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
        """Unnormalised label scores W_t · (u, v, |u-v|): (B, k)."""
        features = self.concatenate(u.float(), v.float())
        return self.classifier(features.to(self.classifier.weight.dtype))

    def forward(self, embeddings: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        u, v = embeddings
        return F.cross_entropy(self.logits(u, v).float(), labels)


class ScoredPairLoss(SentenceLoss):
    """Base of the losses trained on ``STSPair``: labels are gold scores mapped linearly onto [0,
    1].

    ``score_range=(low, high)`` is the data set's scale (``sl.data.score_range(name)``); the label
    of a pair is ``(score - low) / (high - low)``, and a score outside the range is rejected before
    any step runs.
    """

    trains_on = (STSPair,)
    fields, texts = "s1, s2, score", 2

    def __init__(self, score_range: tuple[float, float] = (0.0, 5.0)):
        super().__init__()
        low, high = (
            number(f"score_range[{i}]", x) for i, x in enumerate(pair("score_range", score_range))
        )
        if not high > low:
            raise ValueError(f"score_range must be (low, high) with high > low, got {score_range}")
        self.score_range = (low, high)

    def extra_repr(self) -> str:
        return f"score_range={self.score_range}"

    def labels(self, batch: Sequence[STSPair]) -> torch.Tensor:
        low, high = self.score_range
        return torch.tensor([(p.score - low) / (high - low) for p in batch], dtype=torch.float32)

    def check(self, examples: Sequence[STSPair], model=None) -> None:
        super().check(examples, model)
        low, high = self.score_range
        for index, example in enumerate(examples):
            score = example.score
            if isinstance(score, bool) or not isinstance(score, numbers.Real):
                score = None
            if score is None or not low <= score <= high:
                raise ValueError(
                    f"examples[{index}].score is {example.score!r}, outside {self.who}'s "
                    f"score_range {self.score_range}; pass the data set's range, e.g. "
                    "score_range=sl.data.score_range('sick') for SICK's 1-5 scale"
                )


class CosineMSELoss(ScoredPairLoss):
    """Regression objective: mean squared error between cos(u, v) and the rescaled gold score.

    Section 3 of the paper ("Regression Objective Function"): the cosine similarity of the two
    sentence embeddings is regressed onto the gold similarity with a mean-squared-error loss,

        loss = mean_i ( cos(u_i, v_i) - (score_i - low) / (high - low) )^2

    The gold score is mapped linearly onto [0, 1] using the data set's score range, passed as
    ``score_range=(low, high)``: STS-B is (0, 5), so the target is score / 5; SICK-R is (1, 5), so
    the target is (score - 1) / 4. ``sl.data.score_range(name)`` gives the range of a named set.
    Scores outside the range are rejected before training starts, which catches a wrong range.
    (sentence-transformers' ``CosineSimilarityLoss`` is the same loss with the rescaling left to
    you.)

    Inputs: ``STSPair(s1, s2, score)`` with the score on the data set's own scale.

    Example::

        loss = CosineMSELoss(score_range=(0.0, 5.0))
        u, v = torch.randn(2, 384), torch.randn(2, 384)
        targets = loss.labels([STSPair("a", "b", 5.0), STSPair("c", "d", 0.0)])  # 1.0, 0.0
        loss([u, v], targets)
    """

    takes, embedding_names = (2, 2), "u, v"

    def columns(self, batch: Sequence[STSPair]) -> list[list[str]]:
        return [[p.s1 for p in batch], [p.s2 for p in batch]]

    def forward(self, embeddings: list[torch.Tensor], labels: torch.Tensor) -> torch.Tensor:
        u, v = embeddings
        cosine = F.cosine_similarity(u.float(), v.float(), dim=-1)  # (B,)
        return F.mse_loss(cosine, labels.float())


class TripletLoss(SentenceLoss):
    """Triplet objective: the positive must be closer to the anchor than the negative, by a margin.

    Section 3 of the paper ("Triplet Objective Function"), with s_a, s_p, s_n the embeddings of the
    anchor, the positive and the negative sentence:

        loss = mean_i max( ||s_a - s_p|| - ||s_a - s_n|| + ε, 0 )

    The paper uses the Euclidean distance (true distance, not squared) and ε = 1 (``margin=1.0``,
    the default here). Note that sentence-transformers' ``TripletLoss`` defaults to a margin of 5.
    ``distance`` may also be "cosine" (1 - cos) or "manhattan" (L1), as in sentence-transformers.
    The paper trains it on the Wikipedia sections triplets (Section 4.4, Dor et al. 2018); here
    NLI gives (premise, entailed, contradicting) triplets (``sl.data.nli_triplets``).

    Inputs: ``Triplet(anchor, positive, negative)``.

    Example::

        loss = TripletLoss(margin=1.0)
        a, p, n = torch.zeros(1, 2), torch.tensor([[3.0, 4.0]]), torch.tensor([[6.0, 8.0]])
        loss([a, p, n], None)   # max(5 - 10 + 1, 0) = 0: the negative is already 5 further away
    """

    trains_on = (Triplet,)
    fields = "anchor, positive, negative"
    takes, embedding_names = (3, 3), "anchor, positive, negative"

    def __init__(self, margin: float = 1.0, distance: str = "euclidean"):
        super().__init__()
        if distance not in TRIPLET_DISTANCES:
            raise ValueError(
                f"unknown distance {distance!r}; valid: {', '.join(TRIPLET_DISTANCES)}"
            )
        self.margin, self.distance = number("margin", margin, at_least=0), distance

    def extra_repr(self) -> str:
        return f"margin={self.margin}, distance={self.distance!r}"

    def distances(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Row-wise distance d(x_i, y_i): (B, n) x (B, n) -> (B,)."""
        if self.distance == "euclidean":
            return (x - y).norm(p=2, dim=-1)
        if self.distance == "manhattan":
            return (x - y).abs().sum(dim=-1)
        return 1 - F.cosine_similarity(x, y, dim=-1)

    def forward(self, embeddings: list[torch.Tensor], labels: None = None) -> torch.Tensor:
        anchor, positive, negative = (e.float() for e in embeddings)
        closer_by = self.distances(anchor, negative) - self.distances(anchor, positive)  # (B,)
        return F.relu(self.margin - closer_by).mean()


class MultipleNegativesRankingLoss(SentenceLoss):
    """In-batch negatives (InfoNCE): each anchor must pick its own positive among all in the batch.

    Not in the SBERT paper: this is the objective that replaced its softmax loss in later
    sentence-embedding work (Henderson et al. 2017, "Efficient Natural Language Response
    Suggestion"; the InfoNCE loss of van den Oord et al. 2018; sentence-transformers'
    ``MultipleNegativesRankingLoss``). For a batch of anchors a_1..a_B and candidates c_1..c_M (the
    B positives, then the B hard negatives when the examples are triplets):

        s_ij = scale · cos(a_i, c_j),     loss = mean_i [ -log( exp(s_ii) / Σ_j exp(s_ij) ) ]

    i.e. cross-entropy where the correct "class" of anchor i is its own positive; every other
    sentence in the batch is a free negative, so larger batches give a harder task. ``scale`` is
    the inverse temperature (20 as in sentence-transformers).

    Inputs: ``Triplet(anchor, positive, negative)`` (the negative is an extra, hard candidate) or
    plain ``(anchor, positive)`` string pairs such as known paraphrases; all examples
    of a training set must have the same number of fields. Duplicate positives in a batch count as
    negatives of each other.

    Example::

        loss = MultipleNegativesRankingLoss(scale=20.0)
        a, p = torch.eye(3), torch.eye(3)  # each anchor equals its positive, orthogonal to the rest
        loss([a, p], None)                 # small: -log(e^20 / (e^20 + 2)) ≈ 4e-9
    """

    trains_on = (Triplet, tuple)
    fields = "Triplet(anchor, positive, negative) or (anchor, positive)"
    takes, embedding_names = (2, None), "anchors, positives[, negatives]"

    def __init__(self, scale: float = 20.0):
        super().__init__()
        self.scale = number("scale", scale, above=0)

    def extra_repr(self) -> str:
        return f"scale={self.scale}"

    def check(self, examples: Sequence, model=None) -> None:
        for index, example in enumerate(examples):
            if isinstance(example, (STSPair, NLIPair)) or len(example) not in (2, 3):
                raise TypeError(
                    f"{self.who} trains on {self.fields}; examples[{index}] is a "
                    f"{type(example).__name__} with {len(example)} fields: {_short(example)}"
                )
            if len(example) != len(examples[0]):
                raise ValueError(
                    "all examples must have the same number of fields (examples[0] has "
                    f"{len(examples[0])}, examples[{index}] has {len(example)})"
                )
        super().check(examples, model)

    def forward(self, embeddings: list[torch.Tensor], labels: None = None) -> torch.Tensor:
        anchors = F.normalize(embeddings[0].float(), dim=-1)  # (B, n)
        # the B positives, then the B hard negatives if any: (M, n), M = B or 2B
        candidates = F.normalize(torch.cat([e.float() for e in embeddings[1:]]), dim=-1)
        scores = self.scale * anchors @ candidates.T  # (B, M)
        # anchor i's positive is candidate i
        targets = torch.arange(len(anchors), device=anchors.device)
        return F.cross_entropy(scores, targets)


class UnsupervisedSimCSELoss(MultipleNegativesRankingLoss):
    """Unsupervised SimCSE (Gao et al. 2021, Section 3): in-batch negatives with no labels at all.

    Each example is one sentence. It goes through the encoder twice, in train mode, so dropout
    masks two different sets of units: the two vectors of a sentence are its positive pair, and the
    other 2B - 1 vectors of the batch are its negatives — ``MultipleNegativesRankingLoss`` on
    (sentence, the same sentence)::

        s_ij = scale · cos(h_i, h'_j),     loss = mean_i [ -log( exp(s_ii) / Σ_j exp(s_ij) ) ]

    with h_i, h'_i the two dropout views of sentence i (both copies are tokenized into one batch,
    so ``fit`` runs one forward pass of 2B rows: one mask per row). SimCSE's temperature τ = 0.05
    is ``scale`` = 1/τ = 20.

    ``same_dropout_mask=True`` is SimCSE's "fixed 0.1" control (Table 2): the batch is embedded
    once and each vector is its own positive, so s_ii is the largest score there is and the loss
    only pushes sentences apart. The other control, no dropout (p = 0), is a setting of the
    encoder, not of the loss (``sbert_lab.course.simcse.set_dropout``).

    Shapes: ``embeddings`` = [h (B, n), h' (B, n)], or [h (B, n)] with ``same_dropout_mask``.

    Example::

        loss = UnsupervisedSimCSELoss()
        loss.columns(["A man plays.", "A dog runs."])  # [[both], [both]]: two views of each
        sl.train.fit(encoder, loss, sentences, batch_size=64, lr=3e-5)
    """

    trains_on = (str,)
    fields = "one sentence (str)"
    takes, embedding_names = (1, 2), "two dropout views h, h' (or one with same_dropout_mask)"

    def __init__(self, scale: float = 20.0, same_dropout_mask: bool = False):
        super().__init__(scale)
        self.same_dropout_mask = bool(same_dropout_mask)

    def extra_repr(self) -> str:
        return f"scale={self.scale}, same_dropout_mask={self.same_dropout_mask}"

    def columns(self, batch: Sequence[str]) -> list[list[str]]:
        return [list(batch)] if self.same_dropout_mask else [list(batch), list(batch)]

    def check(self, examples: Sequence, model=None) -> None:
        for index, example in enumerate(examples):
            if not isinstance(example, str):
                raise TypeError(
                    f"{self.who} trains on plain sentences (str); examples[{index}] is a "
                    f"{type(example).__name__}: {_short(example)}"
                )
            utf8_text(f"examples[{index}]", example)

    def forward(self, embeddings: list[torch.Tensor], labels: None = None) -> torch.Tensor:
        views = embeddings if len(embeddings) == 2 else [embeddings[0], embeddings[0]]
        return super().forward(views, labels)


class MatryoshkaLoss(SentenceLoss):
    """Matryoshka representation learning (Kusupati et al. 2022): one loss per prefix of the vector.

    The wrapped loss is applied to the first d dimensions of every embedding, for each d in
    ``dims``, and the results are added (``weights``: one factor each, default 1)::

        loss = Σ_d  w_d · inner([u[:, :d], v[:, :d], ...], labels)

    so that a prefix of the vector is a good embedding on its own: a search index can keep 64 of
    256 numbers and lose little. The full width should be the last of ``dims``; a width above the
    model's is refused by ``check``. The inner loss must have no weights of its own that depend on
    the width (``SoftmaxLoss``'s classifier does: it is refused).

    Shapes: ``embeddings`` as the inner loss takes them, each (B, n) with n >= max(dims).

    Example::

        loss = MatryoshkaLoss(MultipleNegativesRankingLoss(), dims=(32, 64, 128, 256))
        sl.train.fit(encoder, loss, triplets)  # then encode(...)[:, :64] is a 64-d embedding
    """

    def __init__(
        self,
        inner: SentenceLoss,
        dims: Sequence[int] = (32, 64, 128, 256),
        weights: Sequence[float] | None = None,
    ):
        super().__init__()
        if not isinstance(inner, SentenceLoss) or isinstance(inner, SoftmaxLoss):
            raise TypeError(
                "inner must be a loss of sbert_lab.losses with no width-dependent weights "
                f"(MultipleNegativesRankingLoss, CosineMSELoss, TripletLoss...), got "
                f"{type(inner).__name__}"
            )
        self.inner = inner
        self.dims = tuple(integer(f"dims[{i}]", d, at_least=1) for i, d in enumerate(dims))
        if not self.dims or list(self.dims) != sorted(set(self.dims)):
            raise ValueError(f"dims must be increasing widths, e.g. (32, 64, 128), got {dims!r}")
        weights = [1.0] * len(self.dims) if weights is None else list(weights)
        if len(weights) != len(self.dims):
            raise ValueError(f"weights has {len(weights)} factors for {len(self.dims)} dims")
        self.weights = tuple(number(f"weights[{i}]", w, above=0) for i, w in enumerate(weights))
        self.trains_on, self.fields, self.texts = inner.trains_on, inner.fields, inner.texts

    def extra_repr(self) -> str:
        return f"dims={self.dims}, weights={self.weights}"

    def columns(self, batch: Sequence) -> list[list[str]]:
        return self.inner.columns(batch)

    def labels(self, batch: Sequence) -> torch.Tensor | None:
        return self.inner.labels(batch)

    def check(self, examples: Sequence, model=None) -> None:
        width = getattr(model, "dim", None)
        if width is not None and self.dims[-1] > width:
            raise ValueError(
                f"MatryoshkaLoss(dims={self.dims}) asks for {self.dims[-1]} dimensions of a "
                f"{width}-dimensional model: keep every width <= {width}"
            )
        self.inner.check(examples, model)

    def forward(self, embeddings: list[torch.Tensor], labels=None) -> torch.Tensor:
        return sum(
            weight * self.inner([e[:, :dim] for e in embeddings], labels)
            for dim, weight in zip(self.dims, self.weights, strict=True)
        )


def check_labels(examples: Sequence[NLIPair], num_labels: int, who: str) -> None:
    """ValueError naming the first example whose label is not an int in 0..num_labels-1."""
    for index, example in enumerate(examples):
        label = example.label
        if isinstance(label, bool) or not isinstance(label, numbers.Integral):
            label = None
        if label is None or not 0 <= label < num_labels:
            raise ValueError(
                f"examples[{index}].label is {example.label!r}; {who} needs an int in "
                f"0..{num_labels - 1}"
            )


def check_call(loss: SentenceLoss, args: tuple, kwargs: dict) -> None:
    """ValueError naming the argument when a loss is called directly with inputs its forward cannot
    read (``fit`` always passes the right ones): the number and shapes of the embeddings, and the
    labels' shape, type and values. Run before every forward (a pre-hook, so that forward opens
    with its math): O(number of embeddings), plus one comparison of the B labels when they are on
    the CPU; on a GPU that comparison would wait for the GPU every step, and ``fit`` has checked
    every label before the first step (``check``)."""
    embeddings = args[0] if args else kwargs.get("embeddings")
    low, high = loss.takes
    if not isinstance(embeddings, (list, tuple)) or not low <= len(embeddings) <= (high or 1e9):
        count = f"{low}" if low == high else f"{low} or more"
        got = (
            len(embeddings) if isinstance(embeddings, (list, tuple)) else type(embeddings).__name__
        )
        raise ValueError(
            f"{loss.who} takes {count} embeddings ({loss.embedding_names}), got {got}: a list of "
            "(B, dim) tensors, one per column"
        )
    first = embeddings[0]
    for index, tensor in enumerate(embeddings):
        if not isinstance(tensor, torch.Tensor) or tensor.ndim != 2 or tensor.shape != first.shape:
            shape = (
                tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor).__name__
            )
            raise ValueError(
                f"embeddings[{index}] must be a (B, dim) tensor shaped like embeddings[0] "
                f"{tuple(getattr(first, 'shape', ()))}, got {shape}"
            )
    if isinstance(loss, SoftmaxLoss) and first.shape[1] != loss.dim:
        raise ValueError(
            f"SoftmaxLoss(dim={loss.dim}) cannot read the {first.shape[1]}-dimensional vectors "
            f"given: build it as SoftmaxLoss(dim={first.shape[1]})"
        )
    labels = args[1] if len(args) > 1 else kwargs.get("labels")
    if isinstance(loss, (SoftmaxLoss, ScoredPairLoss)):
        _check_labels(loss, labels, len(first))


def _check_labels(loss: SentenceLoss, labels, batch: int) -> None:
    """SoftmaxLoss: B class ids (torch.long) in 0..k-1; CosineMSELoss: B targets in [0, 1]."""
    classes = isinstance(loss, SoftmaxLoss)
    what = "class ids (torch.long)" if classes else "targets in [0, 1] (loss.labels(batch))"
    if not isinstance(labels, torch.Tensor) or tuple(labels.shape) != (batch,):
        got = tuple(labels.shape) if isinstance(labels, torch.Tensor) else type(labels).__name__
        raise ValueError(f"{loss.who}'s labels must be a tensor of {batch} {what}, got {got}")
    if classes and labels.dtype != torch.long:
        raise ValueError(
            f"{loss.who}'s labels must be {what}, got {labels.dtype}: use labels.long()"
        )
    if labels.device.type != "cpu":
        return
    if classes:
        wrong = (labels < 0) | (labels >= loss.num_labels)
    else:
        wrong = ~((labels >= 0) & (labels <= 1))  # NaN too
    if wrong.any():
        i = int(wrong.nonzero()[0, 0])
        if classes:
            raise ValueError(
                f"labels[{i}] is {int(labels[i])}; {loss.who} needs ids in 0..{loss.num_labels - 1}"
            )
        raise ValueError(
            f"labels[{i}] is {float(labels[i]):g}; {loss.who}'s targets must be in [0, 1]: the "
            f"gold scores rescaled from score_range {loss.score_range}, as loss.labels(batch) does"
        )


def _short(example, limit: int = 120) -> str:
    text = repr(example)
    return text if len(text) <= limit else text[: limit - 3] + "..."


__all__ = [
    "SentenceLoss",
    "ScoredPairLoss",
    "SoftmaxLoss",
    "CosineMSELoss",
    "TripletLoss",
    "MultipleNegativesRankingLoss",
    "SOFTMAX_FEATURES",
    "TRIPLET_DISTANCES",
]
