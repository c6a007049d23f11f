"""Tests of relu_course.training.clipping: clip_gradient_norm (scaling, norms, recording, removal)
and its effect on a training run."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import models, set_seed
from relu_course import training as T
from relu_course.data import load


def linear_with_grad(grad_w, grad_b):
    """A Linear(2, 1) with zero weights whose .grad is set by hand."""
    net = nn.Linear(2, 1)
    with torch.no_grad():
        net.weight.zero_()
        net.bias.zero_()
    net.weight.grad = torch.tensor([grad_w], dtype=torch.float32)
    net.bias.grad = torch.tensor([grad_b], dtype=torch.float32)
    return net


def train_moons(max_norm, lr=0.5, record=True):
    set_seed(0)
    data = load("moons", n_samples=128, seed=0)
    net = models.mlp(2, [16, 16], 2, init="he")
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=0.9)
    clipper = T.clip_gradient_norm(opt, max_norm) if record else None
    history = T.fit(net, data, T.TrainConfig(epochs=3, batch_size=32), optimizer=opt)
    return net, history, clipper


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
