"""relu_course.diagnostics: activation hooks, activation patterns, linear regions, dead units."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import data as data_module
from relu_course import models, set_seed
from relu_course.activations import modules as M


def one_layer_net(weight, bias) -> nn.Sequential:
    """A 2-input network with one hidden ReLU layer whose kink lines are w_k . x + b_k = 0."""
    weight = torch.as_tensor(weight, dtype=torch.float32)
    net = nn.Sequential(nn.Linear(2, len(weight)), M.ReLU(), nn.Linear(len(weight), 1))
    with torch.no_grad():
        net[0].weight.copy_(weight)
        net[0].bias.copy_(torch.as_tensor(bias, dtype=torch.float32))
    return net


def tangent_lines_net(n: int) -> nn.Sequential:
    """n lines tangent to the unit circle with distinct directions: in general position
    (no two parallel, no three through one point), all crossings within |x| < 4.5."""
    angles = torch.arange(n) * math.pi / n + 0.1
    return one_layer_net(torch.stack([angles.cos(), angles.sin()], 1), -torch.ones(n))


def max_regions(n: int) -> int:
    return 1 + n + n * (n - 1) // 2


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


def points(n=400, seed=0, scale=3.0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 2, generator=gen) * 2 - 1) * scale


# ---------------------------------------------------------------------------------------------
# activation_layers / record_activations
# ---------------------------------------------------------------------------------------------

def test_activation_layers_finds_ours_and_torchs():
    net = nn.Sequential(nn.Linear(2, 3), M.ReLU(), nn.Linear(3, 3), nn.GELU(),
                        nn.Linear(3, 3), M.PReLU(), nn.Linear(3, 1))
    found = Dg.activation_layers(net)
    assert [name for name, _ in found] == ["1", "3", "5"]
    assert [type(m) for _, m in found] == [M.ReLU, nn.GELU, M.PReLU]


def test_activation_layers_errors():
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.activation_layers(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)))
    with pytest.raises(TypeError):
        Dg.activation_layers(lambda x: x)


def test_record_activations_collects_and_removes_hooks():
    set_seed(0)
    net = models.mlp(2, [4, 3], 2)
    x = points(5)
    with Dg.record_activations(net) as acts:
        assert hook_count(net) == 2
        net(x)
        net(x[:2])
    assert hook_count(net) == 0
    assert list(acts) == ["2", "4"]
    assert [t.shape for t in acts["2"]] == [(5, 4), (2, 4)]
    assert acts["4"][0].shape == (5, 3)
    torch.testing.assert_close(acts["2"][0], net[2](net[1](x)))
    assert not acts["2"][0].requires_grad                          # detached
    net(x)                                                         # nothing recorded now
    assert len(acts["2"]) == 2


def test_record_activations_removes_hooks_after_an_error():
    net = models.mlp(2, [4], 2)
    with pytest.raises(RuntimeError), Dg.record_activations(net):
        net(torch.zeros(3, 5))                                    # wrong input width
    assert hook_count(net) == 0


def test_record_activations_without_activation_layers():
    with pytest.raises(ValueError), Dg.record_activations(nn.Linear(2, 2)):
        pass


# ---------------------------------------------------------------------------------------------
# activation_pattern / linear_region_ids
# ---------------------------------------------------------------------------------------------

def test_activation_pattern():
    set_seed(1)
    net = models.mlp(2, [5, 3], 2)
    x = points(50)
    pattern = Dg.activation_pattern(net, x)
    assert pattern.shape == (50, 8) and pattern.dtype == torch.bool
    h1 = net[2](net[1](x))
    h2 = net[4](net[3](h1))
    assert torch.equal(pattern, torch.cat([h1 > 0, h2 > 0], dim=1))
    assert hook_count(net) == 0


def test_activation_pattern_of_a_cnn():
    set_seed(2)
    net = models.small_cnn(channels=(2, 3))
    pattern = Dg.activation_pattern(net, torch.rand(4, 1, 8, 8))
    assert pattern.shape == (4, 2 * 8 * 8 + 3 * 4 * 4)


def test_activation_pattern_rejects_non_tensors():
    with pytest.raises(TypeError, match="activation_pattern"):
        Dg.activation_pattern(models.mlp(2, [3], 2), [[0.0, 0.0]])


def test_linear_region_ids_follow_the_pattern():
    set_seed(3)
    net = models.mlp(2, [6, 6], 1)
    x = points(300)
    ids = Dg.linear_region_ids(net, x)
    assert ids.shape == (300,) and ids.dtype == torch.int64
    pattern = Dg.activation_pattern(net, x)
    same_id = ids[:, None] == ids[None, :]
    same_pattern = (pattern[:, None, :] == pattern[None, :, :]).all(-1)
    assert torch.equal(same_id, same_pattern)
    assert set(ids.tolist()) == set(range(int(ids.max()) + 1))          # numbered 0, 1, ...


def test_network_is_affine_within_each_region():
    set_seed(4)
    net = models.mlp(2, [6, 6], 1)
    x = points(400).requires_grad_(True)
    out = net(x).squeeze(1)
    (grads,) = torch.autograd.grad(out.sum(), x)          # per-example input gradients
    ids = Dg.linear_region_ids(net, x.detach())
    assert ids.unique().numel() > 3
    for region in ids.unique():
        members = ids == region
        g = grads[members]
        torch.testing.assert_close(g, g[:1].expand_as(g))
        # f(x) = g . x + c with the same c everywhere in the region
        offsets = out[members].detach() - (x.detach()[members] * g).sum(1)
        torch.testing.assert_close(offsets, offsets[:1].expand_as(offsets), rtol=0, atol=1e-5)
    distinct = {tuple(g.tolist()) for g in grads.round(decimals=4)}
    assert len(distinct) > 3                               # the gradient does change between regions


# ---------------------------------------------------------------------------------------------
# Counting linear regions
# ---------------------------------------------------------------------------------------------

def test_single_unit_has_two_regions_across_its_kink():
    net = one_layer_net([[1.0, -2.0]], [0.5])
    assert Dg.count_linear_regions(net, (-3, 3), (-3, 3), resolution=50) == 2
    far = one_layer_net([[1.0, 0.0]], [-5.0])              # kink line x1 = 5, outside
    assert Dg.count_linear_regions(far, (-3, 3), (-3, 3), resolution=50) == 1


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
def test_general_position_lines_reach_the_maximum(n):
    net = tangent_lines_net(n)
    assert Dg.count_linear_regions(net, (-6, 6), (-6, 6), resolution=200) == max_regions(n)


def test_a_small_window_sees_fewer_regions():
    net = tangent_lines_net(6)
    assert Dg.count_linear_regions(net, (-0.5, 0.5), (-0.5, 0.5), resolution=50) == 1


@pytest.mark.parametrize("n", [3, 6, 10])
def test_random_networks_approach_but_never_exceed_the_bound(n):
    counts = []
    for seed in range(4):
        torch.manual_seed(seed)
        net = nn.Sequential(nn.Linear(2, n), M.ReLU(), nn.Linear(n, 2))
        counts.append(Dg.count_linear_regions(net, (-60, 60), (-60, 60), resolution=250))
    assert max(counts) <= max_regions(n)
    assert max(counts) >= 0.8 * max_regions(n)


def test_region_grid():
    net = tangent_lines_net(3)
    grid = Dg.linear_region_grid(net, (-2.0, 4.0), (-1.0, 1.0), resolution=30)
    assert grid.ids.shape == (30, 30) and grid.ids.dtype == torch.int64
    assert grid.xs.shape == grid.ys.shape == (30,)
    assert grid.extent == (-2.0, 4.0, -1.0, 1.0)
    assert grid.count == grid.ids.unique().numel()
    # Row i is ys[i], column j is xs[j]; points() lists them in the order of ids.reshape(-1).
    pts = grid.points()
    assert pts.shape == (900, 2)
    i, j = 7, 21
    assert pts[i * 30 + j].tolist() == [grid.xs[j].item(), grid.ys[i].item()]
    assert torch.equal(Dg.linear_region_ids(net, pts), grid.ids.reshape(-1))
    pattern_here = Dg.activation_pattern(net, pts[i * 30 + j][None])
    same = (Dg.activation_pattern(net, pts) == pattern_here).all(1).reshape(30, 30)
    assert torch.equal(grid.ids == grid.ids[i, j], same)


@pytest.mark.parametrize("kwargs, error", [
    ({"resolution": 1}, ValueError), ({"resolution": 10.5}, TypeError),
    ({"xlim": (1.0, 1.0)}, ValueError), ({"ylim": (2.0, -2.0)}, ValueError),
    ({"xlim": (math.nan, 1.0)}, ValueError), ({"ylim": ("a", 1.0)}, TypeError),
], ids=lambda v: v.__name__ if isinstance(v, type) else repr(v))
def test_region_grid_bad_arguments(kwargs, error):
    with pytest.raises(error):
        Dg.linear_region_grid(tangent_lines_net(2), **kwargs)


# ---------------------------------------------------------------------------------------------
# Dead units
# ---------------------------------------------------------------------------------------------

def test_dead_unit_fraction_finds_a_unit_forced_dead():
    net = one_layer_net(torch.full((4, 2), 0.1), torch.full((4,), 10.0))   # all alive
    x = points(100)
    assert Dg.dead_unit_fraction(net, x) == {"1": 0.0}
    with torch.no_grad():
        net[0].bias[2] = -1e3                                  # never positive on x
    assert Dg.dead_unit_fraction(net, x) == {"1": 0.25}
    with torch.no_grad():
        net[0].bias[:] = -1e3
    assert Dg.dead_unit_fraction(net, x) == {"1": 1.0}


def test_dead_unit_fraction_per_layer():
    set_seed(5)
    net = models.mlp(2, [8, 4], 2)
    with torch.no_grad():
        net[3].weight.zero_()
        net[3].bias[:2] = -1.0                                # two of four units dead
        net[3].bias[2:] = 1.0
    fractions = Dg.dead_unit_fraction(net, points(200))
    assert set(fractions) == {"2", "4"}
    assert fractions["4"] == 0.5
    assert 0.0 <= fractions["2"] <= 1.0


def test_dead_unit_fraction_errors():
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.dead_unit_fraction(nn.Sequential(nn.Linear(2, 2)), points(10))
    with pytest.raises(ValueError, match="no examples"):
        Dg.dead_unit_fraction(models.mlp(2, [3], 2), torch.zeros(0, 2))
    with pytest.raises(TypeError, match="dead_unit_fraction"):
        Dg.dead_unit_fraction(models.mlp(2, [3], 2), [[0.0, 1.0]])


# ---- TrainingMonitor ----------------------------------------------------------------------------

def test_training_monitor_records_dead_units_and_ratios():
    from relu_course.training import TrainConfig, fit

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
    from relu_course.training import TrainConfig, fit

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


@pytest.mark.parametrize("kwargs, error", [
    ({"x": torch.zeros(0, 2)}, ValueError), ({"x": [[0.0]]}, TypeError),
    ({"x": torch.zeros(3, 2), "y": torch.zeros(2)}, ValueError),
    ({"x": torch.zeros(3, 2), "every": 0}, ValueError),
    ({"x": torch.zeros(3, 2), "stop_on_dead": 1.5}, ValueError),
])
def test_training_monitor_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        Dg.TrainingMonitor(**kwargs)


def test_training_monitor_needs_activation_layers_and_known_keys():
    monitor = Dg.TrainingMonitor(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="no activation layers"):
        monitor(0, torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match="unknown key"):
        monitor.series("loss")
