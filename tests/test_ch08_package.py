"""Package additions for chapter 8 ("Exponential Linear Unit (ELU)"): data.standardize_features
and the chapter's exercise checks."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import exercises as E
from relu_course.activations import functional as F
from relu_course.data import Dataset, load, standardize_features
from relu_course.exercises import ch08

# ---------------------------------------------------------------------------------------------
# data.standardize_features
# ---------------------------------------------------------------------------------------------

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


def test_standardize_features_validates_its_arguments():
    with pytest.raises(TypeError, match="Dataset"):
        standardize_features(torch.zeros(3, 2))
    with pytest.raises(ValueError, match="eps"):
        standardize_features(load("xor", n_samples=20), eps=-1.0)
    with pytest.raises(TypeError, match="eps"):
        standardize_features(load("xor", n_samples=20), eps="small")


# ---------------------------------------------------------------------------------------------
# Exercise 8.1: the mean of ELU on a Gaussian
# ---------------------------------------------------------------------------------------------

def elu_gaussian_mean(sigma, alpha):
    tail = math.exp(sigma**2 / 2) * 0.5 * math.erfc(sigma / math.sqrt(2))
    return sigma / math.sqrt(2 * math.pi) + alpha * (tail - 0.5)


@pytest.mark.parametrize("sigma, alpha", [(1.0, 1.0), (0.5, 2.0), (2.5, 0.7)])
def test_elu_gaussian_mean_reference_matches_numerical_integration(sigma, alpha):
    z = torch.linspace(-12, 12, 400_001, dtype=torch.float64)
    density = torch.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    integral = torch.trapezoid(F.elu(sigma * z, alpha) * density, z).item()
    assert ch08._elu_gaussian_mean_reference(sigma, alpha) == pytest.approx(integral, abs=1e-8)


def test_selu_alpha_zeroes_the_mean_for_a_standard_normal_input():
    assert abs(ch08._elu_gaussian_mean_reference(1.0, F.SELU_ALPHA)) < 1e-12


def test_check_elu_gaussian_mean_passes_the_solution_and_explains_mistakes():
    assert E.check_elu_gaussian_mean(elu_gaussian_mean).passed
    as_tensor = E.check_elu_gaussian_mean(lambda s, a: torch.tensor(elu_gaussian_mean(s, a)))
    assert as_tensor.passed
    relu_only = E.check_elu_gaussian_mean(lambda s, a: s / math.sqrt(2 * math.pi))
    assert relu_only.status == "failed" and "relu" in relu_only.message
    no_alpha = E.check_elu_gaussian_mean(lambda s, a: elu_gaussian_mean(s, 1.0))
    assert no_alpha.status == "failed" and "alpha" in no_alpha.message
    wrong_tail = E.check_elu_gaussian_mean(
        lambda s, a: s / math.sqrt(2 * math.pi)
        + a * (math.exp(s**2 / 2) * 0.5 * math.erfc(-s / math.sqrt(2)) - 0.5))
    assert wrong_tail.status == "failed" and "Phi(-sigma)" in wrong_tail.message
    not_a_number = E.check_elu_gaussian_mean(lambda s, a: "0.16")
    assert not_a_number.status == "failed" and "number" in not_a_number.message


def test_check_elu_gaussian_mean_reports_a_stub_as_to_do():
    def stub(sigma, alpha):
        raise NotImplementedError
    assert E.check_elu_gaussian_mean(stub).status == "not attempted"


# ---------------------------------------------------------------------------------------------
# Exercise 8.2: ELU's backward from its output
# ---------------------------------------------------------------------------------------------

def backward_from_output(grad_out, out, alpha):
    return torch.where(out > 0, grad_out, grad_out * (out + alpha))


def test_check_elu_backward_from_output_passes_the_solution():
    result = E.check_elu_backward_from_output(backward_from_output)
    assert result.passed
    assert "returns 0 " in result.message            # float32 at x = -20: out + 1 == 0


def test_check_elu_backward_from_output_catches_the_convention_at_zero():
    result = E.check_elu_backward_from_output(
        lambda g, out, alpha: torch.where(out >= 0, g, g * (out + alpha)))
    assert result.status == "failed" and "x = 0" in result.message


def test_check_elu_backward_from_output_catches_wrong_formulas_and_side_effects():
    wrong = E.check_elu_backward_from_output(lambda g, out, alpha: g * torch.exp(out))
    assert wrong.status == "failed" and "x > 0" in wrong.message
    negative_only = E.check_elu_backward_from_output(
        lambda g, out, alpha: torch.where(out > 0, g, g * torch.exp(out)))
    assert negative_only.status == "failed" and "alpha e^x" in negative_only.message

    def in_place(g, out, alpha):
        g.mul_(torch.where(out > 0, torch.ones_like(out), out + alpha))
        return g
    assert "in place" in E.check_elu_backward_from_output(in_place).message

    as_list = E.check_elu_backward_from_output(lambda g, out, alpha: g.tolist())
    assert as_list.status == "failed" and "torch.Tensor" in as_list.message
    flat = E.check_elu_backward_from_output(lambda g, out, alpha: backward_from_output(
        g, out, alpha).reshape(-1))
    assert flat.status == "failed" and "shape" in flat.message


# ---------------------------------------------------------------------------------------------
# Exercise 8.3: alpha dropout's constants
# ---------------------------------------------------------------------------------------------

def alpha_dropout_constants(p):
    q, s = 1 - p, -F.SELU_SCALE * F.SELU_ALPHA
    a = 1 / math.sqrt(q + s * s * q * (1 - q))
    return a, -a * (1 - q) * s


def test_alpha_dropout_reference_matches_torch_alpha_dropout():
    p = 0.2
    a, b = ch08._alpha_dropout_reference(p)
    torch.manual_seed(0)
    z = torch.randn(400_000, dtype=torch.float64)
    out = nn.AlphaDropout(p).train()(z)
    # torch rounds lambda * alpha to 1.7580993408473766, hence the tolerance
    dropped = (out - (a * (-F.SELU_SCALE * F.SELU_ALPHA) + b)).abs() < 1e-6
    assert abs(dropped.double().mean().item() - p) < 5e-3
    kept = ~dropped
    assert torch.allclose(out[kept], a * z[kept] + b)
    assert abs(out.mean().item()) < 1e-2 and abs(out.var().item() - 1) < 1e-2


def test_check_alpha_dropout_constants_passes_the_solution_and_explains_mistakes():
    assert E.check_alpha_dropout_constants(alpha_dropout_constants).passed
    plain = E.check_alpha_dropout_constants(lambda p: (1 / math.sqrt(1 - p), 0.0))
    assert plain.status == "failed" and "1/sqrt(q)" in plain.message
    sign = E.check_alpha_dropout_constants(
        lambda p: (alpha_dropout_constants(p)[0], -alpha_dropout_constants(p)[1]))
    assert sign.status == "failed" and "sign" in sign.message
    swapped = E.check_alpha_dropout_constants(lambda p: alpha_dropout_constants(1 - p))
    assert swapped.status == "failed"
    single = E.check_alpha_dropout_constants(lambda p: 1.0)
    assert single.status == "failed" and "pair" in single.message


def test_chapter_8_checks_are_exported():
    for name in ch08.__all__:
        assert getattr(E, name) is getattr(ch08, name)
