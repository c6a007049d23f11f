"""Tests of relu_course.activations.learnable: the rational (Padé) activation and the learnable
piecewise-linear activation (formulas, initialisation, training)."""

from __future__ import annotations

import torch

from relu_course.activations import learnable


def test_rational_formula_by_hand():
    x = torch.tensor([-2.0, 0.5, 3.0], dtype=torch.float64)
    a = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    b = torch.tensor([-0.5, 0.25], dtype=torch.float64)        # |b| is used
    expected = (1 + 2 * x + 3 * x**2) / (1 + 0.5 * x.abs() + 0.25 * x**2)
    assert torch.allclose(learnable.rational(x, a, b), expected)


def test_rational_relu_init_is_close_to_relu_on_the_fitted_range():
    act = learnable.RationalActivation()
    x = torch.linspace(-3, 3, 601)
    with torch.no_grad():
        err = (act(x) - torch.relu(x)).abs().max().item()
    assert err < 0.035
    assert sum(p.numel() for p in act.parameters()) == 10


def test_rational_identity_init_and_training_changes_shape():
    act = learnable.RationalActivation(3, 2, init="identity")
    x = torch.linspace(-2, 2, 101)
    assert torch.allclose(act(x), x)
    opt = torch.optim.Adam(act.parameters(), lr=0.05)
    start = ((act(x) - x.abs()) ** 2).mean().item()
    for _ in range(200):
        loss = ((act(x) - x.abs()) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.02 * start    # learned something close to |x|


def test_piecewise_linear_interpolates_and_extends():
    knots = torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64)
    values = torch.tensor([1.0, 0.0, 4.0], dtype=torch.float64)
    x = torch.tensor([-3.0, -0.5, 1.0, 2.0, 5.0], dtype=torch.float64)
    # left segment slope -1, right segment slope 2
    assert learnable.piecewise_linear(x, knots, values).tolist() == [3.0, 0.5, 2.0, 4.0, 10.0]


def test_piecewise_linear_activation_starts_as_relu_and_gets_gradients():
    act = learnable.PiecewiseLinearActivation(num_knots=7)
    x = torch.linspace(-6, 6, 241)
    assert torch.allclose(act(x), torch.relu(x), atol=1e-6)
    act(x).sum().backward()
    assert act.values.grad is not None and act.values.grad.abs().sum() > 0
