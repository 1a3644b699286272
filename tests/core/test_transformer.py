"""sbert_lab.transformer: what SentenceEncoder and CrossEncoder share — the transformers model and
its tokenizer, loaded in fp32, run for inference in eval mode, written back as transformers' own
files. (Pooling: test_pooling.py; precisions: test_precision.py.)"""

import pytest
import torch
from safetensors import safe_open
from transformers import AutoModel, AutoTokenizer

from sbert_lab import SentenceEncoder
from sbert_lab.model_sources import RAW_BERT, RAW_BERT_DIR


def test_weights_are_fp32_whatever_the_file_holds():
    """The offline raw BERT ships in fp16 (half the package size); the optimizer needs fp32 weights,
    so they are upcast on load, value for value."""
    encoder = SentenceEncoder(RAW_BERT, precision="fp32", device="cpu")
    with safe_open(str(RAW_BERT_DIR / "model.safetensors"), framework="pt") as stored:
        word_embeddings = stored.get_tensor("bert.embeddings.word_embeddings.weight")
    assert word_embeddings.dtype == torch.float16
    assert {p.dtype for p in encoder.model.parameters()} == {torch.float32}
    torch.testing.assert_close(
        encoder.model.embeddings.word_embeddings.weight, word_embeddings.float(), rtol=0, atol=0
    )


def test_inference_is_eval_mode_without_autograd_and_restores_the_training_mode(tiny_bert):
    assert not tiny_bert.training and not tiny_bert.model.training  # as from_pretrained leaves it
    first, second = tiny_bert.embed(["no dropout here"]), tiny_bert.embed(["no dropout here"])
    torch.testing.assert_close(first, second, rtol=0, atol=0)
    try:
        tiny_bert.train()
        with tiny_bert.inference():
            assert not tiny_bert.model.training and not torch.is_grad_enabled()
        assert tiny_bert.training and tiny_bert.model.training
        tiny_bert.encode(["training mode survives encode"])
        assert tiny_bert.training and tiny_bert.model.training
    finally:
        tiny_bert.eval()


def test_auto_precision_is_resolved_when_set(tiny_bert):
    try:
        tiny_bert.precision = "auto"
        assert tiny_bert.precision in ("fp32", "bf16")  # a CPU: bf16 only where it is fast
    finally:
        tiny_bert.precision = "fp32"
    assert tiny_bert.device == torch.device("cpu")


def test_saved_files_are_transformers_own(tmp_path, tiny_bert):
    """``save_transformer`` writes what transformers' Auto classes read back: the same weights, the
    same tokens."""
    tiny_bert.save_transformer(tmp_path)
    model = AutoModel.from_pretrained(tmp_path)
    tokenizer = AutoTokenizer.from_pretrained(tmp_path)
    for name, tensor in tiny_bert.model.state_dict().items():
        torch.testing.assert_close(model.state_dict()[name], tensor, rtol=0, atol=0)
    sentence = "Tokenizers must agree, word-pieces and all."
    assert tokenizer(sentence)["input_ids"] == tiny_bert.tokenizer(sentence)["input_ids"]


def test_load_of_a_missing_folder_says_so(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model folder"):
        SentenceEncoder.load(tmp_path / "nothing-here")
