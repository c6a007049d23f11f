"""Tests of relu_course.training.loop: fit, evaluate, TrainConfig and History (learning,
reproducibility, callbacks, divergence, optimizers)."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest
import torch
from torch import nn

from relu_course import data as D
from relu_course.training import History, TrainConfig, TrainingDiverged, evaluate, fit

from helpers import small_net


@pytest.fixture(scope="module")
def moons():
    return D.load("moons", n_samples=256, seed=0)


def test_fit_learns_the_moons(moons):
    net = small_net(0)
    history = fit(net, moons, TrainConfig(epochs=15, lr=1e-2, batch_size=32))
    assert history.epochs == 15
    assert history.train_accuracy[-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_accuracy[-1] > 0.85


def test_history_fields(moons):
    history = fit(small_net(0), moons, TrainConfig(epochs=3))
    for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy",
                 "seconds_per_epoch"):
        assert len(getattr(history, name)) == 3
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.test_accuracy)
    assert all(s > 0 for s in history.seconds_per_epoch)
    assert isinstance(history, History)


def test_history_metrics_match_evaluate(moons):
    net = small_net(0)
    history = fit(net, moons, TrainConfig(epochs=2))
    loss, acc = evaluate(net, moons.x_test, moons.y_test)
    assert history.test_loss[-1] == pytest.approx(loss)
    assert history.test_accuracy[-1] == acc


def test_same_seed_same_history(moons):
    config = TrainConfig(epochs=4, lr=5e-3, batch_size=50, seed=2)
    a = fit(small_net(1), moons, config)
    b = fit(small_net(1), moons, config)
    assert a.train_loss == b.train_loss
    assert a.test_loss == b.test_loss
    assert a.train_accuracy == b.train_accuracy and a.test_accuracy == b.test_accuracy


def test_shuffling_seed_changes_the_run(moons):
    a = fit(small_net(1), moons, TrainConfig(epochs=2, batch_size=50, seed=0))
    b = fit(small_net(1), moons, TrainConfig(epochs=2, batch_size=50, seed=1))
    assert a.train_loss != b.train_loss


def test_fit_does_not_use_the_global_rng(moons):
    net = small_net(0)
    state = torch.get_rng_state()
    fit(net, moons, TrainConfig(epochs=1))
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("config", [
    TrainConfig(epochs=2, batch_size=None),
    TrainConfig(epochs=2, batch_size=1000),
    TrainConfig(epochs=2, optimizer="sgd", lr=0.1, momentum=0.9, weight_decay=1e-4),
], ids=["full-batch", "batch-larger-than-data", "sgd-momentum"])
def test_fit_configurations(moons, config):
    net = small_net(0)
    before = [p.detach().clone() for p in net.parameters()]
    history = fit(net, moons, config)
    assert history.epochs == 2
    assert any(not torch.equal(p, q) for p, q in zip(net.parameters(), before, strict=True))


def test_callback_can_stop_early(moons):
    calls = []

    def callback(epoch, model, history):
        calls.append((epoch, history.epochs))
        assert isinstance(model, nn.Module)
        return epoch == 3

    history = fit(small_net(0), moons, TrainConfig(epochs=10), callback=callback)
    assert calls == [(1, 1), (2, 2), (3, 3)]
    assert history.epochs == 3


def test_callback_returning_none_continues(moons):
    history = fit(small_net(0), moons, TrainConfig(epochs=3), callback=lambda *a: None)
    assert history.epochs == 3


def test_empty_test_set(moons):
    tiny = D.load("moons", n_samples=2)
    assert len(tiny.y_test) == 0
    history = fit(small_net(0), tiny, TrainConfig(epochs=2))
    assert history.test_loss == [] and len(history.train_loss) == 2


@pytest.mark.parametrize("lr", [1e6, 1e10])
def test_divergence_raises(moons, lr):
    config = TrainConfig(epochs=30, lr=lr, optimizer="sgd", batch_size=None)
    with pytest.raises(TrainingDiverged, match="diverged") as info:
        fit(small_net(0), moons, config)
    assert str(lr) in str(info.value)
    assert isinstance(info.value, FloatingPointError)


def test_evaluate(moons):
    net = small_net(0)
    net.train()
    loss, acc = evaluate(net, moons.x_test, moons.y_test, batch_size=7)
    assert net.training                                         # mode restored
    with torch.no_grad():
        logits = net(moons.x_test)
    assert loss == pytest.approx(nn.functional.cross_entropy(logits, moons.y_test).item(),
                                 rel=1e-5)
    assert acc == (logits.argmax(1) == moons.y_test).float().mean().item()
    net.eval()
    evaluate(net, moons.x_test, moons.y_test)
    assert not net.training
    with pytest.raises(ValueError):
        evaluate(net, moons.x_test, moons.y_test[:-1])
    with pytest.raises(ValueError):
        evaluate(net, moons.x_test[:0], moons.y_test[:0])


def test_train_config_defaults_and_frozen():
    config = TrainConfig()
    assert (config.epochs, config.lr, config.batch_size, config.optimizer) == \
        (20, 1e-2, 64, "adam")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 1.0


def test_fit_accepts_an_optimizer_with_parameter_groups():
    from relu_course import data as D
    from relu_course import models as Mo
    from relu_course import training as T

    torch.manual_seed(0)
    net = Mo.mlp(2, [8], 2, activation="prelu")
    slopes = [p for n, p in net.named_parameters() if n.endswith("1.weight") is False
              and p.numel() == 1]
    others = [p for p in net.parameters() if all(p is not s for s in slopes)]
    assert slopes and others
    opt = torch.optim.SGD([{"params": others, "weight_decay": 0.0},
                           {"params": slopes, "weight_decay": 0.0, "lr": 0.0}], lr=0.1)
    before = [s.detach().clone() for s in slopes]
    history = T.fit(net, D.load("moons", n_samples=80), T.TrainConfig(epochs=3), optimizer=opt)
    assert history.epochs == 3
    assert all(torch.equal(b, s) for b, s in zip(before, slopes))   # lr 0: slopes frozen
    with pytest.raises(TypeError, match="optimizer"):
        T.fit(net, D.load("moons", n_samples=80), optimizer="sgd")
    stranger = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="not parameters of the model"):
        T.fit(net, D.load("moons", n_samples=80), optimizer=stranger)


def test_training_helpers_restore_the_mode_after_a_failed_forward():
    # evaluate() used to leave the model in eval mode when its forward raised
    from relu_course import training as train

    net = torch.nn.Sequential(torch.nn.Linear(3, 2))
    net.train()
    with pytest.raises(RuntimeError):
        train.evaluate(net, torch.zeros(4, 5), torch.zeros(4, dtype=torch.long))
    assert net.training


# ---- train_steps: the minimal loop chapter 1 shows ------------------------------------------

def _line_problem():
    x = torch.linspace(-1, 1, 32)[:, None]
    return x, 2 * x - 0.5


def test_train_steps_fits_a_line_and_records_each_loss():
    from relu_course.training import train_steps
    torch.manual_seed(0)
    net = nn.Linear(1, 1)
    x, y = _line_problem()
    with torch.no_grad():
        first = nn.functional.mse_loss(net(x), y).item()
    opt = torch.optim.SGD(net.parameters(), lr=0.3)
    losses = train_steps(net, x, y, nn.functional.mse_loss, opt, 200)
    assert len(losses) == 200 and all(isinstance(v, float) for v in losses)
    assert losses[0] == first                  # measured before the first update
    assert losses[-1] < 1e-4 < losses[0]
    assert net.weight.item() == pytest.approx(2.0, abs=0.02)
    assert net.bias.item() == pytest.approx(-0.5, abs=0.02)


def test_train_steps_matches_fit_curve_step_for_step():
    # the same full-batch Adam steps as training.fit_curve: identical parameters
    from relu_course.training import fit_curve, train_steps
    x = torch.linspace(-2, 2, 41)
    y = x.abs()
    torch.manual_seed(3)
    a = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
    b = nn.Sequential(nn.Linear(1, 8), nn.ReLU(), nn.Linear(8, 1))
    b.load_state_dict(a.state_dict())
    curve_losses = fit_curve(a, x, y, steps=30, lr=0.02)
    opt = torch.optim.Adam(b.parameters(), lr=0.02)
    losses = train_steps(b, x[:, None], y[:, None], nn.functional.mse_loss, opt, 30)
    assert losses == curve_losses[:-1]
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


@pytest.mark.parametrize("change, error, fragment", [
    (dict(model="not a model"), TypeError, "nn.Module"),
    (dict(optimizer=None), TypeError, "optimizer"),
    (dict(y=torch.zeros(5, 1)), ValueError, "same, non-zero number of examples"),
    (dict(x=torch.zeros(0, 1), y=torch.zeros(0, 1)), ValueError, "non-zero"),
    (dict(steps=0), ValueError, "`steps` >= 1"),
    (dict(steps=2.5), ValueError, "`steps`"),
    (dict(steps=True), ValueError, "`steps`"),
], ids=["model", "optimizer", "lengths", "empty", "zero-steps", "float-steps", "bool-steps"])
def test_train_steps_rejects_bad_input_clearly(change, error, fragment):
    from relu_course.training import train_steps
    net = nn.Linear(1, 1)
    x, y = _line_problem()
    args = dict(model=net, x=x, y=y, loss_fn=nn.functional.mse_loss,
                optimizer=torch.optim.SGD(net.parameters(), lr=0.1), steps=3)
    args.update(change)
    before = [p.clone() for p in net.parameters()]
    with pytest.raises(error, match=re.escape(fragment)):
        train_steps(**args)
    assert all(torch.equal(p, q) for p, q in zip(before, net.parameters()))  # nothing trained


def test_train_steps_shows_divergence_in_the_losses():
    from relu_course.training import train_steps
    torch.manual_seed(0)
    net = nn.Linear(1, 1)
    x, y = _line_problem()
    opt = torch.optim.SGD(net.parameters(), lr=50.0)            # far too large
    losses = train_steps(net, 100 * x, y, nn.functional.mse_loss, opt, 40)
    assert losses[-1] > 1e6 * losses[0] or not all(map(math.isfinite, losses))
