"""Tests of chapter 2's Exercise 2.3 check: softplus computed without overflow."""

from __future__ import annotations

import pytest
import torch

from relu_course import exercises as E
from relu_course.exercises import ch02


def _stable(x):
    return torch.relu(x) + torch.log1p(torch.exp(-x.abs()))


def test_softplus_check_is_exported():
    assert E.check_softplus_without_overflow is ch02.check_softplus_without_overflow


@pytest.mark.parametrize("answer", [
    _stable,
    torch.nn.functional.softplus,
    lambda x: torch.where(x > 0, x + torch.log1p(torch.exp(-x)), torch.log1p(torch.exp(x))),
], ids=["relu-plus-log1p", "torch-builtin", "two-branches"])
def test_softplus_check_passes_correct_answers(answer):
    result = ch02.check_softplus_without_overflow(answer)
    assert result.passed, result
    assert repr(result).startswith("[PASSED] Exercise 2.3")
    assert "not ReLU's derivative" in result.message


def test_softplus_check_reports_the_stub_as_not_attempted():
    def stub(x):
        raise NotImplementedError

    assert ch02.check_softplus_without_overflow(stub).status == "not attempted"


@pytest.mark.parametrize("answer, fragments", [
    (lambda x: torch.log(1 + torch.exp(x)), ["returned inf", "overflows"]),
    (lambda x: torch.log1p(torch.exp(x)), ["overflows"]),
    (torch.relu, ["ReLU's value", "log 2"]),
    (lambda x: torch.log1p(torch.exp(-x.abs())), ["add max(0, x)"]),
    (lambda x: torch.relu(x) + torch.log1p(torch.exp(-x)), ["softplus(-3)", "expected"]),
    (lambda x: _stable(x).detach(), ["autograd"]),
    (lambda x: _stable(x).float(), ["dtype"]),
    (lambda x: _stable(x).flatten(), ["shape"]),
    (lambda x: _stable(x).tolist(), ["expected a torch.Tensor"]),
    (lambda x: x.abs_(), ["in place"]),
    (lambda x: 1 / 0, ["ZeroDivisionError"]),
], ids=["naive", "naive-log1p", "relu", "no-relu", "exp-of-minus-x", "detached", "dtype",
        "shape", "list", "in-place", "raises"])
def test_softplus_check_says_what_is_wrong(answer, fragments):
    result = ch02.check_softplus_without_overflow(answer)
    assert result.status == "failed", result
    assert repr(result).startswith("[NOT YET]")
    for fragment in fragments:
        assert fragment in result.message, result.message


def test_softplus_check_catches_a_wrong_derivative():
    # right values, but a gradient that is not the sigmoid
    class WrongGrad(torch.autograd.Function):
        @staticmethod
        def forward(x):
            return _stable(x)

        @staticmethod
        def setup_context(ctx, inputs, output):
            pass

        @staticmethod
        def backward(ctx, grad):
            return grad                         # derivative 1 everywhere

    result = ch02.check_softplus_without_overflow(WrongGrad.apply)
    assert result.status == "failed" and "sigmoid" in result.message, result
