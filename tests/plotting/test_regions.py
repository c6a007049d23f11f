"""Tests of relu_course.plotting.regions: plot_decision_boundaries and plot_linear_regions."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course.data import load

from helpers import _HalfPlane


@pytest.fixture(scope="module")
def region_grid():
    set_seed(0)
    net = models.mlp(2, [5], 2)
    return net, Dg.linear_region_grid(net, resolution=40)


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
