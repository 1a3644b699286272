"""Bad inputs across the public surface, each with the error a user should get (issue 14's classes).

One table, two readers: ``tests/core/test_bad_input.py`` asserts every row, and
``tests/bad_input_sweep.py`` counts how the package answers them (clear / unclear / silent), which
is how the "before" and "after" figures of the sweep were measured.

A row is ``Case(name, expected, pattern, run)``: ``run(ctx)`` must raise ``expected`` with a message
matching ``pattern`` (the argument, file or item at fault). ``ctx`` is a ``Context``. A few bad
inputs have a right answer instead of an error (``k`` larger than the index: capped; a profile's
name where a ``Profile`` was asked for: converted): ``answered(name, run, wrong)`` rows, where
``wrong(result)`` says what is wrong with what ``run`` returned ("" when nothing is).
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
    # set by ``answered``: what is wrong with run's result ("" when nothing); expected is then ()
    wrong: Callable[[object], str] | None = None


def answered(name: str, run: Callable[[Context], object], wrong: Callable[[object], str]) -> Case:
    """A bad input that must get a right result, not an error: ``wrong(run(ctx))`` must be ""."""
    return Case(name, (), "", run, wrong)


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
    # -- losses ------------------------------------------------------------------------------------
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
    # -- fit ---------------------------------------------------------------------------------------
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
    # -- search ------------------------------------------------------------------------------------
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
    # -- data files --------------------------------------------------------------------------------
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
    # -- command line ------------------------------------------------------------------------------
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
    # -- issue 28: data folders -------------------------------------------------------------------
    Case(
        "data_dir holding SentEval's capitalised SNLI/",
        FileNotFoundError,
        r"(?s)no SNLI dev files found in \S+senteval-caps: expected \S+/snli/s1\.dev.*SNLI/",
        lambda c: _sl().data.load_nli("snli", "dev", data_dir=_snli_folder(c, "senteval-caps")),
    ),
    Case(
        "$SBERT_LAB_DATA without the set's files",
        FileNotFoundError,
        r"(?s)no STS-B test files found in \$SBERT_LAB_DATA=\S+: expected "
        r"\S+/stsbenchmark/sts-test\.csv",
        lambda c: _with_env(_sl().data.load_sts, "stsb", "test", SBERT_LAB_DATA=_empty_data(c)),
    ),
    Case(
        "$SBERT_LAB_DATA without SNLI train (hub only)",
        FileNotFoundError,
        r"(?s)no SNLI train files found in \$SBERT_LAB_DATA=.*stanfordnlp/snli.*unset "
        r"\$SBERT_LAB_DATA",
        lambda c: _with_env(
            _sl().data.load_nli, "snli", "train", SBERT_LAB_DATA=_snli_folder(c, "snli-dev", "snli")
        ),
    ),
    Case(
        "load_sts data_dir=123",
        TypeError,
        r"data_dir must be a folder .*got int",
        lambda c: _sl().data.load_sts("stsb", "test", data_dir=123),
    ),
    Case(
        "load_sts data_dir=''",
        ValueError,
        r"data_dir='' names no folder",
        lambda c: _sl().data.load_sts("stsb", "test", data_dir=""),
    ),
    Case(
        "$SBERT_LAB_DATA is not a folder",
        FileNotFoundError,
        r"\$SBERT_LAB_DATA=\S+nowhere is not a folder",
        lambda c: _with_env(
            _sl().data.load_sts, "stsb", "dev", SBERT_LAB_DATA=str(c.scratch / "nowhere")
        ),
    ),
    Case(
        "MultiNLI train-sample with one of its two files",
        FileNotFoundError,
        r"MultiNLI train-sample files in \S+ are incomplete: missing \S*train_sample_b\.jsonl",
        lambda c: _sl().data.load_nli("multinli", "train-sample", data_dir=_half_multinli(c)),
    ),
    Case(
        "data_dir without MRPC",
        FileNotFoundError,
        r"no MRPC train files found in \S+: expected \S+/mrpc/msr_paraphrase_train\.txt",
        lambda c: _sl().course.lesson_data.load_transfer("mrpc", "train", data_dir=_empty_data(c)),
    ),
    Case(
        "sickr from a data_dir with only SICK train",
        FileNotFoundError,
        r"no SICK test files found in \S+: expected \S+/sick/SICK_test_annotated\.txt",
        lambda c: _sl().data.load_sts("sickr", "test", data_dir=_sick_train_only(c)),
    ),
    Case(
        "SNLI folder without labels",
        FileNotFoundError,
        r"SNLI dev files in \S+ are incomplete: missing \S*labels\.dev",
        lambda c: _sl().data.load_nli(
            "snli", "dev", data_dir=_snli_folder(c, "no-labels", "snli", 2)
        ),
    ),
    # -- issue 28: search -------------------------------------------------------------------------
    answered(
        "ann.search k larger than the index",
        lambda c: _sl().course.ann.search(
            _sl().course.ann.exact_index(_unit(20, 4)), _unit(3, 4), 25
        ),
        lambda ids: (
            f"{int((ids < 0).sum())} ids are -1"
            if (ids < 0).any()
            else ("" if ids.shape == (3, 20) else f"shape {ids.shape}, not (3, 20)")
        ),
    ),
    Case(
        "ann.search queries of another dimension",
        ValueError,
        r"queries have 8 dimensions but the index holds 4-dimensional vectors",
        lambda c: _sl().course.ann.search(
            _sl().course.ann.exact_index(_unit(20, 4)), _unit(3, 8), 2
        ),
    ),
    Case(
        "ann index with a NaN row",
        ValueError,
        r"vectors: .*row 1",
        lambda c: _sl().course.ann.exact_index(_unit(5, 4, nan_row=1)),
    ),
    Case(
        "ivfpq_index sub_vectors=0",
        ValueError,
        r"sub_vectors must be an int >= 1",
        lambda c: _sl().course.ann.ivfpq_index(_unit(20, 4), sub_vectors=0),
    ),
    Case(
        "ann.search one query as a 1-D vector",
        ValueError,
        r"queries must be a non-empty 2-D array",
        lambda c: _sl().course.ann.search(
            _sl().course.ann.exact_index(_unit(20, 4)), _unit(1, 4)[0], 2
        ),
    ),
    # -- issue 28: checkpoints --------------------------------------------------------------------
    Case(
        "checkpoint with a truncated trainer_state.pt",
        ValueError,
        r"step-\d+/trainer_state\.pt .*not a whole",
        lambda c: _resume(c, _broken_checkpoint(c, "trainer_state.pt", lambda b: b[: len(b) // 2])),
    ),
    Case(
        "checkpoint with an empty trainer_state.pt",
        ValueError,
        r"step-\d+/trainer_state\.pt is empty",
        lambda c: _resume(c, _broken_checkpoint(c, "trainer_state.pt", lambda b: b"")),
    ),
    Case(
        "checkpoint with a truncated model.safetensors",
        ValueError,
        r"step-\d+/model\.safetensors .*not a whole safetensors file",
        lambda c: _resume(
            c, _broken_checkpoint(c, "model.safetensors", lambda b: b[: len(b) // 2])
        ),
    ),
    Case(
        "checkpoint with a truncated loss.safetensors",
        ValueError,
        r"step-\d+/loss\.safetensors .*not a whole safetensors file",
        lambda c: _resume(c, _broken_checkpoint(c, "loss.safetensors", lambda b: b[:4])),
    ),
    Case(
        "checkpoint trainer_state.pt that runs code",
        ValueError,
        r"trainer_state\.pt: .*refused\. Do not load it with weights_only=False unless",
        lambda c: _resume(c, _broken_checkpoint(c, "trainer_state.pt", lambda b: _code_pickle())),
    ),
    Case(
        "checkpoint trainer_state.pt of another program",
        ValueError,
        r"trainer_state\.pt holds no run fingerprint",
        lambda c: _resume(
            c, _broken_checkpoint(c, "trainer_state.pt", lambda b: _torch_bytes({"step": 3}))
        ),
    ),
    Case(
        "checkpoint 'latest' naming a folder that is gone",
        FileNotFoundError,
        r"latest names \S+step-00000099, which lacks",
        lambda c: _resume(c, _broken_checkpoint(c, "../latest", lambda b: b"step-00000099\n")),
    ),
    Case(
        "corrupt training.json read by training_log",
        ValueError,
        r"nli-stsb/training\.json is not valid JSON .*delete \S+nli-stsb",
        lambda c: _with_runs(
            c, '{"recipe": {"recipe"', lambda p: _recipes().training_log(p, "nli-stsb")
        ),
    ),
    Case(
        "corrupt training.json read by sts_model",
        ValueError,
        r"nli-stsb/training\.json is not valid JSON .*delete \S+nli-stsb",
        lambda c: _with_runs(c, '{"recipe": {"recipe"', lambda p: _recipes().sts_model(p)),
    ),
    Case(
        "training.json without a recipe",
        ValueError,
        r"nli-stsb/training\.json holds no recipe.*delete",
        lambda c: _with_runs(c, "{}", lambda p: _recipes().sts_model(p)),
    ),
    # -- issue 28: losses called directly ---------------------------------------------------------
    Case(
        "TripletLoss given two embeddings",
        ValueError,
        r"TripletLoss takes 3 embeddings \(anchor, positive, negative\), got 2",
        lambda c: _sl().losses.TripletLoss()(_vectors(2), None),
    ),
    Case(
        "SoftmaxLoss label 3",
        ValueError,
        r"labels\[0\] is 3; SoftmaxLoss needs ids in 0\.\.2",
        lambda c: _softmax(c)(_vectors(2), labels=_tensor([3, 0])),
    ),
    Case(
        "CosineMSELoss(score_range=5)",
        TypeError,
        r"score_range must be a pair \(low, high\), got int 5",
        lambda c: _sl().losses.CosineMSELoss(score_range=5),
    ),
    Case(
        "CosineMSELoss given raw 0-5 scores",
        ValueError,
        r"labels\[0\] is 3\.8.*\[0, 1\].*loss\.labels",
        lambda c: _sl().losses.CosineMSELoss((0, 5))(_vectors(2), _tensor([3.8, 0.2])),
    ),
    Case(
        "SoftmaxLoss(64) given 128-dimensional vectors",
        ValueError,
        r"SoftmaxLoss\(dim=64\) cannot read the 128-dimensional",
        lambda c: _sl().losses.SoftmaxLoss(64)(_vectors(2), _tensor([0, 1])),
    ),
    Case(
        "MNRL given one embedding",
        ValueError,
        r"MultipleNegativesRankingLoss takes 2 or more embeddings .*got 1",
        lambda c: _sl().losses.MultipleNegativesRankingLoss()(_vectors(1), None),
    ),
    # -- issue 28: course entry points ------------------------------------------------------------
    answered(
        "lesson.start with a profile name",
        lambda c: _quiet(_sl().course.lesson.start, "99_probe", profile="smoke"),
        lambda lesson: "" if lesson.profile.name == "smoke" else f"profile {lesson.profile!r}",
    ),
    Case(
        "lesson.start profile=42",
        TypeError,
        r"profile must be a Profile or a profile name .*got int",
        lambda c: _quiet(_sl().course.lesson.start, "99_probe", profile=42),
    ),
    answered(
        "recipes.nli_pairs with a profile name",
        lambda c: _recipes().nli_pairs("smoke"),
        lambda pairs: _same(pairs, _recipes().nli_pairs(_smoke())),
    ),
    answered(
        "recipes.sts_pairs with a profile name",
        lambda c: _recipes().sts_pairs("smoke", "train"),
        lambda pairs: _same(pairs, _recipes().sts_pairs(_smoke(), "train")),
    ),
    answered(
        "recipes.nli_triplets with a profile name",
        lambda c: _recipes().nli_triplets("smoke"),
        lambda triplets: _same(triplets, _recipes().nli_triplets(_smoke())),
    ),
    answered(
        "recipes.training_log with a profile name",
        lambda c: _with_runs(
            c,
            '{"recipe": {}, "losses": [1.0]}',
            lambda p: _recipes().training_log("smoke", "nli-stsb"),
        ),
        lambda log: "" if log.get("losses") == [1.0] else f"read {log!r}",
    ),
    Case(
        "lesson.compare measured=None",
        TypeError,
        r"compare\('STS-B test'\): measured must be a number, got None",
        lambda c: _lesson(c).compare("STS-B test", paper=46.35, measured=None),
    ),
    Case(
        "lesson.compare paper='46.35'",
        TypeError,
        r"compare\('STS-B test'\): paper must be a number or None, got str",
        lambda c: _lesson(c).compare("STS-B test", paper="46.35", measured=50.0),
    ),
    answered(
        "lesson.record a numpy number, then save",
        lambda c: _record_and_save(c, np.float32(0.5)),
        lambda saved: "" if saved == 0.5 else f"saved {saved!r}",
    ),
    Case(
        "SBERT_LAB_SCALE=0",
        ValueError,
        r"\$SBERT_LAB_SCALE=0 .*must be in \(0, 1\]",
        lambda c: _with_env(_sl().course.profiles.get_profile, "smoke", SBERT_LAB_SCALE="0"),
    ),
    Case(
        "SBERT_LAB_SCALE=nan",
        ValueError,
        r"\$SBERT_LAB_SCALE=nan .*must be in \(0, 1\]",
        lambda c: _with_env(_sl().course.profiles.get_profile, "smoke", SBERT_LAB_SCALE="nan"),
    ),
    # -- issue 28: inputs that reached a third-party library unchecked ----------------------------
    Case(
        "CrossEncoder.predict(None)",
        TypeError,
        r"pairs must be a list of \(sentence, sentence\) pairs, got NoneType",
        lambda c: _sl().cross_encoder.CrossEncoder(c.saved_cross).predict(None),
    ),
    Case(
        "encode a lone surrogate",
        ValueError,
        r"sentences\[1\] is not encodable UTF-8 text",
        lambda c: c.encoder.encode(["fine", "bad \ud800 text"]),
    ),
    Case(
        "predict a lone surrogate",
        ValueError,
        r"pairs\[0\]\[1\] is not encodable UTF-8 text",
        lambda c: _sl().cross_encoder.CrossEncoder(c.saved_cross).predict([("a", "b \udc80")]),
    ),
    Case(
        "fit an example with a lone surrogate",
        ValueError,
        r"examples\[1\]\[0\] is not encodable UTF-8 text",
        lambda c: _fit(c, examples=[c.sts[0], c.sts[1]._replace(s1="x \ud800")]),
    ),
    Case(
        "fit one NLIPair, not a list",
        TypeError,
        r"examples is one NLIPair: pass a list of examples",
        lambda c: _fit(c, _softmax(c), c.nli[0]),
    ),
    Case(
        "save to /sys/x",
        OSError,
        r"^(?!.*\.tmp).*cannot save a model to /sys/x: ",
        lambda c: c.encoder.save("/sys/x"),
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
    from sbert_lab.cli import build_parser, run_train

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


# -- issue 28's helpers -------------------------------------------------------------------------
SNLI_LINES = {"s1": b"A man sleeps .\nA dog runs .\n", "s2": b"A person rests .\nA cat sits .\n"}


def _folder(ctx: Context, name: str, files: dict[str, bytes]) -> Path:
    """``ctx.scratch/name`` holding ``files`` (relative path: content)."""
    folder = ctx.scratch / name
    for relative, content in files.items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_bytes(content)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _snli_folder(ctx: Context, name: str, sub: str = "SNLI", files: int = 3) -> Path:
    """SentEval's SNLI dev files (the first ``files`` of s1, s2, labels) in ``name/sub/``."""
    contents = {**SNLI_LINES, "labels": b"entailment\ncontradiction\n"}
    return _folder(
        ctx, name, {f"{sub}/{key}.dev": text for key, text in list(contents.items())[:files]}
    )


def _empty_data(ctx: Context) -> Path:
    return _folder(ctx, "empty-data", {})


def _half_multinli(ctx: Context) -> Path:
    row = b'[{"sentence1": "A.", "sentence2": "B.", "gold_label": "neutral"}]'
    return _folder(ctx, "half-multinli", {"multinli/train_sample_a.json": row})


def _sick_train_only(ctx: Context) -> Path:
    header = b"pair_ID\tsentence_A\tsentence_B\trelatedness_score\tentailment_judgment\n"
    row = b"1\tA man sleeps.\tA man rests.\t4.5\tENTAILMENT\n"
    return _folder(ctx, "sick-train-only", {"sick/SICK_train.txt": header + row})


def _with_env(function: Callable, *args, **env: str | None):
    """``function(*args)`` with the environment variables ``env`` set (None: unset), then
    restored."""
    import os

    before = {name: os.environ.get(name) for name in env}
    try:
        for name, value in env.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(
                name, str(value)
            )
        return function(*args)
    finally:
        for name, value in before.items():
            os.environ.pop(name, None) if value is None else os.environ.__setitem__(name, value)


def _unit(n: int, d: int, nan_row: int | None = None) -> np.ndarray:
    rows = np.random.default_rng(n * d).standard_normal((n, d)).astype(np.float32)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    if nan_row is not None:
        rows[nan_row] = np.nan
    return rows


def _vectors(count: int, dim: int = 128):
    import torch

    generator = torch.Generator().manual_seed(0)
    return [torch.randn(2, dim, generator=generator) for _ in range(count)]


def _tensor(values):
    import torch

    return torch.tensor(values)


def _recipes():
    return _sl().course.recipes


def _smoke():
    return _sl().course.profiles.get_profile("smoke")


def _same(items: list, expected: list) -> str:
    """Nothing wrong ("") when ``items`` (from a profile's name) are those from its Profile."""
    if items and items == expected:
        return ""
    return f"{len(items)} items, not the {len(expected)} of the Profile"


def _quiet(function: Callable, *args, **kwargs):
    with contextlib.redirect_stdout(io.StringIO()):
        return function(*args, **kwargs)


def _checkpoint_fit(ctx: Context, folder: Path, resume: bool = False):
    """One step of CosineMSELoss on ``ctx.sts`` from a fresh copy of the saved encoder."""
    sl = _sl()
    encoder = sl.SentenceEncoder(ctx.saved, device="cpu", precision="fp32")
    return _quiet(
        sl.train.fit,
        encoder,
        sl.losses.CosineMSELoss((0, 5)),
        ctx.sts,
        batch_size=4,
        checkpoint_dir=folder,
        resume=resume,
        progress=False,
    )


def _broken_checkpoint(ctx: Context, name: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of a whole checkpoint folder whose newest step's file ``name`` is changed."""
    if not (ctx.scratch / "checkpoint").is_dir():
        _checkpoint_fit(ctx, ctx.scratch / "checkpoint")
    ctx._copies += 1
    root = ctx.scratch / f"checkpoint-{ctx._copies}"
    shutil.copytree(ctx.scratch / "checkpoint", root)
    path = (root / (root / "latest").read_text().strip() / name).resolve()
    path.write_bytes(change(path.read_bytes()))
    return root


def _resume(ctx: Context, root: Path):
    return _checkpoint_fit(ctx, root, resume=True)


def _torch_bytes(obj) -> bytes:
    import torch

    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


def _code_pickle() -> bytes:
    return _torch_bytes({"step": 1, "fingerprint": _RunsCode()})


def _with_runs(ctx: Context, content: str, use: Callable):
    """``use(smoke profile)`` with ``$SBERT_LAB_RUNS`` a new folder whose
    ``smoke/nli-stsb/training.json`` holds ``content``."""
    ctx._copies += 1
    runs = _folder(ctx, f"runs-{ctx._copies}", {"smoke/nli-stsb/training.json": content.encode()})

    def call():
        return use(_sl().course.profiles.get_profile("smoke"))

    return _with_env(call, SBERT_LAB_RUNS=str(runs))


def _lesson(ctx: Context):
    course = _sl().course
    return course.lesson.Lesson("99_probe", course.profiles.get_profile("smoke"))


def _record_and_save(ctx: Context, value):
    """The value ``record`` kept, as ``save`` wrote it to results/99_probe.json."""
    import json

    lesson = _lesson(ctx)
    lesson.record("probe", value)
    path = _with_env(lambda: _quiet(lesson.save), SBERT_LAB_RESULTS=str(ctx.scratch / "results"))
    return json.loads(path.read_text())["rows"][0]["measured"]


__all__ = ["CASES", "Case", "answered", "Context", "TRUNCATIONS"]
