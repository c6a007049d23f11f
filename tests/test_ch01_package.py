"""Package additions for chapter 1: sums of hinges (models), curve fitting (train), curves and
decision regions (plotting), and the chapter's exercise checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from relu_course import exercises as E
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course import training as train
from relu_course.activations import functional as F
from relu_course.activations.modules import ReLU
from relu_course.data import load

# ---- models.hinge_network / hinge_interpolant ----------------------------------------------

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


@pytest.mark.parametrize("args, error", [
    (([0.0, 1.0], [1.0]), ValueError),                  # mismatched lengths
    (([], []), ValueError),                             # empty
    (([0.0, float("nan")], [1.0, 1.0]), ValueError),    # not finite
    (("ab", [1.0, 1.0]), TypeError),                    # a string
    (([0.0, "x"], [1.0, 1.0]), TypeError),              # not numbers
    ((torch.tensor([True, False]), [1.0, 1.0]), TypeError),
    ((torch.zeros(2, 2), torch.zeros(2, 2)), ValueError),   # not 1-D
], ids=["lengths", "empty", "nan", "string", "non-number", "bool", "2-d"])
def test_hinge_network_bad_arguments(args, error):
    with pytest.raises(error):
        models.hinge_network(*args)


def test_hinge_network_bad_bias_and_dtype():
    with pytest.raises(TypeError):
        models.hinge_network([0.0], [1.0], bias="1")
    with pytest.raises(ValueError):
        models.hinge_network([0.0], [1.0], bias=float("inf"))
    with pytest.raises(TypeError):
        models.hinge_network([0.0], [1.0], dtype=torch.int64)


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


@pytest.mark.parametrize("knots, values", [
    ([0.0], [1.0]), ([0.0, 1.0], [1.0]), ([0.0, 0.0, 1.0], [1.0, 2.0, 3.0]),
    ([1.0, 0.0], [1.0, 2.0]),
], ids=["one-knot", "lengths", "repeated", "decreasing"])
def test_hinge_interpolant_bad_arguments(knots, values):
    with pytest.raises(ValueError):
        models.hinge_interpolant(knots, values)


# ---- train.fit_curve ---------------------------------------------------------------------------

def test_fit_curve_reduces_the_loss_and_is_reproducible():
    x = torch.linspace(-1, 1, 64)
    runs = []
    for _ in range(2):
        set_seed(0)
        net = models.mlp(1, [16], 1)
        runs.append(train.fit_curve(net, x, x.abs(), steps=200, lr=0.02))
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
    losses = train.fit_curve(net, x, y, steps=50, lr=0.05, optimizer="sgd")
    assert losses[0] == pytest.approx(initial)
    assert losses[-1] < losses[0]


def test_fit_curve_diverges_loudly():
    set_seed(0)
    net = models.mlp(1, [8], 1)
    x = torch.linspace(-1, 1, 32)
    with pytest.raises(train.TrainingDiverged):
        train.fit_curve(net, x, 1e3 * x, steps=50, lr=1e6, optimizer="sgd")


@pytest.mark.parametrize("kwargs, error", [
    (dict(x=[0.0, 1.0]), TypeError),
    (dict(x=torch.tensor([0, 1])), TypeError),
    (dict(y=torch.zeros(3)), ValueError),                   # lengths differ
    (dict(y=torch.zeros(2, 2)), ValueError),                # model gives 1 column
    (dict(x=torch.zeros(2, 1, 1)), ValueError),
    (dict(steps=0), ValueError),
    (dict(lr=-1.0), ValueError),
    (dict(optimizer="lbfgs"), ValueError),
    (dict(model="net"), TypeError),
], ids=["list", "int-tensor", "lengths", "columns", "3-d", "steps", "lr", "optimizer",
        "not-a-model"])
def test_fit_curve_bad_arguments(kwargs, error):
    args = dict(model=models.mlp(1, [4], 1), x=torch.zeros(2), y=torch.zeros(2))
    args.update(kwargs)
    with pytest.raises(error):
        train.fit_curve(args.pop("model"), args.pop("x"), args.pop("y"), **args)


# ---- plotting.plot_curves ----------------------------------------------------------------------

@pytest.mark.usefixtures("rc_unchanged")
def test_plot_curves_callables_modules_and_arrays():
    net = models.hinge_interpolant([-1.0, 0.0, 1.0], [1.0, 0.0, 1.0])      # |x| on [-1, 1]
    grid = np.linspace(-1, 1, 21)
    fig = P.plot_curves({"relu": F.relu, "network": net, "values": grid ** 2}, x=grid,
                        title="t", ylabel="y", scatter={"knots": ([-1, 0, 1], [1, 0, 1])})
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    lines = [line for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert [line.get_label() for line in lines] == ["relu", "network", "values"]
    np.testing.assert_allclose(lines[0].get_ydata(), np.maximum(grid, 0))
    np.testing.assert_allclose(lines[1].get_ydata(), np.abs(grid), atol=1e-6)
    np.testing.assert_allclose(lines[2].get_ydata(), grid ** 2)
    # told apart without colour: line styles and markers differ
    assert len({line.get_linestyle() for line in lines}) == 3
    assert len({line.get_marker() for line in lines}) == 3
    assert len(ax.collections) == 1                          # the scatter
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], [1, 0, 1])
    assert ax.get_title() == "t" and ax.get_ylabel() == "y" and ax.get_xlabel() == "$x$"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "relu", "network", "values", "knots"]


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_curves_default_grid_includes_zero_and_breaks_jumps():
    step = lambda x: (x > 0).double()                           # noqa: E731
    fig = P.plot_curves({"step": step}, x_range=(-1.0, 1.0), num=10, break_jumps=0.5,
                        markers=False)
    line = fig.axes[0].get_lines()[0]
    x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata(), dtype=float)
    assert 0.0 in x and x.min() == -1.0 and x.max() == 1.0 and len(x) == 11
    assert np.isnan(y).sum() == 1                            # one break, at the jump
    assert line.get_marker() in ("None", None, "")
    unbroken = P.plot_curves({"step": step}, x_range=(-1.0, 1.0), num=10)
    assert not np.isnan(np.asarray(unbroken.axes[0].get_lines()[0].get_ydata(),
                                   dtype=float)).any()


def test_plot_curves_on_given_axes():
    fig, axes = P.subplots(1, 2)
    assert P.plot_curves({"a": np.zeros(5)}, x=np.arange(5), ax=axes[1]) is fig
    assert len(axes[0].get_lines()) == 0 and len(axes[1].get_lines()) >= 1


def test_plot_curves_broadcasts_a_constant():
    fig = P.plot_curves({"one": lambda x: 1.0}, x=np.arange(4))
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), np.ones(4))


@pytest.mark.parametrize("args, kwargs, error", [
    (({},), {}, ValueError),
    (([F.relu],), {}, ValueError),
    (({"a": np.zeros(3)},), {"x": np.arange(4)}, ValueError),       # wrong length
    (({"a": "text"},), {}, TypeError),
    (({"a": F.relu},), {"x_range": (1.0, 1.0)}, ValueError),
    (({"a": F.relu},), {"num": 1}, ValueError),
    (({"a": F.relu},), {"x": [0.0]}, ValueError),
    (({"a": F.relu},), {"break_jumps": 0.0}, ValueError),
    (({"a": F.relu},), {"scatter": {"p": ([0, 1], [0])}}, ValueError),
    (({"a": F.relu},), {"scatter": {"p": 3}}, TypeError),
], ids=["empty", "not-a-mapping", "length", "text", "empty-range", "num", "short-grid",
        "break", "scatter-length", "scatter-type"])
def test_plot_curves_bad_arguments(args, kwargs, error):
    with pytest.raises(error):
        P.plot_curves(*args, **kwargs)


# ---- plotting.plot_decision_boundaries ---------------------------------------------------------

class _HalfPlane(torch.nn.Module):
    """Logits (0, x1): class 1 exactly where x1 > 0."""

    def forward(self, x):
        return torch.stack([torch.zeros_like(x[:, 0]), x[:, 0]], dim=1)


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_decision_boundaries_regions_boundary_and_points():
    data = load("moons", n_samples=80, seed=0)
    fig = P.plot_decision_boundaries({"half plane": _HalfPlane()}, data, xlim=(-2.0, 2.0),
                                     ylim=(-1.0, 1.0), resolution=41)
    (ax,) = fig.axes
    assert ax.get_title() == "half plane"
    assert ax.get_xlim() == (-2.0, 2.0) and ax.get_ylim() == (-1.0, 1.0)
    regions = np.asarray(ax.images[0].get_array())
    assert regions.shape == (41, 41)
    xs = np.linspace(-2, 2, 41)
    expected = np.broadcast_to((xs > 0).astype(int), (41, 41))
    np.testing.assert_array_equal(regions, expected)        # rows are y, columns are x
    # the boundary is a contour plus the two classes' points
    assert len(ax.collections) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    offsets = np.concatenate([c.get_offsets() for c in ax.collections[-2:]])
    assert len(offsets) == len(data.y_train)                 # the training points


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_decision_boundaries_several_models_on_given_axes():
    set_seed(0)
    x = torch.randn(30, 2)
    y = (x[:, 0] * x[:, 1] > 0).long()
    fig, axes = P.subplots(2, 2)
    nets = {"a": models.mlp(2, [], 2), "b": models.mlp(2, [4], 2), "c": models.mlp(2, [4], 1)}
    assert P.plot_decision_boundaries(nets, (x, y), axes=axes) is fig
    titled = [ax.get_title() for ax in fig.axes]
    assert titled == ["a", "b", "c", ""]
    assert all(len(ax.images) == 1 for ax in fig.axes[:3]) and not fig.axes[3].images
    assert fig.axes[0].get_legend() is not None and fig.axes[1].get_legend() is None
    # default window: the points' range with a margin
    lo, hi = fig.axes[0].get_xlim()
    assert lo < x[:, 0].min().item() and hi > x[:, 0].max().item()


def test_plot_decision_boundaries_three_classes_and_a_single_model():
    set_seed(0)
    x = torch.randn(40, 2)
    y = torch.arange(40) % 3
    fig = P.plot_decision_boundaries(models.mlp(2, [8], 3), (x, y), resolution=30)
    regions = np.asarray(fig.axes[0].images[0].get_array())
    assert set(np.unique(regions)) <= {0, 1, 2}


@pytest.mark.parametrize("models_arg, data, kwargs, error", [
    ({}, None, {}, ValueError),
    ({"a": "net"}, None, {}, TypeError),
    ({"a": _HalfPlane()}, "data", {}, TypeError),
    ({"a": _HalfPlane()}, (torch.zeros(4, 3), torch.zeros(4).long()), {}, ValueError),
    ({"a": _HalfPlane()}, (torch.zeros(4, 2), torch.zeros(4)), {}, ValueError),
    ({"a": _HalfPlane()}, None, {"resolution": 1}, ValueError),
    ({"a": _HalfPlane()}, None, {"xlim": (1.0, 0.0)}, ValueError),
    ({"a": _HalfPlane(), "b": _HalfPlane()}, None, {"axes": "one"}, ValueError),
], ids=["empty", "not-a-model", "data-type", "3-features", "float-labels", "resolution",
        "window", "too-few-axes"])
def test_plot_decision_boundaries_bad_arguments(models_arg, data, kwargs, error):
    data = (torch.randn(6, 2), torch.arange(6) % 2) if data is None else data
    if kwargs.get("axes") == "one":
        kwargs = {"axes": [P.subplots()[1]]}
    with pytest.raises(error):
        P.plot_decision_boundaries(models_arg, data, **kwargs)


# ---- exercise checks ---------------------------------------------------------------------------

def _stub(*args):
    raise NotImplementedError


def _xor_solution():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]),
            0.0)


def test_check_xor_relu_weights():
    result = E.check_xor_relu_weights(_xor_solution)
    assert result.passed and result.checks_passed == 5
    assert repr(result).startswith("[PASSED] Exercise 1.1")
    as_tensors = lambda: tuple(torch.as_tensor(a) for a in _xor_solution())   # noqa: E731
    assert E.check_xor_relu_weights(as_tensors).passed
    assert E.check_xor_relu_weights(_stub).status == "not attempted"


@pytest.mark.parametrize("answer, expected", [
    (lambda: (np.eye(2), np.zeros(2), np.ones(2), 0.0), ["(1, 1)", "outputs 2", "both units"]),
    (lambda: (np.eye(2), np.zeros(2), np.ones(2)), ["tuple (W1, b1, w2, b2)", "length 3"]),
    (lambda: (np.ones((2, 3)), np.zeros(2), np.ones(2), 0.0), ["W1", "shape (2, 2)"]),
    (lambda: (np.eye(2), np.zeros(2), np.ones(2), [0.0, 1.0]), ["b2", "shape ()"]),
    (lambda: (np.eye(2), np.zeros(2), np.array([1.0, np.nan]), 0.0), ["w2", "NaN"]),
    (lambda: 1 / 0, ["ZeroDivisionError"]),
], ids=["linear", "three-items", "W1-shape", "b2-shape", "nan", "raises"])
def test_check_xor_relu_weights_explains(answer, expected):
    result = E.check_xor_relu_weights(answer)
    assert result.status == "failed"
    for fragment in expected:
        assert fragment in result.message, result.message


def _fit_hinges(x, y, knots):
    design = np.column_stack([np.ones_like(x), np.maximum(x[:, None] - knots[None, :], 0.0)])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return solution[0], solution[1:]


def test_check_hinge_least_squares():
    result = E.check_hinge_least_squares(_fit_hinges)
    assert result.passed and result.checks_passed == 3
    assert repr(result).startswith("[PASSED] Exercise 1.2")
    as_torch = lambda x, y, t: tuple(torch.as_tensor(a) for a in _fit_hinges(x, y, t))  # noqa
    assert E.check_hinge_least_squares(as_torch).passed
    assert E.check_hinge_least_squares(_stub).status == "not attempted"


def _normal_equations(x, y, knots):            # another correct method
    design = np.column_stack([np.ones_like(x), np.maximum(x[:, None] - knots[None, :], 0.0)])
    solution = np.linalg.solve(design.T @ design, design.T @ y)
    return solution[0], solution[1:]


def _no_bias(x, y, knots):
    design = np.maximum(x[:, None] - knots[None, :], 0.0)
    return 0.0, np.linalg.lstsq(design, y, rcond=None)[0]


def _modifies(x, y, knots):
    y -= y.mean()
    return _fit_hinges(x, y, knots)


def _close_but_not_exact(x, y, knots):
    bias, coefficients = _fit_hinges(x, y, knots)
    return bias + 1e-3, coefficients


def test_check_hinge_least_squares_accepts_other_correct_methods():
    assert E.check_hinge_least_squares(_normal_equations).passed


@pytest.mark.parametrize("answer, expected", [
    (_no_bias, ["61 points", "least-squares optimum", "column of ones"]),
    (lambda x, y, t: (y[0], np.zeros(len(t))), ["mean squared error"]),
    (_close_but_not_exact, ["mean squared error"]),
    (lambda x, y, t: _fit_hinges(x, y, t)[1], ["pair (bias, coefficients)"]),
    (lambda x, y, t: (0.0, np.zeros(len(t) + 1)), ["shape (4,)", "(5,)"]),
    (_modifies, ["in place"]),
    (lambda x, y, t: 1 / 0, ["fit_hinges(", "ZeroDivisionError"]),
], ids=["no-bias", "zeros", "off-by-a-little", "one-value", "too-many", "in-place", "raises"])
def test_check_hinge_least_squares_explains(answer, expected):
    result = E.check_hinge_least_squares(answer)
    assert result.status == "failed"
    for fragment in expected:
        assert fragment in result.message, result.message
