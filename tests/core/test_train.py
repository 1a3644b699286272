"""The training loop: input checks, determinism, schedule, the step by hand, NaN guard, fp16.
Memory given back after training: test_memory.py; checkpoints and resume: test_checkpoint.py; DDP:
test_distributed.py.

All of these use the tiny random BERT and the hand-written fixtures, in fp32 on the CPU; the
acceptance runs on real data are in tests/core/test_train_realdata.py.
"""

import math

import pytest
import torch

import sbert_lab as sl
from sbert_lab.data import NLIPair, STSPair, Triplet
from sbert_lab.losses import CosineMSELoss, SoftmaxLoss, TripletLoss
from sbert_lab.train import fit

TINY = "sbert-lab:tiny-random-bert"


@pytest.fixture(scope="module")
def sts_train():
    return sl.data.load_sts("stsb", "train", "fixtures")  # 48 pairs


@pytest.fixture(scope="module")
def nli_train():
    return sl.data.load_nli("snli", "train", "fixtures")  # 48 pairs


@pytest.fixture(scope="module")
def sts_dev():
    return sl.data.load_sts("stsb", "dev", "fixtures")


def tiny(dropout: bool = True) -> sl.SentenceEncoder:
    encoder = sl.SentenceEncoder(TINY, max_length=32, device="cpu")
    if not dropout:
        for module in encoder.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0
    return encoder


def weights(module: torch.nn.Module) -> torch.Tensor:
    return torch.cat([p.detach().flatten() for p in module.parameters()])


def forbid_steps(encoder, monkeypatch):
    """Fail the test if fit() runs a forward pass: input errors must come before any step."""

    def forward(features):
        raise AssertionError("a training step ran before the bad input was reported")

    monkeypatch.setattr(encoder, "forward", forward)


# -- bad input: clear errors before any step -------------------------------------------------------
@pytest.fixture(scope="module")
def encoder_for_checks():
    return tiny()


@pytest.mark.parametrize(
    ("loss", "examples", "kwargs", "error", "match"),
    [
        (CosineMSELoss(), [], {}, ValueError, "examples is empty"),
        (
            CosineMSELoss(),
            [NLIPair("a", "b", 0)],
            {},
            TypeError,
            r"CosineMSELoss trains on STSPair.*examples\[0\] is a NLIPair",
        ),
        (
            SoftmaxLoss(128),
            [NLIPair("a", "b", 1), NLIPair("a", "b", 5)],
            {},
            ValueError,
            r"examples\[1\].label is 5",
        ),
        (SoftmaxLoss(128), [NLIPair("a", "b", -1)], {}, ValueError, r"examples\[0\].label is -1"),
        (
            CosineMSELoss((0, 5)),
            [STSPair("a", "b", 7.0)],
            {},
            ValueError,
            r"examples\[0\].score is 7.0",
        ),
        (
            TripletLoss(),
            [Triplet("a", "b", None)],
            {},
            TypeError,
            r"examples\[0\]\[2\] is NoneType",
        ),
        (
            CosineMSELoss(),
            [STSPair("a", "b", 1.0)],
            {"batch_size": 0},
            ValueError,
            "batch_size must be an int >= 1",
        ),
        (CosineMSELoss(), [STSPair("a", "b", 1.0)], {"epochs": 0}, ValueError, "epochs must be"),
        (CosineMSELoss(), [STSPair("a", "b", 1.0)], {"lr": 0}, ValueError, "lr must be > 0"),
        (
            CosineMSELoss(),
            [STSPair("a", "b", 1.0)],
            {"resume": True},
            ValueError,
            "need checkpoint_dir",
        ),
        (
            CosineMSELoss(),
            [STSPair("a", "b", 1.0)],
            {"eval_every": 2},
            ValueError,
            "eval_fn is None",
        ),
        (CosineMSELoss(), "a sentence", {}, TypeError, "examples must be a list"),
    ],
)
def test_bad_input_is_reported_before_any_step(
    encoder_for_checks, monkeypatch, loss, examples, kwargs, error, match
):
    forbid_steps(encoder_for_checks, monkeypatch)
    with pytest.raises(error, match=match):
        fit(encoder_for_checks, loss, examples, progress=False, **kwargs)


def test_a_loss_that_is_not_ours_is_a_type_error(encoder_for_checks):
    with pytest.raises(TypeError, match="loss must be one of sbert_lab.losses"):
        fit(encoder_for_checks, torch.nn.MSELoss(), [STSPair("a", "b", 1.0)], progress=False)


# -- what a run does -------------------------------------------------------------------------------
@pytest.mark.slow
def test_same_seed_same_numbers_other_seed_other_numbers(sts_train):
    def run(seed):
        encoder = tiny()
        history = fit(
            encoder,
            CosineMSELoss(),
            sts_train,
            batch_size=8,
            lr=1e-4,
            seed=seed,
            amp="fp32",
            progress=False,
        )
        return history.losses, weights(encoder)

    losses_a, weights_a = run(0)
    losses_b, weights_b = run(0)
    losses_c, _ = run(1)
    assert losses_a == losses_b and torch.equal(weights_a, weights_b)
    assert losses_a != losses_c


def test_history_and_the_linear_warmup_schedule(sts_train, sts_dev):
    encoder = tiny()
    calls = []

    def evaluate(model):
        calls.append(model)
        return sl.evaluation.sts_spearman(model, sts_dev)

    history = fit(
        encoder,
        CosineMSELoss(),
        sts_train[:40],
        epochs=2,
        batch_size=8,
        lr=1e-3,
        warmup=0.2,
        eval_fn=evaluate,
        eval_every=4,
        amp="fp32",
        progress=False,
    )
    assert history.steps == len(history.losses) == 10  # 40 / 8 = 5 steps a pass, 2 passes
    assert [step for step, _ in history.evals] == [4, 8, 10]  # every 4 steps, and at the end
    assert calls[0] is encoder and all(-100 <= value <= 100 for _, value in history.evals)
    # transformers' linear schedule: 0 -> 1e-3 over 2 warm-up steps (20 % of 10), then down to 0 at
    # step 10
    expected = [1e-3 * s / 2 if s < 2 else 1e-3 * (10 - s) / 8 for s in range(10)]
    assert history.learning_rates == pytest.approx(expected)
    assert history.seconds > 0 and history.steps_per_second > 0 and history.resumed_from is None


@pytest.mark.slow
def test_training_lowers_the_loss_and_trains_the_softmax_classifier(nli_train):
    torch.manual_seed(0)
    encoder, loss = tiny(), SoftmaxLoss(128)
    encoder_before, classifier_before = weights(encoder), weights(loss)
    history = fit(
        encoder, loss, nli_train, epochs=4, batch_size=8, lr=5e-4, amp="fp32", progress=False
    )
    first, last = sum(history.losses[:6]) / 6, sum(history.losses[-6:]) / 6
    assert last < first - 0.05, (first, last)
    assert not torch.equal(weights(encoder), encoder_before)
    # the classifier is trained together with the encoder
    assert not torch.equal(weights(loss), classifier_before)
    accuracy = sl.evaluation.nli_accuracy(encoder, loss, nli_train)
    assert accuracy > 0.5  # chance is 1/3 on this balanced set


def one_step_by_hand(encoder, loss, batch, lr: float, seed: int) -> float:
    """Section 3.1's step written out, without fit: what lesson 03 shows a student."""
    sl.train.seed_everything(seed)  # fit seeds first: the same dropout masks
    order = sl.batching.random_batches(len(batch), len(batch), seed)[0]  # fit's shuffle of epoch 0
    batch = [batch[i] for i in order]
    encoder.train(), loss.train()
    columns = loss.columns(batch)  # [premises, hypotheses]
    stacked = encoder(encoder.tokenize([text for column in columns for text in column]))  # (2B, H)
    u, v = stacked.split([len(column) for column in columns])  # ONE pass, then split
    value = loss([u, v], loss.labels(batch))
    value.backward()
    named = [*encoder.named_parameters(), *loss.named_parameters()]
    torch.nn.utils.clip_grad_norm_([p for _, p in named], max_norm=1.0)
    no_decay = [p for n, p in named if n.endswith(("bias", "LayerNorm.weight", "LayerNorm.bias"))]
    decay = [p for n, p in named if not n.endswith(("bias", "LayerNorm.weight", "LayerNorm.bias"))]
    groups = [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}]
    optimizer = torch.optim.AdamW(groups, lr=lr, fused=True)
    optimizer.step()  # one step, no warm-up: the peak lr
    return value.item()


def test_fit_takes_the_step_written_by_hand(nli_train):
    """Lesson 03's promise: fit's step is columns -> tokenize -> one forward -> split -> loss ->
    backward -> clip -> AdamW, nothing else (in fp32, on the same batch and seed)."""
    torch.manual_seed(0)
    by_hand, hand_loss = tiny(), SoftmaxLoss(128)
    by_fit, fit_loss = tiny(), SoftmaxLoss(128)
    by_fit.load_state_dict(by_hand.state_dict()), fit_loss.load_state_dict(hand_loss.state_dict())
    batch = nli_train[:16]
    hand_value = one_step_by_hand(by_hand, hand_loss, batch, lr=1e-3, seed=0)
    history = fit(
        by_fit,
        fit_loss,
        batch,
        batch_size=16,
        lr=1e-3,
        warmup=0,
        amp="fp32",
        length_grouping=False,
        progress=False,
    )
    assert history.losses == [pytest.approx(hand_value, abs=0)]
    assert torch.equal(weights(by_fit), weights(by_hand))
    assert torch.equal(weights(fit_loss), weights(hand_loss))
    assert not torch.equal(weights(by_fit), weights(tiny()))  # and the step did move them


def test_nli_accuracy_is_the_argmax_of_the_classifier(nli_train):
    torch.manual_seed(0)
    encoder, loss = tiny(), SoftmaxLoss(128)
    pairs = nli_train[:12]
    u = torch.from_numpy(encoder.encode([p.premise for p in pairs]))
    v = torch.from_numpy(encoder.encode([p.hypothesis for p in pairs]))
    logits = loss.classifier(torch.cat([u, v, (u - v).abs()], dim=1))
    expected = float((logits.argmax(1) == torch.tensor([p.label for p in pairs])).float().mean())
    assert sl.evaluation.nli_accuracy(encoder, loss, pairs) == pytest.approx(expected)


def test_a_nan_loss_stops_training_naming_the_step(sts_train):
    class NaNAtStep3(CosineMSELoss):
        calls = 0

        def forward(self, embeddings, labels):
            NaNAtStep3.calls += 1
            value = super().forward(embeddings, labels)
            return value * float("nan") if NaNAtStep3.calls == 3 else value

    with pytest.raises(
        FloatingPointError, match=r"loss is nan at step 3 \(epoch 1, batch 3 of 6\)"
    ):
        fit(tiny(), NaNAtStep3(), sts_train, batch_size=8, amp="fp32", progress=False)


def test_fp16_with_a_gradient_scaler_runs(sts_train):
    history = fit(tiny(), CosineMSELoss(), sts_train[:16], batch_size=8, amp="fp16", progress=False)
    assert len(history.losses) == 2 and all(math.isfinite(x) for x in history.losses)
    assert history.skipped_steps == 0


class InfAtSteps(CosineMSELoss):
    """CosineMSELoss whose value is +inf at the given (1-based) calls: an fp16 overflow."""

    def __init__(self, steps):
        super().__init__()
        self.at, self.calls = set(steps), 0

    def forward(self, embeddings, labels):
        self.calls += 1
        value = super().forward(embeddings, labels)
        return value * float("inf") if self.calls in self.at else value


def test_fp16_overflow_is_a_skipped_step_not_an_error(sts_train, recwarn):
    encoder = tiny()
    before = weights(encoder).clone()
    history = fit(encoder, InfAtSteps({1}), sts_train, batch_size=8, amp="fp16", progress=False)
    assert history.steps == 6 and history.skipped_steps == 1
    assert math.isinf(history.losses[0]) and all(math.isfinite(x) for x in history.losses[1:])
    assert torch.isfinite(weights(encoder)).all() and not torch.equal(weights(encoder), before)
    # the schedule moves with the optimizer's real steps: no "scheduler before optimizer" warning
    assert not [w for w in recwarn if "lr_scheduler.step()" in str(w.message)]


def test_fp16_overflow_that_persists_stops_training(sts_train, monkeypatch):
    monkeypatch.setattr(sl.train, "MAX_SKIPS_IN_A_ROW", 3)
    with pytest.raises(FloatingPointError, match="3 steps in a row overflowed in fp16"):
        fit(tiny(), InfAtSteps({1, 2, 3, 4}), sts_train, batch_size=8, amp="fp16", progress=False)


def test_an_inf_loss_in_fp32_still_stops_at_once(sts_train):
    with pytest.raises(FloatingPointError, match="loss is inf at step 2"):
        fit(tiny(), InfAtSteps({2}), sts_train, batch_size=8, amp="fp32", progress=False)
