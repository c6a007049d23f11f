"""Package additions for chapter 7 ("Parametric ReLU (PReLU)"): optim.prelu_parameter_groups,
models.init_he_for_slope, diagnostics.prelu_slopes, plotting.plot_prelu_slopes and the
chapter's exercise checks."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.collections import PathCollection
from matplotlib.figure import Figure
from torch import nn

from relu_course import analysis as Dg
from relu_course import exercises as E
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course.activations import modules as M
from relu_course.data import load
from relu_course.training import TrainConfig, fit, optim


def channelwise_cnn(channels=(4, 8)):
    return models.small_cnn(channels=channels, activation=lambda c: M.PReLU(c))


# ---------------------------------------------------------------------------------------------
# optim.prelu_parameter_groups
# ---------------------------------------------------------------------------------------------

def test_parameter_groups_split_slopes_from_everything_else():
    set_seed(0)
    net = channelwise_cnn()
    groups = optim.prelu_parameter_groups(net, weight_decay=0.01, slope_weight_decay=0.001)
    assert [g["name"] for g in groups] == ["weights", "slopes"]
    assert [g["weight_decay"] for g in groups] == [0.01, 0.001]
    slopes = {id(m.weight) for m in net.modules() if isinstance(m, M.PReLU)}
    assert {id(p) for p in groups[1]["params"]} == slopes
    everything = [p for g in groups for p in g["params"]]
    assert len(everything) == len(list(net.parameters()))            # each exactly once
    assert {id(p) for p in everything} == {id(p) for p in net.parameters()}
    assert not slopes & {id(p) for p in groups[0]["params"]}


def test_parameter_groups_default_to_no_decay_on_slopes_and_work_with_torch_prelu():
    net = models.mlp(3, [5, 5], 2, activation=lambda width: nn.PReLU())
    groups = optim.prelu_parameter_groups(net, 5e-4)
    assert groups[1]["weight_decay"] == 0.0
    assert sum(p.numel() for p in groups[1]["params"]) == 2            # two shared slopes


def test_parameter_groups_without_prelu_give_one_group_and_drop_frozen_and_shared():
    net = models.mlp(3, [4], 2)
    groups = optim.prelu_parameter_groups(net, 0.1)
    assert len(groups) == 1 and groups[0]["name"] == "weights"
    net[1].bias.requires_grad_(False)                                  # frozen: left out
    shared = M.PReLU()
    tied = nn.Sequential(nn.Linear(2, 2), shared, nn.Linear(2, 2), shared)
    assert len(optim.prelu_parameter_groups(net, 0.1)[0]["params"]) == 3
    groups = optim.prelu_parameter_groups(tied, 0.1)
    assert len(groups[1]["params"]) == 1                               # tied slope once


def test_parameter_groups_validate_their_arguments():
    net = channelwise_cnn()
    with pytest.raises(TypeError, match="nn.Module"):
        optim.prelu_parameter_groups([1, 2], 0.1)
    with pytest.raises(ValueError, match=">= 0"):
        optim.prelu_parameter_groups(net, -0.1)
    with pytest.raises(ValueError, match="finite"):
        optim.prelu_parameter_groups(net, 0.1, slope_weight_decay=math.inf)
    with pytest.raises(TypeError, match="real number"):
        optim.prelu_parameter_groups(net, "0.1")
    with pytest.raises(ValueError, match="no trainable"):
        optim.prelu_parameter_groups(nn.Sequential(nn.ReLU()), 0.1)


def test_decay_on_the_slopes_shrinks_them_and_no_decay_leaves_them_alone():
    # Every pre-activation is 1 > 0, so dL/da = 0: only the decay can move the slopes, and
    # each plain SGD step multiplies them by (1 - lr * decay).
    x, y = torch.randn(8, 2), torch.randint(0, 2, (8,))
    for slope_decay, expected in ((0.0, 0.25), (0.5, 0.25 * (1 - 0.1 * 0.5) ** 5)):
        net = nn.Sequential(nn.Linear(2, 3), M.PReLU(3), nn.Linear(3, 2))
        with torch.no_grad():
            net[0].weight.zero_()
            net[0].bias.fill_(1.0)
        opt = torch.optim.SGD(optim.prelu_parameter_groups(net, 0.0, slope_decay), lr=0.1)
        for _ in range(5):
            opt.zero_grad()
            nn.functional.cross_entropy(net(x), y).backward()
            opt.step()
        assert torch.allclose(net[1].weight, torch.full((3,), expected))


def test_parameter_groups_drive_fit_with_an_optimizer():
    data = load("digits")
    data = type(data)(data.name, data.x_train[:128], data.y_train[:128], data.x_test[:64],
                      data.y_test[:64], data.num_classes)
    results = {}
    for slope_decay in (0.0, 0.5):
        set_seed(0)
        net = channelwise_cnn()
        opt = torch.optim.SGD(optim.prelu_parameter_groups(net, 0.0, slope_decay), lr=0.05,
                              momentum=0.9)
        fit(net, data, TrainConfig(epochs=3, batch_size=32), optimizer=opt)
        results[slope_decay] = torch.cat(list(Dg.prelu_slopes(net).values()))
    assert (results[0.5] < results[0.0]).all()                     # decay pulls every slope


# ---------------------------------------------------------------------------------------------
# models.init_he_for_slope
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("a", [0.0, 0.25, 1.0, -0.5])
def test_init_he_for_slope_has_the_corrected_variance(a):
    set_seed(0)
    layer = models.init_he_for_slope(nn.Linear(300, 600), negative_slope=a)
    expected = math.sqrt(2.0 / ((1 + a * a) * 300))
    assert layer.weight.std().item() == pytest.approx(expected, rel=0.01)
    assert abs(layer.weight.mean().item()) < 0.05 * expected
    assert torch.equal(layer.bias, torch.zeros(600))
    # the same standard deviation as torch's kaiming_normal_ for leaky ReLU
    gain = nn.init.calculate_gain("leaky_relu", a)
    assert expected == pytest.approx(gain / math.sqrt(300), rel=1e-12)


def test_init_he_for_slope_uses_conv_fan_in_and_matches_he_at_zero():
    set_seed(1)
    conv = models.init_he_for_slope(nn.Conv2d(16, 64, 3), negative_slope=0.5)
    fan_in = 16 * 9
    assert conv.weight.std().item() == pytest.approx(math.sqrt(2 / (1.25 * fan_in)), rel=0.02)
    set_seed(2)
    a = models.init_he_for_slope(models.mlp(20, [30], 4), 0.0)
    set_seed(2)
    b = models.init_weights(models.mlp(20, [30], 4), "he")
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_init_he_for_slope_keeps_the_signal_level_where_he_lets_it_grow():
    x = torch.randn(256, 128, generator=torch.Generator().manual_seed(0))
    growth = {}
    for corrected in (False, True):
        set_seed(3)
        net = models.mlp(128, [128] * 20, 2, activation=lambda w: M.PReLU(init=1.0))
        if corrected:
            models.init_he_for_slope(net, 1.0)
        else:
            models.init_weights(net, "he")
        q = [s.mean_square for s in Dg.activation_stats(net, x, what="input").values()]
        growth[corrected] = (q[-1] / q[0]) ** (1 / 19)
    assert growth[False] == pytest.approx(2.0, rel=0.05)
    assert growth[True] == pytest.approx(1.0, rel=0.05)


def test_init_he_for_slope_validates_its_arguments():
    with pytest.raises(TypeError, match="nn.Module"):
        models.init_he_for_slope("net", 0.25)
    with pytest.raises(TypeError, match="real number"):
        models.init_he_for_slope(nn.Linear(2, 2), None)
    with pytest.raises(ValueError, match="finite"):
        models.init_he_for_slope(nn.Linear(2, 2), math.nan)


# ---------------------------------------------------------------------------------------------
# diagnostics.prelu_slopes
# ---------------------------------------------------------------------------------------------

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


def test_prelu_slopes_needs_a_prelu_layer():
    with pytest.raises(ValueError, match="no PReLU"):
        Dg.prelu_slopes(models.mlp(2, [3], 2))
    with pytest.raises(TypeError, match="nn.Module"):
        Dg.prelu_slopes(None)


# ---------------------------------------------------------------------------------------------
# plotting.plot_prelu_slopes
# ---------------------------------------------------------------------------------------------

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


@pytest.mark.parametrize("bad, error", [
    ({}, ValueError),
    ({"x": []}, ValueError),
    ({"x": [[[0.1], [np.nan]]]}, ValueError),
    ({"x": [[[0.1]], [[0.1], [0.2]]]}, ValueError),        # runs of different depths
    ({"x": ["abc"]}, TypeError),
    ({"x": [[["a"]]]}, TypeError),
])
def test_plot_prelu_slopes_rejects_bad_input(bad, error):
    with pytest.raises(error):
        P.plot_prelu_slopes(bad)


def test_plot_prelu_slopes_rejects_a_bad_init():
    with pytest.raises(TypeError):
        P.plot_prelu_slopes({"x": [[[0.1]]]}, init="0.25")


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def prelu_weight_grad(x, grad_out):
    dims = tuple(d for d in range(x.ndim) if d != 1)
    return (grad_out * np.minimum(x, 0.0)).sum(axis=dims)


def stub(*args):
    raise NotImplementedError


def test_check_prelu_weight_grad():
    assert E.check_prelu_weight_grad(prelu_weight_grad).passed
    assert E.check_prelu_weight_grad(stub).status == "not attempted"
    every = E.check_prelu_weight_grad(
        lambda x, g: (g * x).sum(axis=tuple(d for d in range(x.ndim) if d != 1)))
    assert every.status == "failed" and "only inputs x <= 0" in every.message
    no_sum = E.check_prelu_weight_grad(lambda x, g: g * np.minimum(x, 0.0))
    assert no_sum.status == "failed" and "one number per channel" in no_sum.message
    flipped = E.check_prelu_weight_grad(lambda x, g: -prelu_weight_grad(x, g))
    assert "sign" in flipped.message

    def in_place(x, g):
        x[x > 0] = 0.0
        return prelu_weight_grad(x, g)
    assert "in place" in E.check_prelu_weight_grad(in_place).message


def test_check_prelu_from_relus():
    assert E.check_prelu_from_relus(lambda x, a: torch.relu(x) - a * torch.relu(-x)).passed
    where = E.check_prelu_from_relus(lambda x, a: torch.where(x > 0, x, a * x))
    assert where.passed and "same value" in where.message
    assert E.check_prelu_from_relus(stub).status == "not attempted"
    wrong_sign = E.check_prelu_from_relus(lambda x, a: torch.relu(x) + a * torch.relu(-x))
    assert wrong_sign.status == "failed" and "PReLU gives" in wrong_sign.message
    constant = E.check_prelu_from_relus(lambda x, a: torch.relu(x) - 0.25 * torch.relu(-x))
    assert constant.status == "failed"
    detached = E.check_prelu_from_relus(
        lambda x, a: (torch.relu(x) - a * torch.relu(-x)).detach())
    assert detached.status == "failed" and "autograd" in detached.message


def test_check_prelu_decay_groups():
    assert E.check_prelu_decay_groups(optim.prelu_parameter_groups).passed
    assert E.check_prelu_decay_groups(stub).status == "not attempted"
    everything = E.check_prelu_decay_groups(
        lambda m, wd: [{"params": list(m.parameters()), "weight_decay": wd}])
    assert everything.status == "failed" and "a PReLU slope" in everything.message
    generator = E.check_prelu_decay_groups(lambda m, wd: m.parameters())
    assert generator.status == "failed" and "list of parameter groups" in generator.message

    def only_course_prelu(model, wd):
        ids = {id(m.weight) for m in model.modules() if isinstance(m, M.PReLU)}
        return [{"params": [p for p in model.parameters() if id(p) not in ids],
                 "weight_decay": wd},
                {"params": [p for p in model.parameters() if id(p) in ids],
                 "weight_decay": 0.0}]
    missed = E.check_prelu_decay_groups(only_course_prelu)
    assert missed.status == "failed" and "torch.nn.PReLU" in missed.message

    def missing(model, wd):
        return [{"params": list(model.parameters())[1:], "weight_decay": wd}]
    assert "in no group" in E.check_prelu_decay_groups(missing).message
