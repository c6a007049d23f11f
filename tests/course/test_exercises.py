"""Tests of relu_course.exercises, part 1 (the CheckResult type and chapters 1 to 5): each check
accepts the reference solution, reports a stub as not attempted and explains the usual mistakes.
Chapters 6 to 8 are in test_exercises_variants.py, chapters 9 to 14 in test_exercises_practice.py."""

from __future__ import annotations

import inspect
import math
import statistics

import numpy as np
import pytest
import torch

from relu_course import exercises
from relu_course import exercises as E
from relu_course.analysis import stats
from relu_course.exercises import ch02
from relu_course.exercises._core import CheckResult


def stub(*args):
    raise NotImplementedError


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


def _stub(*args):
    raise NotImplementedError


def _xor_solution():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]), np.array([1.0, -2.0]),
            0.0)


def _fit_hinges(x, y, knots):
    design = np.column_stack([np.ones_like(x), np.maximum(x[:, None] - knots[None, :], 0.0)])
    solution = np.linalg.lstsq(design, y, rcond=None)[0]
    return solution[0], solution[1:]


def _normal_equations(x, y, knots):            # another correct method
    design = np.column_stack([np.ones_like(x), np.maximum(x[:, None] - knots[None, :], 0.0)])
    solution = np.linalg.solve(design.T @ design, design.T @ y)
    return solution[0], solution[1:]


def _no_bias(x, y, knots):
    design = np.maximum(x[:, None] - knots[None, :], 0.0)
    return 0.0, np.linalg.lstsq(design, y, rcond=None)[0]


def _modifies(x, y, knots):
    y -= y.mean()
    return _fit_hinges(x, y, knots)


def _close_but_not_exact(x, y, knots):
    bias, coefficients = _fit_hinges(x, y, knots)
    return bias + 1e-3, coefficients


def _stepped(x, n, step=1.0):
    centres = (torch.arange(1, n + 1, dtype=x.dtype) - 0.5) * step
    return step * torch.sigmoid(x.unsqueeze(-1) - centres).sum(-1)


def _nrelu(x, generator):
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    return torch.relu(x + noise * torch.sigmoid(x).sqrt())


def sparse_layer(h, W):
    active = np.flatnonzero(h)
    return W[:, active] @ h[active], W.shape[0] * active.size


def _sig(z):
    return 1.0 / (1.0 + math.exp(-z))


def chain_gradient(w, b, x0):
    h, g = x0, 1.0
    for wl, bl in zip(w, b):
        s = _sig(wl * h + bl)
        g *= wl * s * (1 - s)
        h = s
    return g


def chain_without_weights(w, b, x0):
    h, g = x0, 1.0
    for wl, bl in zip(w, b):
        s = _sig(wl * h + bl)
        g *= s * (1 - s)
        h = s
    return g


def chain_with_sigmoid_not_derivative(w, b, x0):
    h, g = x0, 1.0
    for wl, bl in zip(w, b):
        s = _sig(wl * h + bl)
        g *= wl * s
        h = s
    return g


def chain_that_mutates(w, b, x0):
    g = chain_gradient(w, b, x0)
    w.append(0.0)
    return g


def signal_std(fan_in, negative_slope):
    return math.sqrt(2.0 / ((1.0 + negative_slope ** 2) * fan_in))


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


def test_check_result_dataclass():
    result = E.CheckResult("Exercise 9", "failed", "nope", 2)
    assert not result and result.details == []
    assert repr(result) == "[NOT YET] Exercise 9: nope"
    assert repr(E.CheckResult("Exercise 9", "not attempted", "later")).startswith("[TO DO]")


def test_check_xor_relu_weights():
    result = E.check_xor_relu_weights(_xor_solution)
    assert result.passed and result.checks_passed == 5
    assert repr(result).startswith("[PASSED] Exercise 1.1")
    as_tensors = lambda: tuple(torch.as_tensor(a) for a in _xor_solution())   # noqa: E731
    assert E.check_xor_relu_weights(as_tensors).passed
    assert E.check_xor_relu_weights(_stub).status == "not attempted"


@pytest.mark.parametrize("answer, expected", [
    (lambda: (np.eye(2), np.zeros(2), np.ones(2), 0.0), ["(1, 1)", "outputs 2", "both units"]),
    (lambda: (np.eye(2), np.zeros(2), np.ones(2)), ["tuple (W1, b1, w2, b2)", "length 3"]),
    (lambda: (np.ones((2, 3)), np.zeros(2), np.ones(2), 0.0), ["W1", "shape (2, 2)"]),
    (lambda: (np.eye(2), np.zeros(2), np.ones(2), [0.0, 1.0]), ["b2", "shape ()"]),
    (lambda: (np.eye(2), np.zeros(2), np.array([1.0, np.nan]), 0.0), ["w2", "NaN"]),
    (lambda: 1 / 0, ["ZeroDivisionError"]),
], ids=["linear", "three-items", "W1-shape", "b2-shape", "nan", "raises"])
def test_check_xor_relu_weights_explains(answer, expected):
    result = E.check_xor_relu_weights(answer)
    assert result.status == "failed"
    for fragment in expected:
        assert fragment in result.message, result.message


def test_check_hinge_least_squares():
    result = E.check_hinge_least_squares(_fit_hinges)
    assert result.passed and result.checks_passed == 3
    assert repr(result).startswith("[PASSED] Exercise 1.2")
    as_torch = lambda x, y, t: tuple(torch.as_tensor(a) for a in _fit_hinges(x, y, t))  # noqa
    assert E.check_hinge_least_squares(as_torch).passed
    assert E.check_hinge_least_squares(_stub).status == "not attempted"


def test_check_hinge_least_squares_accepts_other_correct_methods():
    assert E.check_hinge_least_squares(_normal_equations).passed


@pytest.mark.parametrize("answer, expected", [
    (_no_bias, ["61 points", "least-squares optimum", "column of ones"]),
    (lambda x, y, t: (y[0], np.zeros(len(t))), ["mean squared error"]),
    (_close_but_not_exact, ["mean squared error"]),
    (lambda x, y, t: _fit_hinges(x, y, t)[1], ["pair (bias, coefficients)"]),
    (lambda x, y, t: (0.0, np.zeros(len(t) + 1)), ["shape (4,)", "(5,)"]),
    (_modifies, ["in place"]),
    (lambda x, y, t: 1 / 0, ["fit_hinges(", "ZeroDivisionError"]),
], ids=["no-bias", "zeros", "off-by-a-little", "one-value", "too-many", "in-place", "raises"])
def test_check_hinge_least_squares_explains(answer, expected):
    result = E.check_hinge_least_squares(answer)
    assert result.status == "failed"
    for fragment in expected:
        assert fragment in result.message, result.message


def test_exercise_checks_are_exported():
    import relu_course.exercises as E
    for name in ch02.__all__:
        assert getattr(E, name) is getattr(ch02, name)


def test_check_stepped_sigmoid_sum():
    result = ch02.check_stepped_sigmoid_sum(_stepped)
    assert result.passed and "0.0106" in result.message and "0.0026" in result.message

    def stub(x, n, step=1.0):
        raise NotImplementedError

    assert ch02.check_stepped_sigmoid_sum(stub).status == "not attempted"
    from_zero = ch02.check_stepped_sigmoid_sum(
        lambda x, n, step=1.0: step * torch.sigmoid(
            x.unsqueeze(-1) - (torch.arange(n, dtype=x.dtype) - 0.5) * step).sum(-1))
    assert not from_zero.passed and "i = 1, ..., n" in from_zero.message
    no_half = ch02.check_stepped_sigmoid_sum(
        lambda x, n, step=1.0: step * torch.sigmoid(
            x.unsqueeze(-1) - torch.arange(1, n + 1, dtype=x.dtype) * step).sum(-1))
    assert not no_half.passed and "half a step" in no_half.message
    no_width = ch02.check_stepped_sigmoid_sum(lambda x, n, step=1.0: _stepped(x, n, step) / step)
    assert not no_width.passed and "multiply the sum by the step" in no_width.message
    two_args = ch02.check_stepped_sigmoid_sum(lambda x, n: _stepped(x, n))
    assert not two_args.passed and "TypeError" in two_args.message
    softplus = ch02.check_stepped_sigmoid_sum(
        lambda x, n, step=1.0: torch.nn.functional.softplus(x))
    assert not softplus.passed and "stepped_sigmoid_sum(" in softplus.message
    flat = ch02.check_stepped_sigmoid_sum(lambda x, n, step=1.0: _stepped(x, n, step).sum())
    assert not flat.passed and "shape" in flat.message

    def in_place(x, n, step=1.0):
        out = _stepped(x, n, step)
        x.zero_()
        return out

    assert "in place" in ch02.check_stepped_sigmoid_sum(in_place).message


def test_check_noisy_relu():
    assert ch02.check_noisy_relu_nair_hinton(_nrelu).passed
    std_not_var = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: torch.relu(x + torch.randn(x.shape, generator=g, dtype=x.dtype)
                                * torch.sigmoid(x)))
    assert not std_not_var.passed and "standard deviation" in std_not_var.message
    unit = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: torch.relu(x + torch.randn(x.shape, generator=g, dtype=x.dtype)))
    assert not unit.passed and "not 1" in unit.message
    unclipped = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: x + torch.randn(x.shape, generator=g, dtype=x.dtype))
    assert not unclipped.passed and "negative" in unclipped.message
    global_rng = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: torch.relu(x + torch.randn(x.shape, dtype=x.dtype)
                                * torch.sigmoid(x).sqrt()))
    assert not global_rng.passed and "generator" in global_rng.message
    assert not ch02.check_noisy_relu_nair_hinton(lambda x, g: torch.relu(x)).passed


def test_sparse_relu_layer_passes_and_spots_mistakes():
    result = E.check_sparse_relu_layer(sparse_layer)
    assert result.passed and result.checks_passed == 8
    assert E.check_sparse_relu_layer(stub).status == "not attempted"

    dense = E.check_sparse_relu_layer(lambda h, W: (W @ h, W.size))
    assert dense.status == "failed" and "every entry of W" in dense.message
    per_input = E.check_sparse_relu_layer(lambda h, W: (W @ h, int(np.count_nonzero(h))))
    assert "whole column" in per_input.message
    wrong_y = E.check_sparse_relu_layer(lambda h, W: (W @ np.abs(h) * 2, 0))
    assert wrong_y.status == "failed" and "W @ h" in wrong_y.message
    single = E.check_sparse_relu_layer(lambda h, W: W @ h)
    assert "pair" in single.message
    float_count = E.check_sparse_relu_layer(lambda h, W: (W @ h, 4.0))
    assert "int" in float_count.message


def test_effective_gbps_passes_and_names_the_mistake():
    assert E.check_effective_gbps(lambda n, s, t: 5 * n * s / t / 1e9).passed
    assert E.check_effective_gbps(stub).status == "not attempted"
    hints = {
        (lambda n, s, t: 2 * n * s / t / 1e9): "forward pass only",
        (lambda n, s, t: 3 * n * s / t / 1e9): "backward pass only",
        (lambda n, s, t: n * s / t / 1e9): "5 passes",
        (lambda n, s, t: 5 * n * s / t / 2**30): "10**9 bytes",
        (lambda n, s, t: 5 * n * s / (t * 1e3) / 1e9): "milliseconds",
        (lambda n, s, t: 5 * n * s / t): "divide by 1e9",
        (lambda n, s, t: 7.0): "expected 20",
    }
    for fn, hint in hints.items():
        result = E.check_effective_gbps(fn)
        assert result.status == "failed" and hint in result.message, result.message
    assert "a number" in E.check_effective_gbps(lambda n, s, t: "fast").message


def test_chapter_4_checks_are_exported():
    from relu_course.exercises import ch04
    for name in ch04.__all__:
        assert getattr(E, name) is getattr(ch04, name)


def test_sigmoid_chain_gradient_check():
    result = E.check_sigmoid_chain_gradient(chain_gradient)
    assert result.passed and result.checks_passed == 5
    assert repr(result).startswith("[PASSED] Exercise 5.1")
    # a torch answer (0-d tensor) is accepted too
    assert E.check_sigmoid_chain_gradient(lambda *a: torch.tensor(chain_gradient(*a))).passed
    assert E.check_sigmoid_chain_gradient(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (chain_without_weights, "weights are missing"),
    (chain_with_sigmoid_not_derivative, "derivative"),
    (lambda w, b, x0: -chain_gradient(w, b, x0), "sign"),
    (chain_that_mutates, "modified"),
    (lambda w, b, x0: "0.25", "expected a number"),
    (lambda w, b, x0: 1 / 0, "ZeroDivisionError"),
])
def test_sigmoid_chain_gradient_check_explains_mistakes(wrong, hint):
    result = E.check_sigmoid_chain_gradient(wrong)
    assert result.status == "failed"
    assert hint in result.message


def test_signal_preserving_std_check():
    result = E.check_signal_preserving_std(signal_std)
    assert result.passed and result.checks_passed == 7
    assert repr(result).startswith("[PASSED] Exercise 5.2")
    assert E.check_signal_preserving_std(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (lambda n, a: 2.0 / ((1.0 + a * a) * n), "variance"),
    (lambda n, a: math.sqrt(2.0 / n), "negative side"),
    (lambda n, a: math.sqrt(1.0 / n), "rectifier"),
    (lambda n, a: math.sqrt(2.0 / ((1.0 + a) * n)), "expected"),
    (lambda n, a: None, "expected a number"),
])
def test_signal_preserving_std_check_explains_mistakes(wrong, hint):
    result = E.check_signal_preserving_std(wrong)
    assert result.status == "failed"
    assert hint in result.message


def test_signal_preserving_std_check_runs_the_deep_network():
    # right on the analytic cases but wrong for width 256 at slope 0.25: caught by the
    # 40-layer run, which would make the signal grow by 1.5^2 per layer
    def off_for_wide_layers(n, a):
        return signal_std(n, a) * (1.5 if n == 256 and a == 0.25 else 1.0)

    result = E.check_signal_preserving_std(off_for_wide_layers)
    assert result.status == "failed" and "40 layers" in result.message


def test_check_seed_t_interval():
    def good(values):
        n = len(values)
        return statistics.fmean(values), stats.t_quantile(0.975, n - 1) * statistics.stdev(values) / n ** 0.5

    assert exercises.check_seed_t_interval(good).passed
    assert exercises.check_seed_t_interval(_stub).status == "not attempted"
    normal = exercises.check_seed_t_interval(
        lambda v: (statistics.fmean(v), 1.96 * statistics.stdev(v) / len(v) ** 0.5))
    assert normal.status == "failed" and "1.96" in normal.message and "[0.951" in normal.message
    population = exercises.check_seed_t_interval(
        lambda v: (statistics.fmean(v),
                   stats.t_quantile(0.975, len(v) - 1) * statistics.pstdev(v) / len(v) ** 0.5))
    assert "n - 1" in population.message
    assert "pair" in exercises.check_seed_t_interval(lambda v: statistics.fmean(v)).message
    assert "mean" in exercises.check_seed_t_interval(lambda v: (0.0, 0.0)).message


def test_check_paired_seed_t_statistic():
    def good(a, b):
        d = [x - y for x, y in zip(a, b)]
        return statistics.fmean(d) / (statistics.stdev(d) / len(d) ** 0.5)

    def welch(a, b):
        n = len(a)
        return ((statistics.fmean(a) - statistics.fmean(b))
                / math.sqrt(statistics.variance(a) / n + statistics.variance(b) / n))

    assert exercises.check_paired_seed_t_statistic(good).passed
    assert "Welch" in exercises.check_paired_seed_t_statistic(welch).message
    assert "sign" in exercises.check_paired_seed_t_statistic(lambda a, b: -good(a, b)).message
    assert "number" in exercises.check_paired_seed_t_statistic(lambda a, b: "3").message


def test_check_seeds_needed_for_ci():
    def good(std, half):
        n = 2
        while stats.t_quantile(0.975, n - 1) * std / n ** 0.5 > half:
            n += 1
        return n

    def normal(std, half):
        n = 2
        while 1.96 * std / n ** 0.5 > half:
            n += 1
        return n

    assert exercises.check_seeds_needed_for_ci(good).passed
    failed = exercises.check_seeds_needed_for_ci(normal)
    assert failed.status == "failed" and "1.96" in failed.message
    assert "int" in exercises.check_seeds_needed_for_ci(lambda s, h: 5.0).message
    assert exercises.check_seeds_needed_for_ci(_stub).status == "not attempted"


def test_every_check_shows_the_learners_signature():
    # help(rc.exercises.check_...) lists what the learner passes, not the internal tally.
    checks = [getattr(E, name) for name in E.__all__ if name.startswith("check_")]
    assert len(checks) > 30
    for check in checks:
        signature = inspect.signature(check)
        assert "tally" not in signature.parameters, check.__name__
        assert signature.return_annotation is CheckResult, check.__name__
