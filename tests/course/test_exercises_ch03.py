"""Tests of the chapter 3 exercise checks added for the course's learner edition: a ReLU with
``ReLU'(0) = 1`` (Exercise 3.2) and counting activation patterns (Exercise 3.3)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from relu_course import exercises as E
from relu_course.exercises import ch03


def stub(*args):
    raise NotImplementedError


class SavesInput(torch.autograd.Function):
    """A correct answer: the input decides the backward."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return torch.where(x >= 0, grad_out, 0.0)


class SavesOutput(torch.autograd.Function):
    """The chapter's pattern copied: it cannot give 1 at x = 0."""

    @staticmethod
    def forward(ctx, x):
        out = x.clamp_min(0)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        (out,) = ctx.saved_tensors
        return torch.where(out > 0, grad_out, 0.0)


class NewStyle(torch.autograd.Function):
    """setup_context style, as in the chapter, with the input saved."""

    @staticmethod
    def forward(x):
        return x.clamp_min(0)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return grad_out * (x >= 0)


class Stub(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_out):
        raise NotImplementedError


class BackwardStub(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad_out):
        raise NotImplementedError


class IgnoresGradOut(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp_min(0)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return (x >= 0).to(grad_out.dtype)


class WrongForward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.abs()

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        return torch.where(x >= 0, grad_out, 0.0)


def test_relu_one_at_zero_passes():
    for answer in (SavesInput, NewStyle):
        result = E.check_relu_one_at_zero(answer)
        assert result.passed and result.checks_passed == 6, result
        assert repr(result).startswith("[PASSED] Exercise 3.2")


def test_relu_one_at_zero_not_attempted():
    assert E.check_relu_one_at_zero(Stub).status == "not attempted"
    assert E.check_relu_one_at_zero(BackwardStub).status == "not attempted"


@pytest.mark.parametrize("answer, expected", [
    (SavesOutput, "save the input instead"),
    (IgnoresGradOut, "the backward returned"),
    (WrongForward, "the forward pass of"),
    (lambda x: x.clamp_min(0), "subclass of torch.autograd.Function"),
], ids=["saves-output", "ignores-grad-out", "wrong-forward", "not-a-class"])
def test_relu_one_at_zero_explains_the_mistake(answer, expected):
    result = E.check_relu_one_at_zero(answer)
    assert result.status == "failed"
    assert expected in result.message, result.message


def count_patterns(W, b, points):
    return len(np.unique(points @ W.T + b > 0, axis=0))


def count_patterns_with_a_set(W, b, points):              # another correct method
    return len({tuple(row) for row in (points @ W.T + b > 0)})


def test_count_patterns_passes():
    for answer in (count_patterns, count_patterns_with_a_set):
        result = E.check_count_patterns(answer)
        assert result.passed and result.checks_passed == 5, result
        assert repr(result).startswith("[PASSED] Exercise 3.3")


def test_count_patterns_not_attempted():
    assert E.check_count_patterns(stub).status == "not attempted"


def modifies(W, b, points):
    points *= 2
    return count_patterns(W, b, points)


@pytest.mark.parametrize("answer, expected", [
    (lambda W, b, p: len(np.unique(p @ W.T + b >= 0, axis=0)), "not z >= 0"),
    (lambda W, b, p: 2 ** len(b), "not all 2^n"),
    (lambda W, b, p: len(p), "distinct patterns, not points"),
    (lambda W, b, p: float(count_patterns(W, b, p)), "expected an int"),
    (lambda W, b, p: 1 + len(b) + len(b) * (len(b) - 1) // 2, "expected"),
    (modifies, "in place"),
], ids=["z>=0", "all-patterns", "points", "float", "formula", "in-place"])
def test_count_patterns_explains_the_mistake(answer, expected):
    result = E.check_count_patterns(answer)
    assert result.status == "failed"
    assert expected in result.message, result.message


def test_chapter_3_checks_are_exported():
    for name in ch03.__all__:
        assert getattr(E, name) is getattr(ch03, name)
