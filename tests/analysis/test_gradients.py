"""Tests of relu_course.analysis.gradients: activation_derivatives, preactivation_gradient_norms,
input_derivatives, confidence_along_rays, per-example gradients and relu_kink_sensitivity."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course.activations import modules as M

from helpers import batch, hook_count, kink_net

ACTIVATIONS = {
    "relu": M.ReLU(), "nn.relu": nn.ReLU(), "leaky": M.LeakyReLU(0.2),
    "nn.leaky": nn.LeakyReLU(0.3), "elu": M.ELU(0.5), "nn.elu": nn.ELU(alpha=2.0),
    "selu": M.SELU(), "nn.selu": nn.SELU(), "gelu": M.GELU(), "nn.gelu-tanh":
    nn.GELU(approximate="tanh"), "silu": M.SiLU(), "nn.silu": nn.SiLU(), "mish": M.Mish(),
    "nn.mish": nn.Mish(), "softplus": M.Softplus(beta=2.0, threshold=5.0),
    "nn.softplus": nn.Softplus(beta=0.5, threshold=3.0), "sigmoid": M.Sigmoid(),
    "nn.sigmoid": nn.Sigmoid(), "tanh": M.Tanh(), "nn.tanh": nn.Tanh(),
    "prelu-shared": M.PReLU(init=0.1), "nn.prelu-channels": nn.PReLU(6, init=0.4),
}


def geometric_factor(norms: dict) -> float:
    d = list(norms.values())
    return (d[0] / d[-1]) ** (1 / (len(d) - 1))


class Cubic(nn.Module):
    def forward(self, x):
        return x ** 3


@pytest.mark.parametrize("key", list(ACTIVATIONS))
def test_derivatives_match_autograd_of_the_layer(key):
    """The derivative at each pre-activation is what autograd gives for that very layer."""
    torch.manual_seed(0)
    act = ACTIVATIONS[key]
    if isinstance(act, nn.PReLU) and act.weight.numel() > 1:
        with torch.no_grad():
            act.weight.copy_(torch.linspace(0.1, 0.6, 6))      # a different slope per unit
    net = nn.Sequential(nn.Linear(5, 6), act, nn.Linear(6, 2)).double()
    x = torch.randn(40, 5, dtype=torch.float64) * 4
    d = Dg.activation_derivatives(net, x)
    assert list(d) == ["1"]
    z = net[0](x).detach().requires_grad_()
    (expected,) = torch.autograd.grad(net[1](z).sum(), z)
    assert d["1"].shape == (40, 6)
    torch.testing.assert_close(d["1"], expected, rtol=1e-10, atol=1e-12)


def test_relu_derivatives_are_the_active_units():
    set_seed(1)
    net = models.mlp(3, [7, 5], 2)
    x = torch.randn(30, 3)
    d = Dg.activation_derivatives(net, x)
    with Dg.record_activations(net, "input") as pre:
        net(x)
    assert list(d) == ["2", "4"]
    for name in d:
        assert torch.equal(d[name], (pre[name][-1] > 0).float())


def test_sigmoid_and_tanh_bounds():
    set_seed(2)
    x = torch.randn(64, 4) * 5
    sig = Dg.activation_derivatives(models.mlp(4, [16, 16], 3, "sigmoid"), x)
    tanh = Dg.activation_derivatives(models.mlp(4, [16, 16], 3, "tanh"), x)
    assert all(0 <= v.min() and v.max() <= 0.25 for v in sig.values())
    assert all(0 <= v.min() and v.max() <= 1.0 for v in tanh.values())


def test_derivatives_leave_the_model_untouched():
    set_seed(3)
    net = models.mlp(4, [8], 2, "gelu")
    before = [p.clone() for p in net.parameters()]
    Dg.activation_derivatives(net, torch.randn(10, 4))
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert all(p.grad is None for p in net.parameters())
    assert all(not m._forward_hooks for m in net.modules())


def test_derivatives_of_a_cnn_keep_the_feature_map_shape():
    set_seed(4)
    net = models.small_cnn(channels=(3, 4), activation="tanh")
    d = Dg.activation_derivatives(net, torch.rand(2, 1, 8, 8))
    assert [tuple(v.shape) for v in d.values()] == [(2, 3, 8, 8), (2, 4, 4, 4)]


@pytest.mark.parametrize("layer", [nn.RReLU(), nn.CELU(), nn.Hardswish()])
def test_derivatives_of_layers_without_a_hand_written_one_come_from_autograd(layer):
    net = nn.Sequential(nn.Linear(2, 3), layer).eval()        # RReLU: its fixed eval slope
    x = torch.randn(4, 2)
    pre = net[0](x).detach().requires_grad_(True)
    (expected,) = torch.autograd.grad(layer(pre).sum(), pre)
    torch.testing.assert_close(Dg.activation_derivatives(net, x)["1"], expected)


def test_preactivation_gradient_norms_match_autograd_by_hand():
    set_seed(0)
    net = models.mlp(4, [6, 5, 7], 3, "tanh")
    x, y = batch()
    norms = Dg.preactivation_gradient_norms(net, x, y)
    # the same gradients by hand: recompute the pre-activations and retain their grads
    h, pre = x, []
    for layer in net:
        h = layer(h)
        if isinstance(layer, nn.Linear) and len(pre) < 3:
            h.retain_grad()
            pre.append(h)
    nn.functional.cross_entropy(h, y).backward()
    expected = [z.grad.norm().item() for z in pre]
    assert list(norms) == ["2", "4", "6"]
    assert list(norms.values()) == pytest.approx(expected, rel=1e-6)


def test_preactivation_gradient_norms_follow_the_backward_recursion():
    # delta_l = D_l W_{l+1}^T delta_{l+1}: with one example, compute it with matrices
    set_seed(1)
    net = models.mlp(3, [4, 4], 2, "relu")
    x, y = batch(n=1, d=3, classes=2, seed=3)
    norms = list(Dg.preactivation_gradient_norms(net, x, y).values())
    W1, W2, W3 = net[1].weight, net[3].weight, net[5].weight
    with torch.no_grad():
        z1 = x @ W1.T + net[1].bias
        z2 = torch.relu(z1) @ W2.T + net[3].bias
        logits = torch.relu(z2) @ W3.T + net[5].bias
        delta3 = torch.softmax(logits, 1) - nn.functional.one_hot(y, 2)   # dL/dlogits
        delta2 = (z2 > 0) * (delta3 @ W3)
        delta1 = (z1 > 0) * (delta2 @ W2)
    assert norms == pytest.approx([delta1.norm().item(), delta2.norm().item()], rel=1e-5)


@pytest.mark.parametrize("init, factor", [("he", 1.0), ("xavier", math.sqrt(0.5)),
                                          ("default", math.sqrt(1 / 6))])
def test_relu_per_layer_factor_depends_on_the_initialisation(init, factor):
    # sqrt(n var * E[relu'^2]) = sqrt(g^2 / 2): 1 for He, 0.71 for Xavier, 0.41 for default
    set_seed(0)
    net = models.mlp(64, [256] * 10, 10, "relu", init=init)
    x, y = batch(n=256, d=64, classes=10)
    measured = geometric_factor(Dg.preactivation_gradient_norms(net, x, y))
    assert measured == pytest.approx(factor, rel=0.08)


def test_sigmoid_per_layer_factor_is_below_a_quarter_at_xavier_scale():
    set_seed(0)
    net = models.mlp(64, [128] * 8, 10, "sigmoid", init="xavier")
    x, y = batch(n=128, d=64, classes=10)
    assert 0.15 < geometric_factor(Dg.preactivation_gradient_norms(net, x, y)) < 0.25


def test_preactivation_gradient_norms_leave_the_model_alone():
    set_seed(0)
    net = models.mlp(4, [8, 8], 3)
    before = [p.detach().clone() for p in net.parameters()]
    x, y = batch()
    Dg.preactivation_gradient_norms(net, x, y)
    assert all(p.grad is None for p in net.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert hook_count(net) == 0


def test_preactivation_gradient_norms_custom_loss_and_torch_modules():
    net = nn.Sequential(nn.Linear(3, 5), nn.GELU(), nn.Linear(5, 5), nn.Sigmoid(),
                        nn.Linear(5, 2))
    x = torch.randn(10, 3)
    target = torch.randn(10, 2)
    norms = Dg.preactivation_gradient_norms(net, x, target, loss_fn=nn.functional.mse_loss)
    assert list(norms) == ["1", "3"]
    assert all(v > 0 for v in norms.values())


def test_preactivation_gradient_norms_with_frozen_parameters_but_input_grad():
    net = models.mlp(3, [4], 2)
    for p in net.parameters():
        p.requires_grad_(False)
    x = torch.randn(5, 3, requires_grad=True)
    norms = Dg.preactivation_gradient_norms(net, x, torch.zeros(5, dtype=torch.long))
    assert list(norms) == ["2"] and norms["2"] >= 0


def test_input_derivatives_of_a_formula_are_exact():
    x = torch.linspace(-2, 2, 9, dtype=torch.float64)
    f, d1, d2, d3, d4 = Dg.input_derivatives(Cubic(), x, order=4)
    assert torch.allclose(f, x ** 3) and torch.allclose(d1, 3 * x ** 2)
    assert torch.allclose(d2, 6 * x) and torch.allclose(d3, torch.full_like(x, 6.0))
    assert torch.equal(d4, torch.zeros_like(x))
    assert all(not t.requires_grad for t in (f, d1, d2, d3, d4))
    (only,) = Dg.input_derivatives(Cubic(), x.reshape(-1, 1), order=0)
    assert only.shape == (9,)


def test_input_derivatives_relu_is_zero_and_tanh_matches_finite_differences():
    set_seed(3)
    x = torch.linspace(-2, 2, 201, dtype=torch.float64)
    relu_net = models.mlp(1, [16, 16], 1, "relu").double()
    _, d1, d2 = Dg.input_derivatives(relu_net, x)
    assert torch.equal(d2, torch.zeros_like(x)) and (d1 != 0).any()
    hinge = models.hinge_network([0.0, 1.0], [1.0, -2.0], dtype=torch.float64)
    _, d1, d2 = Dg.input_derivatives(hinge, torch.tensor([-1.0, 0.5, 2.0], dtype=torch.float64))
    assert d1.tolist() == [0.0, 1.0, -1.0] and d2.tolist() == [0.0, 0.0, 0.0]
    tanh_net = models.mlp(1, [16, 16], 1, "tanh").double()
    _, d1, d2 = Dg.input_derivatives(tanh_net, x)
    h = 1e-4
    with torch.no_grad():
        col = x.reshape(-1, 1)
        fd1 = ((tanh_net(col + h) - tanh_net(col - h)) / (2 * h))[:, 0]
        fd2 = ((tanh_net(col + h) - 2 * tanh_net(col) + tanh_net(col - h)) / h ** 2)[:, 0]
    assert torch.allclose(d1, fd1, atol=1e-7) and torch.allclose(d2, fd2, atol=1e-5)


def test_input_derivatives_can_keep_the_graph_for_training():
    set_seed(4)
    net = models.mlp(1, [8], 1, "tanh")
    _, _, d2 = Dg.input_derivatives(net, torch.linspace(0, 1, 5), create_graph=True)
    assert d2.requires_grad
    d2.pow(2).sum().backward()
    assert net[1].weight.grad.abs().sum() > 0 and net[3].weight.grad.abs().sum() > 0
    assert net[3].bias.grad is None                 # the output bias does not bend f


def test_confidence_along_rays_is_the_max_softmax_and_goes_to_one_for_relu():
    set_seed(5)
    net = models.mlp(6, [32, 32], 4)
    net.train()
    x = torch.randn(20, 6)
    conf = Dg.confidence_along_rays(net, x, [1.0, 10.0, 1e5])
    assert conf.shape == (3, 20) and net.training                  # mode restored
    with torch.no_grad():
        expected = torch.softmax(net(10.0 * x), dim=1).max(dim=1).values
    assert torch.allclose(conf[1], expected)
    assert (conf >= 0.25).all() and (conf <= 1.0).all()             # 4 classes
    assert (conf[-1] > 0.999).all()
    assert torch.equal(Dg.confidence_along_rays(net, x, torch.tensor([10.0]))[0], conf[1])


def test_confidence_along_rays_of_tanh_stays_bounded():
    set_seed(6)
    net = models.mlp(6, [16], 4, "tanh")
    with torch.no_grad():                      # logits bounded by |W2| 1 + |b2| along any ray
        net[3].weight.mul_(0.1)
    conf = Dg.confidence_along_rays(net, torch.randn(30, 6), [1e3, 1e6])
    assert (conf < 0.9).all()


def test_per_example_gradients_match_one_backward_per_example():
    set_seed(7)
    net = models.mlp(5, [6, 4], 3)
    gen = torch.Generator().manual_seed(7)
    x, y = torch.randn(8, 5, generator=gen), torch.randint(0, 3, (8,), generator=gen)
    grads = Dg.per_example_weight_gradients(net, x, y)
    assert list(grads) == ["1", "3", "5"]
    for i in range(len(x)):
        net.zero_grad()
        nn.functional.cross_entropy(net(x[i:i + 1]), y[i:i + 1]).backward()
        for name, g in grads.items():
            assert torch.allclose(g[i], net.get_submodule(name).weight.grad, atol=1e-6)


def test_per_example_gradients_of_a_layer_fed_by_relu_have_one_sign_per_row():
    set_seed(8)
    gen = torch.Generator().manual_seed(8)
    x, y = torch.randn(30, 4, generator=gen), torch.randint(0, 2, (30,), generator=gen)
    for activation, expected in (("relu", True), ("tanh", False)):
        g = Dg.per_example_weight_gradients(models.mlp(4, [10, 10], 2, activation), x, y)["3"]
        nz = g != 0
        single = (((g > 0) | ~nz).all(2) | ((g < 0) | ~nz).all(2))[nz.any(2)]
        assert bool(single.all()) is expected


def test_per_example_gradients_leave_the_model_untouched_and_check_arguments():
    net = models.mlp(2, [3], 2)
    before = [p.detach().clone() for p in net.parameters()]
    Dg.per_example_weight_gradients(net, torch.randn(4, 2), torch.tensor([0, 1, 0, 1]))
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert all(p.grad is None for p in net.parameters())
    with pytest.raises(ValueError, match="same"):
        Dg.per_example_weight_gradients(net, torch.randn(4, 2), torch.tensor([0, 1]))
    with pytest.raises(TypeError, match="y"):
        Dg.per_example_weight_gradients(net, torch.randn(2, 2), [0, 1])
    with pytest.raises(ValueError, match="Linear"):
        Dg.per_example_weight_gradients(nn.Sequential(M.ReLU()), torch.randn(2, 2),
                                        torch.tensor([0, 1]))


def test_kink_sensitivity_counts_zeros_and_compares_gradients():
    net = kink_net()
    gen = torch.Generator().manual_seed(9)
    x = torch.cat([torch.randn(4, 3, generator=gen), torch.zeros(2, 3),
                   torch.randn(4, 3, generator=gen)])
    y = torch.tensor([0, 1, 0, 1, 1, 1, 0, 1, 0, 1])   # rows 4, 5 (zero inputs): same label
    result = Dg.relu_kink_sensitivity(net, x, y, batch_size=4)
    assert [r["zeros"] for r in result] == [0, 12, 0]     # zero inputs, zero biases
    assert result[0]["difference"] == 0.0 and result[2]["difference"] == 0.0
    assert result[1]["difference"] > 0
    assert [m.grad_at_zero for m in net.modules() if isinstance(m, M.ReLUKink)] == [0.25]
    assert all(len(m._forward_hooks) == 0 for m in net.modules())
    (whole,) = Dg.relu_kink_sensitivity(net, x, y)          # one batch
    assert whole["zeros"] == 12


def test_kink_sensitivity_difference_is_what_autograd_gives():
    net = kink_net(width=4, seed=10)
    x, y = torch.zeros(3, 3), torch.tensor([0, 1, 1])
    (r,) = Dg.relu_kink_sensitivity(net, x, y)
    grads = []
    for s in (0.0, 1.0):
        for m in net.modules():
            if isinstance(m, M.ReLUKink):
                m.grad_at_zero = s
        g = torch.autograd.grad(nn.functional.cross_entropy(net(x), y), list(net.parameters()))
        grads.append(torch.cat([t.reshape(-1) for t in g]).double())
    expected = ((grads[1] - grads[0]).norm() / grads[0].norm()).item()
    assert r["difference"] == pytest.approx(expected)
