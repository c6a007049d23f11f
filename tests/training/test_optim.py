"""Tests of relu_course.training.optim: parameter_groups (no weight decay on learnable slopes) and
its use with fit."""

from __future__ import annotations

import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models, set_seed
from relu_course.activations import modules as M
from relu_course.data import load
from relu_course.training import TrainConfig, fit, optim

from helpers import channelwise_cnn


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
