"""Package additions for chapter 12, "Challenges and limitations": functional.relu_kink and
modules.ReLUKink, diagnostics.born_dead_fractions / input_derivatives / confidence_along_rays /
per_example_weight_gradients / relu_kink_sensitivity, train.linear_regression_path /
fit_poisson_1d, plotting.plot_measured_and_predicted / plot_trajectories, and the chapter's
exercise checks (relu_course.exercises.ch12)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from torch import nn
from torch.autograd import gradcheck

from relu_course import analysis as Dg
from relu_course import exercises as E
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course import training as T
from relu_course.activations import functional as F
from relu_course.activations import modules as M

# ---------------------------------------------------------------------------------------------
# functional.relu_kink and modules.ReLUKink
# ---------------------------------------------------------------------------------------------


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


def test_relu_kink_checks_its_arguments():
    with pytest.raises(TypeError, match="torch.Tensor"):
        F.relu_kink([0.0, 1.0])
    with pytest.raises(TypeError):
        F.relu_kink(torch.tensor([True]))
    with pytest.raises(ValueError, match="finite"):
        F.relu_kink(torch.zeros(2), math.nan)
    with pytest.raises(TypeError, match="real number"):
        F.relu_kink(torch.zeros(2), "1")


def test_relu_kink_module_is_an_activation_layer_with_a_switch():
    layer = M.ReLUKink(grad_at_zero=1.0)
    assert repr(layer) == "ReLUKink(grad_at_zero=1.0)"
    x = torch.zeros(3, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    layer.grad_at_zero = 0.0
    x.grad = None
    layer(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    net = models.mlp(2, [3, 3], 2, activation=lambda width: M.ReLUKink())
    assert [name for name, _ in Dg.activation_layers(net)] == ["2", "4"]
    z = torch.tensor([[-1.0, 0.0, 2.0]])
    assert Dg.activation_derivatives(nn.Sequential(M.ReLUKink(1.0)), z)["0"].tolist() == [[0, 1, 1]]
    with pytest.raises(ValueError):
        M.ReLUKink(grad_at_zero=math.inf)


# ---------------------------------------------------------------------------------------------
# diagnostics.born_dead_fractions
# ---------------------------------------------------------------------------------------------

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


def test_born_dead_fractions_check_their_arguments():
    with pytest.raises(ValueError, match="init"):
        Dg.born_dead_fractions(2, 3, init="orthogonal")
    with pytest.raises(ValueError, match="activation"):
        Dg.born_dead_fractions(2, 3, activation="swish")
    with pytest.raises(ValueError, match="width"):
        Dg.born_dead_fractions(0, 3)
    with pytest.raises(TypeError, match="max_depth"):
        Dg.born_dead_fractions(2, 3.5)
    with pytest.raises(TypeError, match="batch_norm"):
        Dg.born_dead_fractions(2, 3, batch_norm=1)
    with pytest.raises(TypeError):
        Dg.born_dead_fractions(2, 3, activation="leaky_relu", activation_kwargs={"slope": 1})
    with pytest.raises(ValueError, match="finite"):
        Dg.born_dead_fractions(2, 3, bias=math.nan)


# ---------------------------------------------------------------------------------------------
# diagnostics.input_derivatives
# ---------------------------------------------------------------------------------------------

class Cubic(nn.Module):
    def forward(self, x):
        return x ** 3


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


def test_input_derivatives_check_their_arguments():
    net = models.mlp(1, [4], 1)
    with pytest.raises(ValueError, match="shape"):
        Dg.input_derivatives(net, torch.zeros(5, 2))
    with pytest.raises(ValueError, match="output shape"):
        Dg.input_derivatives(models.mlp(1, [4], 2), torch.zeros(5))
    with pytest.raises(TypeError):
        Dg.input_derivatives(net, torch.arange(5))
    with pytest.raises(ValueError, match="order"):
        Dg.input_derivatives(net, torch.zeros(5), order=-1)
    with pytest.raises(TypeError, match="create_graph"):
        Dg.input_derivatives(net, torch.zeros(5), create_graph="yes")


# ---------------------------------------------------------------------------------------------
# diagnostics.confidence_along_rays
# ---------------------------------------------------------------------------------------------

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


def test_confidence_along_rays_checks_its_arguments():
    net = models.mlp(2, [4], 2)
    with pytest.raises(ValueError, match="scale"):
        Dg.confidence_along_rays(net, torch.zeros(3, 2), [])
    with pytest.raises(TypeError, match="scales"):
        Dg.confidence_along_rays(net, torch.zeros(3, 2), "big")
    with pytest.raises(ValueError, match="finite"):
        Dg.confidence_along_rays(net, torch.zeros(3, 2), [math.inf])
    with pytest.raises(ValueError, match="no examples"):
        Dg.confidence_along_rays(net, torch.zeros(0, 2), [1.0])


# ---------------------------------------------------------------------------------------------
# diagnostics.per_example_weight_gradients
# ---------------------------------------------------------------------------------------------

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


# ---------------------------------------------------------------------------------------------
# diagnostics.relu_kink_sensitivity
# ---------------------------------------------------------------------------------------------

def kink_net(width=6, seed=9):
    set_seed(seed)
    return models.mlp(3, [width], 2, activation=lambda w: M.ReLUKink(0.25), init="he")


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


def test_kink_sensitivity_checks_its_arguments():
    with pytest.raises(ValueError, match="ReLUKink"):
        Dg.relu_kink_sensitivity(models.mlp(3, [4], 2), torch.zeros(2, 3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="same"):
        Dg.relu_kink_sensitivity(kink_net(), torch.zeros(2, 3), torch.tensor([0]))
    with pytest.raises(ValueError, match="batch_size"):
        Dg.relu_kink_sensitivity(kink_net(), torch.zeros(2, 3), torch.tensor([0, 1]),
                                 batch_size=0)


# ---------------------------------------------------------------------------------------------
# train.linear_regression_path and train.fit_poisson_1d
# ---------------------------------------------------------------------------------------------

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


def test_fit_poisson_1d_checks_its_arguments():
    net = models.mlp(1, [4], 1, "tanh")
    src = lambda x: x
    with pytest.raises(ValueError, match="a < b"):
        T.fit_poisson_1d(net, src, domain=(1.0, 0.0), steps=1)
    with pytest.raises(TypeError, match="source"):
        T.fit_poisson_1d(net, 3.0, steps=1)
    with pytest.raises(ValueError, match="one value per point"):
        T.fit_poisson_1d(net, lambda x: torch.zeros(3), steps=1)
    with pytest.raises(TypeError, match="nn.Module"):
        T.fit_poisson_1d(lambda x: x, src, steps=1)


# ---------------------------------------------------------------------------------------------
# plotting.plot_measured_and_predicted and plotting.plot_trajectories
# ---------------------------------------------------------------------------------------------

def test_measured_and_predicted_pairs_share_colours(rc_unchanged):
    fig = P.plot_measured_and_predicted(
        np.arange(4), {"a": [1, 2, 3, 4], "b": torch.tensor([2.0, 2, 2, 2])},
        {"b": [2.5, 2.5, 2.5, 2.5]}, log=True, ylabel="y", title="t")
    assert isinstance(fig, Figure)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    assert to_hex(lines["b"].get_color()) == to_hex(lines["_b (predicted)"].get_color())
    assert to_hex(lines["a"].get_color()) != to_hex(lines["b"].get_color())
    assert lines["_b (predicted)"].get_linestyle() == "--"
    assert fig.axes[0].get_yscale() == "log" and fig.axes[0].get_title() == "t"
    assert "predicted" in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(measured={}), ValueError, "non-empty"),
    (dict(measured={"a": [1, 2, 3]}, predicted={"z": [1, 2, 3]}), ValueError, "no measurement"),
    (dict(measured={"a": [1, 2]}), ValueError, "2 values for 3"),
    (dict(measured={"a": [1, 0, 3]}, log=True), ValueError, "logarithmic"),
    (dict(measured={"a": ["x", "y", "z"]}), TypeError, "numbers"),
    (dict(measured={"a": [1, 2, 3]}, predicted=[1, 2, 3]), TypeError, "mapping"),
])
def test_measured_and_predicted_checks_its_arguments(kwargs, error, match, rc_unchanged):
    with pytest.raises(error, match=match):
        P.plot_measured_and_predicted([1, 2, 3], **kwargs)


def test_trajectories_draw_paths_start_and_target(rc_unchanged):
    path = torch.tensor([[0.0, 0.0], [0.5, 0.5], [1.0, -1.0]])
    fig = P.plot_trajectories({"SGD": path, "GD": np.array([[0.0, 0.0], [1.0, -1.0]])},
                              target=(1.0, -1.0), title="paths")
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels == ["SGD", "GD", "optimum"]
    assert ax.get_lines()[0].get_xydata().tolist() == path.tolist()
    assert len(ax.collections) == 2                                # the two start circles
    with pytest.raises(ValueError, match=r"\(T, 2\)"):
        P.plot_trajectories({"bad": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="NaN"):
        P.plot_trajectories({"bad": np.array([[0.0, math.nan]])})
    with pytest.raises(ValueError, match="non-empty"):
        P.plot_trajectories({})


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def stub(*args):
    raise NotImplementedError


def test_born_dead_min_width_check():
    def reference(depth, p):
        n = 1
        while 1 - (1 - 2.0 ** -n) ** depth > p:
            n += 1
        return n

    assert E.check_born_dead_min_width(reference).passed
    assert E.check_born_dead_min_width(stub).status == "not attempted"
    too_wide = E.check_born_dead_min_width(lambda d, p: reference(d, p) + 1)
    assert too_wide.status == "failed" and "smallest width" in too_wide.message
    too_narrow = E.check_born_dead_min_width(lambda d, p: max(1, reference(d, p) - 1))
    assert too_narrow.status == "failed" and "above" in too_narrow.message
    assert "an int" in E.check_born_dead_min_width(lambda d, p: 3.0).message


def test_relu_grad_at_zero_trick_check():
    def reference(x, s):
        return torch.relu(x) + s * (x == 0).to(x.dtype) * (x - x.detach())

    assert E.check_relu_grad_at_zero_trick(reference).passed
    assert E.check_relu_grad_at_zero_trick(stub).status == "not attempted"
    leaky = E.check_relu_grad_at_zero_trick(lambda x, s: torch.where(x > 0, x, s * x))
    assert leaky.status == "failed" and "max(0, x)" in leaky.message
    ignores_s = E.check_relu_grad_at_zero_trick(lambda x, s: torch.relu(x) + 0 * s)
    assert ignores_s.status == "failed" and "at x = 0" in ignores_s.message
    detached = E.check_relu_grad_at_zero_trick(lambda x, s: torch.relu(x).detach())
    assert detached.status == "failed" and "autograd" in detached.message


def test_second_derivative_check():
    def reference(f, x):
        x = x.detach().clone().requires_grad_(True)
        (df,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        if not df.requires_grad:
            return torch.zeros_like(x)
        (d2f,) = torch.autograd.grad(df.sum(), x, allow_unused=True)
        return torch.zeros_like(x) if d2f is None else d2f

    assert E.check_second_derivative_autograd(reference).passed
    assert E.check_second_derivative_autograd(stub).status == "not attempted"

    def naive(f, x):
        x = x.detach().clone().requires_grad_(True)
        (df,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        (d2f,) = torch.autograd.grad(df.sum(), x)
        return d2f

    result = E.check_second_derivative_autograd(naive)
    assert result.status == "failed" and "does not depend on x" in result.message
    first = E.check_second_derivative_autograd(
        lambda f, x: torch.autograd.grad(f(x.requires_grad_()).sum(), x)[0])
    assert first.status == "failed" and "expected" in first.message


def test_chapter_12_checks_are_exported():
    from relu_course.exercises import ch12
    for name in ch12.__all__:
        assert getattr(E, name) is getattr(ch12, name)
