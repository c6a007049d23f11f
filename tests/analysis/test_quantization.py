"""Tests of relu_course.analysis.quantization: fake_quantize (levels, error bound, clipping,
calibration) and the hooks of quantize_activations."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course.activations import variants as V
from relu_course.analysis import quantization as quant


def test_fake_quantize_levels_and_error_bound():
    x = torch.linspace(0, 6, 10001, dtype=torch.float64)
    q = quant.fake_quantize(x, 8, 0.0, 6.0)
    assert len(torch.unique(q)) == 256
    assert (q - x).abs().max() <= 6 / 255 / 2 + 1e-12
    assert quant.fake_quantize(torch.tensor([0.0]), 4, -1.0, 3.0).item() == 0.0   # 0 is exact


def test_fake_quantize_clips_and_calibrates():
    x = torch.tensor([-1.0, 0.5, 7.0])
    assert quant.fake_quantize(x, 8, 0.0, 6.0).tolist()[::2] == [0.0, 6.0]
    y = torch.tensor([0.0, 1.0, 3.0])
    assert torch.equal(quant.fake_quantize(y, 8), quant.fake_quantize(y, 8, 0.0, 3.0))
    assert torch.equal(quant.fake_quantize(torch.zeros(3)), torch.zeros(3))
    with pytest.raises(ValueError):
        quant.fake_quantize(x, 1)
    with pytest.raises(ValueError):
        quant.fake_quantize(x, 17)


def test_error_halves_per_bit():
    x = torch.rand(20000, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    errors = [(quant.fake_quantize(x, b, 0.0, 1.0) - x).pow(2).mean().sqrt().item()
              for b in (4, 5, 6, 7, 8)]
    ratios = [errors[i] / errors[i + 1] for i in range(4)]
    assert all(1.8 < r < 2.2 for r in ratios)


def test_quantize_activations_hooks_are_applied_and_removed():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 8), V.ReLU6(), nn.Linear(8, 2))
    x = torch.randn(16, 3)
    exact = net(x)
    ranges = quant.activation_ranges(net, x)
    assert list(ranges) == ["1"] and ranges["1"][0] == 0.0
    with quant.quantize_activations(net, 2, {"1": (0.0, 6.0)}) as names:
        coarse = net(x)
        hidden = net[1](net[0](x))
    assert names == ["1"]
    assert len(torch.unique(hidden)) <= 4                       # 2 bits: 4 levels
    assert not torch.allclose(coarse, exact)
    assert torch.equal(net(x), exact)                           # hooks gone
    assert sum(len(m._forward_hooks) for m in net.modules()) == 0
    with pytest.raises(ValueError, match="no activation layer named"):
        with quant.quantize_activations(net, 8, {"7": (0.0, 1.0)}):
            pass
    with pytest.raises(ValueError):
        quant.activation_ranges(nn.Linear(2, 2), torch.zeros(1, 2))
