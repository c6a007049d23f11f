"""Tests of relu_course.plotting.distributions: histograms of values, layer profiles, confidence
intervals, seed points and measured-versus-predicted plots."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course import plotting as P

from helpers import batch


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


def test_plot_intervals_marks_rows_apart_from_the_reference(rc_unchanged):
    samples = {"relu": [0.95, 0.96, 0.94, 0.955], "gelu": [0.951, 0.958, 0.947, 0.949],
               "sigmoid": torch.tensor([0.85, 0.86, 0.84, 0.855])}
    fig = P.plot_intervals(samples, reference="relu", xlabel="accuracy", title="t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["relu", "gelu", "sigmoid"]
    means = [line for line in ax.get_lines() if line.get_marker() in ("o", "s")
             and line.get_markersize() == 7]
    assert [line.get_marker() for line in means] == ["o", "o", "s"]
    assert means[2].get_xdata()[0] == pytest.approx(np.mean([0.85, 0.86, 0.84, 0.855]))
    labels = ax.get_legend_handles_labels()[1]
    assert "interval apart from relu's" in labels and "runs" in labels
    assert ax.get_xlabel() == "accuracy" and ax.get_title() == "t"
    # Without a reference nothing is marked apart; without values no run markers.
    fig = P.plot_intervals(samples, show_values=False)
    assert "runs" not in fig.axes[0].get_legend_handles_labels()[1]


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


def test_plot_seed_points():
    fig = P.plot_seed_points({"a": [1.0, 2.0, 3.0], "b": torch.tensor([2.0, 2.5])},
                             reference="a", xlabel="loss")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["a", "b"]
    means = [line.get_xdata()[0] for line in ax.get_lines()[:1]]
    assert means == [2.0]
    with pytest.raises(ValueError):
        P.plot_seed_points({"a": [1.0]}, reference="b")
    with pytest.raises(ValueError):
        P.plot_seed_points({"a": [math.nan]})
    with pytest.raises(ValueError):
        P.plot_seed_points({})
