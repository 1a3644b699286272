# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 0 — Where raw BERT comes from: masked-word pre-training
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/00_where_raw_bert_comes_from.ipynb)
#
# Sentence-BERT does not start from nothing: it fine-tunes **raw BERT**, a network that was
# pre-trained mainly on one task — fill in words that were hidden from it — with a second, smaller
# one beside it (does sentence B follow sentence A?, section 4). This short lesson shows those
# tasks, what a network learns from them, and what it does *not* learn, which is where lesson 1
# begins.
#
# **You will be able to**
# - explain BERT's masked-language-model (MLM) objective: hide 15 % of the word pieces, predict
#   them;
# - read a pre-trained BERT's guesses for a masked word, beside an untrained network's;
# - watch a few hundred steps of pre-training lower the loss, and read a long run's loss curve;
# - say why nothing in this objective makes the *cosine of two sentence vectors* meaningful.
#
# **Paper:** SBERT, Section 3 starts every model from pre-trained BERT (Devlin et al. 2019, whose
# Section 3.1 defines the MLM task). On a machine without the hub the workbook uses a small BERT
# that this project pre-trained itself with these two objectives (`sbert_lab/course/mlm.py`); its
# model card is `sbert_lab/offline_models/raw-bert-L4-H256/README.md`.

# %%
# Setup: on Google Colab, install this workbook's package (about a minute);
# elsewhere it is installed already.
import subprocess
import sys

# Colab gives every notebook a fresh machine: keep the models lessons train in your Google Drive
# (Colab asks for permission once), so that later lessons load them instead of training them again.
KEEP_MODELS_IN_DRIVE = True

if "google.colab" in sys.modules:
    package = "sbert-lab[colab] @ git+https://github.com/sbert-lab/sbert-lab"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)

import sbert_lab as sl
from sbert_lab import course

lesson = course.lesson.start(
    "00_where_raw_bert_comes_from",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %% [markdown]
# ## 1 · The task: fill in the blanks
#
# Take a sentence, split it into word pieces, and hide 15 % of them. Of the hidden positions, 80 %
# become the token `[MASK]`, 10 % a random word piece, and 10 % stay as they were (so that the
# network cannot learn "only `[MASK]` needs a guess"). The network reads the whole corrupted
# sentence — both directions at once — and must name the original piece at every hidden position:
#
# ```
# ids (B, T) --mask 15 %--> ids' (B, T) --BERT--> hidden (B, T, H)
#            --keep the M hidden positions--> (M, H)
#            --MLM head (H -> V = 30,522 word pieces)--> logits (M, V)
#            --cross-entropy against the original pieces
# ```
#
# `course.mlm.mask_tokens` does the hiding; here it is on one batch of sentences.

# %%
import json
import math

import matplotlib.pyplot as plt
import numpy as np
import torch
from transformers import AutoModelForMaskedLM, AutoTokenizer

profile = lesson.profile
tokenizer = AutoTokenizer.from_pretrained(sl.model_sources.resolve_model(profile.raw_model))
sentences = [
    "A man is playing a guitar on the stage.",
    "Two dogs are running through a snowy field.",
]
ids, attention = course.mlm.pad_batch(
    course.mlm.tokenize_corpus(sentences, tokenizer, max_tokens=64),
    np.arange(len(sentences)),
    tokenizer,
)
corrupted, targets = course.mlm.mask_tokens(
    ids, attention, len(tokenizer), tokenizer.mask_token_id, torch.Generator().manual_seed(3)
)
for row in range(len(sentences)):
    print(
        "input :", " ".join(tokenizer.convert_ids_to_tokens(corrupted[row][attention[row].bool()]))
    )
    hidden = [tokenizer.convert_ids_to_tokens(int(t)) for t in targets[row] if t != -100]
    print("answer:", hidden, "\n")

# %% [markdown]
# ## 2 · What a pre-trained BERT guesses
#
# The profile's raw BERT (`profile.raw_model`) still has its MLM head. Ask it for the hidden word of
# a few sentences, and ask the same question of an untrained network of the same shape: its guesses
# show what "knowing nothing" looks like.

# %%
raw = AutoModelForMaskedLM.from_pretrained(
    sl.model_sources.resolve_model(profile.raw_model), dtype=torch.float32
)
torch.manual_seed(0)
untrained = AutoModelForMaskedLM.from_config(raw.config)  # same architecture, random weights
questions = [
    "The cat sat on the [MASK].",
    "She poured a cup of [MASK].",
    "He plays the [MASK] in a band.",
    "The [MASK] is shining and the sky is blue.",
]
for question in questions:
    for name, model in (("pre-trained", raw), ("untrained", untrained)):
        guesses = course.mlm.predict_masked(model, tokenizer, question, top_k=4)[0]
        shown = ", ".join(f"{word} {p:.2f}" for word, p in guesses)
        print(f"{question:<44} {name:>11}: {shown}")
    print()

# %% [markdown]
# ## 3 · Measured: the loss and the masked-word accuracy
#
# On held-out sentences (STS-B dev, which the offline model never saw), the MLM loss and the share
# of hidden pieces guessed right. A network that knows nothing pays about ln 30,522 ≈ 10.3 per
# guess.

# %%
held_out = sl.data.load_sts("stsb", "dev", profile.data_dir)
held_out = course.profiles.subset(
    list(dict.fromkeys(s for p in held_out for s in (p.s1, p.s2))), 600
)
held_corpus = course.mlm.tokenize_corpus(held_out, tokenizer, max_tokens=64)
scores = {
    name: course.mlm.evaluate_mlm(model, held_corpus, tokenizer)
    for name, model in (("pre-trained", raw), ("untrained", untrained))
}
for name, score in scores.items():
    lesson.compare(f"MLM loss on STS-B dev sentences, {name}", paper=None, measured=score["loss"])
    lesson.compare(
        f"masked-word accuracy %, {name}", paper=None, measured=100 * score["accuracy"], digits=1
    )
print(f"uniform guessing: loss ln {len(tokenizer):,} = {math.log(len(tokenizer)):.2f}")

# %% [markdown]
# ## 4 · The second task: does B follow A?
#
# BERT was pre-trained on a second task at the same time (Devlin et al., Section 3.1, task 2). The
# input is two segments, `[CLS] A [SEP] B [SEP]`, each piece tagged with its segment (0 for A, 1 for
# B); half of the time B is the sentence that followed A in the text, half of the time a random one,
# and a small classifier on the output vector of `[CLS]` must say which. That is the only job
# `[CLS]` ever had: remember it in lesson 1, where `[CLS]` is read as a sentence vector. (The
# offline model learnt this task in a second stage, on pairs of consecutive lines of its corpus: see
# its model card.)
#
# Below: the pre-trained head's probability that B follows A, for STS-B dev pairs that people scored
# 4 or more (two sentences about the same thing), and for the same sentences paired at random.

# %%
from transformers import BertForPreTraining

with sl.model_sources.quiet_transformers():
    with_next_head, loading = BertForPreTraining.from_pretrained(
        sl.model_sources.resolve_model(profile.raw_model),
        dtype=torch.float32,
        output_loading_info=True,
    )
has_next_head = not any("seq_relationship" in key for key in loading["missing_keys"])
similar = [(p.s1, p.s2) for p in sl.data.load_sts("stsb", "dev", profile.data_dir) if p.score >= 4][
    :300
]
shuffled = [(a, b) for (a, _), (_, b) in zip(similar, similar[1:] + similar[:1], strict=True)]
follows = {
    name: course.mlm.next_sentence_probability(with_next_head, tokenizer, pairs).mean()
    for name, pairs in (("similar pairs", similar), ("random pairs", shuffled))
}
for name, probability in follows.items():
    lesson.compare(f"P(B follows A), STS-B dev {name}", paper=None, measured=probability, digits=3)
if not has_next_head:
    print(
        f"{profile.raw_model} was saved without its next-sentence head: these come from a random "
        "classifier"
    )

# %%
gap = follows["similar pairs"] - follows["random pairs"]
print(f"the head gives similar pairs {gap:+.3f} more probability of following than random pairs")

# %% [markdown]
# A fully pre-trained BERT answers this task almost always right (Devlin et al. report 97–98 % on
# held-out pairs) and should put the two groups far apart. The offline model learnt it only in part
# (next-sentence accuracy on its training pairs: see `stages` in its card, printed in section 6), on
# dictionary lines whose "next line" is a loose relation, so its two probabilities lie close
# together. Either way the head compares two sentences *inside* the network, with attention across
# both; a cross-encoder (lesson 4) is built the same way. What neither task asks for is a vector per
# sentence whose *cosine* to another one means anything.

# %% [markdown]
# ## 5 · Pre-training, live
#
# A few hundred steps of the same objective from random weights, on the training sentences of STS-B
# and SICK that ship with the package: a 2-layer, 128-wide BERT (half the offline model's depth and
# half its width, so that it runs in about a minute anywhere). `course.mlm.pretrain` is the loop
# that trained the offline model: masked positions only through the head, AdamW with warm-up, a
# checkpoint every `checkpoint_every` steps, and a resume that continues exactly where a stopped run
# was.

# %%
import tempfile

train_sentences = [
    s
    for name in ("stsb", "sick")
    for p in sl.data.load_sts(name, "train", profile.data_dir)
    for s in (p.s1, p.s2)
]
train_corpus = course.mlm.tokenize_corpus(
    list(dict.fromkeys(train_sentences)), tokenizer, max_tokens=48
)
live = course.mlm.PretrainSettings(
    hidden=128,
    layers=2,
    heads=2,
    max_tokens=48,
    batch_size=64,
    lr=1e-3,
    warmup_steps=20,
    total_steps=profile.mlm_live_steps,
    seed=0,
)
print(
    f"{len(train_corpus):,} lines, {len(train_corpus.ids):,} word pieces; {live.total_steps} "
    f"steps of {live.batch_size} lines"
)

# %%
# NBVAL_IGNORE_OUTPUT
run_folder = tempfile.mkdtemp(prefix="mlm-live-")
small = course.mlm.pretrain(run_folder, train_corpus, tokenizer, live, checkpoint_every=100)
log = course.mlm.read_log(run_folder)

# %%
first, last = (float(np.mean([row["loss"] for row in part])) for part in (log[:20], log[-20:]))
lesson.compare("live pre-training: loss, first 20 steps", paper=None, measured=first)
lesson.compare("live pre-training: loss, last 20 steps", paper=None, measured=last)

# %% [markdown]
# ## 6 · The long run behind the offline model
#
# The offline model is this loop at full size (4 layers, 256 wide) on 9 M word pieces of English
# that install without a network — WordNet's glosses, the GCIDE dictionary, fortune cookies — plus
# the training sentences above, for thousands of steps on two CPU cores: first single lines with the
# masked-word task only, then (stage 2, the dashed line) pairs of lines with both tasks. Its log
# ships with it:

# %%
card_folder = sl.model_sources.RAW_BERT_DIR
card = json.loads((card_folder / "training.json").read_text())
curve = json.loads((card_folder / "loss_curve.json").read_text())["rows"]
print(
    {
        key: card[key]
        for key in ("steps", "tokens_seen", "wall_hours", "held_out_loss", "held_out_accuracy")
    }
)
for number, stage in enumerate(card["stages"], start=1):
    task = "masked words + next sentence" if stage["settings"].get("pairs") else "masked words"
    next_accuracy = stage.get("train_next_sentence_accuracy_last_200_steps")
    print(
        f"stage {number}: {task}, {stage['steps']:,} steps, MLM loss "
        f"{stage['train_loss_last_200_steps']}"
        + (f", next-sentence accuracy {next_accuracy}" if next_accuracy is not None else "")
    )

fig, axes = plt.subplots(1, 2, figsize=(11, 3.6))
axes[0].plot([row["step"] for row in log], [row["loss"] for row in log], alpha=0.6)
axes[0].set(title="live: 2 layers, 128 wide", xlabel="step", ylabel="MLM loss")
axes[1].plot([r[0] for r in curve], [r[1] for r in curve], color="tab:orange", alpha=0.7)
axes[1].set(title=f"offline model: 4 layers, 256 wide ({card['steps']:,} steps)", xlabel="step")
for stage_end in np.cumsum(
    [stage["steps"] for stage in card["stages"][:-1]]
):  # where a stage ended
    axes[1].axvline(stage_end, color="tab:orange", linestyle="--", linewidth=1)
for ax in axes:
    ax.axhline(
        math.log(len(tokenizer)),
        color="#9e9e9e",
        linestyle="--",
        linewidth=1,
        label="uniform guess",
    )
axes[0].legend()
plt.tight_layout()
plt.show()

# %% [markdown]
# ## 7 · Exercise: masked-word accuracy by hand
#
# Given the head's `logits` (M, V) at the hidden positions and the full `targets` (B, T) — the
# original id where a piece was hidden, −100 elsewhere — return the share of hidden pieces whose
# highest-scoring word piece is the original. (`course.mlm.masked_lm_loss` returns the same number.)


# %% tags=["solution"]
def masked_accuracy(logits, targets):
    """Share of hidden positions (targets != -100) where the argmax of logits is the original id."""
    gold = targets[targets != -100]
    return float((logits.argmax(-1) == gold).float().mean())


# %%
# the pre-trained BERT of section 2, loaded again from its folder
with sl.model_sources.quiet_transformers():
    raw = AutoModelForMaskedLM.from_pretrained(
        sl.model_sources.resolve_model(profile.raw_model), dtype=torch.float32
    )
with torch.no_grad():
    hidden_states = raw.bert(input_ids=corrupted, attention_mask=attention).last_hidden_state
    check_logits = raw.cls(hidden_states[targets != -100])
    _, library_accuracy = course.mlm.masked_lm_loss(raw, corrupted, attention, targets)
course.lesson.check(
    abs(masked_accuracy(check_logits, targets) - library_accuracy.item()) < 1e-6,
    f"masked_accuracy gives {masked_accuracy(check_logits, targets)}, the library "
    f"{library_accuracy.item()}",
    hint="keep only the positions where targets != -100, then compare logits.argmax(-1) with them",
)

# %%
results_file = lesson.save()

# %% [markdown]
# ## Summary
#
# - Raw BERT is a masked-word predictor: hide 15 % of the pieces (80 % `[MASK]`, 10 % random, 10 %
#   unchanged), predict them from both sides, cross-entropy over 30,522 pieces.
# - It learns a lot about words and their contexts: its guesses are real words of the right kind
#   (nouns where a noun belongs), though rarely the right one; its loss falls far below a uniform
#   guess, and a few hundred steps already show the descent.
# - Its second task, next-sentence prediction, compares two sentences *inside* the network and
#   trains `[CLS]` for that classifier only.
# - Nothing in either task asks for one vector per sentence whose cosine means anything. Lesson 1
#   shows the consequence: vectors read off this network rank sentence pairs poorly, offline below
#   averaged GloVe vectors and below an untrained network of the same shape. They also point into
#   one cone (random pairs far above cosine 0), but lesson 1 shows that this is a symptom, not the
#   cause: offline, the untrained network's cone is narrower still, and it ranks pairs better.

# %% [markdown]
# ## Check your understanding
#
# **1.** Why does the loss count only the hidden positions, and why do 10 % of them stay as they
# were instead of all becoming `[MASK]`?
#
# <details><summary>Answer</summary>
#
# At a position that was not hidden the answer is in the input, and a network that reads the whole
# sentence could score there by copying it: the loss would reward a trivial task. If every hidden
# piece became `[MASK]`, the network could learn that only `[MASK]` needs a guess, and build useful
# vectors at that token alone, which never occurs once the model is used. With 10 % random and 10 %
# unchanged pieces among the hidden ones, any position may be a question, so every position must
# carry what its word means in context. Shown in section 1, 'The task: fill in the blanks'.
#
# </details>
#
# **2.** The pre-trained model's loss is far below the untrained network's and its masked-word
# accuracy far above. Why does that not make its sentence vectors good?
#
# <details><summary>Answer</summary>
#
# The loss is scored one hidden position at a time, through the MLM head: it rewards a vector per
# position from which the missing piece can be read, and never looks at one vector for a whole
# sentence, let alone at the cosine of two. Nothing pulls together the vectors of two sentences that
# mean the same, or pushes apart those of unrelated ones. Lesson 1 measures the consequence: on the
# offline profile, mean-pooled vectors of this very model rank STS-B pairs below averaged GloVe
# vectors, and below an untrained network of the same shape. Shown in section 3, 'Measured: the loss
# and the masked-word accuracy', beside lesson 1's sections 2 and 3.
#
# </details>
#
# **3.** The next-sentence head compares two sentences. Why does that still not give a vector per
# sentence whose cosine means anything?
#
# <details><summary>Answer</summary>
#
# The head never sees one sentence alone: it reads the `[CLS]` vector of the joint input
# `[CLS] A [SEP] B [SEP]`, in which attention has already mixed the two sentences, and a small
# classifier turns it into one probability. The comparison happens inside the network, so what comes
# out belongs to the pair; the classifier needs from `[CLS]` only what separates 'follows' from
# 'random', while a cosine weighs every feature alike. A cross-encoder (lesson 4) is built the same
# way, and for the same reason must run again for every new pair. Shown in section 4, 'The second
# task: does B follow A?'.
#
# </details>
#
# **4.** Why are the loss and the accuracy of section 3 measured on STS-B dev sentences, and not on
# sentences the model was trained on?
#
# <details><summary>Answer</summary>
#
# The offline model saw the training sentences of STS-B and SICK (section 6), and a network can
# partly memorise what it has read: a low loss on those lines would measure memory as much as
# knowledge of English. Held-out sentences ask what the objective is meant to teach, filling in
# words in text never seen before. The untrained network is scored on the same sentences, so the two
# figures differ only by the training. Shown in section 3, 'Measured: the loss and the masked-word
# accuracy'.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. Mask more: set `course.mlm.MASK_FRACTION = 0.4` (`mask_tokens` reads it at every call), run
#    the live pre-training of section 5 again in a new folder, and compare the two loss curves. Why
#    can the two losses not be compared directly? (Set it back to 0.15 afterwards.)
# 2. Predict two masks at once ("The [MASK] sat on the [MASK].") — are the guesses independent?
# 3. Resume: stop the live run after 100 steps (`steps=100`), run `course.mlm.pretrain` again on the
#    same folder, and check that `read_log` shows every step exactly once.
