"""Tests of relu_course.analysis.dead_units: dead_unit_fraction, never_positive_units,
unit_preactivation_gradients, effective_negative_slopes and born_dead_fractions."""

from __future__ import annotations

import math
from functools import partial

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course.activations import functional as F
from relu_course.activations import modules as M

from helpers import binary_batch, one_layer_net, points


def one_layer(activation: nn.Module, biases) -> nn.Sequential:
    """2 inputs -> len(biases) hidden units (weights 1, 0 for unit 0 ...) -> 2 logits."""
    set_seed(0)
    net = nn.Sequential(nn.Linear(2, len(biases)), activation, nn.Linear(len(biases), 2))
    with torch.no_grad():
        net[0].bias.copy_(torch.tensor(biases, dtype=torch.float32))
    return net


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


def manual_unit_gradients(net, x, y, slope):
    """dL/dz per example for a Linear -> activation -> Linear net, computed by hand."""
    z = net[0](x)
    h = torch.where(z > 0, z, slope * z)
    logits = net[2](h)
    p = torch.softmax(logits, dim=1)
    dlogits = (p - nn.functional.one_hot(y, 2).float()) / len(x)     # mean cross-entropy
    dh = dlogits @ net[2].weight
    dz = dh * torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))
    return dz.detach().double().norm(dim=0)


def test_dead_unit_fraction_finds_a_unit_forced_dead():
    net = one_layer_net(torch.full((4, 2), 0.1), torch.full((4,), 10.0))   # all alive
    x = points(100)
    assert Dg.dead_unit_fraction(net, x) == {"1": 0.0}
    with torch.no_grad():
        net[0].bias[2] = -1e3                                  # never positive on x
    assert Dg.dead_unit_fraction(net, x) == {"1": 0.25}
    with torch.no_grad():
        net[0].bias[:] = -1e3
    assert Dg.dead_unit_fraction(net, x) == {"1": 1.0}


def test_dead_unit_fraction_per_layer():
    set_seed(5)
    net = models.mlp(2, [8, 4], 2)
    with torch.no_grad():
        net[3].weight.zero_()
        net[3].bias[:2] = -1.0                                # two of four units dead
        net[3].bias[2:] = 1.0
    fractions = Dg.dead_unit_fraction(net, points(200))
    assert set(fractions) == {"2", "4"}
    assert fractions["4"] == 0.5
    assert 0.0 <= fractions["2"] <= 1.0


@pytest.mark.parametrize("activation", [M.ReLU(), M.LeakyReLU(0.1), nn.LeakyReLU(0.3), M.ELU()])
def test_never_positive_units_flags_units_with_negative_preactivations(activation):
    net = one_layer(activation, [-100.0, 100.0, -100.0, 0.0])
    x, _ = binary_batch()
    mask = Dg.never_positive_units(net, x)["1"]
    assert mask.dtype == torch.bool and mask.shape == (4,)
    assert mask[:3].tolist() == [True, False, True]
    assert hook_count(net) == 0


def test_never_positive_units_agrees_with_dead_unit_fraction():
    set_seed(1)
    for name in ("relu", "leaky_relu"):
        net = models.mlp(2, [16, 16], 2, name)
        with torch.no_grad():
            net[1].bias.sub_(1.5)                       # kill some units
        x, _ = binary_batch(128)
        masks = Dg.never_positive_units(net, x)
        fractions = Dg.dead_unit_fraction(net, x)
        assert list(masks) == list(fractions)
        for layer, mask in masks.items():
            assert mask.float().mean().item() == pytest.approx(fractions[layer])
        assert any(m.any() for m in masks.values())


def test_never_positive_units_uses_the_preactivation_not_the_output():
    # With a negative slope, the output is positive where z < 0: the unit still counts as
    # never positive, because the test is on z.
    net = one_layer(M.LeakyReLU(-0.5), [-100.0, 100.0])
    x, _ = binary_batch()
    assert Dg.never_positive_units(net, x)["1"].tolist() == [True, False]
    assert Dg.dead_unit_fraction(net, x)["1"] == 0.0               # outputs are positive


def test_never_positive_units_treats_exact_zero_as_not_positive():
    net = nn.Sequential(nn.Linear(2, 2), M.ReLU())
    with torch.no_grad():
        net[0].weight.zero_()
        net[0].bias.copy_(torch.tensor([0.0, 1e-6]))
    assert Dg.never_positive_units(net, torch.randn(5, 2))["1"].tolist() == [True, False]


def test_never_positive_units_counts_every_position_of_a_convolution():
    set_seed(0)
    net = models.small_cnn(channels=(4,))
    mask = Dg.never_positive_units(net, torch.rand(3, 1, 8, 8))
    assert list(mask) == ["1"] and mask["1"].shape == (4 * 8 * 8,)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3])
def test_unit_preactivation_gradients_match_a_hand_computation(slope):
    activation = M.ReLU() if slope == 0.0 else M.LeakyReLU(slope)
    net = one_layer(activation, [-100.0, 0.2, -100.0])
    x, y = binary_batch()
    got = Dg.unit_preactivation_gradients(net, x, y)["1"]
    expected = manual_unit_gradients(net, x, y, slope)
    assert got.dtype == torch.float64 and got.shape == (3,)
    assert torch.allclose(got, expected, rtol=1e-5, atol=1e-9)
    if slope == 0.0:
        assert got[0].item() == 0.0 and got[2].item() == 0.0      # dead: exactly nothing
    else:
        assert got[0].item() > 0.0 and got[2].item() > 0.0         # leaky: still something


def test_unit_preactivation_gradients_leave_the_model_alone():
    set_seed(0)
    net = models.mlp(2, [8, 8], 2, "leaky_relu")
    before = [p.detach().clone() for p in net.parameters()]
    x, y = binary_batch()
    grads = Dg.unit_preactivation_gradients(net, x, y)
    assert list(grads) == ["2", "4"] and all(g.shape == (8,) for g in grads.values())
    assert all(p.grad is None for p in net.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert hook_count(net) == 0


def test_unit_preactivation_gradients_layer_norm_matches_preactivation_gradient_norms():
    set_seed(2)
    net = models.mlp(2, [6, 6], 3)
    x, y = torch.randn(20, 2), torch.randint(0, 3, (20,))
    per_unit = Dg.unit_preactivation_gradients(net, x, y)
    per_layer = Dg.preactivation_gradient_norms(net, x, y)
    for name in per_layer:
        assert per_unit[name].norm().item() == pytest.approx(per_layer[name], rel=1e-5)


def test_effective_negative_slopes_of_fixed_slopes():
    assert Dg.effective_negative_slopes(M.LeakyReLU(0.2), 5).tolist() == [0.2] * 5
    assert Dg.effective_negative_slopes(nn.LeakyReLU(), 3).tolist() == [0.01] * 3
    fn = partial(F.leaky_relu, negative_slope=0.3)
    assert torch.allclose(Dg.effective_negative_slopes(fn, 4, value=-2.5),
                          torch.full((4,), 0.3, dtype=torch.float64))
    assert Dg.effective_negative_slopes(M.ReLU(), 2).tolist() == [0.0, 0.0]
    prelu = Dg.effective_negative_slopes(M.PReLU(), 3)               # float32 weight 0.25
    assert prelu.dtype == torch.float64 and prelu.tolist() == [0.25] * 3


def test_effective_negative_slopes_of_rrelu_in_both_modes():
    rrelu = nn.RReLU()
    rrelu.eval()
    set_seed(0)
    train_slopes = Dg.effective_negative_slopes(rrelu, 20_000, training=True)
    assert not rrelu.training                                       # mode restored
    assert train_slopes.min() >= 1 / 8 and train_slopes.max() <= 1 / 3
    assert train_slopes.unique().numel() > 19_000                   # one draw per element
    assert abs(train_slopes.mean().item() - (1 / 8 + 1 / 3) / 2) < 0.003
    rrelu.train()
    eval_slopes = Dg.effective_negative_slopes(rrelu, 10, training=False)
    assert rrelu.training
    assert torch.allclose(eval_slopes, torch.full((10,), (1 / 8 + 1 / 3) / 2,
                                                  dtype=torch.float64))


def test_born_dead_fractions_shape_monotone_and_deterministic():
    a = Dg.born_dead_fractions(3, 12, n_networks=300, seed=5)
    b = Dg.born_dead_fractions(3, 12, n_networks=300, seed=5)
    c = Dg.born_dead_fractions(3, 12, n_networks=300, seed=6)
    assert a.shape == (12,) and a.dtype == torch.float64 and a.device.type == "cpu"
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert (a[1:] >= a[:-1]).all() and 0.0 <= a.min() and a.max() <= 1.0


@pytest.mark.parametrize("width", [2, 3, 5])
def test_born_dead_fractions_respect_the_one_point_bound(width):
    depth, n = 15, 2000
    frac = Dg.born_dead_fractions(width, depth, n_networks=n, seed=width)
    bound = 1 - (1 - 2.0 ** -width) ** torch.arange(1, depth + 1, dtype=torch.float64)
    assert (frac <= bound + 4 * 0.5 / math.sqrt(n)).all()
    assert frac[0] == 0.0                      # zero biases, inputs in all directions
    assert frac[-1] > 0.5 * bound[-1]          # and not far below it at depth


def test_born_dead_fractions_grow_with_depth_and_shrink_with_width():
    narrow = Dg.born_dead_fractions(2, 20, n_networks=500, seed=0)
    wide = Dg.born_dead_fractions(6, 20, n_networks=500, seed=0)
    assert narrow[-1] > 0.95 and wide[-1] < 0.5 and narrow[-1] > wide[-1]


def test_born_dead_fractions_bias_and_remedies():
    # a very negative bias kills the first layer of every network; a large positive never
    assert Dg.born_dead_fractions(4, 3, n_networks=50, bias=-100.0).tolist() == [1.0] * 3
    assert Dg.born_dead_fractions(4, 3, n_networks=50, bias=100.0).max() == 0.0
    for options in ({"activation": "leaky_relu", "activation_kwargs": {"negative_slope": 0.1}},
                    {"batch_norm": True}, {"activation": "tanh"}):
        assert Dg.born_dead_fractions(2, 20, n_networks=200, **options).max() == 0.0
    default = Dg.born_dead_fractions(4, 20, n_networks=1000, init="default", seed=1)
    assert default[-1] > 0.3
    for init in ("xavier", "lecun"):
        assert Dg.born_dead_fractions(2, 10, n_networks=200, init=init)[-1] > 0.5
