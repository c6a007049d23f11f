"""Tests of relu_course.plotting.training: training histories, seed bands, spreads, PReLU slopes,
training monitors and optimisation trajectories."""

from __future__ import annotations

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure

from relu_course import analysis as Dg
from relu_course import plotting as P
from relu_course import set_seed
from relu_course.training import History

from helpers import channelwise_cnn, monitored_run


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


def test_plot_seed_band_draws_mean_lines_and_min_max_bands():
    runs = {"a": [[0.0, 0.5, 1.0], [0.2, 0.3, 0.4]], "b": np.ones((4, 3)) * 0.25}
    fig = P.plot_seed_band(runs, x=[1, 2, 3], ylabel="value", title="demo")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a (mean of 2)", "b (mean of 4)"]
    assert np.allclose(lines[0].get_ydata(), [0.1, 0.4, 0.7])
    assert np.allclose(lines[0].get_xdata(), [1, 2, 3])
    assert lines[0].get_color() != lines[1].get_color()
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    bands = ax.collections
    assert len(bands) == 2
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(0.0) and ys.max() == pytest.approx(1.0)
    assert ax.get_title() == "demo" and ax.get_ylabel() == "value"
    assert ax.get_legend() is not None
    plt.close(fig)


def test_plot_seed_band_options():
    fig, axes = P.subplots(1, 2)
    P.plot_seed_band({"one run": [0.1, 0.2, 0.3]}, ax=axes[0], legend=None, ylim=(0, 1),
                     show_runs=True)
    P.plot_seed_band({"x": torch.zeros(2, 5)}, ax=axes[1], legend="upper left")
    assert axes[0].get_legend() is None and axes[0].get_ylim() == (0.0, 1.0)
    assert len(axes[0].get_lines()) == 2                 # the run and the mean
    assert axes[1].get_legend() is not None
    assert list(axes[1].get_lines()[0].get_xdata()) == [0, 1, 2, 3, 4]
    plt.close(fig)


def test_plot_prelu_slopes_draws_means_spread_and_points():
    runs = [{"a": [0.2, 0.4], "b": [0.1, 0.1, 0.4]}, {"a": [0.6, 0.6], "b": [0.3, 0.3, 0.3]}]
    other = [[torch.tensor([0.5]), torch.tensor([0.2])]]
    fig = P.plot_prelu_slopes({"wise": runs, "shared": other}, init=0.25, title="t")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    means = ax.get_lines()[0].get_ydata()
    assert np.allclose(means, [0.45, 0.25])                 # mean of the run means per layer
    assert np.allclose(ax.get_lines()[0].get_xdata(), [0.85, 1.85])   # offset to the left
    # one point per slope and run: 4 + 6 for "wise", 1 + 1 for "shared"
    points = [len(c.get_offsets()) for c in ax.collections if isinstance(c, PathCollection)]
    assert points == [4, 6, 1, 1]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["initial value 0.25", "wise", "shared"]
    assert ax.get_title() == "t"


def test_plot_prelu_slopes_accepts_prelu_slopes_output_and_no_init_line():
    set_seed(0)
    fig = P.plot_prelu_slopes({"net": Dg.prelu_slopes(channelwise_cnn())}, init=None)
    ax = fig.axes[0]
    assert np.allclose(ax.get_lines()[0].get_ydata(), [0.25, 0.25], atol=1e-6)
    assert all(line.get_linestyle() != ":" for line in ax.get_lines())


def test_plot_spread_draws_the_median_and_the_quantile_band():
    runs = np.array([[1.0, 1.0], [2.0, 4.0], [3.0, 10.0], [4.0, 7.0], [5.0, 1.0]])  # 5 runs
    fig = P.plot_spread({"a": ([1, 2], runs)}, band=(0.25, 0.75))
    ax = fig.axes[0]
    assert isinstance(fig, Figure)
    assert ax.get_lines()[0].get_ydata().tolist() == [3.0, 4.0]
    (band,) = ax.collections
    ys = band.get_paths()[0].vertices[:, 1]
    assert {float(np.quantile(runs[:, 1], q)) for q in (0.25, 0.75)} <= set(ys.round(9))
    assert ax.xaxis.get_major_locator().__class__.__name__ == "MaxNLocator"


def test_plot_spread_mean_range_nan_and_single_lines():
    runs = np.array([[1.0, np.nan, 2.0], [3.0, np.nan, 4.0]])
    fig = P.plot_spread({"runs": ([0.1, 1.0, 10.0], runs), "theory": ([0.1, 1.0, 10.0], [2, 2, 3])},
                        center="mean", band="range", log_x=True, log_y=True)
    ax = fig.axes[0]
    mean, theory = ax.get_lines()
    assert np.allclose(mean.get_ydata(), [2.0, np.nan, 3.0], equal_nan=True)
    assert theory.get_linestyle() == "--" and ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["runs", "theory"]


def test_plot_training_monitors_lays_out_runs_and_measurements():
    monitors = {"slow": monitored_run(1e-3), "fast": monitored_run(1e-2)}
    fig = P.plot_training_monitors(monitors, keys=("dead", "grad_to_weight", "total_dead"))
    axes = np.array(fig.axes[:6]).reshape(3, 2)
    assert [ax.get_title() for ax in axes[0]] == ["slow", "fast"]
    assert [line.get_label() for line in axes[0][0].get_lines()] == ["layer 1", "layer 2"]
    assert [line.get_label() for line in axes[1][0].get_lines()] == ["W1", "W2", "W3"]
    assert [line.get_label() for line in axes[2][1].get_lines()] == ["all layers"]
    assert axes[1][0].get_yscale() == "log" and axes[0][0].get_yscale() == "linear"
    assert list(axes[0][1].get_lines()[0].get_xdata()) == [0, 1, 2]
    expected = monitors["fast"].series("dead", "2")
    assert list(axes[0][1].get_lines()[0].get_ydata()) == expected


def test_plot_training_monitors_leaves_gaps_for_zero_on_log_rows():
    monitor = Dg.TrainingMonitor(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))
    monitor.records = [
        {"epoch": 0, "grad_to_weight": {"1": 0.1, "3": 0.2}},
        {"epoch": 1, "grad_to_weight": {"1": 0.0, "3": 0.05}},
    ]
    fig = P.plot_training_monitors({"run": monitor}, keys=("grad_to_weight",))
    first = fig.axes[0].get_lines()[0].get_ydata()
    assert first[0] == 0.1 and np.isnan(first[1])


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
