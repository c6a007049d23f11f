"""Package additions for chapter 4, "Advantages of ReLU": diagnostics.activation_derivatives,
plotting.plot_distributions and the chapter's exercise checks (relu_course.exercises.ch04).
(relu_course.bench has its own tests in test_bench.py.)"""

from __future__ import annotations

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

# ---------------------------------------------------------------------------------------------
# diagnostics.activation_derivatives
# ---------------------------------------------------------------------------------------------

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


def test_derivatives_check_their_arguments():
    net = models.mlp(2, [3], 2)
    with pytest.raises(TypeError):
        Dg.activation_derivatives(net, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="no examples"):
        Dg.activation_derivatives(net, torch.empty(0, 2))
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.activation_derivatives(nn.Linear(2, 2), torch.randn(3, 2))


# ---------------------------------------------------------------------------------------------
# plotting.plot_distributions
# ---------------------------------------------------------------------------------------------


def bar_heights(ax) -> np.ndarray:
    return np.array([patch.get_height() for patch in ax.patches])


def test_distributions_show_shares_per_panel(rc_unchanged):
    samples = {"relu": torch.tensor([0.0, 0.0, 1.0, 1.0, 1.0]),
               "sigmoid": np.linspace(0.0, 0.25, 50), "list": [0.5] * 7}
    fig = P.plot_distributions(samples, bins=10, value_range=(0, 1), threshold=0.1,
                               xlabel="derivative")
    assert isinstance(fig, Figure) and len(fig.axes) == 3
    assert [ax.get_title() for ax in fig.axes] == [
        "relu (40% below 0.1)", "sigmoid (40% below 0.1)", "list (0% below 0.1)"]
    for ax in fig.axes:
        heights = bar_heights(ax)
        assert len(heights) == 10 and heights.sum() == pytest.approx(1.0)
        assert ax.get_xlabel() == "derivative"
        assert any(line.get_linestyle() == "--" for line in ax.lines)      # the threshold
    relu = bar_heights(fig.axes[0])
    assert relu[0] == pytest.approx(0.4) and relu[-1] == pytest.approx(0.6)
    assert fig.axes[0].get_ylabel() == "share of values"


def test_distributions_default_range_clipping_and_options(rc_unchanged):
    fig = P.plot_distributions({"a": [1.0, 2.0, 3.0], "b": [2.0, 2.0]}, bins=4)
    assert fig.axes[0].patches[0].get_x() == pytest.approx(1.0)        # min over samples
    fig = P.plot_distributions({"a": [-5.0, 0.5, 9.0]}, bins=2, value_range=(0, 1), log=True,
                               ylabel="share of units", title="t")
    assert bar_heights(fig.axes[0]).sum() == pytest.approx(1.0)          # outliers clipped
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_ylabel() == "share of units"
    assert fig._suptitle.get_text() == "t"
    fig = P.plot_distributions({"constant": [3.0, 3.0]})                 # zero-width data
    assert bar_heights(fig.axes[0]).sum() == pytest.approx(1.0)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"samples": {}}, TypeError, "non-empty mapping"),
    ({"samples": [1.0, 2.0]}, TypeError, "non-empty mapping"),
    ({"samples": {"a": []}}, ValueError, "'a' is empty"),
    ({"samples": {"a": [1.0, float("nan")]}}, ValueError, "NaN"),
    ({"samples": {"a": ["x"]}}, TypeError, "must be an array of numbers"),
    ({"samples": {"a": [1.0]}, "bins": 0}, ValueError, "bins"),
    ({"samples": {"a": [1.0]}, "bins": 2.5}, TypeError, "bins"),
    ({"samples": {"a": [1.0]}, "value_range": (1, 0)}, ValueError, "value_range"),
    ({"samples": {"a": [1.0]}, "threshold": "0.1"}, TypeError, "threshold"),
    ({"samples": {"a": [1.0]}, "threshold": float("inf")}, ValueError, "threshold"),
])
def test_distributions_check_their_arguments(kwargs, error, match):
    samples = kwargs.pop("samples")
    with pytest.raises(error, match=match):
        P.plot_distributions(samples, **kwargs)


# ---------------------------------------------------------------------------------------------
# exercises.ch04
# ---------------------------------------------------------------------------------------------

def stub(*args):
    raise NotImplementedError


def leaky_forward(x, slope):
    return np.where(x > 0, x, slope * x)


def leaky_backward(grad_out, x, slope):
    return grad_out * np.where(x > 0, 1.0, slope)


def test_leaky_two_lines_passes_and_spots_mistakes():
    result = E.check_leaky_two_lines(leaky_forward, leaky_backward)
    assert result.passed and result.checks_passed == 6
    assert E.check_leaky_two_lines(stub, stub).status == "not attempted"
    assert E.check_leaky_two_lines(leaky_forward, stub).status == "not attempted"

    at_zero = E.check_leaky_two_lines(
        leaky_forward, lambda g, x, a: g * np.where(x >= 0, 1.0, a))
    assert at_zero.status == "failed" and "x > 0, not x >= 0" in at_zero.message

    relu = E.check_leaky_two_lines(lambda x, a: np.maximum(x, 0), leaky_backward)
    assert relu.status == "failed" and "leaky_forward(" in relu.message

    def in_place(grad_out, x, slope):
        grad_out[x <= 0] *= slope
        return grad_out
    assert "in place" in E.check_leaky_two_lines(leaky_forward, in_place).message


def sparse_layer(h, W):
    active = np.flatnonzero(h)
    return W[:, active] @ h[active], W.shape[0] * active.size


def test_sparse_relu_layer_passes_and_spots_mistakes():
    result = E.check_sparse_relu_layer(sparse_layer)
    assert result.passed and result.checks_passed == 8
    assert E.check_sparse_relu_layer(stub).status == "not attempted"

    dense = E.check_sparse_relu_layer(lambda h, W: (W @ h, W.size))
    assert dense.status == "failed" and "every entry of W" in dense.message
    per_input = E.check_sparse_relu_layer(lambda h, W: (W @ h, int(np.count_nonzero(h))))
    assert "whole column" in per_input.message
    wrong_y = E.check_sparse_relu_layer(lambda h, W: (W @ np.abs(h) * 2, 0))
    assert wrong_y.status == "failed" and "W @ h" in wrong_y.message
    single = E.check_sparse_relu_layer(lambda h, W: W @ h)
    assert "pair" in single.message
    float_count = E.check_sparse_relu_layer(lambda h, W: (W @ h, 4.0))
    assert "int" in float_count.message


def test_effective_gbps_passes_and_names_the_mistake():
    assert E.check_effective_gbps(lambda n, s, t: 5 * n * s / t / 1e9).passed
    assert E.check_effective_gbps(stub).status == "not attempted"
    hints = {
        (lambda n, s, t: 2 * n * s / t / 1e9): "forward pass only",
        (lambda n, s, t: 3 * n * s / t / 1e9): "backward pass only",
        (lambda n, s, t: n * s / t / 1e9): "5 passes",
        (lambda n, s, t: 5 * n * s / t / 2**30): "10**9 bytes",
        (lambda n, s, t: 5 * n * s / (t * 1e3) / 1e9): "milliseconds",
        (lambda n, s, t: 5 * n * s / t): "divide by 1e9",
        (lambda n, s, t: 7.0): "expected 20",
    }
    for fn, hint in hints.items():
        result = E.check_effective_gbps(fn)
        assert result.status == "failed" and hint in result.message, result.message
    assert "a number" in E.check_effective_gbps(lambda n, s, t: "fast").message


def test_chapter_4_checks_are_exported():
    from relu_course.exercises import ch04
    for name in ch04.__all__:
        assert getattr(E, name) is getattr(ch04, name)
