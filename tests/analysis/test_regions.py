"""Tests of relu_course.analysis.regions: activation patterns, linear region ids, counting linear
regions against the known bounds, and region_grid."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course.activations import modules as M

from helpers import hook_count, one_layer_net, points, tangent_lines_net


def max_regions(n: int) -> int:
    return 1 + n + n * (n - 1) // 2


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
