"""relu_course.utils: get_device(), the base seed (set_seed, seeds) and the canonical numerics."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import relu_course
from relu_course import utils

from helpers import ENV

NO_CUDA = pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")


def automatic_choice() -> torch.device:
    if torch.cuda.is_available():
        return torch.device("cuda")
    if torch.backends.mps.is_available():
        return torch.device("mps")
    return torch.device("cpu")


def draw():
    return torch.rand(3), np.random.rand(3), random.random()


def test_environment_variable_name():
    assert ENV == "RELU_COURSE_DEVICE"


def test_no_environment_variable(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    device = utils.get_device()
    assert isinstance(device, torch.device)
    assert device == automatic_choice()


@pytest.mark.skipif(torch.cuda.is_available() or torch.backends.mps.is_available(),
                    reason="has an accelerator")
def test_cpu_only_machine_gives_cpu(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert utils.get_device() == torch.device("cpu")


@pytest.mark.parametrize("value", ["", "   "])
def test_empty_environment_variable_means_automatic(monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    assert utils.get_device() == automatic_choice()


@pytest.mark.parametrize("value", ["cpu", " cpu ", "cpu:0"])
def test_environment_variable_cpu(monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    assert utils.get_device().type == "cpu"


def test_package_level_alias(monkeypatch):
    monkeypatch.setenv(ENV, "cpu")
    assert relu_course.get_device is utils.get_device
    assert relu_course.set_seed is utils.set_seed
    assert relu_course.get_device() == torch.device("cpu")


@NO_CUDA
@pytest.mark.parametrize("value", ["cuda", "cuda:0", "cuda:1"])
def test_cuda_without_cuda(monkeypatch, value):
    monkeypatch.setenv(ENV, value)
    with pytest.raises(ValueError, match="CUDA is not available"):
        utils.get_device()
    monkeypatch.delenv(ENV)
    with pytest.raises(ValueError, match="CUDA is not available"):
        utils.get_device(value)


@pytest.mark.skipif(torch.backends.mps.is_available(), reason="this machine has MPS")
def test_mps_without_mps():
    with pytest.raises(ValueError, match="MPS is not available"):
        utils.get_device("mps")


def test_explicit_device_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv(ENV, "not-a-device")
    assert utils.get_device("cpu") == torch.device("cpu")
    assert utils.get_device(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(ValueError, match=r"get_device\(\)"):
        utils.get_device("gpu")


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_is_chosen_when_present(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert utils.get_device().type == "cuda"
    with pytest.raises(ValueError, match="CUDA device"):
        utils.get_device(f"cuda:{torch.cuda.device_count()}")


@pytest.mark.parametrize("seed", [0, 1, 12345, 2**40])
def test_set_seed_repeats_every_generator(seed):
    utils.set_seed(seed)
    first = draw()
    utils.set_seed(seed)
    second = draw()
    assert torch.equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])
    assert first[2] == second[2]


def test_different_seeds_differ():
    utils.set_seed(0)
    a = draw()
    utils.set_seed(1)
    b = draw()
    assert not torch.equal(a[0], b[0])
    assert not np.array_equal(a[1], b[1])
    assert a[2] != b[2]


def test_set_seed_matches_torch_manual_seed():
    utils.set_seed(7)
    ours = torch.randn(4)
    torch.manual_seed(7)
    assert torch.equal(ours, torch.randn(4))


def test_set_seed_default_is_zero(monkeypatch):
    monkeypatch.delenv(utils.SEED_ENV_VAR, raising=False)
    assert utils.set_seed() == 0
    a = draw()
    utils.set_seed(0)
    b = draw()
    assert torch.equal(a[0], b[0]) and a[2] == b[2]


def test_the_base_seed_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(utils.SEED_ENV_VAR, " 1000 ")
    assert utils.base_seed() == 1000 and relu_course.base_seed() == 1000
    assert utils.seeds(3) == [1000, 1001, 1002] and relu_course.seeds(1) == [1000]
    assert utils.set_seed() == 1000
    a = draw()
    utils.set_seed(1000)
    assert torch.equal(a[0], draw()[0])


def test_package_defaults_follow_the_base_seed(monkeypatch):
    from relu_course.data import load
    from relu_course.training import TrainConfig

    monkeypatch.setenv(utils.SEED_ENV_VAR, "7")
    assert TrainConfig().seed == 7
    assert torch.equal(load("xor", n_samples=32).x_train, load("xor", n_samples=32, seed=7).x_train)
    monkeypatch.delenv(utils.SEED_ENV_VAR)
    assert TrainConfig().seed == 0
    assert not torch.equal(load("xor", n_samples=32).x_train, load("xor", n_samples=32, seed=7).x_train)


def test_canonical_numerics_needs_its_environment(monkeypatch):
    monkeypatch.setenv(utils.NUMERICS_ENV_VAR, "canonical")
    monkeypatch.delenv("MKL_CBWR", raising=False)
    with pytest.raises(RuntimeError, match="MKL_CBWR=COMPATIBLE"):
        utils.set_seed(0)


def test_set_seed_makes_a_model_repeatable():
    utils.set_seed(3)
    w1 = torch.nn.Linear(4, 4).weight.detach().clone()
    utils.set_seed(3)
    w2 = torch.nn.Linear(4, 4).weight.detach().clone()
    assert torch.equal(w1, w2)


@pytest.mark.parametrize("values, spec, text", [
    (torch.tensor([0.0, -0.0, 0.5, float("nan")]), ".4g", "[0, -0, 0.5, nan]"),
    (torch.tensor([[1.0, 2.0], [3.0, 4.0]]), ".1f", "[1.0, 2.0, 3.0, 4.0]"),
    (np.array([1 / 3, float("inf")]), ".3f", "[0.333, inf]"),
    ([1, 2.5, -3], ".2f", "[1.00, 2.50, -3.00]"),
    (torch.tensor([], dtype=torch.float64), ".4g", "[]"),
    (torch.tensor(2.0, requires_grad=True), ".4g", "[2]"),
], ids=["tensor", "2d", "ndarray", "list", "empty", "0d-grad"])
def test_format_values(values, spec, text):
    assert utils.format_values(values, spec) == text


def test_format_values_default_spec():
    assert utils.format_values([1 / 3]) == "[0.3333]"


@pytest.mark.parametrize("start_training", [True, False])
def test_eval_mode_switches_and_restores_even_after_an_error(start_training):
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    net.train(start_training)
    with utils.eval_mode(net) as inside:
        assert inside is net and not net.training and not net[1].training
    assert net.training == start_training and net[1].training == start_training
    with pytest.raises(RuntimeError, match="boom"), utils.eval_mode(net):
        raise RuntimeError("boom")
    assert net.training == start_training
