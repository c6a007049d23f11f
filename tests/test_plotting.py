"""relu_course.plotting: figures, their data, and matplotlib's global settings left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import matplotlib
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course.activations import functional as F
from relu_course.training import History


@pytest.fixture(scope="module")
def region_grid():
    set_seed(0)
    net = models.mlp(2, [5], 2)
    return net, Dg.linear_region_grid(net, resolution=40)


def test_importing_plotting_leaves_rcparams_alone():
    script = textwrap.dedent("""
        import matplotlib
        before = dict(matplotlib.rcParams)
        import relu_course.plotting
        after = dict(matplotlib.rcParams)
        changed = [k for k in before if before[k] != after[k]]
        assert not changed, changed
        print("ok")
    """)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_palette_and_markers():
    assert len(P.PALETTE) == len(P.MARKERS) == 8
    assert all(matplotlib.colors.is_color_like(c) for c in P.PALETTE)
    assert len(set(P.PALETTE)) == 8 and len(set(P.MARKERS)) == 8


@pytest.mark.usefixtures("rc_unchanged")
def test_style_context_is_temporary():
    with P.style():
        rc = matplotlib.rcParams
        assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
        assert rc["lines.linewidth"] == 2.0 and rc["figure.dpi"] == 100
        assert list(rc["figure.figsize"]) == [7.0, 3.2]
        assert rc["axes.prop_cycle"].by_key()["color"] == list(P.PALETTE)


def test_style_restores_only_its_own_keys():
    # Settings outside STYLE that change inside the context (as Jupyter's inline backend
    # does on the first figure) are kept.
    before = matplotlib.rcParams["axes.titleweight"]
    try:
        with P.style():
            matplotlib.rcParams["axes.titleweight"] = "bold"
        assert matplotlib.rcParams["axes.titleweight"] == "bold"
    finally:
        matplotlib.rcParams["axes.titleweight"] = before


@pytest.mark.usefixtures("rc_unchanged")
def test_subplots_in_the_course_style():
    fig, axes = P.subplots(1, 2, figsize=(6, 2))
    assert isinstance(fig, Figure) and len(axes) == 2
    assert not axes[0].spines["top"].get_visible()
    assert list(fig.get_size_inches()) == [6.0, 2.0]


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


@pytest.mark.parametrize("names, kwargs", [
    (["relu6"], {}), ([], {}), ({}, {}), (["relu"], {"x_range": (1.0, 1.0)}),
    (["relu"], {"x_range": (2.0, -2.0)}),
], ids=["unknown", "empty-list", "empty-dict", "empty-range", "reversed-range"])
def test_plot_activations_bad_arguments(names, kwargs):
    with pytest.raises(ValueError):
        P.plot_activations(names, **kwargs)


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_linear_regions(region_grid):
    _, grid = region_grid
    fig = P.plot_linear_regions(grid)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    assert len(ax.images) == 2                                # regions + borders
    assert ax.get_title() == f"{grid.count} linear regions"
    assert ax.get_xlim() == grid.extent[:2] and ax.get_ylim() == grid.extent[2:]
    np.testing.assert_array_equal(ax.images[0].get_array(), grid.ids.numpy())


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_linear_regions_with_model_and_data(region_grid):
    net, grid = region_grid
    x = torch.randn(20, 2, generator=torch.Generator().manual_seed(1))
    y = torch.arange(20) % 2
    fig = P.plot_linear_regions(grid, model=net, data=(x, y), title="regions")
    ax = fig.axes[0]
    assert ax.get_title() == "regions"
    assert len(ax.collections) == 3                           # boundary contour + 2 classes
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]


def test_plot_linear_regions_on_given_axes(region_grid):
    import matplotlib.pyplot as plt

    _, grid = region_grid
    fig, axes = plt.subplots(1, 2)
    assert P.plot_linear_regions(grid, ax=axes[1]) is fig
    assert len(axes[1].images) == 2 and len(axes[0].images) == 0


def test_plot_linear_regions_errors(region_grid):
    _, grid = region_grid
    with pytest.raises(TypeError):
        P.plot_linear_regions(grid.ids)
    with pytest.raises(ValueError, match="2-class"):
        P.plot_linear_regions(grid, model=models.mlp(2, [3], 3))


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_histories():
    a = History(train_loss=[1.0, 0.5, 0.25], test_loss=[1.1, 0.6, 0.4])
    b = History(train_loss=[1.0, 0.8, 0.7], test_loss=[1.2, 0.9, 0.8])
    fig = P.plot_histories({"relu": a, "tanh": b})
    (ax,) = fig.axes
    assert len(ax.lines) == 2
    assert [line.get_label() for line in ax.lines] == ["relu", "tanh"]
    assert list(ax.lines[0].get_xdata()) == [1, 2, 3]
    assert list(ax.lines[1].get_ydata()) == [1.0, 0.8, 0.7]
    assert ax.get_ylabel() == "train loss" and ax.get_yscale() == "linear"
    fig = P.plot_histories({"relu": a}, "test_loss", log=True)
    assert fig.axes[0].get_yscale() == "log"
    assert list(fig.axes[0].lines[0].get_ydata()) == [1.1, 0.6, 0.4]


def test_plot_histories_errors():
    with pytest.raises(ValueError):
        P.plot_histories({})
    with pytest.raises(ValueError, match="accuracy"):
        P.plot_histories({"a": History(train_loss=[1.0])}, "accuracy")


@pytest.mark.usefixtures("rc_unchanged")
def test_plot_activations_draws_prelu_with_a_default_or_given_slope():
    fig = P.plot_activations([("prelu", {}), ("prelu", {"weight": torch.tensor([0.1])})])
    labels = [line.get_label() for line in fig.axes[0].lines if not line.get_label().startswith("_")]
    assert labels == ["prelu (weight=0.25)", "prelu (weight=0.1)"]
    y = fig.axes[0].lines[0].get_ydata()
    assert np.isclose(y.min(), 0.25 * -4.0)                 # slope 0.25 at x = -4
    with pytest.raises(ValueError, match="single slope"):
        P.plot_activations([("prelu", {"weight": torch.tensor([0.1, 0.2])})])
