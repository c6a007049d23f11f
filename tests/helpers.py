"""Plain helpers shared by several test files (fixtures stay in conftest.py or in the test file):
small networks, batches and data tables. Import them with ``from helpers import name``."""

from __future__ import annotations

import math

import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import data as D
from relu_course import models, set_seed, utils
from relu_course import training as T
from relu_course.activations import modules as M
from relu_course.data import load

TOY = ("moons", "xor", "spirals")


GENERATORS = {"moons": D.two_moons, "xor": D.xor, "spirals": D.spirals}


def small_net(seed=0, **kwargs):
    set_seed(seed)
    return models.mlp(2, [16, 16], 2, **kwargs)


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


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


def points(n=400, seed=0, scale=3.0):
    gen = torch.Generator().manual_seed(seed)
    return (torch.rand(n, 2, generator=gen) * 2 - 1) * scale


ENV = utils.DEVICE_ENV_VAR


class _HalfPlane(torch.nn.Module):
    """Logits (0, x1): class 1 exactly where x1 > 0."""

    def forward(self, x):
        return torch.stack([torch.zeros_like(x[:, 0]), x[:, 0]], dim=1)


def make_net():
    return models.mlp(2, [16], 2)


def batch(n=32, d=4, classes=3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, d, generator=gen), torch.randint(0, classes, (n,), generator=gen)


def binary_batch(n=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, 2, generator=gen), torch.randint(0, 2, (n,), generator=gen)


def channelwise_cnn(channels=(4, 8)):
    return models.small_cnn(channels=channels, activation=lambda c: M.PReLU(c))


def monitored_run(lr, epochs=2):
    set_seed(0)
    data = load("moons", n_samples=128, seed=0)
    net = models.mlp(2, [8, 8], 2, init="he")
    monitor = Dg.TrainingMonitor(data.x_train, data.y_train)
    monitor(0, net)
    T.fit(net, data, T.TrainConfig(epochs=epochs, lr=lr), callback=monitor)
    return monitor


def kink_net(width=6, seed=9):
    set_seed(seed)
    return models.mlp(3, [width], 2, activation=lambda w: M.ReLUKink(0.25), init="he")
