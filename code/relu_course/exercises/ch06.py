"""Exercise checks for chapter 6, "Leaky ReLU"."""

from __future__ import annotations

import math

import numpy as np
import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_leaky_relu_with_grad", "check_rrelu_xu_divisor"]


@exercise("Exercise 6.1 (Leaky ReLU and its derivative)")
def check_leaky_relu_with_grad(tally, leaky_relu_with_grad) -> str:
    """Check ``leaky_relu_with_grad(x, negative_slope) -> (y, dydx)`` written with NumPy.

    ``y`` must match ``torch.nn.functional.leaky_relu`` and ``dydx`` the derivative that
    PyTorch's autograd uses: 1 for ``x > 0`` and ``negative_slope`` for ``x <= 0`` (so also at
    exactly 0). The input must not be modified.

    Example:
        >>> def leaky_relu_with_grad(x, negative_slope):
        ...     return (np.where(x > 0, x, negative_slope * x),
        ...             np.where(x > 0, 1.0, negative_slope))
        >>> check_leaky_relu_with_grad(leaky_relu_with_grad).passed
        True
        >>> check_leaky_relu_with_grad(lambda x, a: (np.maximum(x, 0), (x > 0) * 1.0)).status
        'failed'
    """
    rng = np.random.default_rng(6)
    cases = [(np.array([-3.0, -0.5, 0.0, 0.5, 2.0]), 0.01),
             (np.array([-3.0, -0.5, 0.0, 0.5, 2.0]), 0.2),
             (rng.normal(size=(4, 5)), 0.3),
             (np.concatenate([rng.normal(size=6), [0.0, -0.0]]), 0.1)]
    for x, slope in cases:
        given = x.copy()
        got = call(leaky_relu_with_grad, "leaky_relu_with_grad", given, slope)
        if not np.array_equal(given, x):
            raise Failure("leaky_relu_with_grad modified its input x in place; compute new "
                          "arrays instead")
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"leaky_relu_with_grad should return a pair (y, dydx), "
                          f"got {type(got).__name__}")
        xt = torch.tensor(x, requires_grad=True)
        yt = torch.nn.functional.leaky_relu(xt, negative_slope=slope)
        (gt,) = torch.autograd.grad(yt.sum(), xt)
        where = f"x = {show(x)}, negative_slope = {slope:g}"
        for name, value, ref in (("y", got[0], yt.detach().numpy()), ("dydx", got[1], gt.numpy())):
            value = np.asarray(value, dtype=float)
            if value.shape != ref.shape:
                raise Failure(f"for {where}: {name} has shape {value.shape}; expected "
                              f"{ref.shape}, the shape of x")
            if np.allclose(value, ref, rtol=1e-9, atol=1e-12):
                continue
            hint = ""
            if name == "y" and np.allclose(value, np.maximum(x, 0.0)):
                hint = " -- that is plain ReLU; negative inputs should be multiplied by the slope"
            elif name == "y" and (x < 0).any():
                ratios = value[x < 0] / x[x < 0]
                if np.allclose(ratios, ratios[0]):
                    hint = (f" -- negative inputs were multiplied by {ratios[0]:g}, not by "
                            f"negative_slope = {slope:g}: use the argument")
            elif name == "dydx":
                at_zero = (x == 0) & ~np.isclose(value, ref)
                if at_zero.any() and np.allclose(value[x != 0], ref[x != 0]):
                    hint = (f" -- only at x = 0: PyTorch uses the negative slope there "
                            f"({slope:g}), i.e. the test is x > 0, not x >= 0")
                elif np.allclose(value[x < 0], 0.0):
                    hint = " -- for x < 0 the derivative is the slope, not 0"
            raise Failure(f"for {where}: {name} = {show(value)}; expected {show(ref)}{hint}")
        tally.ok()
    return "The derivative is 1 for x > 0 and the slope for x <= 0, exactly as autograd's."


_XU_LOW, _XU_HIGH = 3.0, 8.0


@exercise("Exercise 6.2 (RReLU as Xu et al. wrote it)")
def check_rrelu_xu_divisor(tally, rrelu_xu) -> str:
    """Check ``rrelu_xu(x, training, generator)``, Xu et al.'s randomised leaky ReLU.

    In training mode each negative element is divided by its own ``a ~ U(3, 8)`` drawn with
    ``generator``; non-negative elements pass unchanged. In evaluation mode every negative
    element is divided by the mean divisor ``(3 + 8) / 2 = 5.5``.

    Example:
        >>> def rrelu_xu(x, training, generator):
        ...     if not training:
        ...         return torch.where(x >= 0, x, x / 5.5)
        ...     a = 3 + 5 * torch.rand(x.shape, generator=generator, dtype=x.dtype)
        ...     return torch.where(x >= 0, x, x / a)
        >>> check_rrelu_xu_divisor(rrelu_xu).passed
        True
    """
    mean_divisor = (_XU_LOW + _XU_HIGH) / 2
    x = torch.tensor([-4.0, -1.0, -0.25, 0.0, 0.5, 3.0], dtype=torch.float64)
    for training in (False, True):
        gen = torch.Generator().manual_seed(0)
        given = x.clone()
        got = call(rrelu_xu, "rrelu_xu", given, training, gen)
        if not torch.equal(given, x):
            raise Failure("rrelu_xu modified its input x in place; return a new tensor")
        if not isinstance(got, torch.Tensor) or got.shape != x.shape:
            raise Failure(f"rrelu_xu(x, training={training}, ...) should return a tensor of "
                          f"x's shape {tuple(x.shape)}, got {show(got)}")
        got = got.detach().double()
        if not torch.allclose(got[x >= 0], x[x >= 0]):
            raise Failure(f"rrelu_xu({show(x)}, training={training}, ...) = {show(got)}: "
                          f"inputs >= 0 must pass unchanged")
        if not training:
            expected = torch.where(x >= 0, x, x / mean_divisor)
            if not torch.allclose(got, expected):
                hint = ""
                if torch.allclose(got, torch.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2)):
                    hint = (" -- that is PyTorch's evaluation slope (1/8 + 1/3)/2; Xu et al. "
                            "divide by the mean divisor (3 + 8)/2 instead")
                raise Failure(f"in evaluation mode rrelu_xu({show(x)}) = {show(got)}; "
                              f"expected {show(expected)} (x / 5.5 for x < 0){hint}")
        tally.ok()

    n = 200_000
    neg = -torch.ones(n, dtype=torch.float64)
    outs = []
    for _ in range(2):
        gen = torch.Generator().manual_seed(123)
        out = call(rrelu_xu, "rrelu_xu", neg.clone(), True, gen)
        if not isinstance(out, torch.Tensor) or out.shape != neg.shape:
            raise Failure(f"rrelu_xu(-ones({n}), training=True, ...) should return a tensor of "
                          f"shape ({n},)")
        outs.append(out.detach().double())
    if not torch.equal(outs[0], outs[1]):
        raise Failure("two calls with identically seeded generators gave different results: "
                      "draw the random numbers with the `generator` argument, e.g. "
                      "torch.rand(x.shape, generator=generator)")
    tally.ok()
    slopes = -outs[0]                                    # y / x with x = -1
    if slopes.std() < 1e-3:
        raise Failure(f"in training mode every element got the same slope "
                      f"({slopes[0].item():.4f}); draw one divisor per element")
    low, high = slopes.min().item(), slopes.max().item()
    if low < 1 / _XU_HIGH - 1e-9 or high > 1 / _XU_LOW + 1e-9:
        raise Failure(f"in training mode the slopes 1/a range from {low:.4f} to {high:.4f}; "
                      f"with a ~ U(3, 8) they must lie in [1/8, 1/3] = [0.125, 0.333]")
    tally.ok()
    mean_slope = slopes.mean().item()
    expected_mean = math.log(_XU_HIGH / _XU_LOW) / (_XU_HIGH - _XU_LOW)     # E[1/a]
    if abs(mean_slope - expected_mean) > 3e-3:
        hint = ""
        if abs(mean_slope - (1 / 8 + 1 / 3) / 2) < 3e-3:
            hint = (" -- your slopes are uniform on [1/8, 1/3], which is PyTorch's nn.RReLU; "
                    "Xu et al. draw the divisor a uniformly from [3, 8] and use x / a")
        raise Failure(f"in training mode the mean slope over {n} elements is "
                      f"{mean_slope:.4f}; for x / a with a ~ U(3, 8) it should be "
                      f"E[1/a] = ln(8/3)/5 = {expected_mean:.4f}{hint}")
    tally.ok()
    return (f"Mean training slope {mean_slope:.3f} (= ln(8/3)/5), evaluation slope 1/5.5 = "
            f"{1 / mean_divisor:.3f}: not the same number, unlike PyTorch's version.")
