"""Tests of relu_course.analysis.ffn: the sparsity and the non-linearity of a transformer's
feed-forward blocks."""

from __future__ import annotations

import pytest
import torch

from relu_course.analysis import ffn
from relu_course.models import transformer


def test_sparsity_counts_exact_zeros():
    torch.manual_seed(0)
    x = torch.randint(0, 30, (4, 8))
    relu = transformer.TinyTransformerLM(30, 8, 16, ffn="relu")
    s = ffn.ffn_sparsity(relu, x)[0]
    hidden = ffn.ffn_hidden_activations(relu, x)[0]
    assert s.zero_fraction == pytest.approx((hidden == 0).double().mean().item())
    assert s.macs_per_token == 64 * 16
    assert s.skippable_fraction == pytest.approx(s.zero_fraction)
    with torch.no_grad():
        relu.blocks[0].ffn.up.bias.fill_(-100.0)                # every unit off
    assert ffn.ffn_sparsity(relu, x)[0].dead_fraction == 1.0
    gelu = transformer.TinyTransformerLM(30, 8, 16, ffn="gelu")
    assert ffn.ffn_sparsity(gelu, x)[0].zero_fraction == 0.0


def test_nonlinearity_is_zero_for_a_linear_map_and_large_for_relu():
    torch.manual_seed(0)
    x = torch.randint(0, 30, (4, 8))
    bilinear = transformer.TinyTransformerLM(30, 8, 16, ffn="bilinear")     # identity "gate"
    assert ffn.ffn_nonlinearity(bilinear, x)[0].nonlinear_share < 1e-10
    relu = transformer.TinyTransformerLM(30, 8, 16, ffn="relu")
    assert ffn.ffn_nonlinearity(relu, x)[0].nonlinear_share > 0.2
