"""Bad input anywhere in the public API gets a clear TypeError or ValueError that names the
problem -- never a silent wrong answer or an obscure error from deep inside PyTorch.

One place for the tests whose only purpose is to check that the package rejects wrong types and
values with a helpful message: first a tour of the main entry points, then the checks of every
module, grouped by subpackage and module."""

from __future__ import annotations

import math
import re
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import analysis as diagnostics
from relu_course import data, models, plotting, quiz, set_seed, utils
from relu_course import data as D
from relu_course import plotting as P
from relu_course import training as T
from relu_course import training as train
from relu_course.activations import functional as F
from relu_course.activations import learnable
from relu_course.activations import modules as M
from relu_course.activations import packed as packing
from relu_course.activations import registry as R
from relu_course.activations import variants as V
from relu_course.analysis import metrics, stats
from relu_course.data import Dataset, audio, load, standardize_features, validation_split
from relu_course.models import cnn, transformer
from relu_course.performance import bench, memory
from relu_course.training import (
    History,
    TrainConfig,
    epochs_to_reach,
    fit,
    optim,
    sweep_learning_rates,
)

from helpers import (
    ENV,
    GENERATORS,
    TOY,
    _HalfPlane,
    batch,
    binary_batch,
    channelwise_cnn,
    hook_count,
    kink_net,
    make_net,
    monitored_run,
    points,
    small_net,
    tangent_lines_net,
)


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


@pytest.fixture(scope="module")
def moons256():
    return D.load("moons", n_samples=256, seed=0)


BAD_BUILDS = [
    ("mlp", (2, 8, 2), {}, TypeError),                       # hidden must be a list
    ("mlp", (2, "88", 2), {}, TypeError),
    ("mlp", (2, [8, 0], 2), {}, ValueError),
    ("mlp", (2, [8, -1], 2), {}, ValueError),
    ("mlp", (2, [8.0], 2), {}, TypeError),
    ("mlp", (0, [8], 2), {}, ValueError),
    ("mlp", (2, [8], 0), {}, ValueError),
    ("mlp", (2.0, [8], 2), {}, TypeError),
    ("mlp", (2, [8], 2, "relu7"), {}, ValueError),
    ("mlp", (2, [8], 2), {"init": "kaiming"}, ValueError),
    ("mlp", (2, [8], 2, "relu"), {"negative_slope": 0.1}, TypeError),
    ("small_cnn", (), {"channels": []}, ValueError),
    ("small_cnn", (), {"channels": 16}, TypeError),
    ("small_cnn", (), {"channels": [4, 4, 4, 4], "image_size": 8}, ValueError),
    ("small_cnn", (), {"in_channels": 0}, ValueError),
    ("small_cnn", (), {"num_classes": 0}, ValueError),
    ("small_cnn", (), {"activation": "nope"}, ValueError),
    ("small_cnn", (), {"init": "uniform"}, ValueError),
    ("init_weights", ("net", "he"), {}, TypeError),
]


@pytest.fixture(scope="module")
def region_grid():
    set_seed(0)
    net = models.mlp(2, [5], 2)
    return net, Dg.linear_region_grid(net, resolution=40)



@pytest.fixture(scope="module")
def digits():
    data = load("digits")
    # A smaller, quick copy: 300 training and 100 test images.
    return type(data)("digits", data.x_train[:300], data.y_train[:300], data.x_test[:100],
                      data.y_test[:100], 10)


# ---- relu_course.activations.functional ------------------------------------------------------

def test_relu_kink_checks_its_arguments():
    with pytest.raises(TypeError, match="torch.Tensor"):
        F.relu_kink([0.0, 1.0])
    with pytest.raises(TypeError):
        F.relu_kink(torch.tensor([True]))
    with pytest.raises(ValueError, match="finite"):
        F.relu_kink(torch.zeros(2), math.nan)
    with pytest.raises(TypeError, match="real number"):
        F.relu_kink(torch.zeros(2), "1")


# ---- relu_course.activations.learnable -------------------------------------------------------

def test_rational_validation():
    with pytest.raises(ValueError, match="default degrees"):
        learnable.RationalActivation(3, 3)
    with pytest.raises(ValueError):
        learnable.RationalActivation(init="tanh")
    with pytest.raises(ValueError, match="1-D"):
        learnable.rational(torch.zeros(3), torch.zeros(2, 2), torch.zeros(1))
    with pytest.raises(ValueError):
        learnable.rational(torch.zeros(3), torch.zeros(0), torch.zeros(1))


def test_piecewise_linear_validation():
    with pytest.raises(ValueError):
        learnable.PiecewiseLinearActivation(low=1.0, high=1.0)
    with pytest.raises(ValueError, match="increasing"):
        learnable.piecewise_linear(torch.zeros(2), torch.tensor([1.0, 0.0]), torch.zeros(2))
    with pytest.raises(ValueError):
        learnable.piecewise_linear(torch.zeros(2), torch.tensor([0.0, 1.0]), torch.zeros(3))


# ---- relu_course.activations.modules ---------------------------------------------------------

@pytest.mark.parametrize("name, kwargs, error", [
    ("LeakyReLU", {"negative_slope": "0.1"}, TypeError),
    ("LeakyReLU", {"negative_slope": math.nan}, ValueError),
    ("LeakyReLU", {"negative_slope": math.inf}, ValueError),
    ("ELU", {"alpha": "1"}, TypeError),
    ("ELU", {"alpha": math.nan}, ValueError),
    ("GELU", {"approximate": "foo"}, ValueError),
    ("GELU", {"approximate": 1}, TypeError),
    ("Softplus", {"beta": 0.0}, ValueError),
    ("Softplus", {"beta": -2.0}, ValueError),
    ("Softplus", {"beta": math.nan}, ValueError),
    ("Softplus", {"threshold": "20"}, TypeError),
    ("Softplus", {"threshold": math.inf}, ValueError),
    ("PReLU", {"num_parameters": 0}, ValueError),
    ("PReLU", {"num_parameters": -3}, ValueError),
    ("PReLU", {"num_parameters": 2.0}, TypeError),
    ("PReLU", {"num_parameters": True}, TypeError),
    ("PReLU", {"init": "0.25"}, TypeError),
    ("PReLU", {"init": math.nan}, ValueError),
], ids=lambda v: repr(v) if not isinstance(v, type) else v.__name__)
def test_bad_constructor_arguments(name, kwargs, error):
    param = next(iter(kwargs))
    with pytest.raises(error, match=re.escape(f"{name}()") + f".*{param}"):
        getattr(M, name)(**kwargs)


def test_module_forward_rejects_bad_input():
    with pytest.raises(TypeError, match=re.escape("relu()")):
        M.ReLU()([1.0, 2.0])
    with pytest.raises(TypeError, match=re.escape("gelu()")):
        M.GELU()(torch.tensor([1, 2]))
    with pytest.raises(ValueError, match=re.escape("prelu()")):
        M.PReLU(num_parameters=3)(torch.randn(2, 4))


# ---- relu_course.activations.packed ----------------------------------------------------------

def test_packing_checks_its_arguments():
    with pytest.raises(TypeError, match="torch.bool"):
        packing.pack_bits(torch.ones(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        packing.pack_bits([True])
    with pytest.raises(TypeError, match="uint8"):
        packing.unpack_bits(torch.ones(2), (16,))
    with pytest.raises(ValueError, match="cannot hold"):
        packing.unpack_bits(torch.zeros(2, dtype=torch.uint8), (17,))


def test_packed_relu_checks_its_arguments():
    with pytest.raises(TypeError):
        packing.packed_relu(torch.ones(3, dtype=torch.int64))
    with pytest.raises(ValueError, match="inplace"):
        packing.packed_relu(torch.ones(3), inplace=True)
    with pytest.raises(ValueError, match="inplace"):
        packing.PackedReLU(inplace=True)
    with pytest.raises(TypeError):
        memory.saved_tensor_bytes("relu")


# ---- relu_course.activations.registry --------------------------------------------------------

@pytest.mark.parametrize("name", ["relu7", "softmax", "", "re lu x"])
def test_get_activation_unknown_name_lists_the_valid_ones(name):
    for fn in (R.get_activation, R.lookup):
        with pytest.raises(ValueError, match=re.escape(repr(name))) as info:
            fn(name)
        for valid in R.ACTIVATION_NAMES:
            assert valid in str(info.value)


@pytest.mark.parametrize("name", [None, 3, M.ReLU, ["relu"]])
def test_non_string_name(name):
    with pytest.raises(TypeError, match="get_activation"):
        R.get_activation(name)


# ---- relu_course.activations.variants --------------------------------------------------------

@pytest.mark.parametrize("fn", [V.squared_relu, V.relu6, V.hard_swish])
def test_functions_reject_non_tensors(fn):
    with pytest.raises(TypeError):
        fn([1.0, 2.0])
    with pytest.raises(TypeError):
        fn(torch.tensor([1, 2]))


# ---- relu_course.data.audio ------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error", [
    ({"n_per_class": 0}, ValueError), ({"noise_range": (0.5, 0.1)}, ValueError),
    ({"noise_range": 0.1}, TypeError), ({"min_sweep": 5000.0}, ValueError),
    ({"seed": -1}, ValueError), ({"length": 8}, ValueError),
])
def test_synthetic_audio_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        audio.synthetic_audio(**{"n_per_class": 2, **kwargs})


@pytest.mark.parametrize("signal, kwargs, error", [
    ([0.0] * 100, {}, TypeError), (torch.zeros(2, 2, 100), {}, ValueError),
    (torch.zeros(50), {"n_fft": 64}, ValueError), (torch.zeros(100), {"hop_length": 0}, ValueError),
    (torch.zeros(100, dtype=torch.long), {}, TypeError),
])
def test_log_spectrogram_rejects_bad_arguments(signal, kwargs, error):
    with pytest.raises(error):
        audio.log_spectrogram(signal, **kwargs)


# ---- relu_course.data.datasets ---------------------------------------------------------------

@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, math.nan, math.inf])
def test_test_fraction_outside_the_open_interval(fraction):
    with pytest.raises(ValueError, match="test_fraction"):
        D.load("moons", test_fraction=fraction)


@pytest.mark.parametrize("kwargs, error", [
    ({"name": "mnist"}, ValueError),
    ({"name": "moon"}, ValueError),
    ({"name": 3}, TypeError),
    ({"name": "moons", "test_fraction": "0.2"}, TypeError),
    ({"name": "moons", "seed": -1}, ValueError),
    ({"name": "moons", "seed": 1.5}, TypeError),
    ({"name": "digits", "n_samples": 100}, ValueError),
    ({"name": "digits", "noise": 0.1}, ValueError),
    ({"name": "moons", "n_samples": 1}, ValueError),
    ({"name": "moons", "n_samples": 10.5}, TypeError),
    ({"name": "moons", "noise": -0.1}, ValueError),
], ids=lambda v: v.__name__ if isinstance(v, type) else repr(v))
def test_load_bad_arguments(kwargs, error):
    kwargs = dict(kwargs)
    name = kwargs.pop("name")
    with pytest.raises(error):
        D.load(name, **kwargs)


def test_load_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="mnist") as info:
        D.load("mnist")
    for name in D.DATASET_NAMES:
        assert name in str(info.value)


@pytest.mark.parametrize("call, error, text", [
    (lambda: D.two_moons(1), ValueError, "n_samples"),
    (lambda: D.two_moons(2.0), TypeError, "n_samples"),
    (lambda: D.two_moons(noise=-1.0), ValueError, "noise"),
    (lambda: D.two_moons(noise=math.nan), ValueError, "noise"),
    (lambda: D.two_moons(noise="0.1"), TypeError, "noise"),
    (lambda: D.xor(3), ValueError, "n_samples"),
    (lambda: D.xor(noise=-0.5), ValueError, "noise"),
    (lambda: D.xor(noise=math.inf), ValueError, "noise"),
    (lambda: D.spirals(1), ValueError, "n_samples"),
    (lambda: D.spirals(turns=0.0), ValueError, "turns"),
    (lambda: D.spirals(turns=-1.0), ValueError, "turns"),
    (lambda: D.spirals(noise=-0.01), ValueError, "noise"),
    (lambda: D.spirals(turns="2"), TypeError, "turns"),
], ids=["moons-n1", "moons-nfloat", "moons-noise-neg", "moons-noise-nan", "moons-noise-str",
        "xor-n3", "xor-noise-neg", "xor-noise-inf", "spirals-n1", "spirals-turns0",
        "spirals-turns-neg", "spirals-noise-neg", "spirals-turns-str"])
def test_generator_bad_arguments(call, error, text):
    with pytest.raises(error, match=text):
        call()


@pytest.mark.parametrize("name", TOY)
@pytest.mark.parametrize("seed, error", [(1.5, TypeError), ("0", TypeError), (-1, ValueError)],
                         ids=["float", "str", "negative"])
def test_generators_validate_the_seed(name, seed, error):
    with pytest.raises(error, match="seed"):
        GENERATORS[name](seed=seed)


@pytest.mark.parametrize("device", ["gpu", "cuda:x"])
def test_load_rejects_an_invalid_device(device):
    with pytest.raises(ValueError, match="device"):
        D.load("moons", device=device)


def test_standardize_features_validates_its_arguments():
    with pytest.raises(TypeError, match="Dataset"):
        standardize_features(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="eps"):
        standardize_features(load("xor", n_samples=20), eps=-1.0)
    with pytest.raises(TypeError, match="eps"):
        standardize_features(load("xor", n_samples=20), eps="small")


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5])
def test_validation_split_rejects_bad_fractions(fraction):
    with pytest.raises(ValueError, match="fraction"):
        validation_split(load("xor", n_samples=40), fraction=fraction)


def test_validation_split_rejects_other_types_and_tiny_sets():
    with pytest.raises(TypeError, match="Dataset"):
        validation_split((torch.zeros(4, 2), torch.zeros(4)))
    tiny = Dataset("tiny", torch.zeros(1, 2), torch.zeros(1, dtype=torch.long),
                   torch.zeros(1, 2), torch.zeros(1, dtype=torch.long), 1)
    with pytest.raises(ValueError, match="at least 2"):
        validation_split(tiny)


# ---- relu_course.models.cnn ------------------------------------------------------------------

@pytest.mark.parametrize("kwargs, error", [
    ({"channels": ()}, ValueError), ({"channels": (4, 4, 4, 4)}, ValueError),
    ({"norm": 1}, TypeError), ({"channels": 8}, TypeError), ({"activation": "nope"}, ValueError),
    ({"num_classes": 0}, ValueError),
])
def test_conv_norm_cnn_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        cnn.conv_norm_cnn(**kwargs)


def test_residual_block_rejects_bad_arguments():
    with pytest.raises(ValueError):
        cnn.ResidualBlock(4, placement="before_add")
    with pytest.raises(ValueError):
        cnn.ResidualBlock(0)
    with pytest.raises(TypeError):
        cnn.ResidualBlock(4.0)


# ---- relu_course.models.dense ----------------------------------------------------------------

@pytest.mark.parametrize("builder, args, kwargs, error", BAD_BUILDS,
                         ids=[f"{b}{a}{k}" for b, a, k, _ in BAD_BUILDS])
def test_bad_builder_arguments(builder, args, kwargs, error):
    with pytest.raises(error):
        getattr(models, builder)(*args, **kwargs)


@pytest.mark.parametrize("args, error", [
    (([0.0, 1.0], [1.0]), ValueError),                  # mismatched lengths
    (([], []), ValueError),                             # empty
    (([0.0, float("nan")], [1.0, 1.0]), ValueError),    # not finite
    (("ab", [1.0, 1.0]), TypeError),                    # a string
    (([0.0, "x"], [1.0, 1.0]), TypeError),              # not numbers
    ((torch.tensor([True, False]), [1.0, 1.0]), TypeError),
    ((torch.zeros(2, 2), torch.zeros(2, 2)), ValueError),   # not 1-D
], ids=["lengths", "empty", "nan", "string", "non-number", "bool", "2-d"])
def test_hinge_network_bad_arguments(args, error):
    with pytest.raises(error):
        models.hinge_network(*args)


def test_hinge_network_bad_bias_and_dtype():
    with pytest.raises(TypeError):
        models.hinge_network([0.0], [1.0], bias="1")
    with pytest.raises(ValueError):
        models.hinge_network([0.0], [1.0], bias=float("inf"))
    with pytest.raises(TypeError):
        models.hinge_network([0.0], [1.0], dtype=torch.int64)


@pytest.mark.parametrize("knots, values", [
    ([0.0], [1.0]), ([0.0, 1.0], [1.0]), ([0.0, 0.0, 1.0], [1.0, 2.0, 3.0]),
    ([1.0, 0.0], [1.0, 2.0]),
], ids=["one-knot", "lengths", "repeated", "decreasing"])
def test_hinge_interpolant_bad_arguments(knots, values):
    with pytest.raises(ValueError):
        models.hinge_interpolant(knots, values)


# ---- relu_course.models.init -----------------------------------------------------------------

def test_unknown_init_scheme():
    with pytest.raises(ValueError, match="HE"):
        models.init_weights(nn.Linear(2, 2), "HE")


def test_init_he_for_slope_validates_its_arguments():
    with pytest.raises(TypeError, match="nn.Module"):
        models.init_he_for_slope("net", 0.25)
    with pytest.raises(TypeError, match="real number"):
        models.init_he_for_slope(nn.Linear(2, 2), None)
    with pytest.raises(ValueError, match="finite"):
        models.init_he_for_slope(nn.Linear(2, 2), math.nan)


def test_init_hidden_biases_rejects_bad_models_and_values():
    with pytest.raises(TypeError):
        models.init_hidden_biases("net", 0.1)
    with pytest.raises(ValueError, match="at least one hidden layer"):
        models.init_hidden_biases(nn.Linear(2, 2), 0.1)
    no_bias = nn.Sequential(nn.Linear(2, 3, bias=False), nn.ReLU(), nn.Linear(3, 1))
    with pytest.raises(ValueError, match="no bias"):
        models.init_hidden_biases(no_bias, 0.1)
    with pytest.raises(ValueError):
        models.init_hidden_biases(models.mlp(2, [3], 2), math.inf)


# ---- relu_course.models.transformer ----------------------------------------------------------

def test_model_validation():
    model = transformer.TinyTransformerLM(20, context=8, d_model=16)
    with pytest.raises(ValueError, match="context"):
        model(torch.zeros(1, 9, dtype=torch.long))
    with pytest.raises(ValueError):
        model(torch.zeros(9, dtype=torch.long))
    with pytest.raises(ValueError, match="unknown feed-forward kind"):
        transformer.TinyTransformerLM(20, ffn="relu7")
    with pytest.raises(ValueError, match="divisible"):
        transformer.TinyTransformerLM(20, d_model=10, n_heads=3)


# ---- relu_course.training.clipping -----------------------------------------------------------

@pytest.mark.parametrize("kwargs, error", [
    ({"max_norm": 0.0}, ValueError), ({"max_norm": -1.0}, ValueError),
    ({"max_norm": math.inf}, ValueError), ({"max_norm": math.nan}, ValueError),
    ({"max_norm": "1"}, TypeError), ({"max_norm": 1.0, "norm_type": 0.5}, ValueError),
    ({"max_norm": 1.0, "norm_type": math.nan}, ValueError),
    ({"max_norm": 1.0, "norm_type": True}, TypeError),
])
def test_clip_gradient_norm_rejects_bad_arguments(kwargs, error):
    opt = torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(error):
        T.clip_gradient_norm(opt, **kwargs)


def test_clip_gradient_norm_needs_an_optimizer():
    with pytest.raises(TypeError, match="torch.optim.Optimizer"):
        T.clip_gradient_norm(nn.Linear(2, 1), 1.0)


# ---- relu_course.training.loop ---------------------------------------------------------------

def test_fit_argument_types(moons256):
    with pytest.raises(TypeError):
        fit("model", moons256)
    with pytest.raises(TypeError):
        fit(small_net(), (moons256.x_train, moons256.y_train))
    with pytest.raises(TypeError):
        fit(small_net(), moons256, {"epochs": 1})
    frozen = small_net()
    frozen.requires_grad_(False)
    with pytest.raises(ValueError, match="trainable"):
        fit(frozen, moons256, TrainConfig(epochs=1))


@pytest.mark.parametrize("kwargs, error", [
    ({"epochs": 0}, ValueError), ({"epochs": 1.5}, TypeError), ({"lr": 0.0}, ValueError),
    ({"lr": -1e-3}, ValueError), ({"lr": math.nan}, ValueError), ({"lr": math.inf}, ValueError),
    ({"lr": "0.1"}, TypeError), ({"batch_size": 0}, ValueError), ({"batch_size": 3.0}, TypeError),
    ({"optimizer": "rmsprop"}, ValueError), ({"optimizer": "Adam"}, ValueError),
    ({"momentum": -0.1}, ValueError), ({"weight_decay": -1.0}, ValueError),
    ({"seed": -1}, ValueError), ({"seed": 0.5}, TypeError),
], ids=lambda v: v.__name__ if isinstance(v, type) else repr(v))
def test_train_config_rejects_bad_values(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        TrainConfig(**kwargs)


# ---- relu_course.training.optim --------------------------------------------------------------

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


# ---- relu_course.training.regression ---------------------------------------------------------

@pytest.mark.parametrize("kwargs, error", [
    (dict(x=[0.0, 1.0]), TypeError),
    (dict(x=torch.tensor([0, 1])), TypeError),
    (dict(y=torch.zeros(3)), ValueError),                   # lengths differ
    (dict(y=torch.zeros(2, 2)), ValueError),                # model gives 1 column
    (dict(x=torch.zeros(2, 1, 1)), ValueError),
    (dict(steps=0), ValueError),
    (dict(lr=-1.0), ValueError),
    (dict(optimizer="lbfgs"), ValueError),
    (dict(model="net"), TypeError),
], ids=["list", "int-tensor", "lengths", "columns", "3-d", "steps", "lr", "optimizer",
        "not-a-model"])
def test_fit_curve_bad_arguments(kwargs, error):
    args = dict(model=models.mlp(1, [4], 1), x=torch.zeros(2), y=torch.zeros(2))
    args.update(kwargs)
    with pytest.raises(error):
        T.fit_curve(args.pop("model"), args.pop("x"), args.pop("y"), **args)


def test_fit_poisson_1d_checks_its_arguments():
    net = models.mlp(1, [4], 1, "tanh")
    src = lambda x: x
    with pytest.raises(ValueError, match="a < b"):
        T.fit_poisson_1d(net, src, domain=(1.0, 0.0), steps=1)
    with pytest.raises(TypeError, match="source"):
        T.fit_poisson_1d(net, 3.0, steps=1)
    with pytest.raises(ValueError, match="one value per point"):
        T.fit_poisson_1d(net, lambda x: torch.zeros(3), steps=1)
    with pytest.raises(TypeError, match="nn.Module"):
        T.fit_poisson_1d(lambda x: x, src, steps=1)


# ---- relu_course.training.stacked ------------------------------------------------------------

def test_fit_many_validates_its_arguments(digits):
    mlp = lambda a="relu": models.mlp(64, [8], 10, a)    # noqa: E731
    config = T.TrainConfig(epochs=1)
    net = mlp()
    cases = [
        (lambda: T.fit_many(net, digits, config), TypeError, "list"),
        (lambda: T.fit_many([], digits, config), ValueError, "at least one"),
        (lambda: T.fit_many([net, net], digits, config), ValueError, "more than once"),
        (lambda: T.fit_many([nn.Linear(64, 10)], digits, config), TypeError, "Sequential"),
        (lambda: T.fit_many([mlp(), models.mlp(64, [8, 8], 10)], digits, config),
         ValueError, "numbers of layers"),
        (lambda: T.fit_many([mlp(), models.mlp(64, [9], 10)], digits, config),
         ValueError, "differ"),
        (lambda: T.fit_many([nn.Sequential(nn.Flatten(), nn.Linear(64, 8), nn.BatchNorm1d(8),
                                               nn.ReLU(), nn.Linear(8, 10))], digits, config),
         ValueError, "not supported"),
        (lambda: T.fit_many([nn.Sequential(nn.Flatten(), nn.ReLU(), nn.Linear(64, 10))],
                                digits, config), ValueError, "not supported"),
        (lambda: T.fit_many([nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())], digits,
                                config), ValueError, "flat"),
        (lambda: T.fit_many([mlp()], "digits", config), TypeError, "Dataset"),
        (lambda: T.fit_many([mlp()], digits, {"epochs": 1}), TypeError, "TrainConfig"),
        (lambda: T.fit_many([mlp()], digits, config, evaluate_train=1), TypeError, "bool"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()


# ---- relu_course.training.sweeps -------------------------------------------------------------

@pytest.mark.parametrize("values, threshold, below, error", [
    ("0.1 0.2", 0.5, True, TypeError),
    (0.3, 0.5, True, TypeError),
    ([0.3, "x"], 0.5, True, TypeError),
    ([True, 0.2], 0.5, True, TypeError),
    ([0.3], "0.5", True, TypeError),
    ([0.3], math.nan, True, ValueError),
    ([0.3], 0.5, 1, TypeError),
    (np.zeros((2, 2)), 0.5, True, ValueError),
    (torch.zeros(2, 2), 0.5, True, ValueError),
])
def test_epochs_to_reach_rejects_bad_arguments(values, threshold, below, error):
    with pytest.raises(error, match="epochs_to_reach"):
        epochs_to_reach(values, threshold, below=below)


@pytest.mark.parametrize("args, kwargs, error", [
    (("not callable", [0.1], [0]), {}, TypeError),
    ((models.mlp(2, [4], 2), [0.1], [0]), {}, TypeError),
    ((make_net, [], [0]), {}, ValueError),
    ((make_net, [0.1], []), {}, ValueError),
    ((make_net, 0.1, [0]), {}, TypeError),
    ((make_net, "0.1", [0]), {}, TypeError),
    ((make_net, [0.1, 0.1], [0]), {}, ValueError),
    ((make_net, [-0.1], [0]), {}, ValueError),
    ((make_net, [0.1], [-1]), {}, ValueError),
    ((make_net, [0.1], [0.5]), {}, TypeError),
    ((make_net, [0.1], [0]), {"target_accuracy": 1.5}, ValueError),
    ((make_net, [0.1], [0]), {"target_accuracy": 0.0}, ValueError),
    ((make_net, [0.1], [0]), {"patience": 0}, ValueError),
    ((make_net, [0.1], [0]), {"config": "fast"}, TypeError),
    ((lambda: "a model", [0.1], [0]), {}, TypeError),
])
def test_sweep_rejects_bad_arguments(xor, args, kwargs, error):
    make, rates, seeds = args
    with pytest.raises(error, match="sweep_learning_rates"):
        sweep_learning_rates(make, xor, rates, seeds, **kwargs)


def test_sweep_needs_a_dataset():
    with pytest.raises(TypeError, match="Dataset"):
        sweep_learning_rates(make_net, (torch.zeros(4, 2), torch.zeros(4)), [0.1], [0])


def test_fit_seeds_monitored_rejects_bad_arguments(xor_data):
    make = partial(models.mlp, 2, [4], 2)
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(models.mlp(2, [4], 2), xor_data)
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(make, (xor_data.x_train, xor_data.y_train))
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(make, xor_data, config={"epochs": 2})
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(make, xor_data, seeds=3)
    with pytest.raises(ValueError, match="at least one seed"):
        T.fit_seeds_monitored(make, xor_data, seeds=[])
    with pytest.raises(ValueError, match="repeated"):
        T.fit_seeds_monitored(make, xor_data, seeds=[1, 1])
    with pytest.raises(ValueError):
        T.fit_seeds_monitored(make, xor_data, seeds=[-1])
    with pytest.raises(TypeError, match="not an nn.Module"):
        T.fit_seeds_monitored(lambda: "model", xor_data, seeds=[0])


# ---- relu_course.analysis.dead_units ---------------------------------------------------------

def test_dead_unit_fraction_errors():
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.dead_unit_fraction(nn.Sequential(nn.Linear(2, 2)), points(10))
    with pytest.raises(ValueError, match="no examples"):
        Dg.dead_unit_fraction(models.mlp(2, [3], 2), torch.zeros(0, 2))
    with pytest.raises(TypeError, match="dead_unit_fraction"):
        Dg.dead_unit_fraction(models.mlp(2, [3], 2), [[0.0, 1.0]])


def test_never_positive_units_rejects_bad_input():
    net = models.mlp(2, [3], 2)
    with pytest.raises(TypeError):
        Dg.never_positive_units(net, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="no examples"):
        Dg.never_positive_units(net, torch.zeros(0, 2))
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.never_positive_units(nn.Linear(2, 2), torch.zeros(3, 2))


def test_unit_preactivation_gradients_reject_bad_arguments():
    net = models.mlp(2, [4], 2)
    x, y = binary_batch(8)
    with pytest.raises(TypeError):
        Dg.unit_preactivation_gradients(net, x, [0] * 8)
    with pytest.raises(ValueError, match="same, non-zero"):
        Dg.unit_preactivation_gradients(net, x, y[:3])
    inplace = nn.Sequential(nn.Linear(2, 4), nn.ReLU(inplace=True), nn.Linear(4, 2))
    with pytest.raises(ValueError, match="in place"):
        Dg.unit_preactivation_gradients(inplace, x, y)
    frozen = models.mlp(2, [4], 2)
    for p in frozen.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="trainable"):
        Dg.unit_preactivation_gradients(frozen, x, y)


def test_effective_negative_slopes_reject_bad_arguments():
    with pytest.raises(ValueError, match="negative"):
        Dg.effective_negative_slopes(M.ReLU(), 3, value=0.0)
    with pytest.raises(ValueError, match="nn.Module only"):
        Dg.effective_negative_slopes(F.relu, 3, training=True)
    with pytest.raises(TypeError):
        Dg.effective_negative_slopes(M.ReLU(), 3, training="yes")
    with pytest.raises(TypeError):
        Dg.effective_negative_slopes(0.1, 3)
    with pytest.raises(ValueError):
        Dg.effective_negative_slopes(M.ReLU(), 0)
    with pytest.raises(ValueError, match="shape"):
        Dg.effective_negative_slopes(lambda x: x.sum(), 3)


def test_born_dead_fractions_check_their_arguments():
    with pytest.raises(ValueError, match="init"):
        Dg.born_dead_fractions(2, 3, init="orthogonal")
    with pytest.raises(ValueError, match="activation"):
        Dg.born_dead_fractions(2, 3, activation="swish")
    with pytest.raises(ValueError, match="width"):
        Dg.born_dead_fractions(0, 3)
    with pytest.raises(TypeError, match="max_depth"):
        Dg.born_dead_fractions(2, 3.5)
    with pytest.raises(TypeError, match="batch_norm"):
        Dg.born_dead_fractions(2, 3, batch_norm=1)
    with pytest.raises(TypeError):
        Dg.born_dead_fractions(2, 3, activation="leaky_relu", activation_kwargs={"slope": 1})
    with pytest.raises(ValueError, match="finite"):
        Dg.born_dead_fractions(2, 3, bias=math.nan)


# ---- relu_course.analysis.gradients ----------------------------------------------------------

def test_derivatives_check_their_arguments():
    net = models.mlp(2, [3], 2)
    with pytest.raises(TypeError):
        Dg.activation_derivatives(net, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="no examples"):
        Dg.activation_derivatives(net, torch.empty(0, 2))
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.activation_derivatives(nn.Linear(2, 2), torch.randn(3, 2))


def test_preactivation_gradient_norms_errors():
    net = models.mlp(4, [8], 3)
    x, y = batch()
    with pytest.raises(TypeError):
        Dg.preactivation_gradient_norms(net, x.tolist(), y)
    with pytest.raises(TypeError):
        Dg.preactivation_gradient_norms(net, x, y.tolist())
    with pytest.raises(ValueError, match="same, non-zero"):
        Dg.preactivation_gradient_norms(net, x, y[:-1])
    with pytest.raises(ValueError, match="same, non-zero"):
        Dg.preactivation_gradient_norms(net, x[:0], y[:0])
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.preactivation_gradient_norms(nn.Sequential(nn.Linear(4, 3)), x, y)
    inplace = nn.Sequential(nn.Linear(4, 8), nn.ReLU(inplace=True), nn.Linear(8, 3))
    with pytest.raises(ValueError, match="in place"):
        Dg.preactivation_gradient_norms(inplace, x, y)
    with pytest.raises(ValueError, match="do not depend on anything trainable"), \
            torch.no_grad():
        Dg.preactivation_gradient_norms(net, x, y)
    frozen = models.mlp(4, [8], 3)
    for p in frozen.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="do not depend on anything trainable"):
        Dg.preactivation_gradient_norms(frozen, x, y)
    assert hook_count(net) == 0 and hook_count(frozen) == 0


def test_preactivation_gradient_norms_unused_layer_reports_an_error():
    class Skips(nn.Module):
        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 3)
            self.act = M.ReLU()           # registered but never called

        def forward(self, x):
            return self.lin(x)

    x, y = batch()
    with pytest.raises(ValueError, match="not called"):
        Dg.preactivation_gradient_norms(Skips(), x, y)


def test_input_derivatives_check_their_arguments():
    net = models.mlp(1, [4], 1)
    with pytest.raises(ValueError, match="shape"):
        Dg.input_derivatives(net, torch.zeros(5, 2))
    with pytest.raises(ValueError, match="output shape"):
        Dg.input_derivatives(models.mlp(1, [4], 2), torch.zeros(5))
    with pytest.raises(TypeError):
        Dg.input_derivatives(net, torch.arange(5))
    with pytest.raises(ValueError, match="order"):
        Dg.input_derivatives(net, torch.zeros(5), order=-1)
    with pytest.raises(TypeError, match="create_graph"):
        Dg.input_derivatives(net, torch.zeros(5), create_graph="yes")


def test_confidence_along_rays_checks_its_arguments():
    net = models.mlp(2, [4], 2)
    with pytest.raises(ValueError, match="scale"):
        Dg.confidence_along_rays(net, torch.zeros(3, 2), [])
    with pytest.raises(TypeError, match="scales"):
        Dg.confidence_along_rays(net, torch.zeros(3, 2), "big")
    with pytest.raises(ValueError, match="finite"):
        Dg.confidence_along_rays(net, torch.zeros(3, 2), [math.inf])
    with pytest.raises(ValueError, match="no examples"):
        Dg.confidence_along_rays(net, torch.zeros(0, 2), [1.0])


def test_kink_sensitivity_checks_its_arguments():
    with pytest.raises(ValueError, match="ReLUKink"):
        Dg.relu_kink_sensitivity(models.mlp(3, [4], 2), torch.zeros(2, 3), torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="same"):
        Dg.relu_kink_sensitivity(kink_net(), torch.zeros(2, 3), torch.tensor([0]))
    with pytest.raises(ValueError, match="batch_size"):
        Dg.relu_kink_sensitivity(kink_net(), torch.zeros(2, 3), torch.tensor([0, 1]),
                                 batch_size=0)


# ---- relu_course.analysis.hooks --------------------------------------------------------------

def test_activation_layers_errors():
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.activation_layers(nn.Sequential(nn.Linear(2, 2), nn.Linear(2, 2)))
    with pytest.raises(TypeError):
        Dg.activation_layers(lambda x: x)


def test_record_activations_without_activation_layers():
    with pytest.raises(ValueError), Dg.record_activations(nn.Linear(2, 2)):
        pass


# ---- relu_course.analysis.metrics ------------------------------------------------------------

@pytest.mark.parametrize("y, error", [
    (torch.tensor([0.0, 1.0]), TypeError), (torch.tensor([0, 1, 2]), ValueError),
    (torch.tensor([0, 7]), ValueError),
])
def test_confusion_matrix_rejects_bad_labels(y, error):
    with pytest.raises(error):
        metrics.confusion_matrix(nn.Linear(2, 3), torch.zeros(2, 2), y)


# ---- relu_course.analysis.monitor ------------------------------------------------------------

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


def test_prelu_slopes_needs_a_prelu_layer():
    with pytest.raises(ValueError, match="no PReLU"):
        Dg.prelu_slopes(models.mlp(2, [3], 2))
    with pytest.raises(TypeError, match="nn.Module"):
        Dg.prelu_slopes(None)


# ---- relu_course.analysis.regions ------------------------------------------------------------

def test_activation_pattern_rejects_non_tensors():
    with pytest.raises(TypeError, match="activation_pattern"):
        Dg.activation_pattern(models.mlp(2, [3], 2), [[0.0, 0.0]])


@pytest.mark.parametrize("kwargs, error", [
    ({"resolution": 1}, ValueError), ({"resolution": 10.5}, TypeError),
    ({"xlim": (1.0, 1.0)}, ValueError), ({"ylim": (2.0, -2.0)}, ValueError),
    ({"xlim": (math.nan, 1.0)}, ValueError), ({"ylim": ("a", 1.0)}, TypeError),
], ids=lambda v: v.__name__ if isinstance(v, type) else repr(v))
def test_region_grid_bad_arguments(kwargs, error):
    with pytest.raises(error):
        Dg.linear_region_grid(tangent_lines_net(2), **kwargs)


# ---- relu_course.analysis.stats --------------------------------------------------------------

@pytest.mark.parametrize("call, error", [
    (lambda: stats.t_quantile(0.0, 3), ValueError),
    (lambda: stats.t_quantile(1.0, 3), ValueError),
    (lambda: stats.t_quantile(0.5, 0), ValueError),
    (lambda: stats.t_quantile(True, 3), TypeError),
    (lambda: stats.t_cdf(float("nan"), 3), ValueError),
    (lambda: stats.t_cdf(1.0, -2), ValueError),
    (lambda: stats.t_cdf("1", 2), TypeError),
])
def test_t_functions_validate_arguments(call, error):
    with pytest.raises(error):
        call()


@pytest.mark.parametrize("values, error", [
    ([0.9], ValueError), ([], ValueError), ([0.9, float("nan")], ValueError),
    ([0.9, True], TypeError), ("0.9, 0.8", TypeError), (np.ones((2, 2)), ValueError),
    ({"a": 1.0}, TypeError),
])
def test_mean_ci_rejects_bad_values(values, error):
    with pytest.raises(error):
        stats.mean_ci(values)


def test_mean_ci_rejects_a_bad_confidence():
    for confidence in (0.0, 1.0, 95):
        with pytest.raises(ValueError):
            stats.mean_ci([1.0, 2.0], confidence)


# ---- relu_course.plotting.curves -------------------------------------------------------------

@pytest.mark.parametrize("names, kwargs", [
    (["relu6"], {}), ([], {}), ({}, {}), (["relu"], {"x_range": (1.0, 1.0)}),
    (["relu"], {"x_range": (2.0, -2.0)}),
], ids=["unknown", "empty-list", "empty-dict", "empty-range", "reversed-range"])
def test_plot_activations_bad_arguments(names, kwargs):
    with pytest.raises(ValueError):
        P.plot_activations(names, **kwargs)


@pytest.mark.parametrize("args, kwargs, error", [
    (({},), {}, ValueError),
    (([F.relu],), {}, ValueError),
    (({"a": np.zeros(3)},), {"x": np.arange(4)}, ValueError),       # wrong length
    (({"a": "text"},), {}, TypeError),
    (({"a": F.relu},), {"x_range": (1.0, 1.0)}, ValueError),
    (({"a": F.relu},), {"num": 1}, ValueError),
    (({"a": F.relu},), {"x": [0.0]}, ValueError),
    (({"a": F.relu},), {"break_jumps": 0.0}, ValueError),
    (({"a": F.relu},), {"scatter": {"p": ([0, 1], [0])}}, ValueError),
    (({"a": F.relu},), {"scatter": {"p": 3}}, TypeError),
], ids=["empty", "not-a-mapping", "length", "text", "empty-range", "num", "short-grid",
        "break", "scatter-length", "scatter-type"])
def test_plot_curves_bad_arguments(args, kwargs, error):
    with pytest.raises(error):
        P.plot_curves(*args, **kwargs)


# ---- relu_course.plotting.distributions ------------------------------------------------------

@pytest.mark.parametrize("kwargs, error, match", [
    ({"samples": {}}, TypeError, "non-empty mapping"),
    ({"samples": [1.0, 2.0]}, TypeError, "non-empty mapping"),
    ({"samples": {"a": []}}, ValueError, "'a' is empty"),
    ({"samples": {"a": [1.0, float("nan")]}}, ValueError, "NaN"),
    ({"samples": {"a": ["x"]}}, TypeError, "must be an array of numbers"),
    ({"samples": {"a": [1.0]}, "bins": 0}, ValueError, "bins"),
    ({"samples": {"a": [1.0]}, "bins": 2.5}, TypeError, "bins"),
    ({"samples": {"a": [1.0]}, "value_range": (1, 0)}, ValueError, "value_range"),
    ({"samples": {"a": [1.0]}, "threshold": "0.1"}, TypeError, "threshold"),
    ({"samples": {"a": [1.0]}, "threshold": float("inf")}, ValueError, "threshold"),
])
def test_distributions_check_their_arguments(kwargs, error, match):
    samples = kwargs.pop("samples")
    with pytest.raises(error, match=match):
        P.plot_distributions(samples, **kwargs)


@pytest.mark.parametrize("bad, error, match", [
    ({}, ValueError, "non-empty mapping"),
    ([[1, 2]], ValueError, "non-empty mapping"),
    ({"a": []}, ValueError, "non-empty 1-D"),
    ({"a": [[1, 2], [3, 4]]}, ValueError, "non-empty 1-D"),
    ({"a": [1.0, float("nan")]}, ValueError, "NaN or infinite"),
    ({"a": [1.0, float("inf")]}, ValueError, "NaN or infinite"),
    ({"a": [1.0, 0.0]}, ValueError, "log=False"),
    ({"a": [1.0, -2.0]}, ValueError, "log=False"),
    ({"a": "abc"}, TypeError, "string"),
    ({"a": [1.0, "x"]}, TypeError, "array of numbers"),
])
def test_plot_layer_profile_errors(bad, error, match, rc_unchanged):
    with pytest.raises(error, match=match):
        P.plot_layer_profile(bad)


def test_plot_layer_profile_log_must_be_bool():
    with pytest.raises(TypeError):
        P.plot_layer_profile({"a": [1.0]}, log="yes")


@pytest.mark.parametrize("call, error", [
    (lambda: P.plot_intervals({}), ValueError),
    (lambda: P.plot_intervals({"a": [0.9]}), ValueError),
    (lambda: P.plot_intervals({"a": [0.9, float("inf")]}), ValueError),
    (lambda: P.plot_intervals({"a": ["x", "y"]}), TypeError),
    (lambda: P.plot_intervals({"a": [0.9, 0.8]}, reference="b"), ValueError),
    (lambda: P.plot_intervals({"a": [0.9, 0.8]}, show_values="yes"), TypeError),
])
def test_plot_intervals_validates(call, error):
    with pytest.raises(error):
        call()


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(measured={}), ValueError, "non-empty"),
    (dict(measured={"a": [1, 2, 3]}, predicted={"z": [1, 2, 3]}), ValueError, "no measurement"),
    (dict(measured={"a": [1, 2]}), ValueError, "2 values for 3"),
    (dict(measured={"a": [1, 0, 3]}, log=True), ValueError, "logarithmic"),
    (dict(measured={"a": ["x", "y", "z"]}), TypeError, "numbers"),
    (dict(measured={"a": [1, 2, 3]}, predicted=[1, 2, 3]), TypeError, "mapping"),
])
def test_measured_and_predicted_checks_its_arguments(kwargs, error, match, rc_unchanged):
    with pytest.raises(error, match=match):
        P.plot_measured_and_predicted([1, 2, 3], **kwargs)


# ---- relu_course.plotting.regions ------------------------------------------------------------

def test_plot_linear_regions_errors(region_grid):
    _, grid = region_grid
    with pytest.raises(TypeError):
        P.plot_linear_regions(grid.ids)
    with pytest.raises(ValueError, match="2-class"):
        P.plot_linear_regions(grid, model=models.mlp(2, [3], 3))


@pytest.mark.parametrize("models_arg, data, kwargs, error", [
    ({}, None, {}, ValueError),
    ({"a": "net"}, None, {}, TypeError),
    ({"a": _HalfPlane()}, "data", {}, TypeError),
    ({"a": _HalfPlane()}, (torch.zeros(4, 3), torch.zeros(4).long()), {}, ValueError),
    ({"a": _HalfPlane()}, (torch.zeros(4, 2), torch.zeros(4)), {}, ValueError),
    ({"a": _HalfPlane()}, None, {"resolution": 1}, ValueError),
    ({"a": _HalfPlane()}, None, {"xlim": (1.0, 0.0)}, ValueError),
    ({"a": _HalfPlane(), "b": _HalfPlane()}, None, {"axes": "one"}, ValueError),
], ids=["empty", "not-a-model", "data-type", "3-features", "float-labels", "resolution",
        "window", "too-few-axes"])
def test_plot_decision_boundaries_bad_arguments(models_arg, data, kwargs, error):
    data = (torch.randn(6, 2), torch.arange(6) % 2) if data is None else data
    if kwargs.get("axes") == "one":
        kwargs = {"axes": [P.subplots()[1]]}
    with pytest.raises(error):
        P.plot_decision_boundaries(models_arg, data, **kwargs)


# ---- relu_course.plotting.spectrograms -------------------------------------------------------

@pytest.mark.parametrize("kwargs, error", [
    ({"spectrograms": {}}, ValueError), ({"spectrograms": {"a": torch.zeros(3)}}, ValueError),
    ({"spectrograms": {"a": torch.full((2, 2), float("nan"))}}, ValueError),
    ({"spectrograms": {"a": torch.zeros(2, 2)}, "sample_rate": 100}, ValueError),
    ({"spectrograms": {"a": torch.zeros(2, 2)}, "sample_rate": -1, "hop_length": 1,
      "n_fft": 2}, ValueError),
    ({"spectrograms": {"a": "xx"}}, TypeError),
])
def test_plot_spectrograms_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        P.plot_spectrograms(**kwargs)


# ---- relu_course.plotting.timeline -----------------------------------------------------------

@pytest.mark.parametrize("events, kwargs, error", [
    ([], {}, ValueError),
    ("1969 Fukushima", {}, TypeError),
    ({"year": 1969, "label": "x"}, {}, TypeError),
    ([(1969,)], {}, TypeError),
    ([("1969", "Fukushima", "p")], {}, TypeError),
    ([(True, "Fukushima", "p")], {}, TypeError),
    ([(math.nan, "Fukushima", "p")], {}, ValueError),
    ([(1969, "", "p")], {}, ValueError),
    ([(1969, "Fukushima", 3)], {}, ValueError),
    ([{"label": "no year"}], {}, ValueError),
    ([(1969, "Fukushima", "p")], {"highlight": (2012, 2010)}, ValueError),
    ([(1969, "Fukushima", "p")], {"highlight": 2010}, TypeError),
])
def test_timeline_rejects_bad_events(events, kwargs, error):
    with pytest.raises(error, match="plot_timeline"):
        P.plot_timeline(events, **kwargs)


# ---- relu_course.plotting.training -----------------------------------------------------------

def test_plot_histories_errors():
    with pytest.raises(ValueError):
        P.plot_histories({})
    with pytest.raises(ValueError, match="accuracy"):
        P.plot_histories({"a": History(train_loss=[1.0])}, "accuracy")


@pytest.mark.parametrize("runs, kwargs, error", [
    ({}, {}, ValueError),
    ({"a": [[1.0, np.nan]]}, {}, ValueError),
    ({"a": np.zeros((2, 2, 2))}, {}, ValueError),
    ({"a": [[1.0, 2.0], [1.0]]}, {}, TypeError),
    ({"a": "abc"}, {}, TypeError),
    ({"a": [[1.0, 2.0, 3.0]]}, {"x": [0, 1]}, ValueError),
    ({"a": [[1.0, 2.0]]}, {"ylim": (1, 0)}, ValueError),
    ({"a": [[1.0, 2.0]]}, {"legend": 3}, TypeError),
    ({"a": [[1.0, 2.0]]}, {"show_runs": "yes"}, TypeError),
])
def test_plot_seed_band_rejects_bad_input(runs, kwargs, error):
    with pytest.raises(error):
        P.plot_seed_band(runs, **kwargs)
    plt.close("all")


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


@pytest.mark.parametrize("curves, kwargs, error", [
    ({}, {}, ValueError),
    ({"a": ([1, 2], [[1, 2, 3]])}, {}, ValueError),                 # shape mismatch
    ({"a": ([1, 2], [1, np.inf])}, {}, ValueError),                 # infinite value
    ({"a": ([1, 2], [0.0, 1.0])}, {"log_y": True}, ValueError),      # log of 0
    ({"a": ([0, 2], [1.0, 1.0])}, {"log_x": True}, ValueError),
    ({"a": ([1, 2], [1.0, 1.0])}, {"center": "mode"}, ValueError),
    ({"a": ([1, 2], [1.0, 1.0])}, {"band": (0.9, 0.1)}, ValueError),
    ({"a": ([1, 2], [1.0, 1.0])}, {"band": "all"}, TypeError),
    ({"a": [1, 2, 3]}, {}, TypeError),                              # not a pair
    ({"a": ([1, 2], "ab")}, {}, TypeError),
])
def test_plot_spread_rejects_bad_input(curves, kwargs, error):
    with pytest.raises(error):
        P.plot_spread(curves, **kwargs)


def test_plot_training_monitors_rejects_bad_input():
    good = monitored_run(1e-3, epochs=1)
    no_y = Dg.TrainingMonitor(torch.zeros(4, 2))
    no_y(0, models.mlp(2, [4], 2))
    with pytest.raises(ValueError):
        P.plot_training_monitors({})
    with pytest.raises(TypeError, match="TrainingMonitor"):
        P.plot_training_monitors({"run": [1, 2]})
    with pytest.raises(ValueError, match="no records"):
        P.plot_training_monitors({"run": Dg.TrainingMonitor(torch.zeros(4, 2))})
    with pytest.raises(ValueError, match="unknown key"):
        P.plot_training_monitors({"run": good}, keys=("loss",))
    with pytest.raises(ValueError, match="grad_to_weight"):
        P.plot_training_monitors({"run": no_y}, keys=("grad_to_weight",))


# ---- relu_course.quiz ------------------------------------------------------------------------

def test_unknown_chapter_lists_the_available_ones():
    with pytest.raises(ValueError, match="03-relu-explained"):
        quiz.load("no-such-chapter")
    with pytest.raises(TypeError):
        quiz.load(3)


# ---- relu_course.utils -----------------------------------------------------------------------

@pytest.mark.parametrize("value", ["gpu", "cuda:x", "cpu cpu", "meta", "tpu"])
def test_invalid_environment_variable(monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    with pytest.raises(ValueError, match=ENV) as info:
        utils.get_device()
    assert repr(value) in str(info.value) or value in str(info.value)


@pytest.mark.parametrize("value", [0, 1.5, ["cpu"]])
def test_non_string_device(value):
    with pytest.raises(TypeError, match="get_device"):
        utils.get_device(value)


@pytest.mark.parametrize("value", ["seven", "1.5", "-3"])
def test_a_bad_base_seed_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv(utils.SEED_ENV_VAR, value)
    with pytest.raises(ValueError, match="RELU_COURSE_SEED"):
        utils.set_seed()


@pytest.mark.parametrize("n, error", [(0, ValueError), (2.0, TypeError)])
def test_seeds_rejects_bad_counts(n, error):
    with pytest.raises(error, match="seeds"):
        utils.seeds(n)


@pytest.mark.parametrize("seed, error", [(-1, ValueError), (1.5, TypeError), ("0", TypeError),
                                         (True, TypeError)])
def test_set_seed_rejects_bad_seeds(seed, error):
    with pytest.raises(error, match="set_seed"):
        utils.set_seed(seed)


def test_set_seed_rejects_seeds_torch_cannot_take():
    with pytest.raises(ValueError, match="set_seed"):
        utils.set_seed(2**64)


def test_eval_mode_rejects_a_non_module():
    with pytest.raises(TypeError, match="nn.Module"), utils.eval_mode(lambda x: x):
        pass
