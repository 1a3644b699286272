# ---
# jupyter:
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 2 — Inside the bi-encoder: tokens → hidden states → pooling
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/sbert-lab/sbert-lab/blob/main/notebooks/02_siamese_bi_encoder.ipynb)
#
# Lesson 1 showed that sentence vectors read off raw BERT are poor. Before training anything, this
# lesson opens up the machine SBERT trains: a **bi-encoder**. One BERT turns each sentence, on its
# own, into token vectors; a **pooling** step turns those into one fixed-size sentence vector; two
# sentences are compared by the cosine of their vectors. You will follow a small batch through every
# step, with the tensor shapes, and write the pooling yourself.
#
# **You will be able to**
# - name the tensors between a sentence and its vector, with their shapes: `(B, T)` token ids and
#   attention mask, `(B, T, H)` hidden states, `(B, H)` sentence vectors;
# - write masked mean pooling and check it against the library's;
# - show with numbers why pooling must ignore the padding tokens of a batch;
# - explain what "siamese" means: one network with one set of weights, applied to both sentences.
#
# **Paper:** Section 3 (Model) and Figures 1–2: "SBERT adds a pooling operation to the output of
# BERT", with three strategies — `[CLS]`, MEAN (the default) and MAX.

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
    "02_siamese_bi_encoder",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)

# %% [markdown]
# The BERT below is the profile's raw model (on the `offline` profile, the project's own small
# pre-trained BERT: 4 layers, hidden size H = 256). The shapes change with the model, the code does
# not: this lesson is about the mechanics, which are identical for `bert-base-uncased` (H = 768).
#
# ## The picture
#
# ```
# sentence A ──► BERT ──► pooling ──► u ─┐
#                                        ├──► cosine(u, v)
# sentence B ──► BERT ──► pooling ──► v ─┘
#           (one BERT: the same weights on both sides)
# ```
#
# Each sentence goes through the network **alone**: its vector does not depend on the sentence it
# will be compared with. That is what makes the bi-encoder fast — encode a million sentences once,
# then compare any two with a cosine — and it is what lesson 6 weighs against the cross-encoder.

# %%
import matplotlib.pyplot as plt
import numpy as np
import torch

profile = lesson.profile
# fp32 everywhere in this lesson, so that our step-by-step results match the library's exactly.
encoder = sl.SentenceEncoder(
    profile.raw_model, pooling="mean", max_length=profile.max_length, precision="fp32"
)
print(encoder)

sentences = [
    "A man is playing a guitar.",
    "Someone plays an old instrument on a sunny street corner.",
    "Cats sleep.",
]

# %% [markdown]
# ## Step 1 · Sentences → token ids and an attention mask, shape `(B, T)`
#
# The tokenizer splits each sentence into WordPiece tokens (rare words become pieces marked `##`),
# adds `[CLS]` in front and `[SEP]` at the end, and maps each token to an id. A batch is a
# rectangle, so shorter sentences are filled up with `[PAD]` to the length `T` of the longest.
# The **attention mask** records which positions are real (1) and which are padding (0).

# %%
# NBVAL_CHECK_OUTPUT
features = encoder.tokenize(sentences)
ids, mask = features["input_ids"], features["attention_mask"]
for row in ids:
    print(encoder.tokenizer.convert_ids_to_tokens(row))
print("input_ids     ", tuple(ids.shape), "= (B sentences, T tokens)")
print("attention_mask", tuple(mask.shape))
print(mask)

# %% [markdown]
# ## Step 2 · BERT → one vector per token, shape `(B, T, H)`
#
# BERT turns every position into a vector of `H` numbers (768 for `bert-base`), each mixing in
# information from the other tokens of the *same* sentence through self-attention. The attention
# mask stops real tokens from attending to `[PAD]`, so the padding does not disturb them. But the
# `[PAD]` positions still get vectors of their own — leftovers that mean nothing.

# %%
with torch.inference_mode():
    hidden = encoder.model(**features).last_hidden_state
print("hidden", tuple(hidden.shape), f"= (B, T, H) with H = {encoder.dim} numbers per token")

# %% [markdown]
# ## Step 3 · Pooling → one vector per sentence, shape `(B, H)`
#
# The paper tries three ways to squeeze the `T` token vectors into one:
#
# - **`[CLS]`**: keep the vector at position 0, the `[CLS]` token;
# - **MAX**: for each of the `H` features, the largest value over the real tokens;
# - **MEAN**: the average over the real tokens — SBERT's default, and the best in Table 6.
#
# `[CLS]` and MAX first:

# %%
cls_vectors = hidden[:, 0]  # (B, H): position 0 of every sentence is [CLS], never padding
max_vectors = sl.pooling.max_pool(hidden, mask)  # (B, H): padding is set to -inf before the max
print("cls", tuple(cls_vectors.shape), "  max", tuple(max_vectors.shape))

# %% [markdown]
# ## Exercise · Write mean pooling
#
# Complete `my_mean_pool(hidden, mask)`: for each sentence, the average of its token vectors over
# the **real** tokens only. `hidden` has shape `(B, T, H)`, `mask` has shape `(B, T)` with 1 for a
# real token and 0 for padding; return a tensor of shape `(B, H)`.
#
# Loops over sentences would work, but try it with whole-tensor operations: the mask needs one extra
# axis to multiply `hidden` (`mask.unsqueeze(-1)` has shape `(B, T, 1)`).


# %% tags=["solution"]
def my_mean_pool(hidden, mask):
    """Mean of the token vectors where mask is 1.  hidden (B, T, H), mask (B, T) -> (B, H)."""
    weights = mask.unsqueeze(-1).to(hidden.dtype)  # (B, T, 1): 1 for real tokens, 0 for padding
    summed = (hidden * weights).sum(dim=1)  # (B, H): padding contributes zeros
    counts = weights.sum(dim=1)  # (B, 1): real tokens in each sentence
    return summed / counts


# %%
mean_vectors = my_mean_pool(hidden, mask)
course.lesson.check(
    tuple(mean_vectors.shape) == (len(sentences), encoder.dim),
    f"my_mean_pool should return shape (B, H) = {(len(sentences), encoder.dim)}, got "
    f"{tuple(mean_vectors.shape)}",
    hint="sum over the token axis (dim=1), which removes T",
)
one_by_one = torch.stack(
    [hidden[b, : int(mask[b].sum())].mean(dim=0) for b in range(len(sentences))]
)
course.lesson.check(
    torch.allclose(mean_vectors, one_by_one, atol=1e-5),
    "my_mean_pool differs from the average over each sentence's real tokens",
    hint="multiply by the mask before summing, and divide by the number of real tokens, not by T",
)
course.lesson.check(
    torch.allclose(mean_vectors, sl.pooling.mean_pool(hidden, mask), atol=1e-5),
    "my_mean_pool differs from sl.pooling.mean_pool",
    hint="read sbert_lab/pooling.py once yours passes the check above",
)

# %% [markdown]
# ## The whole path is the library's `encode`
#
# `SentenceEncoder.encode` does exactly these three steps (plus sorting sentences by length so that
# batches need less padding — lesson 6 counts the padding it removes and times what that saves). Our
# hand-made vectors should match it to rounding error, for each pooling:

# %%
# mean: the library's mean_pool, so that this cell does not depend on the exercise above
for mode, ours in (
    ("cls", cls_vectors),
    ("mean", sl.pooling.mean_pool(hidden, mask)),
    ("max", max_vectors),
):
    library = torch.from_numpy(encoder.with_pooling(mode).encode(sentences))
    gap = (library - ours).abs().max().item()
    lesson.compare(f"{mode} pooling: max |by hand - encode()|", paper=None, measured=gap, digits=6)

# %% [markdown]
# ## The padding pitfall, with numbers
#
# A sentence's vector must not depend on the batch it happens to be encoded in. Yet in the batch of
# step 1, `"Cats sleep."` was padded to the length of the longest sentence. Average **all** `T`
# positions, padding included, and its vector changes with the amount of padding.
#
# Below, the same sentence is padded with 0, 2, 4, … extra `[PAD]` tokens. For each amount, compare
# its vector with the vector of the sentence encoded alone: a cosine of 1.000 means "unchanged".


# %%
def naive_mean_pool(hidden, mask):
    """The bug: the mean over all T positions, padding included."""
    return hidden.mean(dim=1)


def padded_vector(sentence, extra_pads, pooling):
    """The sentence's vector when the batch pads it with `extra_pads` [PAD] tokens."""
    length = len(encoder.tokenizer(sentence)["input_ids"])
    batch = encoder.tokenizer(
        [sentence], padding="max_length", max_length=length + extra_pads, return_tensors="pt"
    )
    with torch.inference_mode():
        states = encoder.model(**batch).last_hidden_state  # (1, length + extra_pads, H)
    return pooling(states, batch["attention_mask"])[0]  # (H,)


# %%
short = sentences[2]
pads = list(range(0, 31, 2))
poolings = {"masked mean": sl.pooling.mean_pool, "naive mean": naive_mean_pool}
drift = {}
for name, pooling in poolings.items():
    alone = padded_vector(short, 0, pooling)
    drift[name] = [
        torch.cosine_similarity(alone, padded_vector(short, k, pooling), dim=0).item() for k in pads
    ]
    lesson.compare(
        f"cos(alone, +{pads[-1]} [PAD]), {name}", paper=None, measured=drift[name][-1], digits=4
    )

# %%
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 3.4), gridspec_kw={"width_ratios": [1.3, 1]})
features = encoder.tokenize(sentences)  # the batch of step 1, tokenized again (milliseconds)
left.imshow(features["attention_mask"].numpy(), cmap="Greens", vmin=0, vmax=2.5, aspect="auto")
tokens = [encoder.tokenizer.convert_ids_to_tokens(piece_ids) for piece_ids in features["input_ids"]]
for b, pieces in enumerate(tokens):
    for t, token in enumerate(pieces):
        left.text(t, b, token, ha="center", va="center", fontsize=8, rotation=45)
left.set(
    title="the batch of step 1: attention mask (green = real token)",
    xlabel="position t",
    yticks=range(len(sentences)),
    ylabel="sentence b",
)
for name, values in drift.items():
    right.plot(pads, values, marker="o", label=name)
right.set(
    title=f"{short!r} padded: same vector as alone?",
    xlabel="extra [PAD] tokens",
    ylabel="cosine with the unpadded vector",
)
right.legend(fontsize=8)
plt.tight_layout()
plt.show()

# %% [markdown]
# With the mask, the vector does not move (cosine 1.000 at every padding length). Without it, the
# padding vectors — the same junk for every sentence — are averaged in, and the vector drifts
# further the more padding the batch adds. In practice this means the *same* sentence gets different
# vectors depending on its neighbours in a batch, and short sentences are pulled towards each other
# (they share the most padding). MAX pooling has the same trap: a padding value can win the max,
# which is why `sl.pooling.max_pool` sets padding to the lowest float first. `[CLS]` is immune: it
# always sits at position 0.

# %% [markdown]
# ## Siamese: one network, both sentences
#
# In the paper's Figure 1 the two BERT towers are drawn side by side, but they are **one** network:
# the same weights encode sentence A and sentence B. During training (lesson 3) the gradients from
# both sides update those same weights. Here a paraphrase pair, and beside it a pair of unrelated
# sentences, is encoded by one call:

# %%
u, v, x, y = encoder.encode(
    [
        "A man is playing a guitar.",
        "A person plays an instrument.",
        "The stock market fell sharply on Monday.",  # an unrelated pair
        "Fresh snow covered the mountain road.",
    ]
)
cosine = float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))
unrelated = float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))
lesson.compare("cosine of a paraphrase pair, raw BERT mean", paper=None, measured=cosine, digits=3)
lesson.compare(
    "cosine of an unrelated pair, raw BERT mean", paper=None, measured=unrelated, digits=3
)
print(
    "trainable weights shared by both sides:", f"{sum(p.numel() for p in encoder.parameters()):,}"
)

# %% [markdown]
# Both cosines come from raw BERT — pre-trained to fill in masked words and to spot a next
# sentence, never trained for similarity — so (as lesson 1 showed) they are not yet a reliable
# similarity: even the unrelated pair gets a cosine far above 0, and one pair of each kind says
# nothing about how the cosine orders many pairs. Lesson 3 keeps this exact encoder and trains its
# weights so that it becomes one.

# %%
results_file = lesson.save()

# %% [markdown]
# ## Summary
#
# - A sentence becomes a vector in three steps: token ids and attention mask `(B, T)` → BERT's
#   hidden states `(B, T, H)` → pooling `(B, H)`. `SentenceEncoder.encode` is exactly that.
# - Pooling must respect the attention mask. Averaging the padding in makes a sentence's vector
#   depend on its batch; the numbers above show how far it drifts.
# - The bi-encoder is **siamese**: one set of weights encodes every sentence independently, so
#   vectors can be computed once and compared cheaply. This lesson's encoder is still raw BERT, and
#   lesson 1 showed its vectors are poor. What fixes them is *training* this structure on sentence
#   pairs — lesson 3 (NLI) and lesson 4 (STS regression).

# %% [markdown]
# ## Check your understanding
#
# **1.** Why must mean pooling leave the `[PAD]` positions out and divide by the number of real
# tokens?
#
# <details><summary>Answer</summary>
#
# `[PAD]` positions still get hidden vectors, leftovers that mean nothing, and how many of them a
# sentence gets depends on the longest sentence in its batch. Averaged in, they make the same
# sentence's vector change with its neighbours in the batch, and pull short sentences, which get the
# most padding, towards each other. With the mask the vector does not move however much padding is
# added. Shown in 'The padding pitfall, with numbers': the masked mean stays at cosine 1.000 while
# the naive mean drifts.
#
# </details>
#
# **2.** Which of the three poolings need the attention mask, and why is `[CLS]` immune to padding?
#
# <details><summary>Answer</summary>
#
# MEAN and MAX: a padding vector can be averaged in, or win the max of some feature, which is why
# `sl.pooling.max_pool` sets padding to the lowest float first. `[CLS]` reads only position 0, which
# is never padding, and the attention mask stops real tokens from attending to `[PAD]`, so its
# vector is the same however much padding follows. Shown in step 2, step 3 and the note after 'The
# padding pitfall, with numbers'.
#
# </details>
#
# **3.** What makes the bi-encoder "siamese", and why does it matter that each sentence goes through
# BERT alone?
#
# <details><summary>Answer</summary>
#
# One network with one set of weights encodes both sentences: the two towers of the paper's Figure 1
# are the same BERT, and in training the gradients from both sides update the same weights. Because
# each sentence is encoded alone, its vector does not depend on the sentence it will be compared
# with, so a corpus can be encoded once, stored, and compared with any new sentence by a cosine. A
# cross-encoder, which reads the two sentences together, cannot do that; lesson 6 measures what it
# costs. Shown in 'The picture' and 'Siamese: one network, both sentences'.
#
# </details>
#
# **4.** The section "Siamese: one network, both sentences" measures raw BERT's cosine of one
# paraphrase pair and of one unrelated pair.
# Why can those two numbers not tell whether raw BERT is a good sentence encoder?
#
# <details><summary>Answer</summary>
#
# A cosine means something only beside the cosines of other pairs. Raw BERT gives even unrelated
# pairs a cosine far above 0 (lesson 1 measures it over random pairs), so a high value for a
# paraphrase may be little more than the level every pair gets; and one pair of each kind may land
# either way by chance. Judging an encoder needs, over many pairs, an order that follows human
# scores (lesson 1's Spearman). Shown in 'Siamese: one network, both sentences', read with lesson
# 1's section 5.
#
# </details>

# %% [markdown]
# ## Further exercises
#
# 1. Write `my_max_pool(hidden, mask)` without the mask, then with it. Pad a sentence heavily: how
#    many of the `H` features does the unmasked version take from padding?
# 2. sentence-transformers also offers "mean of square-root length" pooling: the sum over real
#    tokens divided by √(number of real tokens). Write it and compare vector norms for short and
#    long sentences.
# 3. Encode the three sentences with `batch_size=1` and with `batch_size=3`. Are the vectors
#    identical? Why does that only hold because pooling uses the mask?
# 4. `encoder.tokenize` truncates at `max_length` tokens. Encode a sentence longer than that, then
#    the same sentence with its last words removed. Can any pooling tell the two apart? Why not?
