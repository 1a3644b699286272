"""Command line: train a model outside the notebooks, sized by the profile.

    python -m sbert_lab train --objective nli      # SoftmaxLoss on the profile's NLI (SBERT-NLI)
    python -m sbert_lab train --objective sts      # CosineMSELoss on STS-B train (SBERT-STSb)
    python -m sbert_lab train --objective triplet  # TripletLoss on NLI triplets (ε = 1, Euclidean)
    python -m sbert_lab train --objective mnrl     # in-batch negatives on NLI triplets

Every size (model, data subset, batch, epochs, max_length) comes from the profile
(``--profile`` or ``$SBERT_LAB_PROFILE``), and any of them can be overridden by a flag. The model is
saved to ``--output`` (default ``runs/<profile>/cli-<objective>-<pooling>``), and the final dev and
test figures are printed: STS-B dev / test Spearman x 100 for every objective, plus the NLI test
accuracy of the classifier (nli) or the triplet accuracy on test triplets (triplet, mnrl).
Under ``torchrun --nproc_per_node N python -m sbert_lab train ...`` training runs on N processes.
"""

from __future__ import annotations

import argparse
import os

from .checks import integer, number

OBJECTIVES = ("nli", "sts", "triplet", "mnrl")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m sbert_lab", description="sbert-lab command line"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser(
        "train", help="train a sentence encoder with one of the paper's objectives"
    )
    train.add_argument(
        "--objective", required=True, choices=OBJECTIVES, help="the training objective"
    )
    train.add_argument(
        "--profile",
        choices=("gpu", "cpu", "offline", "smoke"),
        help="sizes to use (default: $SBERT_LAB_PROFILE, else detected)",
    )
    train.add_argument("--model", help="model to start from (default: the profile's raw_model)")
    train.add_argument("--pooling", default="mean", choices=("mean", "cls", "max"))
    train.add_argument("--epochs", type=positive_int, help="default: the profile's")
    train.add_argument(
        "--batch-size", type=positive_int, help="per process; default: the profile's"
    )
    train.add_argument(
        "--train-size", type=positive_int, help="training examples (default: the profile's size)"
    )
    train.add_argument(
        "--max-length", type=positive_int, help="tokens per sentence (default: the profile's)"
    )
    train.add_argument("--lr", type=positive_number, default=2e-5)
    train.add_argument(
        "--warmup", type=share, default=0.1, help="share of the steps with linear warm-up"
    )
    train.add_argument("--seed", type=non_negative_int, default=0)
    train.add_argument("--amp", default="auto", choices=("auto", "bf16", "fp16", "fp32"))
    train.add_argument(
        "--margin", type=positive_number, default=1.0, help="TripletLoss margin (the paper's 1)"
    )
    train.add_argument("--output", help="folder for the trained model")
    train.add_argument("--checkpoint-dir", help="write resumable checkpoints there")
    train.add_argument("--resume", action="store_true", help="continue from the newest checkpoint")
    train.add_argument("--eval-every", type=positive_int, help="STS-B dev Spearman every N steps")
    train.add_argument(
        "--data-dir", help="folder with the original data files (default: the profile's)"
    )
    train.add_argument("--no-progress", action="store_true", help="no progress bar")
    return parser


def _argument_type(convert, check, expected: str):
    """An argparse ``type=``: ``convert`` the text, then ``check`` it; argparse names the flag on
    failure."""

    def parse(text: str):
        try:
            value = convert(text)
            check(value)
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        return value

    parse.__name__ = expected
    return parse


positive_int = _argument_type(int, lambda v: integer("value", v, at_least=1), "an integer >= 1")
non_negative_int = _argument_type(int, lambda v: integer("value", v, at_least=0), "an integer >= 0")
positive_number = _argument_type(
    float, lambda v: number("value", v, above=0), "a finite number > 0"
)


def _check_share(value: float) -> None:
    if not 0 <= number("value", value) <= 1:
        raise ValueError(value)


share = _argument_type(float, _check_share, "a share in [0, 1]")


def run_train(args: argparse.Namespace) -> dict[str, float]:
    """Train as ``args`` say, save the model, print and return the final figures."""
    from dataclasses import replace

    import torch

    from . import data, evaluation
    from .course import recipes
    from .course.lesson import runs_dir
    from .course.profiles import get_profile, subset
    from .encoder import SentenceEncoder
    from .losses import CosineMSELoss, MultipleNegativesRankingLoss, SoftmaxLoss, TripletLoss
    from .train import check_folder_can_be_made, fit, process_device

    profile = get_profile(args.profile)
    output = args.output or runs_dir(profile) / f"cli-{args.objective}-{args.pooling}"
    check_folder_can_be_made("--output", output)  # now, not after an hour of training
    if args.checkpoint_dir:
        check_folder_can_be_made("--checkpoint-dir", args.checkpoint_dir)
    overrides = {
        "nli_train_size": args.train_size if args.objective != "sts" else profile.nli_train_size,
        "sts_train_size": args.train_size if args.objective == "sts" else profile.sts_train_size,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "max_length": args.max_length,
        "data_dir": args.data_dir,
    }
    profile = replace(profile, **{k: v for k, v in overrides.items() if v is not None})
    main = int(os.environ.get("RANK", "0")) == 0
    say = print if main else (lambda *a, **k: None)
    say(f"profile {profile.describe()}; objective {args.objective}")

    encoder = SentenceEncoder(  # on this process's own GPU under torchrun
        args.model or profile.raw_model,
        pooling=args.pooling,
        max_length=profile.max_length,
        device=process_device(),
    )
    torch.manual_seed(args.seed)  # a classifier's initial weights
    if args.objective == "nli":
        examples, loss = recipes.nli_pairs(profile), SoftmaxLoss(encoder.dim)
    elif args.objective == "sts":
        examples, loss = (
            recipes.sts_pairs(profile, "train"),
            CosineMSELoss(data.score_range("stsb")),
        )
    elif args.objective == "triplet":
        examples, loss = recipes.nli_triplets(profile), TripletLoss(margin=args.margin)
    else:
        examples, loss = recipes.nli_triplets(profile), MultipleNegativesRankingLoss()
    dev, test = recipes.sts_pairs(profile, "dev"), recipes.sts_pairs(profile, "test")
    say(f"training {encoder.name_or_path} ({args.pooling} pooling) on {len(examples)} examples")
    history = fit(
        encoder,
        loss,
        examples,
        epochs=profile.epochs,
        batch_size=profile.batch_size,
        lr=args.lr,
        warmup=args.warmup,
        seed=args.seed,
        amp=args.amp,
        checkpoint_dir=args.checkpoint_dir,
        resume=args.resume,
        eval_fn=(lambda e: evaluation.sts_spearman(e, dev)) if args.eval_every else None,
        eval_every=args.eval_every,
        progress=not args.no_progress,
    )
    if not main:
        return {}
    encoder.save(output)
    say(
        f"trained {history.steps} steps in {history.seconds:.1f} s ({history.steps_per_second:.2f} "
        f"steps/s); final loss {history.losses[-1]:.4f}; saved to {output}"
    )
    figures = {
        "STS-B dev Spearman x100": evaluation.sts_spearman(encoder, dev),
        "STS-B test Spearman x100": evaluation.sts_spearman(encoder, test),
    }
    eval_name, eval_split = profile.nli_eval
    if args.objective == "nli":
        pairs = subset(data.load_nli(eval_name, eval_split, profile.data_dir), profile.eval_size)
        figures[f"{eval_name} {eval_split} accuracy"] = evaluation.nli_accuracy(
            encoder, loss, pairs
        )
    elif args.objective in ("triplet", "mnrl"):
        triplets = subset(
            data.load_triplets(eval_name, eval_split, profile.data_dir), profile.eval_size
        )
        figures[f"{eval_name} {eval_split} triplet accuracy"] = evaluation.triplet_accuracy(
            encoder, triplets
        )
    for what, value in figures.items():
        say(f"{what:<36} {value:8.4f}" if "accuracy" in what else f"{what:<36} {value:8.2f}")
    if not profile.numbers_are_meaningful:
        say(
            "(smoke profile: a tiny random model on tiny data; these numbers only show that the "
            "code runs)"
        )
    return figures


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "train":
        run_train(args)
    return 0
