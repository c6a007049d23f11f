"""Tests of relu_course.activations.variants: squared_relu, relu6 and hard_swish and their modules,
against torch and by gradcheck."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as TF

from relu_course.activations import variants as V


def grid(lo=-8.0, hi=8.0, n=4001, dtype=torch.float64):
    return torch.linspace(lo, hi, n, dtype=dtype)


def away_from(x, kinks, eps=1e-3):
    mask = torch.ones_like(x, dtype=torch.bool)
    for k in kinks:
        mask &= (x - k).abs() > eps
    return x[mask]


@pytest.mark.parametrize("ours, theirs, kinks", [
    (V.relu6, TF.relu6, (0.0, 6.0)),
    (V.hard_swish, TF.hardswish, (-3.0, 3.0)),
    (V.squared_relu, lambda x: torch.relu(x) ** 2, (0.0,)),
])
def test_values_and_gradients_match_torch(ours, theirs, kinks):
    x = away_from(grid(), kinks).requires_grad_(True)
    a, b = ours(x), theirs(x)
    assert torch.allclose(a, b, atol=1e-12, rtol=0)
    ga, = torch.autograd.grad(a.sum(), x)
    gb, = torch.autograd.grad(b.sum(), x)
    assert torch.allclose(ga, gb, atol=1e-12, rtol=0)


def test_relu6_kink_gradients_are_zero_like_torch():
    x = torch.tensor([0.0, 6.0], requires_grad=True)
    V.relu6(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_gradcheck_in_float64():
    x = away_from(grid(-5, 8, 61), (-3.0, 0.0, 3.0, 6.0)).requires_grad_(True)
    for f in (V.squared_relu, V.relu6, V.hard_swish):
        assert torch.autograd.gradcheck(f, (x,))


def test_squared_relu_keeps_relu_zeros_and_relu6_is_bounded():
    x = grid()
    assert torch.equal(V.squared_relu(x) == 0, torch.relu(x) == 0)
    y = V.relu6(x * 10)
    assert y.min() == 0 and y.max() == 6


@pytest.mark.parametrize("cls, fn", [(V.SquaredReLU, V.squared_relu), (V.ReLU6, V.relu6),
                                     (V.HardSwish, V.hard_swish)])
def test_modules_apply_their_function(cls, fn):
    x = torch.randn(3, 4, 5)
    assert torch.equal(cls()(x), fn(x))
