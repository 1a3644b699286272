"""Each lesson's claim, asserted on what the lesson measured: results/<lesson>.json of the nbval
run.

The notebooks run first (``conftest.py`` moves these tests after every notebook), under the
``offline`` profile in CI: the project's own MLM-pretrained small BERT, the real STS-B / SNLI / SICK
files shipped in the package, fixed seeds on the CPU, so the figures are the same on every run.
A claim holds when the measured figures point the paper's way by at least the margin set here; each
margin is below the figure measured offline (given beside it), so that a change that stops a lesson
from teaching — a lost gradient, a pooling bug that does not crash — fails here.

``NOT_ASSERTED`` lists the claims an offline run cannot show, and why.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from sbert_lab.course.lesson import results_dir

pytestmark = pytest.mark.claims

# Claims the offline profile cannot show, with the reason (each holds on the gpu profile).
NOT_ASSERTED = {
    "03: NLI fine-tuning lifts STS-B (paper 46.35 -> 77.03)": (
        "offline trains on 6,000 NLI pairs (of SNLI dev + SICK train) instead of AllNLI's 942k; "
        "measured: STS-B test 31.46 -> 33.77 (32.92 -> 34.09 with the 1,000-step stage-2 model; "
        "14,342 pairs gave 36.06 -> 34.37 with the stage-1 model)"
    ),
    "03: (u, v, |u-v|) gives the best STS-B dev after NLI (Table 6)": (
        "the ablation runs train on 1,200 pairs each (75 steps, to keep lesson 3 near 3 minutes); "
        "STS-B dev then lies within 2.6 points: measured 51.01 for (u, v, |u-v|), 50.35 (|u-v|), "
        "50.23 (u, v), 48.46 with u*v -- the paper's order, but the 1,000-step model gave another "
        "within a point (50.84, 50.27, 50.36, 49.98)"
    ),
    "03: (u, v) trails (u, v, |u-v|) on NLI accuracy": (
        "75 steps per run leave every classifier near its start: measured 40.77 % (u, v) against "
        "41.50 % (u, v, |u-v|), a gap below one standard error on 3,000 pairs (lesson 3 prints "
        "both); 135 steps per run (an earlier offline size) gave 44.62 vs 45.49. That each run "
        "beats the majority label is asserted"
    ),
    "04: pooling ablation order MEAN > CLS > MAX (Table 6)": (
        "not stable in direction across pretraining checkpoints; the shipped model gives the "
        "paper's order after regression (STS-B dev 63.64 > 56.05 > 52.48) and MEAN > MAX > CLS "
        "after NLI (51.01, 50.50, 47.87)"
    ),
    "05: triplet accuracy 80.78 on Wikipedia sections (Table 4)": (
        "no offline copy of WikiSec; lesson 5 evaluates on NLI triplets instead and says so"
    ),
    "06: absolute timings (65 h vs 5 s on a V100)": (
        "hardware-dependent; the 10,000-sentence speed-up (thousands-fold either way) is asserted"
    ),
    "06: a cross-encoder pass costs more than a bi-encoder pass (paper 9.4x)": (
        "on 2 CPU cores with a 4-layer model per-batch costs dominate: measured 1.0x, 1.4x, 1.1x "
        "in three runs"
    ),
    "06: smart batching speeds encoding up (Table 7: +89 % on CPU)": (
        "measured +10 %, +8 %, -4 % in three runs (fixed per-batch costs, shared cores); the "
        "padding it removes is asserted instead"
    ),
    "01: 7-task averages of Table 1": ("STS12-16 are hub only; offline measures STS-B and SICK-R"),
    "10: SBERT-NLI has the best average of Table 5 (87.41 vs 84.66 [CLS], 81.52 GloVe)": (
        "offline only MRPC (with $SBERT_LAB_DATA) and SICK-E can be loaded, the NLI model trained "
        "on SICK train (so SICK-E is no transfer test for it), and on MRPC the encoders lie within"
        " ~3 points (measured 69.7-72.4)"
    ),
    "07: NLI fine-tuning puts entailed hypotheses closer than contradicting ones": (
        "6,000 NLI pairs offline: measured -0.016 for SBERT-NLI against 0.024 for raw BERT (the "
        "reference: 0.326, asserted); 14,342 pairs with the stage-1 model had moved it the right "
        "way"
    ),
    "07: NLI fine-tuning groups sentences by topic (5-NN topic purity rises)": (
        "6,000 NLI pairs move the space (random-pair cosine 0.628 -> 0.466, asserted) but not its "
        "topics: 5-NN topic purity 0.35 (raw) vs 0.34 (SBERT-NLI, yours); the trained reference's "
        "0.76 is asserted"
    ),
    "10: raw BERT's [CLS] vector beats the majority class on MRPC (paper 71.13 vs 66.5)": (
        "the shipped model's [CLS] was trained for next-sentence prediction for 1,800 steps only: "
        "67.83 against a majority of 66.49 (66.84 after 1,000 steps; the stage-1 model's [CLS]: "
        "69.68); on SICK-E it is asserted (71.45 vs 57.50)"
    ),
    "04: the cross-encoder beats the bi-encoder (Table 2)": (
        "offline the cross-encoder starts from the small raw BERT and learns little: 22.88 against"
        " the bi-encoder's 58.19 on lesson 4's 3,000 pairs; with all 5,749 pairs 26.39 against "
        "60.45 (tools/raw_bert_report.py on the shipped 1,800-step model; 26.38 vs 60.21 after "
        "1,000 steps of stage 2), 30.84 after four epochs (a stage-2 checkpoint at 600 steps); "
        "stage 1 alone gave 25.17. Lesson 4 says so, and lesson 8 re-ranks with a MiniLM "
        "cross-encoder"
    ),
}


NSP_MARGIN = 0.02  # shipped model: 0.831 vs 0.779 (0.777 vs 0.727 at 1,000 steps of stage 2)


def rows(lesson: str) -> dict[str, float]:
    """``what -> measured`` of results/<lesson>.json, written by this session's run of the
    lesson."""
    path = results_dir() / f"{lesson}.json"
    if not path.is_file():
        pytest.fail(f"{path} is missing: run the lesson first (pytest notebooks/{lesson}.ipynb)")
    started = float(os.environ.get("SBERT_LAB_SESSION_STARTED", "0"))
    if os.environ.get("SBERT_LAB_NOTEBOOKS_RAN") and path.stat().st_mtime < started:
        pytest.fail(f"{path} was not written by this test session's run of the notebook")
    payload = json.loads(path.read_text())
    if payload["profile"] != "offline":
        pytest.skip(
            f"{path} comes from the {payload['profile']} profile; the margins here are the offline "
            "profile's"
        )
    return {row["what"]: row["measured"] for row in payload["rows"]}


def test_00_mlm_pretraining_learns_to_fill_in_words():
    r = rows("00_where_raw_bert_comes_from")
    assert (
        r["MLM loss on STS-B dev sentences, pre-trained"]
        < r["MLM loss on STS-B dev sentences, untrained"] - 2
    )
    assert r["masked-word accuracy %, pre-trained"] > r["masked-word accuracy %, untrained"] + 5
    assert (
        r["live pre-training: loss, last 20 steps"]
        < r["live pre-training: loss, first 20 steps"] - 2
    )
    # next-sentence prediction learnt, if only in part: STS-B dev paraphrases "follow" more than
    # random pairs
    assert (
        r["P(B follows A), STS-B dev similar pairs"]
        > r["P(B follows A), STS-B dev random pairs"] + NSP_MARGIN
    )


def test_01_raw_bert_is_not_a_sentence_encoder():
    r = rows("01_raw_bert_fails")
    cls, mean, glove = (
        r[f"STS-B test, {m}"] for m in ("raw BERT [CLS]", "raw BERT mean", "averaged GloVe")
    )
    assert mean < glove - 1, "Table 1: averaged GloVe beats mean-pooled raw BERT"  # 31.46 < 39.44
    # Table 1's order, [CLS] < mean: 28.93 < 31.46 after 1,800 steps of stage 2 (level, 33.18 vs
    # 32.92, after 1,000; reversed, 41.47 > 36.06, after stage 1 alone)
    assert cls < mean - 1, "Table 1: [CLS] ranks STS-B pairs worse than mean pooling"
    # Table 1, SICK-R: [CLS] 42.63 < mean 58.40; offline 41.12 < 47.72 (3,000 pairs of SICK-R test)
    assert r["sickr test, BERT [CLS]"] < r["sickr test, BERT mean"] - 2
    assert r["random-pair cosine, raw BERT mean"] >= 0.5, "raw BERT's space is anisotropic"
    assert r["random-pair cosine, trained reference"] <= 0.2
    assert r["STS-B test, trained reference model"] > glove + 20
    # measured 87.5 vs 58.3 (stage-2 model); 30+ points with the stage-1 model
    assert (
        r["same-topic neighbour (%), trained reference"]
        > r["same-topic neighbour (%), raw BERT mean"] + 20
    )
    # a network that never learnt anything ranks STS pairs better than masked-word pretraining does
    assert r["STS-B test, untrained BERT mean"] > mean + 5


def test_03_the_nli_classifier_learns_and_needs_the_difference_vector():
    r = rows("03_nli_finetuning")
    assert (
        r["NLI accuracy of the classifier, %"]
        > r["NLI accuracy of always the majority label, %"] + 10
    )
    # each ablation run learns its classifier (measured 40.2-40.7 against a majority label of 33.6)
    for features in ("u, v", "|u-v|", "u, v, |u-v|", "u, v, |u-v|, u*v"):
        assert (
            r[f"NLI accuracy, ({features}), %"]
            > r["NLI accuracy of always the majority label, %"] + 4
        )


def test_04_regression_lifts_sts_by_20_points_over_raw_bert():
    r = rows("04_sts_regression_and_cross_encoder")
    raw = rows("01_raw_bert_fails")["STS-B test, raw BERT mean"]
    assert r["STS-B test, SBERT-STSb (raw BERT → STS-B)"] > raw + 20  # 58.19 vs 31.46 (3,000 pairs)
    assert r["STS-B test, SBERT-NLI-STSb (after)"] > raw + 15  # 55.76
    assert (
        r["STS-B test, BERT-STSb cross-encoder"] > 10
    )  # it learns something (22.88; see NOT_ASSERTED)


def test_05_triplet_training_raises_triplet_accuracy():
    r = rows("05_triplets_and_in_batch_negatives")
    raw = r["triplet accuracy %, raw (NLI held-out)"]
    assert r["triplet accuracy %, TripletLoss (NLI held-out)"] > raw + 3
    assert r["triplet accuracy %, MNRL (not in paper)"] > raw + 3


def test_06_the_number_of_passes_not_their_price_and_sorting_removes_padding():
    r = rows("06_cost_bi_vs_cross")
    assert r["10,000 sentences: speed-up of the bi-encoder, ×"] > 1000  # 4,692 / 6,618 / 5,477
    # deterministic: the padding that smart batching removes (timings: see NOT_ASSERTED)
    sorted_, unsorted = (
        r[f"token positions per real token, {k}"] for k in ("smart batching", "input order")
    )
    assert sorted_ < 1.1 and unsorted > sorted_ + 0.2


def test_07_fine_tuning_spreads_the_space_and_groups_topics():
    r = rows("07_embedding_geometry")
    assert (
        r["mean cosine of random pairs, raw BERT"]
        > r["mean cosine of random pairs, SBERT-NLI (yours)"] + 0.1
    )
    # a trained sentence encoder's 5 nearest neighbours share a sentence's topic (0.76 vs 0.35)
    assert r["5-NN topic purity, reference SBERT"] > r["5-NN topic purity, raw BERT"] + 0.2
    # the trained reference puts entailed hypotheses far closer than contradicting ones (0.326)
    assert (
        r["entailment − contradiction cosine, reference SBERT"]
        > r["entailment − contradiction cosine, raw BERT"] + 0.2
    )


def test_08_reranking_with_a_trained_cross_encoder_does_not_lower_recall():
    r = rows("08_semantic_search_and_rerank")
    for k in (1, 3):
        retrieved = r[f"recall@{k}, STS-B ≥ 4.5, bi-encoder"]
        assert r[f"recall@{k}, STS-B ≥ 4.5, re-ranked"] >= retrieved - 0.02, (
            f"re-ranking lowered recall@{k}"
        )
    # re-ranking permutes the top 10: recall@10 cannot move
    assert r["recall@10, STS-B ≥ 4.5, re-ranked"] == r["recall@10, STS-B ≥ 4.5, bi-encoder"]


def test_09_an_hnsw_index_keeps_recall_and_beats_brute_force():
    r = rows("09_search_at_scale")
    largest = max(int(n) for n in r["HNSW recall@10 at each size"])
    assert min(r["HNSW recall@10 at each size"].values()) >= 0.95  # measured offline: 0.97-1.00
    assert r[f"recall@10 vs exact, exact, n = {largest:,}"] == 1.0
    # one core, 100,000 vectors: measured 15-30x; a graph that read every vector would be ~1x
    assert r["latency ratio exact / HNSW at the largest size"] >= 3
    # product quantisation: 48 codes + id + lists vs 1,536 bytes of fp32 (measured 91)
    assert r["bytes per vector, IVF-PQ"] < 0.1 * r["bytes per vector, exact"]


def test_10_frozen_vectors_transfer_beyond_the_majority_class():
    r = rows("10_transfer_senteval")
    majority = r["majority class %"]
    assert "sick-e" in majority  # shipped: every run has it; MRPC only with $SBERT_LAB_DATA
    for task, floor in majority.items():
        for encoder in (
            "averaged GloVe",
            "raw BERT, cls",
            "raw BERT, mean",
            "SBERT-NLI (yours)",
            "reference (MiniLM)",
        ):
            if (task, encoder) == ("mrpc", "raw BERT, cls"):
                continue  # see NOT_ASSERTED
            # measured offline: +3.4 (MRPC, raw mean) to +24.9 (SICK-E, MiniLM) points over the
            # majority
            assert r[f"{task}, {encoder}"] > floor + 1.5, (
                f"{encoder} does not beat the majority class on {task}"
            )
    # a trained sentence encoder's vectors hold more of SICK-E than averaged word vectors (82.35 vs
    # 72.80)
    assert r["sick-e, reference (MiniLM)"] > r["sick-e, averaged GloVe"] + 5


def test_claims_not_asserted_offline_are_listed_with_a_reason():
    assert all(reason.strip() for reason in NOT_ASSERTED.values())
    lessons = re.findall(r"^def test_(\d\d)_", Path(__file__).read_text(), flags=re.MULTILINE)
    assert lessons == [
        "00",
        "01",
        "03",
        "04",
        "05",
        "06",
        "07",
        "08",
        "09",
        "10",
    ]  # every lesson but 02
