"""Tests of chapter 1's exercise checks that the shared test file does not cover: the
feedback of Exercise 1.1 gives a hint, not the answer."""

from __future__ import annotations

import numpy as np

from relu_course.exercises import ch01


def _solution():
    return (np.array([[1.0, 1.0], [1.0, 1.0]]), np.array([0.0, -1.0]),
            np.array([1.0, -2.0]), 0.0)


def test_xor_hint_names_the_failing_input_and_property():
    result = ch01.check_xor_relu_weights(lambda: (np.eye(2), np.zeros(2), np.ones(2), 0.0))
    assert result.status == "failed"
    message = result.message
    assert "(1, 1)" in message and "both units are on" in message
    assert "affine" in message and "on at some corners and off at others" in message


def test_xor_feedback_does_not_give_the_weights_away():
    wrong = [
        lambda: (np.eye(2), np.zeros(2), np.ones(2), 0.0),
        lambda: (np.eye(2), -np.ones(2), np.ones(2), 0.0),
        lambda: (np.ones((2, 2)), np.array([0.0, -1.0]), np.array([1.0, -1.0]), 0.0),
        lambda: (np.zeros((2, 2)), np.zeros(2), np.zeros(2), 0.0),
    ]
    for answer in wrong:
        result = ch01.check_xor_relu_weights(answer)
        assert result.status == "failed", result
        for giveaway in ("x1 + x2 - 1", "-2", "[1, -2]", "positive only at"):
            assert giveaway not in result.message, result.message


def test_xor_solution_still_passes():
    result = ch01.check_xor_relu_weights(_solution)
    assert result.passed and repr(result).startswith("[PASSED] Exercise 1.1")
