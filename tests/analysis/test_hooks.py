"""Tests of relu_course.analysis.hooks: finding a model's activation layers and recording their
outputs with forward hooks that are always removed."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course.activations import modules as M

from helpers import hook_count, points


def test_activation_layers_finds_ours_and_torchs():
    net = nn.Sequential(nn.Linear(2, 3), M.ReLU(), nn.Linear(3, 3), nn.GELU(),
                        nn.Linear(3, 3), M.PReLU(), nn.Linear(3, 1))
    found = Dg.activation_layers(net)
    assert [name for name, _ in found] == ["1", "3", "5"]
    assert [type(m) for _, m in found] == [M.ReLU, nn.GELU, M.PReLU]


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
