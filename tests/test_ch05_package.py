"""Package additions for chapter 5 ("The vanishing gradient problem"):
diagnostics.preactivation_gradient_norms, plotting.plot_layer_profile and the chapter's
exercise checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from relu_course import analysis as Dg
from relu_course import exercises as E
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course.activations import modules as M


def batch(n=32, d=4, classes=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=gen), torch.randint(0, classes, (n,), generator=gen)


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


def geometric_factor(norms: dict) -> float:
    d = list(norms.values())
    return (d[0] / d[-1]) ** (1 / (len(d) - 1))


# ---------------------------------------------------------------------------------------------
# diagnostics.preactivation_gradient_norms
# ---------------------------------------------------------------------------------------------

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


def test_preactivation_gradient_norms_errors():
    net = models.mlp(4, [8], 3)
    x, y = batch()
    with pytest.raises(TypeError):
        Dg.preactivation_gradient_norms(net, x.tolist(), y)
    with pytest.raises(TypeError):
        Dg.preactivation_gradient_norms(net, x, y.tolist())
    with pytest.raises(ValueError, match="same, non-zero"):
        Dg.preactivation_gradient_norms(net, x, y[:-1])
    with pytest.raises(ValueError, match="same, non-zero"):
        Dg.preactivation_gradient_norms(net, x[:0], y[:0])
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.preactivation_gradient_norms(nn.Sequential(nn.Linear(4, 3)), x, y)
    inplace = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 3))
    with pytest.raises(ValueError, match="in place"):
        Dg.preactivation_gradient_norms(inplace, x, y)
    with pytest.raises(ValueError, match="do not depend on anything trainable"), \
            torch.no_grad():
        Dg.preactivation_gradient_norms(net, x, y)
    frozen = models.mlp(4, [8], 3)
    for p in frozen.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="do not depend on anything trainable"):
        Dg.preactivation_gradient_norms(frozen, x, y)
    assert hook_count(net) == 0 and hook_count(frozen) == 0


def test_preactivation_gradient_norms_unused_layer_reports_an_error():
    class Skips(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 3)
            self.act = M.ReLU()           # registered but never called

        def forward(self, x):
            return self.lin(x)

    x, y = batch()
    with pytest.raises(ValueError, match="not called"):
        Dg.preactivation_gradient_norms(Skips(), x, y)


# ---------------------------------------------------------------------------------------------
# plotting.plot_layer_profile
# ---------------------------------------------------------------------------------------------


def test_plot_layer_profile_draws_one_line_per_network(rc_unchanged):
    profiles = {"halves": [1.0, 0.5, 0.25, 0.125], "steady": np.ones(4),
                "deeper": torch.tensor([2.0, 3.0, 4.0, 5.0, 6.0, 7.0])}
    fig = P.plot_layer_profile(profiles, ylabel="signal", title="t")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [ln.get_label() for ln in lines] == ["halves", "steady", "deeper"]
    assert list(lines[0].get_xdata()) == [1, 2, 3, 4]
    assert list(lines[2].get_xdata()) == [1, 2, 3, 4, 5, 6]
    assert np.allclose(lines[0].get_ydata(), [1.0, 0.5, 0.25, 0.125])
    assert ax.get_yscale() == "log" and ax.get_ylabel() == "signal" and ax.get_title() == "t"
    # told apart without colour: markers and line styles differ
    assert len({ln.get_marker() for ln in lines}) == 3
    assert len({ln.get_linestyle() for ln in lines}) == 3
    assert len({ln.get_color() for ln in lines}) == 3
    assert ax.get_legend() is not None


def test_plot_layer_profile_accepts_gradient_norms_and_linear_axis(rc_unchanged):
    set_seed(0)
    net = models.mlp(4, [8, 8], 3)
    x, y = batch()
    norms = Dg.gradient_norms(net, x, y)
    fig = P.plot_layer_profile({"net": norms, "signed": [-1.0, 0.0, 1.0]}, log=False)
    ax = fig.axes[0]
    assert ax.get_yscale() == "linear"
    assert np.allclose(ax.get_lines()[0].get_ydata(), list(norms.values()))


def test_plot_layer_profile_draws_on_a_given_axis(rc_unchanged):
    fig, axes = P.subplots(1, 2)
    out = P.plot_layer_profile({"a": [1, 2, 3]}, ax=axes[1])
    assert out is fig
    assert len(axes[1].get_lines()) == 1 and len(axes[0].get_lines()) == 0


@pytest.mark.parametrize("bad, error, match", [
    ({}, ValueError, "non-empty mapping"),
    ([[1, 2]], ValueError, "non-empty mapping"),
    ({"a": []}, ValueError, "non-empty 1-D"),
    ({"a": [[1, 2], [3, 4]]}, ValueError, "non-empty 1-D"),
    ({"a": [1.0, float("nan")]}, ValueError, "NaN or infinite"),
    ({"a": [1.0, float("inf")]}, ValueError, "NaN or infinite"),
    ({"a": [1.0, 0.0]}, ValueError, "log=False"),
    ({"a": [1.0, -2.0]}, ValueError, "log=False"),
    ({"a": "abc"}, TypeError, "string"),
    ({"a": [1.0, "x"]}, TypeError, "sequence of numbers"),
])
def test_plot_layer_profile_errors(bad, error, match, rc_unchanged):
    with pytest.raises(error, match=match):
        P.plot_layer_profile(bad)


def test_plot_layer_profile_log_must_be_bool():
    with pytest.raises(TypeError):
        P.plot_layer_profile({"a": [1.0]}, log="yes")


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def stub(*args):
    raise NotImplementedError


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def chain_gradient(w, b, x0):
    h, g = x0, 1.0
    for wl, bl in zip(w, b):
        s = _sig(wl * h + bl)
        g *= wl * s * (1 - s)
        h = s
    return g


def chain_without_weights(w, b, x0):
    h, g = x0, 1.0
    for wl, bl in zip(w, b):
        s = _sig(wl * h + bl)
        g *= s * (1 - s)
        h = s
    return g


def chain_with_sigmoid_not_derivative(w, b, x0):
    h, g = x0, 1.0
    for wl, bl in zip(w, b):
        s = _sig(wl * h + bl)
        g *= wl * s
        h = s
    return g


def chain_that_mutates(w, b, x0):
    g = chain_gradient(w, b, x0)
    w.append(0.0)
    return g


def test_sigmoid_chain_gradient_check():
    result = E.check_sigmoid_chain_gradient(chain_gradient)
    assert result.passed and result.checks_passed == 5
    assert repr(result).startswith("[PASSED] Exercise 5.1")
    # a torch answer (0-d tensor) is accepted too
    assert E.check_sigmoid_chain_gradient(lambda *a: torch.tensor(chain_gradient(*a))).passed
    assert E.check_sigmoid_chain_gradient(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (chain_without_weights, "weights are missing"),
    (chain_with_sigmoid_not_derivative, "derivative"),
    (lambda w, b, x0: -chain_gradient(w, b, x0), "sign"),
    (chain_that_mutates, "modified"),
    (lambda w, b, x0: "0.25", "expected a number"),
    (lambda w, b, x0: 1 / 0, "ZeroDivisionError"),
])
def test_sigmoid_chain_gradient_check_explains_mistakes(wrong, hint):
    result = E.check_sigmoid_chain_gradient(wrong)
    assert result.status == "failed"
    assert hint in result.message


def signal_std(fan_in, negative_slope):
    return math.sqrt(2.0 / ((1.0 + negative_slope ** 2) * fan_in))


def test_signal_preserving_std_check():
    result = E.check_signal_preserving_std(signal_std)
    assert result.passed and result.checks_passed == 7
    assert repr(result).startswith("[PASSED] Exercise 5.2")
    assert E.check_signal_preserving_std(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, a: 2.0 / ((1.0 + a * a) * n), "variance"),
    (lambda n, a: math.sqrt(2.0 / n), "negative side"),
    (lambda n, a: math.sqrt(1.0 / n), "rectifier"),
    (lambda n, a: math.sqrt(2.0 / ((1.0 + a) * n)), "expected"),
    (lambda n, a: None, "expected a number"),
])
def test_signal_preserving_std_check_explains_mistakes(wrong, hint):
    result = E.check_signal_preserving_std(wrong)
    assert result.status == "failed"
    assert hint in result.message


def test_signal_preserving_std_check_runs_the_deep_network():
    # right on the analytic cases but wrong for width 256 at slope 0.25: caught by the
    # 40-layer run, which would make the signal grow by 1.5^2 per layer
    def off_for_wide_layers(n, a):
        return signal_std(n, a) * (1.5 if n == 256 and a == 0.25 else 1.0)

    result = E.check_signal_preserving_std(off_for_wide_layers)
    assert result.status == "failed" and "40 layers" in result.message
