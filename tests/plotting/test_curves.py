"""Tests of relu_course.plotting.curves: plot_curves and plot_activations."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from relu_course import models
from relu_course import plotting as P
from relu_course.activations import functional as F


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_activations_figure_and_data():
    fig = P.plot_activations(["relu", "gelu"], points=101)
    assert isinstance(fig, Figure)
    ax_f, ax_d = fig.axes
    # Left: one curve per function + the zero line. Right: the same, plus a dot where the
    # derivative jumps at 0 (relu only).
    assert len(ax_f.lines) == 3 and len(ax_d.lines) == 4
    relu_line, gelu_line = ax_f.lines[:2]
    x = torch.as_tensor(relu_line.get_xdata())
    assert 0.0 in x.tolist()                                 # x = 0 is sampled exactly
    np.testing.assert_allclose(relu_line.get_ydata(), F.relu(x).numpy())
    np.testing.assert_allclose(gelu_line.get_ydata(), F.gelu(x).numpy())
    dot = next(line for line in ax_d.lines if len(line.get_xdata()) == 1)
    assert list(dot.get_xdata()) == [0.0] and list(dot.get_ydata()) == [0.0]   # relu'(0) = 0
    labels = [t.get_text() for t in ax_f.get_legend().get_texts()]
    assert labels == ["relu", "gelu"]


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_activations_without_derivatives_and_with_arguments():
    fig = P.plot_activations({"leaky_relu": {"negative_slope": 0.1}, "elu": {}},
                             derivatives=False, x_range=(-2.0, 1.0), title="slopes")
    (ax,) = fig.axes
    assert len(ax.lines) == 3
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["leaky_relu (negative_slope=0.1)", "elu"]
    x = ax.lines[0].get_xdata()
    assert x.min() == -2.0 and x.max() == 1.0
    np.testing.assert_allclose(ax.lines[0].get_ydata(),
                               F.leaky_relu(torch.as_tensor(x), 0.1).numpy())
    assert fig.get_suptitle() == "slopes"


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_activations_single_name_and_pairs():
    assert len(P.plot_activations("tanh").axes[0].lines) == 2
    fig = P.plot_activations([("leaky_relu", {"negative_slope": 0.1}),
                              ("leaky_relu", {"negative_slope": 0.3})])
    assert len(fig.axes[0].lines) == 3
    # smooth derivatives get no dot; leaky ReLU's jump does, once per curve
    assert len(fig.axes[1].lines) == 2 + 2 + 1


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_activations_draws_prelu_with_a_default_or_given_slope():
    fig = P.plot_activations([("prelu", {}), ("prelu", {"weight": torch.tensor([0.1])})])
    labels = [line.get_label() for line in fig.axes[0].lines if not line.get_label().startswith("_")]
    assert labels == ["prelu (weight=0.25)", "prelu (weight=0.1)"]
    y = fig.axes[0].lines[0].get_ydata()
    assert np.isclose(y.min(), 0.25 * -4.0)                 # slope 0.25 at x = -4
    with pytest.raises(ValueError, match="single slope"):
        P.plot_activations([("prelu", {"weight": torch.tensor([0.1, 0.2])})])


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
