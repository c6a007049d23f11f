"""Tests of relu_course.training.stacked: fit_many, training several networks at once as fit
would train each."""

from __future__ import annotations

import copy

import pytest
import torch

from relu_course import models, set_seed
from relu_course import training as T
from relu_course.data import load


@pytest.fixture(scope="module")
def digits():
    data = load("digits")
    # A smaller, quick copy: 300 training and 100 test images.
    return type(data)("digits", data.x_train[:300], data.y_train[:300], data.x_test[:100],
                      data.y_test[:100], 10)


def _same_start(build, names, seed=0):
    nets = []
    for name in names:
        set_seed(seed)
        nets.append(build(name))
    return nets


@pytest.mark.parametrize("arch", ["mlp", "cnn", "cnn2"])
def test_fit_many_trains_each_network_as_fit_would(digits, arch):
    # In float64, so that the comparison tests the training logic, not the rounding: the two
    # paths batch the same arithmetic differently (one stacked model against one at a time),
    # and in float32 two epochs of Adam amplify that rounding to about 1e-4 on some CPUs and
    # thread counts. In float64 they agree to about 1e-12.
    data = type(digits)("digits", digits.x_train.double(), digits.y_train,
                        digits.x_test.double(), digits.y_test, 10)
    build = {"mlp": lambda a: models.mlp(64, [16, 8], 10, a),
             "cnn": lambda a: models.small_cnn(1, 10, [3], a),
             "cnn2": lambda a: models.small_cnn(1, 10, [3, 4], a)}[arch]
    nets = [net.double() for net in _same_start(build, ["relu", "prelu", "tanh", "gelu"])]
    alone = [copy.deepcopy(n) for n in nets]
    config = T.TrainConfig(epochs=2, lr=0.01, batch_size=32, seed=3)
    histories = T.fit_many(nets, data, config)
    for net, twin, history in zip(nets, alone, histories):
        reference = T.fit(twin, data, config)
        for p, q in zip(net.parameters(), twin.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-9, atol=1e-10)
        for key in ("train_loss", "test_loss"):
            assert getattr(history, key) == pytest.approx(getattr(reference, key), rel=1e-9)
        assert history.epochs == 2 and len(history.seconds_per_epoch) == 2
    assert len({tuple(h.seconds_per_epoch) for h in histories}) == 1
    # The PReLU slope (a parameter of the activation layer itself) was trained too.
    assert nets[1][2 if arch == "mlp" else 1].weight.item() != 0.25


def test_fit_many_metrics_without_training_evaluation(digits):
    nets = _same_start(lambda a: models.mlp(64, [16], 10, a), ["relu", "elu"])
    histories = T.fit_many(nets, digits, T.TrainConfig(epochs=3, seed=1),
                               evaluate_train=False)
    for net, h in zip(nets, histories):
        assert len(h.train_loss) == len(h.train_accuracy) == len(h.test_accuracy) == 3
        assert all(0.0 <= a <= 1.0 for a in h.train_accuracy)
        # The test metrics are measured on the final weights, as fit() does.
        assert h.test_accuracy[-1] == pytest.approx(
            T.evaluate(net, digits.x_test, digits.y_test)[1])
    evaluated = _same_start(lambda a: models.mlp(64, [16], 10, a), ["relu", "elu"])
    full = T.fit_many(evaluated, digits, T.TrainConfig(epochs=3, seed=1))
    assert full[0].train_accuracy[-1] == pytest.approx(
        T.evaluate(evaluated[0], digits.x_train, digits.y_train)[1])


def test_fit_many_with_a_single_network_and_identical_networks_agree(digits):
    a, b = _same_start(lambda name: models.mlp(64, [8], 10, name), ["silu", "silu"])
    ha, hb = T.fit_many([a, b], digits, T.TrainConfig(epochs=1))
    assert ha.test_loss == hb.test_loss
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_fit_many_reports_divergence_and_keeps_the_weights(digits):
    nets = _same_start(lambda a: models.mlp(64, [8], 10, a), ["relu", "tanh"])
    before = copy.deepcopy(nets[0])
    with pytest.raises(T.TrainingDiverged, match="network"):
        T.fit_many(nets, digits, T.TrainConfig(epochs=2, lr=1e30, optimizer="sgd"))
    changed = any(not torch.equal(p, q) for p, q in zip(nets[0].parameters(), before.parameters()))
    assert changed                                       # written back despite the error
