"""Masked pooling against hand computations: padding never counts, low precision stays exact."""

import pytest
import torch

from sbert_lab.pooling import POOLING_MODES, check_pooling, cls_pool, max_pool, mean_pool, pool

# Two sentences, hidden size 2. The first has 3 real tokens, the second 1 real token + 2 padding.
# Padding rows hold large values on purpose: if they leaked into the result, it would show.
HIDDEN = torch.tensor(
    [
        [[1.0, -2.0], [3.0, -4.0], [5.0, -9.0]],
        [[-7.0, -1.0], [100.0, 100.0], [100.0, 100.0]],
    ]
)  # (B=2, T=3, H=2)
MASK = torch.tensor([[1, 1, 1], [1, 0, 0]])  # (B, T)


def test_mean_pool_averages_only_real_tokens():
    expected = torch.tensor([[(1 + 3 + 5) / 3, (-2 - 4 - 9) / 3], [-7.0, -1.0]])
    torch.testing.assert_close(mean_pool(HIDDEN, MASK), expected)


def test_max_pool_takes_elementwise_max_of_real_tokens_even_when_all_are_negative():
    expected = torch.tensor([[5.0, -2.0], [-7.0, -1.0]])
    torch.testing.assert_close(max_pool(HIDDEN, MASK), expected)


def test_cls_pool_takes_the_first_token():
    torch.testing.assert_close(cls_pool(HIDDEN, MASK), torch.tensor([[1.0, -2.0], [-7.0, -1.0]]))


@pytest.mark.parametrize("mode", POOLING_MODES)
def test_padding_length_does_not_change_the_result(mode):
    """The second sentence alone (T=1) and padded to T=3 pool to the same vector."""
    alone = pool(HIDDEN[1:, :1], MASK[1:, :1], mode)
    padded = pool(HIDDEN[1:], MASK[1:], mode)
    torch.testing.assert_close(alone, padded, rtol=0, atol=0)


def test_max_pool_under_bf16_is_exact_and_ignores_padding():
    """bf16 hidden states (as under autocast): the max is one of the inputs, so it must be exact."""
    hidden = torch.tensor(
        [[[-3.5, -0.75], [-1.25, -8.0], [60000.0, 60000.0]]], dtype=torch.bfloat16
    )
    mask = torch.tensor([[1, 1, 0]])
    result = pool(hidden, mask, "max")
    assert result.dtype == torch.float32
    torch.testing.assert_close(result, torch.tensor([[-1.25, -0.75]]), rtol=0, atol=0)


def test_mean_pool_under_fp16_does_not_overflow():
    """Four fp16 tokens of 60,000 sum past fp16's largest value (65,504); pooling in fp32 avoids
    inf."""
    hidden = torch.full((1, 4, 3), 60000.0, dtype=torch.float16)
    result = pool(hidden, torch.ones(1, 4, dtype=torch.long), "mean")
    assert result.dtype == torch.float32
    torch.testing.assert_close(result, torch.full((1, 3), 60000.0))


def test_mean_pool_passes_gradients_only_to_real_tokens():
    hidden = HIDDEN.clone().requires_grad_(True)
    pool(hidden, MASK, "mean").sum().backward()
    expected = torch.tensor([[[1 / 3] * 2] * 3, [[1.0, 1.0], [0.0, 0.0], [0.0, 0.0]]])
    torch.testing.assert_close(hidden.grad, expected)


def test_unknown_pooling_lists_the_valid_ones():
    with pytest.raises(ValueError, match="'sum'.*mean, cls, max"):
        check_pooling("sum")
    with pytest.raises(ValueError, match="mean, cls, max"):
        pool(HIDDEN, MASK, "avg")
