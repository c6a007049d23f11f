"""Tests of relu_course.activations.functional that came from the chapter test files: relu_kink,
the ReLU with a settable gradient at 0 (values, gradients, gradcheck, vmap)."""

from __future__ import annotations

import math

import pytest
import torch
from torch.autograd import gradcheck

from relu_course.activations import functional as F


@pytest.mark.parametrize("s", [0.0, 0.5, 1.0, 2.0])
def test_relu_kink_values_are_relu_and_gradient_at_zero_is_s(s):
    x = torch.tensor([-3.0, -1e-30, -0.0, 0.0, 1e-30, 2.0, math.inf, -math.inf, math.nan],
                     requires_grad=True)
    out = F.relu_kink(x, s)
    ref = torch.relu(x.detach())
    assert torch.equal(out.detach().isnan(), ref.isnan())
    assert torch.equal(torch.nan_to_num(out.detach()), torch.nan_to_num(ref))
    assert torch.equal(torch.signbit(out.detach()), torch.signbit(ref))     # relu(-0.0) = -0.0
    (grad,) = torch.autograd.grad(out.sum(), x)
    assert grad.tolist() == [0.0, 0.0, s, s, 1.0, 1.0, 1.0, 0.0, 1.0]         # NaN passes


def test_relu_kink_with_zero_matches_torch_relu_gradient_exactly():
    gen = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(50, generator=gen), torch.zeros(5)])
    g_out = torch.randn(55, generator=gen)
    a = x.clone().requires_grad_(True)
    b = x.clone().requires_grad_(True)
    F.relu_kink(a, 0.0).backward(g_out)
    torch.relu(b).backward(g_out)
    assert torch.equal(a.grad, b.grad)


def test_relu_kink_gradcheck_away_from_zero_and_half_precision():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(40, dtype=torch.float64, generator=gen)
    x = x[x.abs() > 1e-3].requires_grad_(True)
    assert gradcheck(lambda t: F.relu_kink(t, 1.0), (x,), eps=1e-6, atol=1e-8)
    for dtype in (torch.float16, torch.bfloat16):
        h = torch.tensor([-1.0, 0.0, 1.0], dtype=dtype, requires_grad=True)
        out = F.relu_kink(h, 0.5)
        out.sum().backward()
        assert out.dtype == dtype and h.grad.dtype == dtype
        assert h.grad.tolist() == [0.0, 0.5, 1.0]


def test_relu_kink_works_under_vmap():
    from torch.func import grad, vmap

    g = vmap(grad(lambda t: F.relu_kink(t, 1.0).sum()))(torch.tensor([[0.0, -1.0], [2.0, 0.0]]))
    assert g.tolist() == [[1.0, 0.0], [1.0, 1.0]]
