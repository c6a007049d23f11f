"""Tests of relu_course.exercises for chapters 6 to 8 (leaky ReLU and RReLU, PReLU, ELU and SELU):
each check accepts the reference solution and explains the usual mistakes; also the private
reference solutions the checks compare against."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from relu_course import exercises as E
from relu_course.activations import functional as F
from relu_course.activations import modules as M
from relu_course.exercises import ch08
from relu_course.training import optim


def leaky_reference(x, negative_slope):
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, 1.0, negative_slope)


def rrelu_xu_reference(x, training, generator):
    if not training:
        return torch.where(x >= 0, x, x / 5.5)
    a = 3 + 5 * torch.rand(x.shape, generator=generator, dtype=x.dtype)
    return torch.where(x >= 0, x, x / a)


def stub(*args):
    raise NotImplementedError


def pytorch_style(x, training, generator):
    if not training:
        return torch.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2)
    slope = 1 / 8 + (1 / 3 - 1 / 8) * torch.rand(x.shape, generator=generator, dtype=x.dtype)
    return torch.where(x >= 0, x, x * slope)


def pytorch_style_training_only(x, training, generator):
    return rrelu_xu_reference(x, False, generator) if not training else pytorch_style(
        x, True, generator)


def no_generator(x, training, generator):
    if not training:
        return rrelu_xu_reference(x, False, generator)
    return torch.where(x >= 0, x, x / (3 + 5 * torch.rand(x.shape, dtype=x.dtype)))


def one_divisor(x, training, generator):
    if not training:
        return rrelu_xu_reference(x, False, generator)
    return torch.where(x >= 0, x, x / (3 + 5 * torch.rand(1, generator=generator).item()))


def prelu_weight_grad(x, grad_out):
    dims = tuple(d for d in range(x.ndim) if d != 1)
    return (grad_out * np.minimum(x, 0.0)).sum(axis=dims)


def elu_gaussian_mean(sigma, alpha):
    tail = math.exp(sigma**2 / 2) * 0.5 * math.erfc(sigma / math.sqrt(2))
    return sigma / math.sqrt(2 * math.pi) + alpha * (tail - 0.5)


def backward_from_output(grad_out, out, alpha):
    return torch.where(out > 0, grad_out, grad_out * (out + alpha))


def alpha_dropout_constants(p):
    q, s = 1 - p, -F.SELU_SCALE * F.SELU_ALPHA
    a = 1 / math.sqrt(q + s * s * q * (1 - q))
    return a, -a * (1 - q) * s


def test_leaky_relu_check_accepts_the_reference_and_reports_a_stub():
    assert E.check_leaky_relu_with_grad(leaky_reference).passed
    assert E.check_leaky_relu_with_grad(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, a: (np.where(x > 0, x, a * x), np.where(x >= 0, 1.0, a)), "x > 0, not x >= 0"),
    (lambda x, a: (np.maximum(x, 0.0), np.where(x > 0, 1.0, a)), "plain ReLU"),
    (lambda x, a: (np.where(x > 0, x, 0.01 * x), np.where(x > 0, 1.0, 0.01)), "use the argument"),
    (lambda x, a: (np.where(x > 0, x, a * x), np.where(x > 0, 1.0, 0.0)), "not 0"),
    (lambda x, a: (np.where(x > 0, x, a * x), np.where(x > 0, 1.0, a))[0], "pair"),
])
def test_leaky_relu_check_explains_mistakes(wrong, hint):
    result = E.check_leaky_relu_with_grad(wrong)
    assert result.status == "failed" and hint in result.message


def test_leaky_relu_check_catches_in_place_changes():
    def in_place(x, a):
        x[x < 0] *= a
        return x, np.where(x > 0, 1.0, a)
    result = E.check_leaky_relu_with_grad(in_place)
    assert result.status == "failed" and "in place" in result.message


def test_rrelu_xu_check_accepts_the_reference_and_reports_a_stub():
    result = E.check_rrelu_xu_divisor(rrelu_xu_reference)
    assert result.passed, result.message
    assert E.check_rrelu_xu_divisor(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (pytorch_style, "PyTorch's evaluation slope"),
    (pytorch_style_training_only, "PyTorch's nn.RReLU"),
    (no_generator, "generator"),
    (one_divisor, "same slope"),
    (lambda x, training, generator: torch.relu(x), "x / 5.5"),
])
def test_rrelu_xu_check_explains_mistakes(wrong, hint):
    result = E.check_rrelu_xu_divisor(wrong)
    assert result.status == "failed" and hint in result.message, result.message


def test_rrelu_xu_check_expected_mean_is_e_of_one_over_a():
    assert math.log(8 / 3) / 5 == pytest.approx(0.19616, abs=1e-5)


def test_check_prelu_weight_grad():
    assert E.check_prelu_weight_grad(prelu_weight_grad).passed
    assert E.check_prelu_weight_grad(stub).status == "not attempted"
    every = E.check_prelu_weight_grad(
        lambda x, g: (g * x).sum(axis=tuple(d for d in range(x.ndim) if d != 1)))
    assert every.status == "failed" and "only inputs x <= 0" in every.message
    no_sum = E.check_prelu_weight_grad(lambda x, g: g * np.minimum(x, 0.0))
    assert no_sum.status == "failed" and "one number per channel" in no_sum.message
    flipped = E.check_prelu_weight_grad(lambda x, g: -prelu_weight_grad(x, g))
    assert "sign" in flipped.message

    def in_place(x, g):
        x[x > 0] = 0.0
        return prelu_weight_grad(x, g)
    assert "in place" in E.check_prelu_weight_grad(in_place).message


def test_check_prelu_from_relus():
    assert E.check_prelu_from_relus(lambda x, a: torch.relu(x) - a * torch.relu(-x)).passed
    where = E.check_prelu_from_relus(lambda x, a: torch.where(x > 0, x, a * x))
    assert where.passed and "same value" in where.message
    assert E.check_prelu_from_relus(stub).status == "not attempted"
    wrong_sign = E.check_prelu_from_relus(lambda x, a: torch.relu(x) + a * torch.relu(-x))
    assert wrong_sign.status == "failed" and "PReLU gives" in wrong_sign.message
    constant = E.check_prelu_from_relus(lambda x, a: torch.relu(x) - 0.25 * torch.relu(-x))
    assert constant.status == "failed"
    detached = E.check_prelu_from_relus(
        lambda x, a: (torch.relu(x) - a * torch.relu(-x)).detach())
    assert detached.status == "failed" and "autograd" in detached.message


def test_check_prelu_decay_groups():
    assert E.check_prelu_decay_groups(optim.prelu_parameter_groups).passed
    assert E.check_prelu_decay_groups(stub).status == "not attempted"
    everything = E.check_prelu_decay_groups(
        lambda m, wd: [{"params": list(m.parameters()), "weight_decay": wd}])
    assert everything.status == "failed" and "a PReLU slope" in everything.message
    generator = E.check_prelu_decay_groups(lambda m, wd: m.parameters())
    assert generator.status == "failed" and "list of parameter groups" in generator.message

    def only_course_prelu(model, wd):
        ids = {id(m.weight) for m in model.modules() if isinstance(m, M.PReLU)}
        return [{"params": [p for p in model.parameters() if id(p) not in ids],
                 "weight_decay": wd},
                {"params": [p for p in model.parameters() if id(p) in ids],
                 "weight_decay": 0.0}]
    missed = E.check_prelu_decay_groups(only_course_prelu)
    assert missed.status == "failed" and "torch.nn.PReLU" in missed.message

    def missing(model, wd):
        return [{"params": list(model.parameters())[1:], "weight_decay": wd}]
    assert "in no group" in E.check_prelu_decay_groups(missing).message


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
