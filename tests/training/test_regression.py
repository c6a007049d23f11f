"""Tests of relu_course.training.regression: fit_curve, linear_regression_path and fit_poisson_1d."""

from __future__ import annotations

import pytest
import torch

from relu_course import models, set_seed
from relu_course import training as T


def test_fit_curve_reduces_the_loss_and_is_reproducible():
    x = torch.linspace(-1, 1, 64)
    runs = []
    for _ in range(2):
        set_seed(0)
        net = models.mlp(1, [16], 1)
        runs.append(T.fit_curve(net, x, x.abs(), steps=200, lr=0.02))
    assert runs[0] == runs[1]
    losses = runs[0]
    assert len(losses) == 201 and all(isinstance(v, float) for v in losses)
    assert losses[-1] < 0.02 * losses[0]
    with torch.no_grad():                                     # the last value is the final loss
        final = torch.nn.functional.mse_loss(net(x[:, None]), x.abs()[:, None]).item()
    assert losses[-1] == pytest.approx(final)


def test_fit_curve_first_value_is_the_initial_loss_and_sgd_works():
    set_seed(1)
    net = models.mlp(2, [8], 3)
    x = torch.randn(32, 2)
    y = torch.randn(32, 3)
    with torch.no_grad():
        initial = torch.nn.functional.mse_loss(net(x), y).item()
    losses = T.fit_curve(net, x, y, steps=50, lr=0.05, optimizer="sgd")
    assert losses[0] == pytest.approx(initial)
    assert losses[-1] < losses[0]


def test_fit_curve_diverges_loudly():
    set_seed(0)
    net = models.mlp(1, [8], 1)
    x = torch.linspace(-1, 1, 32)
    with pytest.raises(T.TrainingDiverged):
        T.fit_curve(net, x, 1e3 * x, steps=50, lr=1e6, optimizer="sgd")


def test_linear_regression_path_gradient_descent_reaches_least_squares():
    gen = torch.Generator().manual_seed(11)
    x = torch.randn(50, 3, generator=gen, dtype=torch.float64)
    y = x @ torch.tensor([1.0, -2.0, 0.5], dtype=torch.float64) + 0.1 * torch.randn(
        50, generator=gen, dtype=torch.float64)
    path = T.linear_regression_path(x, y, lr=0.5, steps=300)
    w_opt = torch.linalg.lstsq(x, y).solution
    assert path.shape == (301, 3) and torch.equal(path[0], torch.zeros(3, dtype=torch.float64))
    assert torch.allclose(path[-1], w_opt, atol=1e-8)
    # one step by hand
    w1 = -0.5 * ((x @ torch.zeros(3, dtype=x.dtype) - y) @ x) / 50
    assert torch.allclose(path[1], w1)


def test_linear_regression_path_sgd_steps_along_single_inputs():
    gen = torch.Generator().manual_seed(12)
    x = torch.rand(10, 2, generator=gen) + 0.1                     # positive inputs
    y = x @ torch.tensor([1.0, -1.0])
    path = T.linear_regression_path(x, y, lr=0.1, steps=25, batch_size=1, seed=3)
    steps = path[1:] - path[:-1]
    assert ((steps[:, 0] * steps[:, 1]) >= 0).all()               # never opposite directions
    again = T.linear_regression_path(x, y, lr=0.1, steps=25, batch_size=1, seed=3)
    other = T.linear_regression_path(x, y, lr=0.1, steps=25, batch_size=1, seed=4)
    assert torch.equal(path, again) and not torch.equal(path, other)
    start = T.linear_regression_path(x, y, lr=0.1, steps=1, w0=torch.tensor([2.0, 3.0]))
    assert start[0].tolist() == [2.0, 3.0]


def test_linear_regression_path_checks_and_divergence():
    x, y = torch.ones(4, 2), torch.ones(4)
    with pytest.raises(ValueError, match="lr"):
        T.linear_regression_path(x, y, lr=0.0, steps=3)
    with pytest.raises(ValueError, match="rows"):
        T.linear_regression_path(x, torch.ones(3), lr=0.1, steps=3)
    with pytest.raises(ValueError, match="dimension"):
        T.linear_regression_path(torch.ones(4), y, lr=0.1, steps=3)
    with pytest.raises(TypeError, match="floating"):
        T.linear_regression_path(torch.ones(4, 2, dtype=torch.long), y, lr=0.1, steps=3)
    with pytest.raises(ValueError, match="w0"):
        T.linear_regression_path(x, y, lr=0.1, steps=3, w0=torch.zeros(3))
    with pytest.raises(T.TrainingDiverged):
        T.linear_regression_path(x * 10, y, lr=100.0, steps=400)


def test_fit_poisson_1d_trains_tanh_but_not_relu_through_the_residual():
    source = lambda x: torch.full_like(x, 2.0)        # u'' = 2, u(0) = u(1) = 0
    set_seed(13)
    tanh_net = models.mlp(1, [16], 1, "tanh")
    hist = T.fit_poisson_1d(tanh_net, source, steps=300, n_points=16)
    assert len(hist["residual"]) == len(hist["boundary"]) == 301
    assert hist["residual"][-1] < 1e-2 * hist["residual"][0]
    with torch.no_grad():
        xs = torch.linspace(0, 1, 11).reshape(-1, 1)
        assert torch.allclose(tanh_net(xs), xs ** 2 - xs, atol=0.05)   # the solution
    set_seed(13)
    relu_net = models.mlp(1, [16], 1, "relu")
    hist = T.fit_poisson_1d(relu_net, source, steps=20, n_points=16)
    assert set(hist["residual"]) == {4.0}                              # mean of 2^2, frozen
    assert hist["boundary"][-1] < hist["boundary"][0]
