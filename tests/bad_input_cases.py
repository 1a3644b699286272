"""Bad inputs across the public surface, each with the error a user should get (issue 14's classes).

One table, two readers: ``tests/test_bad_input.py`` asserts every row, and
``tools/bad_input_sweep.py`` counts how the package answers them (clear / unclear / silent), which
is how the "before" and "after" figures of the sweep were measured.

A row is ``Case(name, expected, pattern, run)``: ``run(ctx)`` must raise ``expected`` with a message
matching ``pattern`` (the argument, file or item at fault). ``ctx`` is a ``Context``.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import math
import pickle
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np


@dataclass(frozen=True)
class Case:
    name: str
    expected: type[BaseException] | tuple[type[BaseException], ...]
    pattern: str
    run: Callable[[Context], object]


class Context:
    """What the cases need, made once: a tiny encoder, a saved copy of it, real STS pairs, a scratch
    folder."""

    def __init__(self, scratch: Path):
        self.scratch = scratch
        self._copies = 0

    @cached_property
    def encoder(self):
        import sbert_lab as sl

        return sl.SentenceEncoder("sbert-lab:tiny-random-bert", device="cpu", precision="fp32")

    @cached_property
    def saved(self) -> Path:
        return self.encoder.save(self.scratch / "saved-encoder")

    @cached_property
    def saved_cross(self) -> Path:
        import sbert_lab as sl

        return sl.cross_encoder.CrossEncoder("sbert-lab:tiny-random-bert", device="cpu").save(
            self.scratch / "saved-cross"
        )

    def copy(self, source: Path | None = None) -> Path:
        """A fresh copy of a saved model folder, to break."""
        self._copies += 1
        target = self.scratch / f"copy-{self._copies}"
        shutil.copytree(source or self.saved, target)
        return target

    def file(self, name: str, content: bytes) -> Path:
        path = self.scratch / name
        path.write_bytes(content)
        return path

    @property
    def sts(self):
        from sbert_lab.data import STSPair

        return [
            STSPair("A man plays a guitar.", "Someone plays music.", 3.8),
            STSPair("A cat sleeps.", "The stock market fell.", 0.2),
            STSPair("Two dogs run on grass.", "Dogs are running outside.", 4.4),
            STSPair("A woman cuts onions.", "A woman is slicing an onion.", 4.8),
        ]

    @property
    def nli(self):
        from sbert_lab.data import NLIPair

        return [
            NLIPair("A man plays a guitar.", "A person makes music.", 0),
            NLIPair("A man plays a guitar.", "The man is asleep.", 2),
            NLIPair("A cat sleeps.", "An animal rests.", 0),
            NLIPair("A cat sleeps.", "A dog barks.", 1),
        ]


# -- helpers that break a saved folder -------------------------------------------------------------
def _without(ctx: Context, *names: str, source: str = "saved") -> Path:
    folder = ctx.copy(getattr(ctx, source))
    for name in names:
        (folder / name).unlink()
    return folder


def _rewrite(
    ctx: Context, name: str, change: Callable[[bytes], bytes], source: str = "saved"
) -> Path:
    folder = ctx.copy(getattr(ctx, source))
    path = folder / name
    path.write_bytes(change(path.read_bytes()))
    return path.parent if name.count("/") == 0 else folder


class _RunsCode:
    """A pickle that would call print() when loaded: what a weights file must never do."""

    def __reduce__(self):
        return (print, ("this pickle ran code",))


def _pickled_weights(ctx: Context) -> Path:
    folder = _without(ctx, "model.safetensors")
    with open(folder / "pytorch_model.bin", "wb") as handle:
        pickle.dump({"weights": _RunsCode()}, handle)
    return folder


def _encoder(path):
    import sbert_lab as sl

    return sl.SentenceEncoder(path, device="cpu")


def _fit(ctx: Context, loss=None, examples=None, **settings):
    import sbert_lab as sl

    settings.setdefault("progress", False)
    return sl.train.fit(
        ctx.encoder,
        loss or sl.losses.CosineMSELoss((0, 5)),
        ctx.sts if examples is None else examples,
        **settings,
    )


def _stsb_file(ctx: Context, name: str, content: bytes):
    from sbert_lab import data

    return data.parse_stsb_file(ctx.file(name, content))


STSB_LINE = (
    b"main-captions\tMSRvid\t2012test\t0001\t5.000\t"
    b"A plane is taking off.\tAn air plane is taking off.\n"
)
TRUNCATIONS = (
    "tokenizer.json",
    "model.safetensors",
    "modules.json",
    "config.json",
    "1_Pooling/config.json",
)


def _sl():
    import sbert_lab as sl

    return sl


CASES = [
    # -- model folders --------------------------------------------------------------------------
    Case(
        "folder without tokenizer files",
        ValueError,
        r"no tokenizer files",
        lambda c: _encoder(_without(c, "tokenizer.json", "tokenizer_config.json")),
    ),
    Case("empty folder", ValueError, r"empty folder", lambda c: _encoder(_empty(c))),
    Case(
        "folder without weights",
        ValueError,
        r"has no weights",
        lambda c: _encoder(_without(c, "model.safetensors")),
    ),
    Case(
        "corrupt config.json",
        ValueError,
        r"config\.json is not valid JSON \(line \d+, column \d+",
        lambda c: _encoder(_rewrite(c, "config.json", lambda b: b[:12])),
    ),
    Case(
        "truncated model.safetensors",
        ValueError,
        r"model\.safetensors .* not a whole safetensors file",
        lambda c: _encoder(_rewrite(c, "model.safetensors", lambda b: b[: len(b) // 2])),
    ),
    Case(
        "empty model.safetensors",
        ValueError,
        r"model\.safetensors is empty",
        lambda c: _encoder(_rewrite(c, "model.safetensors", lambda b: b"")),
    ),
    Case(
        "truncated modules.json",
        ValueError,
        r"modules\.json is not valid JSON",
        lambda c: _encoder(_rewrite(c, "modules.json", lambda b: b[:40])),
    ),
    Case(
        "modules.json that is not a list",
        ValueError,
        r"modules\.json must be a list",
        lambda c: _encoder(_rewrite(c, "modules.json", lambda b: b"{}")),
    ),
    Case(
        "corrupt Pooling config",
        ValueError,
        r"1_Pooling/config\.json is not valid JSON",
        lambda c: _encoder(_rewrite(c, "1_Pooling/config.json", lambda b: b[:10])),
    ),
    Case(
        "pickle that runs code",
        ValueError,
        r"refused\. Do not load it with weights_only=False unless",
        lambda c: _encoder(_pickled_weights(c)),
    ),
    Case(
        "cross-encoder folder without tokenizer",
        ValueError,
        r"no tokenizer files",
        lambda c: _sl().cross_encoder.CrossEncoder(
            _without(c, "tokenizer.json", "tokenizer_config.json", source="saved_cross")
        ),
    ),
    Case(
        "cross-encoder corrupt settings",
        ValueError,
        r"sbert_lab_cross_encoder\.json is not valid JSON",
        lambda c: _sl().cross_encoder.CrossEncoder.load(
            _rewrite(c, "sbert_lab_cross_encoder.json", lambda b: b[:5], source="saved_cross")
        ),
    ),
    Case("SentenceEncoder(None)", TypeError, r"name_or_path must be", lambda c: _encoder(None)),
    Case(
        "max_length=0",
        ValueError,
        r"max_length must be an int >= 2",
        lambda c: _sl().SentenceEncoder(c.saved, max_length=0),
    ),
    Case(
        "max_length=64.9",
        TypeError,
        r"max_length must be an int",
        lambda c: _sl().SentenceEncoder(c.saved, max_length=64.9),
    ),
    Case(
        "cross-encoder num_labels='2'",
        TypeError,
        r"num_labels must be an int",
        lambda c: _sl().cross_encoder.CrossEncoder(c.saved, num_labels="2"),
    ),
    Case(
        "save onto a file",
        NotADirectoryError,
        r"it is a file",
        lambda c: c.encoder.save(c.file("a-file", b"x")),
    ),
    Case(
        "save into a folder of other files",
        FileExistsError,
        r"holds other files",
        lambda c: c.encoder.save(_folder_with_notes(c)),
    ),
    # -- encode / predict -----------------------------------------------------------------------
    Case(
        "encode(None)",
        TypeError,
        r"sentences must be a list of str",
        lambda c: c.encoder.encode(None),
    ),
    Case(
        "encode('one string')",
        TypeError,
        r"not a single string",
        lambda c: c.encoder.encode("A sentence."),
    ),
    Case("encode([1])", TypeError, r"sentences\[0\] is int", lambda c: c.encoder.encode([1])),
    Case(
        "encode batch_size=2.5",
        TypeError,
        r"batch_size must be an int",
        lambda c: c.encoder.encode(["a"], batch_size=2.5),
    ),
    Case(
        "encode batch_size='8'",
        TypeError,
        r"batch_size must be an int",
        lambda c: c.encoder.encode(["a"], batch_size="8"),
    ),
    Case(
        "encode batch_size=0",
        ValueError,
        r"batch_size must be an int >= 1",
        lambda c: c.encoder.encode(["a"], batch_size=0),
    ),
    Case(
        "predict one pair",
        TypeError,
        r"not a single pair",
        lambda c: _sl().cross_encoder.CrossEncoder(c.saved_cross).predict(("a", "b")),
    ),
    Case(
        "predict batch_size='8'",
        TypeError,
        r"batch_size must be an int",
        lambda c: (
            _sl().cross_encoder.CrossEncoder(c.saved_cross).predict([("a", "b")], batch_size="8")
        ),
    ),
    # -- evaluation -----------------------------------------------------------------------------
    Case(
        "sts_spearman NaN gold",
        ValueError,
        r"pairs\[1\] has gold score nan",
        lambda c: _sl().evaluation.sts_spearman(c.encoder, _score(c, 1, math.nan)),
    ),
    Case(
        "sts_spearman inf gold",
        ValueError,
        r"pairs\[2\] has gold score inf",
        lambda c: _sl().evaluation.sts_spearman(c.encoder, _score(c, 2, math.inf)),
    ),
    Case(
        "sts_spearman constant gold",
        ValueError,
        r"same gold score",
        lambda c: _sl().evaluation.sts_spearman(c.encoder, [p._replace(score=3.0) for p in c.sts]),
    ),
    Case(
        "sts_spearman sentence None",
        TypeError,
        r"pairs\[3\] must be an STSPair",
        lambda c: _sl().evaluation.sts_spearman(
            c.encoder, c.sts[:3] + [c.sts[3]._replace(s2=None)]
        ),
    ),
    Case(
        "nli_accuracy label 3",
        ValueError,
        r"\[1\]\.label is 3",
        lambda c: _sl().evaluation.nli_accuracy(
            c.encoder, _softmax(c), [c.nli[0], c.nli[1]._replace(label=3)]
        ),
    ),
    Case(
        "nli_accuracy label 'entailment'",
        ValueError,
        r"\[0\]\.label is 'entailment'",
        lambda c: _sl().evaluation.nli_accuracy(
            c.encoder, _softmax(c), [c.nli[0]._replace(label="entailment")]
        ),
    ),
    Case(
        "nli_accuracy classifier of another width",
        ValueError,
        r"SoftmaxLoss\(dim=64\) cannot read the 128",
        lambda c: _sl().evaluation.nli_accuracy(c.encoder, _sl().losses.SoftmaxLoss(64), c.nli),
    ),
    # -- losses
    # -------------------------------------------------------------------------------------
    Case(
        "SoftmaxLoss(dim='128')",
        TypeError,
        r"dim must be an int",
        lambda c: _sl().losses.SoftmaxLoss("128"),
    ),
    Case(
        "CosineMSELoss score_range (0, inf)",
        ValueError,
        r"score_range",
        lambda c: _sl().losses.CosineMSELoss((0, math.inf)),
    ),
    Case(
        "TripletLoss margin nan",
        ValueError,
        r"margin must be a finite number",
        lambda c: _sl().losses.TripletLoss(margin=math.nan),
    ),
    Case(
        "MNRL scale inf",
        ValueError,
        r"scale must be a finite number",
        lambda c: _sl().losses.MultipleNegativesRankingLoss(scale=math.inf),
    ),
    # -- fit
    # ------------------------------------------------------------------------------------------
    Case("fit lr=inf", ValueError, r"lr must be a finite number", lambda c: _fit(c, lr=math.inf)),
    Case("fit lr='2e-5'", TypeError, r"lr must be a number", lambda c: _fit(c, lr="2e-5")),
    Case("fit seed=None", ValueError, r"seed must be an int", lambda c: _fit(c, seed=None)),
    Case("fit seed=-1", ValueError, r"seed must be an int >= 0", lambda c: _fit(c, seed=-1)),
    Case(
        "fit batch_size=2.5",
        ValueError,
        r"batch_size must be an int",
        lambda c: _fit(c, batch_size=2.5),
    ),
    Case("fit warmup=1.5", ValueError, r"warmup must be a share", lambda c: _fit(c, warmup=1.5)),
    Case(
        "fit checkpoint_dir is a file",
        ValueError,
        r"checkpoint_dir=.* is a file",
        lambda c: _fit(c, checkpoint_dir=c.file("ckpt", b"x")),
    ),
    Case(
        "fit eval_fn returns None",
        TypeError,
        r"eval_fn returned None",
        lambda c: _fit(c, eval_fn=lambda model: None, batch_size=4),
    ),
    Case(
        "fit SoftmaxLoss of another width",
        ValueError,
        r"SoftmaxLoss\(dim=64\) cannot read",
        lambda c: _fit(c, _sl().losses.SoftmaxLoss(64), c.nli),
    ),
    Case(
        "fit label 3 for 3 classes",
        ValueError,
        r"examples\[2\]\.label is 3",
        lambda c: _fit(c, _softmax(c), c.nli[:2] + [c.nli[2]._replace(label=3)]),
    ),
    Case(
        "fit triplet loss given pairs",
        TypeError,
        r"TripletLoss trains on Triplet",
        lambda c: _fit(c, _sl().losses.TripletLoss(), c.sts),
    ),
    Case(
        "resume a checkpoint of a wider model",
        ValueError,
        r"belongs to a different run|does not fit",
        lambda c: _resume_other_model(c),
    ),
    # -- search
    # ---------------------------------------------------------------------------------------
    Case(
        "build_index one string",
        TypeError,
        r"not a single string",
        lambda c: _sl().course.search.build_index(c.encoder, "one sentence"),
    ),
    Case(
        "NaN row in the corpus",
        ValueError,
        r"row 1",
        lambda c: _sl().course.search.normalize_rows(np.array([[1.0, 0.0], [math.nan, 1.0]])),
    ),
    Case(
        "rerank unknown id",
        ValueError,
        r"candidate_ids\[0, 1\] = 7 is not a row",
        lambda c: _sl().course.search.rerank(None, ["q"], np.array([[0, 7]]), ["a", "b"]),
    ),
    Case(
        "sts_spearman one pair",
        ValueError,
        r"at least 2 STS pairs, got 1",
        lambda c: _sl().evaluation.sts_spearman(c.encoder, c.sts[:1]),
    ),
    Case(
        "triplet_accuracy given STS pairs",
        TypeError,
        r"triplets\[0\] must be a Triplet",
        lambda c: _sl().evaluation.triplet_accuracy(c.encoder, c.sts),
    ),
    Case(
        "score_range of an unknown set",
        ValueError,
        r"unknown STS data set 'sts-b'",
        lambda c: _sl().data.score_range("sts-b"),
    ),
    Case(
        "encode normalize='yes'",
        TypeError,
        r"normalize must be True or False",
        lambda c: c.encoder.encode(["a"], normalize="yes"),
    ),
    Case(
        "top_k_cosine k=0",
        ValueError,
        r"k must be a positive integer",
        lambda c: _sl().course.search.top_k_cosine(np.eye(2), np.eye(2), k=0),
    ),
    # -- data files
    # -----------------------------------------------------------------------------------
    Case(
        "STS-B tab inside a sentence",
        ValueError,
        r"sts\.tsv:1",
        lambda c: _stsb_file(c, "sts.tsv", STSB_LINE.replace(b"plane is", b"plane\tis", 1)),
    ),
    Case(
        "STS-B empty file",
        ValueError,
        r"empty\.tsv.*empty",
        lambda c: _stsb_file(c, "empty.tsv", b""),
    ),
    Case(
        "STS-B cut mid-line",
        ValueError,
        r"cut\.tsv.*(cut short|last line)",
        lambda c: _stsb_file(c, "cut.tsv", STSB_LINE + STSB_LINE[:-20]),
    ),
    Case(
        "STS-B non-UTF-8",
        ValueError,
        r"latin\.tsv:2",
        lambda c: _stsb_file(c, "latin.tsv", STSB_LINE + STSB_LINE.replace(b"plane", b"pl\xe9ne")),
    ),
    Case(
        "STS-B gzip cut short",
        ValueError,
        r"cut\.tsv\.gz",
        lambda c: _stsb_file(c, "cut.tsv.gz", gzip.compress(STSB_LINE * 50)[:-30]),
    ),
    Case(
        "data_dir that does not exist",
        FileNotFoundError,
        r"does-not-exist",
        lambda c: _sl().data.load_sts("stsb", "test", data_dir=c.scratch / "does-not-exist"),
    ),
    Case(
        "subset size -5",
        ValueError,
        r"size must be an int >= 0",
        lambda c: _sl().course.profiles.subset([1, 2, 3], -5),
    ),
    # -- command line
    # ---------------------------------------------------------------------------------
    Case(
        "CLI --train-size -5",
        SystemExit,
        r"--train-size: .*-5",
        lambda c: _cli(c, "--train-size", "-5"),
    ),
    Case(
        "CLI --max-length 0",
        SystemExit,
        r"--max-length: .*0",
        lambda c: _cli(c, "--max-length", "0"),
    ),
    Case("CLI --lr nan", SystemExit, r"--lr: .*nan", lambda c: _cli(c, "--lr", "nan")),
    Case(
        "CLI --output is a file",
        ValueError,
        r"--output=.* is a file",
        lambda c: _cli(c, "--output", str(c.file("out-file", b"x"))),
    ),
]


def _empty(ctx: Context) -> Path:
    folder = ctx.scratch / "empty-model"
    folder.mkdir(exist_ok=True)
    return folder


def _folder_with_notes(ctx: Context) -> Path:
    folder = ctx.scratch / "notes"
    folder.mkdir(exist_ok=True)
    (folder / "my-notes.txt").write_text("not a model\n")
    return folder


def _score(ctx: Context, index: int, score: float):
    pairs = list(ctx.sts)
    pairs[index] = pairs[index]._replace(score=score)
    return pairs


def _softmax(ctx: Context):
    return _sl().losses.SoftmaxLoss(ctx.encoder.dim)


def _resume_other_model(ctx: Context):
    """A checkpoint written by a 128-wide model, resumed into a 256-wide one with the same run
    settings."""
    sl = _sl()
    folder = ctx.scratch / "ckpt-other-model"
    _fit(ctx, checkpoint_dir=folder, batch_size=4)
    wide = sl.SentenceEncoder("sbert-lab:random-bert-L4-H256", device="cpu", precision="fp32")
    return sl.train.fit(
        wide,
        sl.losses.CosineMSELoss((0, 5)),
        ctx.sts,
        batch_size=4,
        checkpoint_dir=folder,
        resume=True,
        progress=False,
    )


def _cli(ctx: Context, *arguments: str):
    from sbert_lab.tools.cli import build_parser, run_train

    errors = io.StringIO()
    try:
        with contextlib.redirect_stderr(errors):
            args = build_parser().parse_args(
                ["train", "--objective", "sts", "--profile", "smoke", *arguments]
            )
    except SystemExit:
        # argparse prints its message and exits; the case's pattern is matched against that message
        raise SystemExit(errors.getvalue()) from None
    return run_train(args)


__all__ = ["CASES", "Case", "Context", "TRUNCATIONS"]
