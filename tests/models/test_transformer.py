"""Tests of relu_course.models.transformer: the feed-forward blocks (parameter counts, matched
widths, formulas) and the tiny causal language model."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF

from relu_course.models import transformer


@pytest.mark.parametrize("kind", transformer.FFN_KINDS)
def test_parameter_count_formula_matches_the_module(kind):
    for bias in (True, False):
        ffn = transformer.FeedForward(12, 20, kind, bias=bias)
        assert sum(p.numel() for p in ffn.parameters()) == transformer.ffn_parameter_count(kind, 12, 20, bias)


@pytest.mark.parametrize("kind", transformer.FFN_KINDS)
def test_matched_widths_give_equal_sizes(kind):
    target = transformer.ffn_parameter_count("relu", 32, 128)
    h = transformer.matched_hidden_width(kind, 32)
    best = min(abs(transformer.ffn_parameter_count(kind, 32, w) - target) for w in range(1, 400))
    assert abs(transformer.ffn_parameter_count(kind, 32, h) - target) == best
    assert abs(transformer.ffn_parameter_count(kind, 32, h) - target) / target < 0.01


def test_shazeer_width():
    assert transformer.matched_hidden_width("swiglu", 768, 3072, bias=False) == 2048


def test_gated_block_formula_by_hand():
    torch.manual_seed(0)
    ffn = transformer.FeedForward(6, 5, "swiglu")
    x = torch.randn(4, 6)
    expected = ffn.down(TF.silu(ffn.up(x)) * ffn.value(x))
    assert torch.allclose(ffn(x), expected, atol=1e-6)
    plain = transformer.FeedForward(6, 5, "squared_relu")
    assert torch.allclose(plain(x), plain.down(torch.relu(plain.up(x)) ** 2), atol=1e-6)


def test_model_is_causal():
    torch.manual_seed(0)
    model = transformer.TinyTransformerLM(20, context=8, d_model=16, ffn="geglu").eval()
    x = torch.randint(0, 20, (2, 8))
    y = x.clone()
    y[:, 5:] = (y[:, 5:] + 1) % 20                 # change the future
    with torch.no_grad():
        assert torch.allclose(model(x)[:, :5], model(y)[:, :5], atol=1e-6)
        assert not torch.allclose(model(x)[:, 5:], model(y)[:, 5:])


def test_equal_model_sizes_by_default():
    sizes = [transformer.TinyTransformerLM(50, ffn=k).num_parameters() for k in transformer.FFN_KINDS]
    assert (max(sizes) - min(sizes)) / min(sizes) < 0.01
