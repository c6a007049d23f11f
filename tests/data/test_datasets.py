"""Tests of relu_course.data.datasets: load and the toy generators (content, splits, seeding),
Dataset, standardize_features and validation_split."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch

from relu_course import data as D
from relu_course.data import Dataset, load, standardize_features, validation_split

from helpers import GENERATORS, TOY


@pytest.fixture(scope="module")
def digits():
    return D.load("digits")


def rows(*tensors):
    """The rows of the given tensors, as a sorted list (order-free comparison)."""
    return sorted(tuple(r.tolist()) if r.dim() else (r.item(),)
                  for t in tensors for r in t.reshape(len(t), -1))


def row_set(x):
    return {tuple(r) for r in x.flatten(1).tolist()}


def test_dataset_names():
    assert D.DATASET_NAMES == ("digits", "moons", "xor", "spirals")


@pytest.mark.parametrize("name", D.DATASET_NAMES)
def test_load_every_name(name, digits):
    data = digits if name == "digits" else D.load(name)
    assert data.name == name
    assert data.x_train.dtype == data.x_test.dtype == torch.float32
    assert data.y_train.dtype == data.y_test.dtype == torch.int64
    assert len(data.x_train) == len(data.y_train) and len(data.x_test) == len(data.y_test)
    total = len(data.y_train) + len(data.y_test)
    expected_total, shape, classes = ((1797, (1, 8, 8), 10) if name == "digits" else
                                      (512, (2,), 2))
    assert total == expected_total
    assert data.input_shape == shape and data.x_train.shape[1:] == shape
    assert data.num_features == math.prod(shape)
    assert data.num_classes == classes
    assert data.device == torch.device("cpu")
    assert len(data.y_test) == pytest.approx(0.25 * total, abs=classes)
    for y in (data.y_train, data.y_test):
        assert torch.equal(torch.unique(y), torch.arange(classes))     # stratified: all classes
    assert torch.isfinite(data.x_train).all() and torch.isfinite(data.x_test).all()


def test_digits_content(digits):
    x = torch.cat([digits.x_train, digits.x_test])
    assert x.min() == 0.0 and x.max() == 1.0
    # sklearn's images hold integers 0..16; scaled by 1/16.
    assert torch.equal(x * 16, torch.round(x * 16))
    counts = torch.bincount(torch.cat([digits.y_train, digits.y_test]))
    assert counts.min() >= 170 and counts.sum() == 1797


@pytest.mark.parametrize("fraction", [0.1, 0.25, 0.5, 0.8])
def test_split_is_stratified(fraction):
    data = D.load("moons", n_samples=310, test_fraction=fraction, seed=3)
    for label in (0, 1):
        n_test = int((data.y_test == label).sum())
        n_train = int((data.y_train == label).sum())
        assert n_test + n_train == 155
        assert abs(n_test - fraction * 155) <= 0.5               # each class's share, rounded


def test_split_partitions_the_generated_data():
    data = D.load("spirals", n_samples=300, seed=5)
    x, y = D.spirals(300, seed=5)
    assert rows(data.x_train, data.x_test) == rows(x)
    assert rows(torch.cat([data.x_train, data.y_train[:, None].float()], 1),
                torch.cat([data.x_test, data.y_test[:, None].float()], 1)) == \
        rows(torch.cat([x, y[:, None].float()], 1))


def test_training_set_is_not_sorted_by_label():
    data = D.load("xor", seed=0)
    assert not torch.equal(data.y_train, torch.sort(data.y_train).values)


def test_tiny_dataset_keeps_a_class_with_one_example_in_training():
    data = D.load("moons", n_samples=3)
    assert len(data.y_train) + len(data.y_test) == 3
    assert torch.equal(torch.unique(data.y_train), torch.tensor([0, 1]))


@pytest.mark.parametrize("name", D.DATASET_NAMES)
def test_same_seed_same_data(name):
    a, b = D.load(name, seed=11), D.load(name, seed=11)
    for field in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(a, field), getattr(b, field))


@pytest.mark.parametrize("name", D.DATASET_NAMES)
def test_different_seed_different_data(name):
    a, b = D.load(name, seed=1), D.load(name, seed=2)
    assert not torch.equal(a.x_train, b.x_train)
    if name == "digits":                         # same images, another split
        assert rows(a.x_train, a.x_test) == rows(b.x_train, b.x_test)


def test_load_does_not_touch_the_global_rng():
    state = torch.get_rng_state()
    D.load("moons", seed=4)
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("name", TOY)
def test_toy_generators_shapes_and_determinism(name):
    gen = GENERATORS[name]
    x, y = gen(101 if name != "xor" else 100, seed=9)
    n = len(y)
    assert x.shape == (n, 2) and x.dtype == torch.float32
    assert y.shape == (n,) and y.dtype == torch.int64
    assert set(y.tolist()) == {0, 1}
    assert abs(int(y.sum()) - n / 2) <= 1                # balanced classes
    x2, y2 = gen(n, seed=9)
    assert torch.equal(x, x2) and torch.equal(y, y2)
    x3, _ = gen(n, seed=10)
    assert not torch.equal(x, x3)


def test_moons_without_noise_lie_on_two_half_circles():
    x, y = D.two_moons(200, noise=0.0, seed=1)
    outer = x[y == 0] + torch.tensor([0.5, 0.25])
    inner = x[y == 1] + torch.tensor([0.5, 0.25]) - torch.tensor([1.0, 0.5])
    torch.testing.assert_close(outer.norm(dim=1), torch.ones(len(outer)))
    torch.testing.assert_close(inner.norm(dim=1), torch.ones(len(inner)))
    assert (outer[:, 1] >= 0).all() and (inner[:, 1] <= 1e-6).all()


def test_xor_labels_follow_the_quadrant():
    x, y = D.xor(400, noise=0.0, seed=2)
    assert torch.equal(y, (x[:, 0] * x[:, 1] < 0).long())
    x, y = D.xor(400, seed=2)                     # with the default noise: mostly still true
    assert ((x[:, 0] * x[:, 1] < 0).long() == y).float().mean() > 0.9


def test_spirals_radius():
    x, _ = D.spirals(300, noise=0.0, seed=3)
    r = x.norm(dim=1)
    assert r.min() >= 0.05 - 1e-6 and r.max() <= 1.0 + 1e-6


def test_dataset_to_and_repr():
    data = D.load("moons", n_samples=200, seed=1)
    moved = data.to("cpu")
    assert isinstance(moved, D.Dataset) and moved.device == torch.device("cpu")
    for field in ("x_train", "y_train", "x_test", "y_test"):
        assert torch.equal(getattr(moved, field), getattr(data, field))
    assert moved.name == data.name and moved.num_classes == data.num_classes
    assert repr(data) == "Dataset('moons', train=150, test=50, input_shape=(2,), num_classes=2)"
    assert D.load("moons", n_samples=200, seed=1, device="cpu").device.type == "cpu"
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.name = "other"


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_dataset_on_cuda():
    data = D.load("xor", device="cuda")
    assert data.device.type == "cuda" and data.y_test.device.type == "cuda"
    cpu = D.load("xor")
    assert torch.equal(data.x_train.cpu(), cpu.x_train)


def test_names_are_case_insensitive():
    assert D.load(" Moons ", n_samples=50).name == "moons"


def test_standardize_features_gives_mean_0_variance_1_on_the_training_set():
    data = standardize_features(load("digits"))
    x = data.x_train.flatten(1)                                   # (N, 64)
    constant = x.std(0) == 0
    assert 0 < int(constant.sum()) < 10                           # a few blank pixels
    assert torch.allclose(x.mean(0), torch.zeros(64), atol=1e-5)
    var = x.var(0, unbiased=False)
    assert torch.allclose(var[~constant], torch.ones(int((~constant).sum())), atol=1e-4)
    assert (x[:, constant] == 0).all()                            # constant features -> 0


def test_standardize_features_uses_training_statistics_for_the_test_set():
    raw = load("moons", n_samples=200, seed=3)
    data = standardize_features(raw)
    mean = raw.x_train.mean(0)
    std = raw.x_train.std(0, unbiased=False)
    assert torch.allclose(data.x_test, (raw.x_test - mean) / std, atol=1e-6)
    # the test set's own statistics are *not* exactly (0, 1)
    assert data.x_test.mean(0).abs().max() > 1e-4


def test_standardize_features_keeps_shapes_labels_and_leaves_the_input_alone():
    raw = load("digits")
    before = raw.x_train.clone()
    data = standardize_features(raw)
    assert isinstance(data, Dataset) and data.name == raw.name
    assert data.x_train.shape == raw.x_train.shape and data.x_test.shape == raw.x_test.shape
    assert torch.equal(data.y_train, raw.y_train) and torch.equal(data.y_test, raw.y_test)
    assert data.num_classes == raw.num_classes and data.device == raw.device
    assert torch.equal(raw.x_train, before)


def test_standardize_features_treats_features_below_eps_as_constant():
    x = torch.tensor([[1.0, 5.0], [1.0, 7.0], [1.0 + 1e-9, 9.0]], dtype=torch.float64)
    labels = torch.zeros(3, dtype=torch.long)
    data = Dataset("toy", x, labels, x[:1], labels[:1], 1)
    out = standardize_features(data, eps=1e-6)
    assert (out.x_train[:, 0] == 0).all() and (out.x_test[:, 0] == 0).all()
    expected = torch.tensor([-1.0, 0.0, 1.0], dtype=torch.float64) * math.sqrt(1.5)
    assert torch.allclose(out.x_train[:, 1], expected)
    out0 = standardize_features(data, eps=0.0)                    # now the tiny spread counts
    assert out0.x_train[:, 0].abs().max() > 0.5


def test_validation_split_partitions_the_training_set_only():
    digits = load("digits")
    dev = validation_split(digits, fraction=0.25, seed=0)
    assert isinstance(dev, Dataset) and dev.num_classes == digits.num_classes
    assert len(dev.y_train) + len(dev.y_test) == len(digits.y_train)
    train_rows, valid_rows = row_set(dev.x_train), row_set(dev.x_test)
    assert not train_rows & valid_rows                       # disjoint
    assert train_rows | valid_rows <= row_set(digits.x_train)   # from the training part
    assert not valid_rows & (row_set(digits.x_test) - row_set(digits.x_train))
    assert "validation" in dev.name


def test_validation_split_is_stratified_and_seeded():
    digits = load("digits")
    dev = validation_split(digits, fraction=0.25, seed=0)
    counts = torch.bincount(digits.y_train, minlength=10).double()
    held = torch.bincount(dev.y_test, minlength=10).double()
    assert torch.all((held - 0.25 * counts).abs() <= 1)
    again = validation_split(digits, fraction=0.25, seed=0)
    other = validation_split(digits, fraction=0.25, seed=1)
    assert torch.equal(dev.x_test, again.x_test) and torch.equal(dev.y_train, again.y_train)
    assert not torch.equal(dev.y_test, other.y_test)
