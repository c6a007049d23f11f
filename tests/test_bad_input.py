"""Bad input anywhere in the public API gets a clear TypeError or ValueError that names the
problem -- never a silent wrong answer or an obscure error from deep inside PyTorch."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import analysis as diagnostics
from relu_course import data, models, plotting, utils
from relu_course import training as train
from relu_course.performance import bench


@pytest.fixture(scope="module")
def moons():
    return data.load("moons", n_samples=64)


def _dataset(moons, **changes):
    fields = dict(name="m", x_train=moons.x_train, y_train=moons.y_train, x_test=moons.x_test,
                  y_test=moons.y_test, num_classes=2)
    fields.update(changes)
    return data.Dataset(**fields)


# ---- data ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    ({"name": "mnist"}, ValueError, "unknown dataset 'mnist'"),
    ({"name": 3}, TypeError, "str"),
    ({"name": "moons", "test_fraction": 1.5}, ValueError, "test_fraction"),
    ({"name": "moons", "test_fraction": 0.0}, ValueError, "test_fraction"),
    ({"name": "digits", "test_fraction": -0.1}, ValueError, "test_fraction"),
    ({"name": "xor", "test_fraction": math.nan}, ValueError, "finite"),
    ({"name": "moons", "n_samples": 0}, ValueError, "n_samples"),
    ({"name": "spirals", "n_samples": -5}, ValueError, "n_samples"),
    ({"name": "moons", "noise": -1.0}, ValueError, "noise"),
    ({"name": "moons", "seed": -1}, ValueError, "seed"),
    ({"name": "moons", "device": "tpu"}, ValueError, "not a device"),
])
def test_data_loader_rejects(kwargs, error, match):
    with pytest.raises(error, match=match):
        data.load(**kwargs)


def test_dataset_rejects_malformed_tensors(moons):
    nan_x = moons.x_train.clone()
    nan_x[0, 0] = math.nan
    cases = [
        ({"x_train": nan_x}, ValueError, "NaN"),
        ({"y_train": moons.y_train[:-1]}, ValueError, "one label per example"),
        ({"x_train": moons.x_train[:0], "y_train": moons.y_train[:0]}, ValueError, "empty"),
        ({"y_train": moons.y_train.float()}, TypeError, "int64"),
        ({"x_train": moons.x_train.long()}, TypeError, "floating-point"),
        ({"num_classes": 1}, ValueError, "labels must lie in"),
        ({"num_classes": 0}, ValueError, "num_classes"),
        ({"x_test": moons.x_test[:, :1]}, ValueError, "test examples"),
        ({"x_train": moons.x_train.tolist()}, TypeError, "torch.Tensor"),
    ]
    for changes, error, match in cases:
        with pytest.raises(error, match=match):
            _dataset(moons, **changes)


# ---- models ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("build, error, match", [
    (lambda: models.mlp(2, [4], 2, activation="swishy"), ValueError, "unknown activation"),
    (lambda: models.mlp(2, [0], 2), ValueError, ">= 1"),
    (lambda: models.mlp(2, [-3], 2), ValueError, ">= 1"),
    (lambda: models.mlp(0, [4], 2), ValueError, "in_features"),
    (lambda: models.mlp(2, [4], 0), ValueError, "out_features"),
    (lambda: models.mlp(2, 4, 2), TypeError, "list of layer widths"),
    (lambda: models.mlp(2, [4.5], 2), TypeError, "int"),
    (lambda: models.mlp(2, [4], 2, init="glorot"), ValueError, "unknown scheme"),
    (lambda: models.small_cnn(1, 10, channels=(0, 4)), ValueError, ">= 1"),
    (lambda: models.small_cnn(1, 0), ValueError, "num_classes"),
    (lambda: models.small_cnn(1, 10, activation="nope"), ValueError, "unknown activation"),
    (lambda: models.init_weights("net"), TypeError, "nn.Module"),
    (lambda: models.hinge_network([0.0, 1.0], [1.0]), ValueError, "knots"),
])
def test_model_builders_reject(build, error, match):
    with pytest.raises(error, match=match):
        build()


# ---- training ---------------------------------------------------------------------------------------

def test_fit_rejects_a_model_that_does_not_match_the_data(moons):
    with pytest.raises(ValueError, match=r"cannot process the data's inputs of shape \(2,\)"):
        train.fit(models.mlp(3, [4], 2), moons, train.TrainConfig(epochs=1))
    with pytest.raises(ValueError, match="one logit per class"):
        train.fit(models.mlp(2, [4], 1), moons, train.TrainConfig(epochs=1))


def test_fit_leaves_the_model_untouched_when_it_rejects_it(moons):
    net = models.mlp(2, [4], 3)
    before = [p.detach().clone() for p in net.parameters()]
    with pytest.raises(ValueError):
        train.fit(net, moons, train.TrainConfig(epochs=1))
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))


def test_fit_stops_on_a_nan_loss_with_a_clear_message(moons):
    net = models.mlp(2, [8], 2)
    with torch.no_grad():
        net[1].weight[0, 0] = math.nan
    with pytest.raises(train.TrainingDiverged, match="loss became nan at epoch 1"):
        train.fit(net, moons, train.TrainConfig(epochs=3))


@pytest.mark.parametrize("kwargs", [{"lr": 0}, {"epochs": 0}, {"batch_size": 0},
                                    {"optimizer": "rmsprop"}, {"momentum": -1.0},
                                    {"weight_decay": -0.1}, {"seed": -2}])
def test_train_config_rejects(kwargs):
    with pytest.raises((TypeError, ValueError)):
        train.TrainConfig(**kwargs)


def test_other_training_helpers_reject_bad_input(moons):
    with pytest.raises(TypeError, match="nn.Module"):
        train.fit("net", moons)
    with pytest.raises(TypeError, match="TrainConfig"):
        train.fit(models.mlp(2, [4], 2), moons, {"lr": 1})
    with pytest.raises(ValueError, match="NaN"):
        train.fit_curve(models.mlp(1, [4], 1), torch.full((5, 1), math.nan), torch.randn(5, 1))
    with pytest.raises(ValueError, match="5 points but y has 4"):
        train.fit_curve(models.mlp(1, [4], 1), torch.randn(5, 1), torch.randn(4, 1))
    with pytest.raises(ValueError, match="16 examples but y has 48"):
        train.evaluate(models.mlp(2, [4], 2), moons.x_test, moons.y_train)
    with pytest.raises(TypeError):
        train.epochs_to_reach("abc", 0.5)


# ---- diagnostics ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("measure", [
    lambda m, x, y: diagnostics.dead_unit_fraction(m, x),
    lambda m, x, y: diagnostics.activation_stats(m, x),
    lambda m, x, y: diagnostics.activation_pattern(m, x),
    lambda m, x, y: diagnostics.activation_derivatives(m, x),
    lambda m, x, y: diagnostics.preactivation_gradient_norms(m, x, y),
    lambda m, x, y: diagnostics.count_linear_regions(m),
    lambda m, x, y: diagnostics.TrainingMonitor(x)(0, m),
])
def test_diagnostics_need_activation_layers(measure):
    x, y = torch.randn(4, 2), torch.zeros(4, dtype=torch.long)
    with pytest.raises(ValueError, match="no activation layers"):
        measure(nn.Linear(2, 2), x, y)


def test_diagnostics_reject_bad_batches():
    net = models.mlp(2, [4], 2)
    with pytest.raises(ValueError, match="no examples"):
        diagnostics.dead_unit_fraction(net, torch.zeros(0, 2))
    with pytest.raises(TypeError, match="torch.Tensor"):
        diagnostics.activation_stats(net, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="resolution"):
        diagnostics.linear_region_grid(net, resolution=0)
    with pytest.raises(ValueError, match="no Linear or Conv2d"):
        diagnostics.gradient_norms(nn.ReLU(), torch.randn(4, 2), torch.zeros(4, dtype=torch.long))


# ---- benchmark, utilities, plots --------------------------------------------------------------------

@pytest.mark.parametrize("device", ["tpu", "cuda:zz", "gpu"])
def test_benchmark_rejects_unknown_devices(device):
    with pytest.raises(ValueError, match="not a device"):
        bench.compare("relu", 64, device=device)
    with pytest.raises(ValueError, match="not a device"):
        bench.main(["--fast", "--device", device])


@pytest.mark.skipif(torch.cuda.is_available(), reason="CUDA is available here")
def test_benchmark_rejects_an_unavailable_cuda():
    with pytest.raises(ValueError, match="CUDA is not available"):
        bench.compare("relu", 64, device="cuda")


def test_utilities_and_plots_reject_bad_input():
    with pytest.raises(ValueError, match=">= 0"):
        utils.set_seed(-1)
    with pytest.raises(TypeError, match="int"):
        utils.set_seed(1.5)
    with pytest.raises(ValueError, match="not a device"):
        utils.get_device("gpu")
    with pytest.raises(ValueError, match="unknown activation"):
        plotting.plot_activations(["foo"])
