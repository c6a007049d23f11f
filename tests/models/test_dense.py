"""Tests of relu_course.models.dense: mlp (layout, activations, initialisation) and the one-input
hinge networks of chapter 1."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from relu_course import models, set_seed
from relu_course.activations import modules as M
from relu_course.activations import registry
from relu_course.activations.modules import ReLU


def test_mlp_structure():
    net = models.mlp(2, [8, 5], 3)
    kinds = [type(m) for m in net]
    assert kinds == [nn.Flatten, nn.Linear, M.ReLU, nn.Linear, M.ReLU, nn.Linear]
    shapes = [(m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)]
    assert shapes == [(2, 8), (8, 5), (5, 3)]
    assert net(torch.zeros(7, 2)).shape == (7, 3)


def test_mlp_flattens_images():
    net = models.mlp(64, [10], 10)
    assert net(torch.zeros(4, 1, 8, 8)).shape == (4, 10)


def test_mlp_without_hidden_layers_is_linear():
    net = models.mlp(3, [], 2)
    assert [type(m) for m in net] == [nn.Flatten, nn.Linear]


@pytest.mark.parametrize("name", registry.ACTIVATION_NAMES)
def test_mlp_every_activation(name):
    net = models.mlp(2, [4, 4], 2, name)
    acts = [m for m in net if not isinstance(m, (nn.Flatten, nn.Linear))]
    assert len(acts) == 2 and acts[0] is not acts[1]
    assert all(type(a) is type(registry.get_activation(name)) for a in acts)
    assert net(torch.randn(3, 2)).shape == (3, 2)


def test_mlp_passes_activation_arguments():
    net = models.mlp(2, [4, 4], 2, "leaky_relu", activation_kwargs={"negative_slope": 0.2})
    slopes = [m.negative_slope for m in net if isinstance(m, M.LeakyReLU)]
    assert slopes == [0.2, 0.2]
    net = models.mlp(2, [4], 2, "prelu", activation_kwargs={"num_parameters": 4, "init": 0.1})
    assert net[2].weight.shape == (4,)
    assert torch.all(net[2].weight == 0.1)          # PReLU's init, not the init scheme
    net = models.mlp(2, [4], 2, "prelu", init="he", activation_kwargs={"init": 0.1})
    assert torch.all(net[2].weight == 0.1)


def test_builders_accept_an_activation_factory():
    net = models.mlp(2, [3, 5], 2, lambda width: M.PReLU(width))
    assert [m.weight.shape[0] for m in net if isinstance(m, M.PReLU)] == [3, 5]
    cnn = models.small_cnn(channels=(4, 6), activation=lambda c: M.PReLU(c))
    assert [m.weight.shape[0] for m in cnn if isinstance(m, M.PReLU)] == [4, 6]
    assert cnn(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    with pytest.raises(TypeError, match="nn.Module"):
        models.mlp(2, [3], 2, lambda width: "relu")
    with pytest.raises(ValueError, match="activation_kwargs"):
        models.mlp(2, [3], 2, lambda width: M.ReLU(), activation_kwargs={"inplace": False})


def test_mlp_init_applies_to_every_layer():
    set_seed(0)
    net = models.mlp(200, [300, 300], 10, init="he")
    for layer in (m for m in net if isinstance(m, nn.Linear)):
        assert not layer.bias.any()
        expected = math.sqrt(2.0 / layer.in_features)
        assert layer.weight.std().item() == pytest.approx(expected, rel=0.05)


def test_hinge_network_is_a_sum_of_hinges():
    knots = torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64)
    coefficients = torch.tensor([2.0, -3.0, 1.5], dtype=torch.float64)
    net = models.hinge_network(knots, coefficients, bias=0.25, dtype=torch.float64)
    x = torch.linspace(-3, 3, 121, dtype=torch.float64)
    expected = 0.25 + (coefficients * torch.relu(x[:, None] - knots)).sum(1)
    with torch.no_grad():
        got = net(x[:, None])
    assert got.shape == (121, 1) and got.dtype == torch.float64
    torch.testing.assert_close(got[:, 0], expected, rtol=0, atol=1e-12)


def test_hinge_network_accepts_numpy_arrays():
    net = models.hinge_network(np.array([0.0, 1.0]), np.array([1.0, -2.0]), np.float64(0.5))
    with torch.no_grad():
        got = net(torch.tensor([[0.5], [2.0]]))[:, 0].tolist()
    assert got == [1.0, 0.5]
    with pytest.raises(TypeError):
        models.hinge_network(np.array([True]), [1.0])
    with pytest.raises(TypeError):
        models.hinge_network(np.array(["a"]), [1.0])


def test_hinge_network_layout_and_default_dtype():
    net = models.hinge_network([0.0, 1.0], [1.0, -1.0])
    kinds = [type(m) for m in net]
    assert kinds == [torch.nn.Flatten, torch.nn.Linear, ReLU, torch.nn.Linear]
    assert net[1].weight.shape == (2, 1) and net[3].weight.shape == (1, 2)
    assert net[1].weight.dtype == torch.get_default_dtype()
    assert torch.equal(net[1].bias, torch.tensor([-0.0, -1.0]))


def test_hinge_network_leaves_the_random_state_alone():
    set_seed(3)
    expected = torch.rand(3)
    set_seed(3)
    models.hinge_network([0.0, 1.0, 2.0], [1.0, 1.0, 1.0])
    models.hinge_interpolant([0.0, 1.0, 2.0], [1.0, 0.0, 1.0])
    assert torch.equal(torch.rand(3), expected)


def test_hinge_interpolant_passes_through_the_points_and_is_linear_between():
    gen = torch.Generator().manual_seed(0)
    knots = torch.sort(torch.rand(8, generator=gen, dtype=torch.float64) * 6 - 3).values
    values = torch.randn(8, generator=gen, dtype=torch.float64)
    net = models.hinge_interpolant(knots, values, dtype=torch.float64)
    assert net[1].out_features == 7                          # k + 1 points -> k units
    x = torch.linspace(knots[0].item(), knots[-1].item(), 501, dtype=torch.float64)
    x = torch.sort(torch.cat([x, knots])).values
    expected = torch.from_numpy(np.interp(x.numpy(), knots.numpy(), values.numpy()))
    with torch.no_grad():
        got = net(x[:, None])[:, 0]
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-12)


def test_hinge_interpolant_outside_the_knots():
    net = models.hinge_interpolant([0.0, 1.0, 3.0], [1.0, 3.0, 2.0], dtype=torch.float64)
    with torch.no_grad():
        left, right = net(torch.tensor([[-5.0], [5.0]], dtype=torch.float64))[:, 0].tolist()
    assert left == 1.0                                       # constant y_0 left of t_0
    assert right == pytest.approx(2.0 - 0.5 * 2.0)           # the last slope, -0.5, continues


def test_hinge_interpolant_error_shrinks_like_one_over_k_squared():
    errors = []
    x = torch.linspace(-3, 3, 2001, dtype=torch.float64)
    for k in (8, 16, 32):
        knots = torch.linspace(-3, 3, k + 1, dtype=torch.float64)
        net = models.hinge_interpolant(knots, torch.sin(knots), dtype=torch.float64)
        with torch.no_grad():
            errors.append((net(x[:, None])[:, 0] - torch.sin(x)).abs().max().item())
        assert errors[-1] <= (6 / k) ** 2 / 8 * 1.0001       # h^2 max|f''| / 8, |sin''| <= 1
    assert 3.5 < errors[0] / errors[1] < 4.5 and 3.5 < errors[1] / errors[2] < 4.5
