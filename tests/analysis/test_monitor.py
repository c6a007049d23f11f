"""Tests of relu_course.analysis.monitor: TrainingMonitor (dead units and update ratios during
training) and prelu_slopes."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import data as data_module
from relu_course import models
from relu_course.activations import modules as M
from relu_course.training import TrainConfig, fit


def test_training_monitor_records_dead_units_and_ratios():

    torch.manual_seed(0)
    data = data_module.load("moons", n_samples=120)
    net = models.mlp(2, [8, 8], 2)
    with torch.no_grad():
        net[1].bias[:4] = -1e3                         # four units of the first layer dead
    monitor = Dg.TrainingMonitor(data.x_train, data.y_train, every=2)
    monitor(0, net)
    fit(net, data, TrainConfig(epochs=5), callback=monitor)
    assert monitor.epochs == [0, 2, 4]
    assert monitor.series("dead", "2")[0] == pytest.approx(0.5)
    assert monitor.series("dead", "2") == pytest.approx([0.5] * 3)   # dead units stay dead
    assert 4 / 16 <= monitor.series("total_dead")[0] <= 1
    ratios = monitor.series("grad_to_weight", "1")
    assert all(r > 0 for r in ratios)
    assert monitor.series("zero_fraction", "2")[0] >= 0.5


def test_training_monitor_can_stop_training_and_skips_ratios_without_targets():

    torch.manual_seed(0)
    data = data_module.load("moons", n_samples=60)
    net = models.mlp(2, [4], 2)
    with torch.no_grad():
        net[1].bias[:] = -1e3
    monitor = Dg.TrainingMonitor(data.x_train, stop_on_dead=0.9)
    history = fit(net, data, TrainConfig(epochs=10), callback=monitor)
    assert history.epochs == 1
    assert "grad_to_weight" not in monitor.records[0]
    with pytest.raises(ValueError, match="no 'grad_to_weight'"):
        monitor.series("grad_to_weight", "1")


def test_prelu_slopes_lists_every_prelu_layer_as_a_copy():
    net = nn.Sequential(nn.Linear(2, 3), M.PReLU(3, init=0.1), nn.Linear(3, 3), nn.PReLU(),
                        nn.Linear(3, 2))
    slopes = Dg.prelu_slopes(net)
    assert list(slopes) == ["1", "3"]
    assert slopes["1"].dtype == torch.float64 and slopes["1"].shape == (3,)
    assert torch.allclose(slopes["1"], torch.full((3,), 0.1, dtype=torch.float64))
    assert slopes["3"].tolist() == [0.25]
    with torch.no_grad():
        net[1].weight.fill_(0.9)
    assert torch.allclose(slopes["1"], torch.full((3,), 0.1, dtype=torch.float64))  # a copy
    assert not slopes["1"].requires_grad
