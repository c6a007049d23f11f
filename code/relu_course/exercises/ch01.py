"""Exercise checks for chapter 1, "What is an activation function?"."""

from __future__ import annotations

import numpy as np
import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_xor_relu_weights", "check_hinge_least_squares"]

#: The four corners of the unit square and XOR's value at each.
_XOR_INPUTS = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
_XOR_TARGETS = np.array([0.0, 1.0, 1.0, 0.0])


def _as_array(value, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` (array, tensor, list or number) as a float64 array of ``shape``, or a Failure."""
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise Failure(f"{what} should be numbers, got {value!r}") from None
    if shape == () and array.size == 1:
        array = array.reshape(())
    if array.shape != shape:
        raise Failure(f"{what} should have shape {shape}, got {array.shape}")
    if not np.isfinite(array).all():
        raise Failure(f"{what} contains NaN or infinity: {show(array)}")
    return array


@exercise("Exercise 1.1 (XOR with two ReLU units)")
def check_xor_relu_weights(tally, xor_weights) -> str:
    """Check ``xor_weights() -> (W1, b1, w2, b2)`` for the network
    ``f(x) = w2 . relu(W1 x + b1) + b2`` with two hidden units (``W1: (2, 2)``, ``b1: (2,)``,
    ``w2: (2,)``, ``b2`` a number), which must give XOR's value, 0 or 1, at each corner of the
    unit square (to within 1e-6).

    Example:
        >>> identity_layer = (np.eye(2), np.zeros(2), np.ones(2), 0.0)   # f = x1 + x2 here
        >>> check_xor_relu_weights(lambda: identity_layer).status
        'failed'
    """
    got = call(xor_weights, "xor_weights")
    if not isinstance(got, (tuple, list)) or len(got) != 4:
        kind = type(got).__name__ + (f" of length {len(got)}" if isinstance(got, (tuple, list))
                                     else "")
        raise Failure(f"xor_weights() should return a tuple (W1, b1, w2, b2), got a {kind}")
    W1 = _as_array(got[0], "W1", (2, 2))
    b1 = _as_array(got[1], "b1", (2,))
    w2 = _as_array(got[2], "w2", (2,))
    b2 = _as_array(got[3], "b2", ())
    tally.ok()
    for x, target in zip(_XOR_INPUTS, _XOR_TARGETS):
        z = W1 @ x + b1                                   # pre-activations of the two units
        out = float(w2 @ np.maximum(z, 0.0) + b2)
        if not abs(out - target) <= 1e-6:
            hint = ""
            if (z > 0).all() or (z <= 0).all():
                hint = (" -- at this input both units are "
                        f"{'on' if (z > 0).all() else 'off'}. A unit that is on at all four "
                        f"corners, or off at all four, acts there as an affine function, and "
                        f"no affine function is XOR: at least one unit must be on at some "
                        f"corners and off at others. Sketch the line on which each unit "
                        f"switches.")
            raise Failure(f"for the input ({x[0]:g}, {x[1]:g}) the network outputs {out:.4g}, "
                           f"but XOR is {target:g} (pre-activations {show(z)}){hint}")
        tally.ok()
    return ("Two ReLU units and one output solve XOR exactly, which no linear model can do "
            "(it would need f(0,0) + f(1,1) = f(0,1) + f(1,0)).")


def _least_squares(x: np.ndarray, y: np.ndarray, knots: np.ndarray) -> np.ndarray:
    """The reference fit: [bias, coefficients] minimising the squared error."""
    design = np.column_stack([np.ones_like(x), np.maximum(x[:, None] - knots[None, :], 0.0)])
    return np.linalg.lstsq(design, y, rcond=None)[0]


def _hinge_mse(bias: float, coefficients: np.ndarray, x: np.ndarray, y: np.ndarray,
               knots: np.ndarray) -> float:
    fitted = bias + np.maximum(x[:, None] - knots[None, :], 0.0) @ coefficients
    return float(np.mean((fitted - y) ** 2))


@exercise("Exercise 1.2 (least-squares hinges)")
def check_hinge_least_squares(tally, fit_hinges) -> str:
    """Check ``fit_hinges(x, y, knots) -> (bias, coefficients)``: for data ``(x, y)`` (1-D NumPy
    arrays) and ``k`` hinge positions ``knots``, the bias ``c`` and the ``k`` coefficients
    ``v_j`` of ``f(x) = c + sum_j v_j relu(x - t_j)`` that minimise the mean squared error
    ``mean((f(x) - y)**2)``. The error is compared with a reference least-squares fit; data
    that are exactly a sum of hinges must be recovered exactly.

    Example:
        >>> def no_bias(x, y, knots):           # forgets the constant term
        ...     design = np.maximum(x[:, None] - knots, 0.0)
        ...     return 0.0, np.linalg.lstsq(design, y, rcond=None)[0]
        >>> check_hinge_least_squares(no_bias).status
        'failed'
    """
    rng = np.random.default_rng(3)
    cases = []
    x = np.linspace(-3.0, 3.0, 61)                            # exactly a sum of hinges
    knots = np.array([-2.0, -1.0, 0.5, 1.5])
    truth = np.array([0.5, 1.0, -2.5, 2.0, -1.0])             # bias, then coefficients
    cases.append((x, truth[0] + np.maximum(x[:, None] - knots, 0.0) @ truth[1:], knots, truth))
    x = np.sort(rng.uniform(-3.0, 3.0, size=80))              # noisy curve, 8 hinges
    cases.append((x, np.sin(2 * x) + 0.1 * rng.normal(size=80), np.linspace(-3, 3, 9)[:-1],
                  None))
    x = rng.uniform(-1.0, 1.0, size=40)                       # one hinge, unsorted data
    cases.append((x, np.abs(x) + 0.05 * rng.normal(size=40), np.array([0.0]), None))
    for x, y, knots, truth in cases:
        args = (x.copy(), y.copy(), knots.copy())
        got = call(fit_hinges, "fit_hinges", *args)
        if not all(np.array_equal(a, b) for a, b in zip(args, (x, y, knots))):
            raise Failure("fit_hinges modified one of its arguments in place; compute new "
                           "arrays instead")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure("fit_hinges should return a pair (bias, coefficients), got a "
                           f"{type(got).__name__}")
        k = len(knots)
        where = f"for {len(x)} points and knots {show(knots)}"
        bias = float(_as_array(got[0], f"{where}: the bias", ()))
        coefficients = _as_array(got[1], f"{where}: the coefficients (one per knot)", (k,))
        reference = _least_squares(x, y, knots)
        best = _hinge_mse(reference[0], reference[1:], x, y, knots)
        yours = _hinge_mse(bias, coefficients, x, y, knots)
        if yours > best * (1 + 1e-6) + 1e-12:
            hint = ""
            if bias == 0.0 and abs(reference[0]) > 1e-6:
                hint = " -- did you include a column of ones for the bias?"
            raise Failure(f"{where}: your fit has mean squared error {yours:.6g}, but the "
                           f"least-squares optimum is {best:.6g}{hint}")
        if truth is not None and not np.allclose(np.concatenate([[bias], coefficients]),
                                                 truth, atol=1e-8):
            raise Failure(f"{where}: the data are exactly bias {truth[0]:g} plus hinges with "
                           f"coefficients {show(truth[1:])}, but you returned bias {bias:.6g} "
                           f"and {show(coefficients)}")
        tally.ok()
    return ("With the hinges' positions fixed, the network is linear in its output weights, "
            "so the best fit is a linear least-squares problem.")
