"""Package additions for chapter 11 ("Training neural networks with ReLU"):
train.clip_gradient_norm, data.validation_split, models.init_hidden_biases,
plotting.plot_spread, plotting.plot_training_monitors and the chapter's exercise checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from relu_course import analysis as Dg
from relu_course import exercises as E
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course import training as T
from relu_course.data import Dataset, load, validation_split

# ---------------------------------------------------------------------------------------------
# train.clip_gradient_norm
# ---------------------------------------------------------------------------------------------

def linear_with_grad(grad_w, grad_b):
    """A Linear(2, 1) with zero weights whose .grad is set by hand."""
    net = nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.zero_()
    net.weight.grad = torch.tensor([grad_w], dtype=torch.float32)
    net.bias.grad = torch.tensor([grad_b], dtype=torch.float32)
    return net


def test_clipping_scales_the_whole_gradient_to_max_norm():
    net = linear_with_grad([3.0, 0.0], 4.0)                 # global norm 5
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    clipper = T.clip_gradient_norm(opt, max_norm=1.0)
    opt.step()
    # SGD with lr 1 moves each parameter by minus its (clipped) gradient
    assert torch.allclose(net.weight.detach(), torch.tensor([[-0.6, 0.0]]), atol=1e-6)
    assert torch.allclose(net.bias.detach(), torch.tensor([-0.8]), atol=1e-6)
    assert clipper.norms == [pytest.approx(5.0)]
    assert clipper.steps == 1 and clipper.clipped_fraction == 1.0


def test_a_gradient_within_the_limit_is_unchanged():
    net = linear_with_grad([0.3, 0.0], 0.4)                 # global norm 0.5
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    clipper = T.clip_gradient_norm(opt, max_norm=1.0)
    opt.step()
    assert torch.allclose(net.weight.detach(), torch.tensor([[-0.3, 0.0]]), atol=1e-7)
    assert clipper.clipped_fraction == 0.0 and clipper.norms == [pytest.approx(0.5)]


def test_infinity_norm_clips_the_largest_entry():
    net = linear_with_grad([3.0, -1.0], 2.0)
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    clipper = T.clip_gradient_norm(opt, max_norm=1.5, norm_type=math.inf)
    opt.step()
    assert clipper.norms == [pytest.approx(3.0)]
    assert torch.allclose(net.weight.detach(), torch.tensor([[-1.5, 0.5]]), atol=1e-6)


def train_moons(max_norm, lr=0.5, record=True):
    set_seed(0)
    data = load("moons", n_samples=128, seed=0)
    net = models.mlp(2, [16, 16], 2, init="he")
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    clipper = T.clip_gradient_norm(opt, max_norm) if record else None
    history = T.fit(net, data, T.TrainConfig(epochs=3, batch_size=32), optimizer=opt)
    return net, history, clipper


def test_measuring_only_changes_nothing_and_records_every_step():
    net_a, hist_a, clipper = train_moons(None)
    net_b, hist_b, _ = train_moons(None, record=False)
    for p, q in zip(net_a.parameters(), net_b.parameters()):
        assert torch.equal(p, q)
    assert hist_a.train_loss == hist_b.train_loss
    assert clipper.steps == 3 * 3                            # 96 examples / 32, 3 epochs
    assert clipper.clipped_fraction == 0.0 and all(n > 0 for n in clipper.norms)


def test_clipping_changes_training_only_when_active():
    _, _, free = train_moons(None)
    _, hist_loose, _ = train_moons(max(free.norms) * 2)      # never active
    _, hist_free, _ = train_moons(None, record=False)
    assert hist_loose.train_loss == hist_free.train_loss
    _, hist_tight, tight = train_moons(min(free.norms) / 2)   # active at every step
    assert tight.clipped_fraction == 1.0
    assert hist_tight.train_loss != hist_free.train_loss


def test_remove_stops_clipping_and_recording():
    net = linear_with_grad([3.0, 0.0], 4.0)
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    clipper = T.clip_gradient_norm(opt, max_norm=1.0)
    clipper.remove()
    opt.step()
    assert clipper.steps == 0
    assert torch.allclose(net.weight.detach(), torch.tensor([[-3.0, 0.0]]))
    assert "steps=0" in repr(clipper)


def test_a_step_without_gradients_records_zero():
    net = nn.Linear(2, 1)
    opt = torch.optim.SGD(net.parameters(), lr=1.0)
    clipper = T.clip_gradient_norm(opt, max_norm=1.0)
    opt.step()
    assert clipper.norms == [0.0]


@pytest.mark.parametrize("kwargs, error", [
    ({"max_norm": 0.0}, ValueError), ({"max_norm": -1.0}, ValueError),
    ({"max_norm": math.inf}, ValueError), ({"max_norm": math.nan}, ValueError),
    ({"max_norm": "1"}, TypeError), ({"max_norm": 1.0, "norm_type": 0.5}, ValueError),
    ({"max_norm": 1.0, "norm_type": math.nan}, ValueError),
    ({"max_norm": 1.0, "norm_type": True}, TypeError),
])
def test_clip_gradient_norm_rejects_bad_arguments(kwargs, error):
    opt = torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(error):
        T.clip_gradient_norm(opt, **kwargs)


def test_clip_gradient_norm_needs_an_optimizer():
    with pytest.raises(TypeError, match="torch.optim.Optimizer"):
        T.clip_gradient_norm(nn.Linear(2, 1), 1.0)


# ---------------------------------------------------------------------------------------------
# data.validation_split
# ---------------------------------------------------------------------------------------------

def rows(x):
    return {tuple(r) for r in x.flatten(1).tolist()}


def test_validation_split_partitions_the_training_set_only():
    digits = load("digits")
    dev = validation_split(digits, fraction=0.25, seed=0)
    assert isinstance(dev, Dataset) and dev.num_classes == digits.num_classes
    assert len(dev.y_train) + len(dev.y_test) == len(digits.y_train)
    train_rows, valid_rows = rows(dev.x_train), rows(dev.x_test)
    assert not train_rows & valid_rows                       # disjoint
    assert train_rows | valid_rows <= rows(digits.x_train)   # from the training part
    assert not valid_rows & (rows(digits.x_test) - rows(digits.x_train))
    assert "validation" in dev.name


def test_validation_split_is_stratified_and_seeded():
    digits = load("digits")
    dev = validation_split(digits, fraction=0.25, seed=0)
    counts = torch.bincount(digits.y_train, minlength=10).double()
    held = torch.bincount(dev.y_test, minlength=10).double()
    assert torch.all((held - 0.25 * counts).abs() <= 1)
    again = validation_split(digits, fraction=0.25, seed=0)
    other = validation_split(digits, fraction=0.25, seed=1)
    assert torch.equal(dev.x_test, again.x_test) and torch.equal(dev.y_train, again.y_train)
    assert not torch.equal(dev.y_test, other.y_test)


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_validation_split_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError, match="fraction"):
        validation_split(load("xor", n_samples=40), fraction=fraction)


def test_validation_split_rejects_other_types_and_tiny_sets():
    with pytest.raises(TypeError, match="Dataset"):
        validation_split((torch.zeros(4, 2), torch.zeros(4)))
    tiny = Dataset("tiny", torch.zeros(1, 2), torch.zeros(1, dtype=torch.long),
                   torch.zeros(1, 2), torch.zeros(1, dtype=torch.long), 1)
    with pytest.raises(ValueError, match="at least 2"):
        validation_split(tiny)


# ---------------------------------------------------------------------------------------------
# models.init_hidden_biases
# ---------------------------------------------------------------------------------------------

def test_init_hidden_biases_sets_hidden_layers_and_keeps_the_rest():
    set_seed(0)
    net = models.mlp(5, [7, 6], 3, init="default")
    before = [p.detach().clone() for p in net.parameters()]
    assert models.init_hidden_biases(net, 0.3) is net
    linears = [m for m in net if isinstance(m, nn.Linear)]
    assert torch.all(linears[0].bias == 0.3) and torch.all(linears[1].bias == 0.3)
    assert torch.equal(linears[2].bias, before[5])           # output bias untouched
    for i in (0, 2, 4):                                       # weights untouched
        assert torch.equal(list(net.parameters())[i], before[i])


def test_init_hidden_biases_shifts_every_hidden_pre_activation():
    set_seed(0)
    net = models.init_hidden_biases(models.mlp(4, [8], 2, init="he"), 0.5)
    x = torch.randn(16, 4)
    z = net[1](net[0](x))
    assert torch.allclose(z - x @ net[1].weight.T, torch.full((16, 8), 0.5), atol=1e-6)


def test_init_hidden_biases_works_for_a_cnn():
    net = models.init_hidden_biases(models.small_cnn(channels=(4, 8)), -0.2)
    convs = [m for m in net if isinstance(m, nn.Conv2d)]
    assert all(torch.all(c.bias == -0.2) for c in convs)


def test_init_hidden_biases_rejects_bad_models_and_values():
    with pytest.raises(TypeError):
        models.init_hidden_biases("net", 0.1)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        models.init_hidden_biases(nn.Linear(2, 2), 0.1)
    no_bias = nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(ValueError, match="no bias"):
        models.init_hidden_biases(no_bias, 0.1)
    with pytest.raises(ValueError):
        models.init_hidden_biases(models.mlp(2, [3], 2), math.inf)


# ---------------------------------------------------------------------------------------------
# plotting.plot_spread
# ---------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("curves, kwargs, error", [
    ({}, {}, ValueError),
    ({"a": ([1, 2], [[1, 2, 3]])}, {}, ValueError),                 # shape mismatch
    ({"a": ([1, 2], [1, np.inf])}, {}, ValueError),                 # infinite value
    ({"a": ([1, 2], [0.0, 1.0])}, {"log_y": True}, ValueError),      # log of 0
    ({"a": ([0, 2], [1.0, 1.0])}, {"log_x": True}, ValueError),
    ({"a": ([1, 2], [1.0, 1.0])}, {"center": "mode"}, ValueError),
    ({"a": ([1, 2], [1.0, 1.0])}, {"band": (0.9, 0.1)}, ValueError),
    ({"a": ([1, 2], [1.0, 1.0])}, {"band": "all"}, TypeError),
    ({"a": [1, 2, 3]}, {}, TypeError),                              # not a pair
    ({"a": ([1, 2], "ab")}, {}, TypeError),
])
def test_plot_spread_rejects_bad_input(curves, kwargs, error):
    with pytest.raises(error):
        P.plot_spread(curves, **kwargs)


# ---------------------------------------------------------------------------------------------
# plotting.plot_training_monitors
# ---------------------------------------------------------------------------------------------

def monitored_run(lr, epochs=2):
    set_seed(0)
    data = load("moons", n_samples=128, seed=0)
    net = models.mlp(2, [8, 8], 2, init="he")
    monitor = Dg.TrainingMonitor(data.x_train, data.y_train)
    monitor(0, net)
    T.fit(net, data, T.TrainConfig(epochs=epochs, lr=lr), callback=monitor)
    return monitor


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


def test_plot_training_monitors_rejects_bad_input():
    good = monitored_run(1e-3, epochs=1)
    no_y = Dg.TrainingMonitor(torch.zeros(4, 2))
    no_y(0, models.mlp(2, [4], 2))
    with pytest.raises(ValueError):
        P.plot_training_monitors({})
    with pytest.raises(TypeError, match="TrainingMonitor"):
        P.plot_training_monitors({"run": [1, 2]})
    with pytest.raises(ValueError, match="no records"):
        P.plot_training_monitors({"run": Dg.TrainingMonitor(torch.zeros(4, 2))})
    with pytest.raises(ValueError, match="unknown key"):
        P.plot_training_monitors({"run": good}, keys=("loss",))
    with pytest.raises(ValueError, match="grad_to_weight"):
        P.plot_training_monitors({"run": no_y}, keys=("grad_to_weight",))


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def test_kaiming_uniform_bound_check():
    good = E.check_kaiming_uniform_bound(lambda n, a: math.sqrt(6 / ((1 + a * a) * n)))
    assert good.passed
    std = E.check_kaiming_uniform_bound(lambda n, a: math.sqrt(2 / ((1 + a * a) * n)))
    assert std.status == "failed" and "standard deviation" in std.message
    no_slope = E.check_kaiming_uniform_bound(lambda n, a: math.sqrt(6 / n))
    assert no_slope.status == "failed" and "gain" in no_slope.message

    def stub(n, a):
        raise NotImplementedError

    assert E.check_kaiming_uniform_bound(stub).status == "not attempted"
    assert E.check_kaiming_uniform_bound(lambda n, a: "1").status == "failed"


def test_clip_by_global_norm_check():
    def good(grads, c):
        total = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        return [g * (min(1.0, c / total) if total else 1.0) for g in grads]

    def per_tensor(grads, c):
        return [g * min(1.0, c / max(g.norm().item(), 1e-12)) for g in grads]

    def in_place(grads, c):
        total = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        for g in grads:
            g.mul_(min(1.0, c / max(total, 1e-12)))
        return grads

    def always(grads, c):
        total = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        return [g * c / max(total, 1e-12) for g in grads]

    assert E.check_clip_by_global_norm(good).passed
    result = E.check_clip_by_global_norm(per_tensor)
    assert result.status == "failed" and "all the gradients together" in result.message
    assert "in place" in E.check_clip_by_global_norm(in_place).message
    assert "unchanged" in E.check_clip_by_global_norm(always).message
