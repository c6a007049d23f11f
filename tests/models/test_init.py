"""Tests of relu_course.models.init: the initialisation schemes, init_he_for_slope and
init_hidden_biases."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course.activations import modules as M

from helpers import small_net

LAYERS = {
    "linear": (lambda: nn.Linear(400, 300), 400, 300),
    "conv": (lambda: nn.Conv2d(64, 32, 3), 64 * 9, 32 * 9),
}


STD = {
    "he": lambda fan_in, fan_out: math.sqrt(2.0 / fan_in),
    "xavier": lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out)),
    "lecun": lambda fan_in, fan_out: math.sqrt(1.0 / fan_in),
    "default": lambda fan_in, fan_out: 1.0 / math.sqrt(fan_in) / math.sqrt(3.0),  # U(+-b)
}


def test_init_schemes_listed():
    assert set(models.INIT_SCHEMES) == set(STD)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("scheme", ["he", "xavier", "lecun", "default"])
def test_init_scheme_std(scheme, layer):
    build, fan_in, fan_out = LAYERS[layer]
    set_seed(0)
    module = build()
    assert models.init_weights(module, scheme) is module
    w = module.weight.detach()
    expected = STD[scheme](fan_in, fan_out)
    assert w.std().item() == pytest.approx(expected, rel=0.03)
    assert abs(w.mean().item()) < 0.03 * expected
    if scheme == "default":
        bound = 1.0 / math.sqrt(fan_in)
        assert w.abs().max() <= bound
        assert 0 < module.bias.abs().max() <= bound
    else:
        assert not module.bias.any()                  # biases start at zero
        # a normal distribution, not a uniform one: some weights beyond sqrt(3) std
        assert (w.abs() > math.sqrt(3.0) * expected).any()


def test_default_scheme_is_torchs_reset_parameters():
    torch.manual_seed(5)
    ours = models.init_weights(nn.Linear(30, 20), "default")
    torch.manual_seed(5)
    theirs = nn.Linear(30, 20)
    theirs.reset_parameters()
    assert torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)


def test_init_is_repeatable_with_set_seed():
    a, b = small_net(3, init="xavier"), small_net(3, init="xavier")
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_init_leaves_other_layers_alone():
    net = nn.Sequential(nn.Linear(4, 4), M.PReLU(4, init=0.25), nn.BatchNorm1d(4))
    models.init_weights(net, "he")
    assert net[1].weight.tolist() == [0.25] * 4
    assert net[2].weight.tolist() == [1.0] * 4


@pytest.mark.parametrize("a", [0.0, 0.25, 1.0, -0.5])
def test_init_he_for_slope_has_the_corrected_variance(a):
    set_seed(0)
    layer = models.init_he_for_slope(nn.Linear(300, 600), negative_slope=a)
    expected = math.sqrt(2.0 / ((1 + a * a) * 300))
    assert layer.weight.std().item() == pytest.approx(expected, rel=0.01)
    assert abs(layer.weight.mean().item()) < 0.05 * expected
    assert torch.equal(layer.bias, torch.zeros(600))
    # the same standard deviation as torch's kaiming_normal_ for leaky ReLU
    gain = nn.init.calculate_gain("leaky_relu", a)
    assert expected == pytest.approx(gain / math.sqrt(300), rel=1e-12)


def test_init_he_for_slope_uses_conv_fan_in_and_matches_he_at_zero():
    set_seed(1)
    conv = models.init_he_for_slope(nn.Conv2d(16, 64, 3), negative_slope=0.5)
    fan_in = 16 * 9
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / (1.25 * fan_in)), rel=0.02)
    set_seed(2)
    a = models.init_he_for_slope(models.mlp(20, [30], 4), 0.0)
    set_seed(2)
    b = models.init_weights(models.mlp(20, [30], 4), "he")
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_init_he_for_slope_keeps_the_signal_level_where_he_lets_it_grow():
    x = torch.randn(256, 128, generator=torch.Generator().manual_seed(0))
    growth = {}
    for corrected in (False, True):
        set_seed(3)
        net = models.mlp(128, [128] * 20, 2, activation=lambda w: M.PReLU(init=1.0))
        if corrected:
            models.init_he_for_slope(net, 1.0)
        else:
            models.init_weights(net, "he")
        q = [s.mean_square for s in Dg.activation_stats(net, x, what="input").values()]
        growth[corrected] = (q[-1] / q[0]) ** (1 / 19)
    assert growth[False] == pytest.approx(2.0, rel=0.05)
    assert growth[True] == pytest.approx(1.0, rel=0.05)


def test_init_hidden_biases_sets_hidden_layers_and_keeps_the_rest():
    set_seed(0)
    net = models.mlp(5, [7, 6], 3, init="default")
    before = [p.detach().clone() for p in net.parameters()]
    assert models.init_hidden_biases(net, 0.3) is net
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert torch.all(linears[0].bias == 0.3) and torch.all(linears[1].bias == 0.3)
    assert torch.equal(linears[2].bias, before[5])           # output bias untouched
    for i in (0, 2, 4):                                       # weights untouched
        assert torch.equal(list(net.parameters())[i], before[i])


def test_init_hidden_biases_shifts_every_hidden_pre_activation():
    set_seed(0)
    net = models.init_hidden_biases(models.mlp(4, [8], 2, init="he"), 0.5)
    x = torch.randn(16, 4)
    z = net[1](net[0](x))
    assert torch.allclose(z - x @ net[1].weight.T, torch.full((16, 8), 0.5), atol=1e-6)


def test_init_hidden_biases_works_for_a_cnn():
    net = models.init_hidden_biases(models.small_cnn(channels=(4, 8)), -0.2)
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    assert all(torch.all(c.bias == -0.2) for c in convs)


@pytest.mark.parametrize("layer", LAYERS)
def test_he_normal_draws_variance_two_over_fan_in_in_place(layer):
    build, fan_in, _ = LAYERS[layer]
    set_seed(0)
    w = build().weight
    assert models.he_normal_(w) is w
    assert w.std().item() == pytest.approx(math.sqrt(2.0 / fan_in), rel=0.03)
    assert abs(w.mean().item()) < 0.03 * math.sqrt(2.0 / fan_in)
    assert not w.requires_grad or w.grad is None       # no autograd history


def test_he_normal_is_the_code_path_of_the_he_scheme():
    set_seed(4)
    net = models.init_weights(models.mlp(20, [30], 4, init="default"), "he")
    set_seed(4)
    ref = models.mlp(20, [30], 4, init="default")
    for layer in ref:
        if isinstance(layer, nn.Linear):
            models.he_normal_(layer.weight)
            nn.init.zeros_(layer.bias)
    for p, q in zip(net.parameters(), ref.parameters(), strict=True):
        assert torch.equal(p, q)


@pytest.mark.parametrize("bad, error", [
    ([[1.0, 2.0]], TypeError),
    (torch.zeros(5), ValueError),                       # a bias, not a weight
    (torch.zeros(3, 3, dtype=torch.long), ValueError),  # integer weights
])
def test_he_normal_rejects_what_is_not_a_weight(bad, error):
    with pytest.raises(error, match="he_normal_"):
        models.he_normal_(bad)
