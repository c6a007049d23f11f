"""Tests of relu_course.training.sweeps: epochs_to_reach, sweep_learning_rates and
fit_seeds_monitored."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest
import torch
from torch import nn

from relu_course import models, set_seed
from relu_course import training as T
from relu_course.training import History, TrainConfig, epochs_to_reach, sweep_learning_rates

from helpers import make_net


def test_epochs_to_reach_counts_from_one_and_includes_the_threshold():
    assert epochs_to_reach([0.9, 0.5, 0.25, 0.1], 0.25) == 3          # <= is enough
    assert epochs_to_reach([0.2], 0.25) == 1
    assert epochs_to_reach([0.9, 0.5], 0.25) is None
    assert epochs_to_reach([], 0.25) is None


def test_epochs_to_reach_upwards_for_accuracies():
    acc = [0.1, 0.6, 0.95, 0.9, 0.99]
    assert epochs_to_reach(acc, 0.95, below=False) == 3
    assert epochs_to_reach(acc, 0.99, below=False) == 5
    assert epochs_to_reach(acc, 0.999, below=False) is None
    # the same list read downwards: the first value <= 0.5 is the very first
    assert epochs_to_reach(acc, 0.5) == 1


def test_epochs_to_reach_accepts_arrays_and_tensors_and_skips_nan():
    values = [math.nan, 0.8, 0.3]
    assert epochs_to_reach(values, 0.5) == 3
    assert epochs_to_reach(np.array(values), 0.5) == 3
    assert epochs_to_reach(torch.tensor(values), 0.5) == 3
    assert epochs_to_reach(np.array([0.7, 0.2], dtype=np.float32), 0.25) == 2
    assert epochs_to_reach((v for v in [0.9, 0.1]), 0.5) == 2          # any iterable
    assert epochs_to_reach([math.inf, -math.inf], 0.0) == 2


def test_epochs_to_reach_with_a_history():
    history = History(train_loss=[2.0, 1.0, 0.5], train_accuracy=[0.3, 0.7, 0.96])
    assert epochs_to_reach(history.train_loss, 1.0) == 2
    assert epochs_to_reach(history.train_accuracy, 0.95, below=False) == 3


def test_sweep_shape_order_and_early_stop(xor):
    config = TrainConfig(epochs=40, lr=1.0, batch_size=100)
    runs = sweep_learning_rates(make_net, xor, [0.1, 0.03], [2, 0, 1], config,
                                target_accuracy=0.9)
    assert list(runs) == [0.1, 0.03]                                 # the grid's order
    for histories in runs.values():
        assert len(histories) == 3
        for h in histories:
            assert isinstance(h, History)
            # it stopped at the first epoch that reached the target, not later
            assert h.train_accuracy[-1] >= 0.9
            assert epochs_to_reach(h.train_accuracy, 0.9, below=False) == h.epochs
            assert h.epochs < 40
    # a smaller learning rate needs at least as many epochs here (Adam, same seeds)
    assert sum(h.epochs for h in runs[0.03]) >= sum(h.epochs for h in runs[0.1])


def test_sweep_is_repeatable_and_seeds_the_model(xor):
    config = TrainConfig(epochs=3, batch_size=None)
    initial = []

    def make():
        net = make_net()
        initial.append(net[1].weight.detach().clone())
        return net

    a = sweep_learning_rates(make, xor, [0.01, 0.02], [0, 1], config)
    b = sweep_learning_rates(make_net, xor, [0.01, 0.02], [0, 1], config)
    assert [[h.train_loss for h in hs] for hs in a.values()] == \
        [[h.train_loss for h in hs] for hs in b.values()]
    # the initial weights depend on the seed only, not on the learning rate
    assert torch.equal(initial[0], initial[2]) and torch.equal(initial[1], initial[3])
    assert not torch.equal(initial[0], initial[1])
    # each run used its own learning rate: different rates, different losses
    assert a[0.01][0].train_loss != a[0.02][0].train_loss


def test_sweep_uses_the_config_except_lr_and_seed(xor):
    config = TrainConfig(epochs=4, lr=123.0, seed=99, optimizer="sgd", momentum=0.5,
                         batch_size=None)
    (history,) = sweep_learning_rates(make_net, xor, [0.1], [3], config)[0.1]
    torch.manual_seed(3)
    from relu_course import set_seed
    from relu_course.training import fit
    set_seed(3)
    expected = fit(make_net(), xor, TrainConfig(epochs=4, lr=0.1, seed=3, optimizer="sgd",
                                                momentum=0.5, batch_size=None))
    assert history.train_loss == expected.train_loss


def test_sweep_patience_gives_up_on_a_stalled_run(xor):
    config = TrainConfig(epochs=8, optimizer="sgd", batch_size=None)
    (stalled,) = sweep_learning_rates(make_net, xor, [1e-12], [0], config, patience=3,
                                      target_accuracy=0.99)[1e-12]
    # the accuracy never changes, so it stops after 1 + 3 epochs without a new best
    assert stalled.epochs == 4
    assert epochs_to_reach(stalled.train_accuracy, 0.99, below=False) is None
    (full,) = sweep_learning_rates(make_net, xor, [1e-12], [0], config)[1e-12]
    assert full.epochs == 8


def test_sweep_marks_diverged_runs_as_none(xor):
    config = TrainConfig(epochs=20, optimizer="sgd", batch_size=None)
    runs = sweep_learning_rates(make_net, xor, [1e10, 0.1], [0], config)
    assert runs[1e10] == [None]
    assert isinstance(runs[0.1][0], History)


def test_fit_seeds_monitored_returns_one_monitored_run_per_seed(xor_data):
    make = partial(models.mlp, 2, [8], 2)
    runs = T.fit_seeds_monitored(make, xor_data, T.TrainConfig(epochs=3), seeds=[2, 0])
    assert [r.seed for r in runs] == [2, 0]
    for run in runs:
        assert isinstance(run, T.MonitoredRun) and isinstance(run.model, nn.Module)
        assert run.history.epochs == 3
        assert run.monitor.epochs == [0, 1, 2, 3]
        assert len(run.monitor.series("total_dead")) == 4
        assert "grad_to_weight" not in run.monitor.records[-1]


def test_fit_seeds_monitored_is_reproducible_and_paired(xor_data):
    config = T.TrainConfig(epochs=2, seed=99)
    first = T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2), xor_data, config, [0, 1])
    again = T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2), xor_data, config, [0, 1])
    for a, b in zip(first, again):
        assert a.history.train_loss == b.history.train_loss
        assert a.monitor.records == b.monitor.records
    assert first[0].history.train_loss != first[1].history.train_loss    # seeds differ
    # a different activation starts from the same initial weights (paired comparison)
    leaky = T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2, "leaky_relu"), xor_data,
                                  config, [0])
    set_seed(0)
    initial = models.mlp(2, [8], 2)
    # the seed replaces config.seed, so the minibatch order is the one of TrainConfig(seed=0)
    set_seed(0)
    model = models.mlp(2, [8], 2, "leaky_relu")
    assert torch.equal(model[1].weight, initial[1].weight)
    history = T.fit(model, xor_data, T.TrainConfig(epochs=2, seed=0))
    assert history.train_loss == leaky[0].history.train_loss


def test_fit_seeds_monitored_records_gradient_ratios_with_targets(xor_data):
    runs = T.fit_seeds_monitored(partial(models.mlp, 2, [4], 2), xor_data,
                                 T.TrainConfig(epochs=2), [0], probe=xor_data.x_test,
                                 probe_targets=xor_data.y_test, every=2)
    assert runs[0].monitor.epochs == [0, 2]
    assert set(runs[0].monitor.records[-1]["grad_to_weight"]) == {"1", "3"}


def test_fit_seeds_monitored_names_the_seed_that_diverged(xor_data):
    config = T.TrainConfig(epochs=3, lr=1e30, optimizer="sgd")
    with pytest.raises(T.TrainingDiverged, match="seed 5"):
        T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2), xor_data, config, [5])
