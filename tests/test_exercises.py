"""relu_course.exercises: each check passes a correct answer, spots a stub, explains a mistake."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from relu_course import exercises as E


def stub(*args):
    raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Exercise: backward of a ReLU layer, in NumPy
# ---------------------------------------------------------------------------------------------

def linear_relu_backward(x, W, b, grad_out):
    z = x @ W.T + b
    g = grad_out * (z > 0)
    return g @ W, g.T @ x, g.sum(axis=0)


def counts_zero_as_active(x, W, b, grad_out):
    z = x @ W.T + b
    g = grad_out * (z >= 0)                         # relu'(0) = 1: the classic slip
    return g @ W, g.T @ x, g.sum(axis=0)


def modifies_grad_out(x, W, b, grad_out):
    z = x @ W.T + b
    grad_out *= z > 0                               # in place
    return grad_out @ W, grad_out.T @ x, grad_out.sum(axis=0)


def forgets_the_batch_sum(x, W, b, grad_out):
    z = x @ W.T + b
    g = grad_out * (z > 0)
    return g @ W, g.T @ x, g


def wrong_db_values(x, W, b, grad_out):
    dx, dW, db = linear_relu_backward(x, W, b, grad_out)
    return dx, dW, db * 2


def test_linear_relu_backward_passes():
    result = E.check_linear_relu_backward(linear_relu_backward)
    assert isinstance(result, E.CheckResult)
    assert result.status == "passed" and result.passed and bool(result)
    assert result.checks_passed == 12                  # 4 cases x (dx, dW, db)
    assert "relu'(0) = 0" in result.message
    assert repr(result).startswith("[PASSED] Exercise 3.1")


def test_linear_relu_backward_list_answer_is_accepted():
    assert E.check_linear_relu_backward(lambda *a: list(linear_relu_backward(*a))).passed


def test_linear_relu_backward_not_attempted():
    result = E.check_linear_relu_backward(stub)
    assert result.status == "not attempted" and not result
    assert "linear_relu_backward" in result.message and "NotImplementedError" in result.message
    assert repr(result).startswith("[TO DO]")


@pytest.mark.parametrize("answer, expected", [
    (counts_zero_as_active, ["x (5, 4)", "dx", "(z > 0)"]),
    (modifies_grad_out, ["modified", "in place"]),
    (forgets_the_batch_sum, ["x (1, 2)", "db", "shape (1, 3)", "expected (3,)"]),
    (wrong_db_values, ["db", "sum over the batch"]),
    (lambda x, W, b, g: linear_relu_backward(x, W, b, g)[0], ["tuple (dx, dW, db)", "ndarray"]),
    (lambda x, W, b, g: 1 / 0, ["linear_relu_backward(", "ZeroDivisionError"]),
    ("not a function", ["should be a function", "str"]),
], ids=["relu-prime-at-0", "in-place", "no-batch-sum", "wrong-db", "returns-one-array",
        "raises", "not-callable"])
def test_linear_relu_backward_explains_the_mistake(answer, expected):
    result = E.check_linear_relu_backward(answer)
    assert result.status == "failed" and not result
    for text in expected:
        assert text in result.message
    assert repr(result).startswith("[NOT YET]")


def test_relu_prime_at_zero_is_caught_only_by_the_zero_case():
    # The slip goes unnoticed on random inputs: the first three cases pass (9 checks).
    result = E.check_linear_relu_backward(counts_zero_as_active)
    assert result.checks_passed == 9


def test_check_does_not_modify_the_learners_view_of_the_inputs():
    seen = []

    def spy(x, W, b, grad_out):
        seen.append(x.copy())
        return linear_relu_backward(x, W, b, grad_out)

    E.check_linear_relu_backward(spy)
    assert len(seen) == 4 and (seen[3][0] == 0).all()      # the exactly-zero input row


# ---------------------------------------------------------------------------------------------
# Exercise: ReLU from |x|
# ---------------------------------------------------------------------------------------------

def test_relu_via_abs_passes():
    result = E.check_relu_via_abs(lambda x: (x + x.abs()) / 2)
    assert result.passed and result.checks_passed == 3
    assert "0.5" in result.message


def test_relu_via_abs_not_attempted():
    assert E.check_relu_via_abs(stub).status == "not attempted"


@pytest.mark.parametrize("answer, expected", [
    (torch.relu, ["autograd gives 0 at x = 0", "abs"]),
    (lambda x: x.clamp(min=0), ["autograd gives", "clamp"]),
    (lambda x: x + x.abs(), ["relu_via_abs([-3.", "expected [0."]),
    (lambda x: ((x + x.abs()) / 2).detach(), ["not differentiable"]),
    (lambda x: ((x + x.abs()) / 2).numpy(), ["returned a ndarray", "torch.Tensor"]),
    (lambda x: ((x + x.abs()) / 2).flatten(), ["relu_via_abs("]),
], ids=["torch.relu", "clamp", "twice-too-big", "detached", "numpy", "wrong-shape"])
def test_relu_via_abs_explains_the_mistake(answer, expected):
    result = E.check_relu_via_abs(answer)
    assert result.status == "failed"
    for text in expected:
        assert text in result.message


# ---------------------------------------------------------------------------------------------
# Exercise: counting regions
# ---------------------------------------------------------------------------------------------

def test_max_regions_passes():
    result = E.check_max_regions(lambda n: 1 + n + n * (n - 1) // 2)
    assert result.passed and result.checks_passed == 13
    assert E.check_max_regions(lambda n: np.int64(1 + n + n * (n - 1) // 2)).passed


def test_max_regions_not_attempted():
    assert E.check_max_regions(stub).status == "not attempted"


@pytest.mark.parametrize("answer, expected", [
    (lambda n: 2 + n + n * (n - 1) // 2, "max_regions(0) returned 2; expected 1"),
    (lambda n: n + n * (n - 1) // 2, "max_regions(0) returned 0; expected 1"),
    (lambda n: 2**n, "max_regions(3) returned 8; expected 7"),
    (lambda n: 1 + n + n * (n - 1) / 2, "returned 1.0 (float); expected an int"),
    (lambda n: True, "(bool); expected an int"),
], ids=["off-by-one-up", "off-by-one-down", "exponential", "float", "bool"])
def test_max_regions_explains_the_mistake(answer, expected):
    result = E.check_max_regions(answer)
    assert result.status == "failed"
    assert expected in result.message


def test_check_result_dataclass():
    result = E.CheckResult("Exercise 9", "failed", "nope", 2)
    assert not result and result.details == []
    assert repr(result) == "[NOT YET] Exercise 9: nope"
    assert repr(E.CheckResult("Exercise 9", "not attempted", "later")).startswith("[TO DO]")
