"""Exercise checks for chapter 3, "ReLU explained"."""

from __future__ import annotations

import numpy as np
import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_linear_relu_backward", "check_relu_via_abs", "check_max_regions"]


def _linear_relu_reference(x, W, b, grad_out):
    """Gradients of sum(grad_out * relu(x @ W.T + b)) by autograd, in float64."""
    t = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, W, b)]
    y = torch.relu(t[0] @ t[1].T + t[2])
    y.backward(torch.tensor(grad_out, dtype=torch.float64))
    return tuple(a.grad.numpy() for a in t)


@exercise("Exercise 3.1 (backward of a ReLU layer)")
def check_linear_relu_backward(tally, linear_relu_backward) -> str:
    """Check ``linear_relu_backward(x, W, b, grad_out) -> (dx, dW, db)`` written with NumPy.

    The layer is ``y = relu(x @ W.T + b)`` with ``x: (N, d_in)``, ``W: (d_out, d_in)``,
    ``b: (d_out,)``; ``grad_out`` is ``dL/dy``. The answer is compared with PyTorch's
    autograd, including units whose pre-activation is exactly 0 (where ``relu'(0) = 0``).

    Example:
        >>> def backward(x, W, b, grad_out):
        ...     grad_z = grad_out * (x @ W.T + b > 0)
        ...     return grad_z @ W, grad_z.T @ x, grad_z.sum(axis=0)
        >>> check_linear_relu_backward(backward).passed
        True
    """
    rng = np.random.default_rng(7)
    cases = []
    for n, d_in, d_out in [(1, 2, 3), (5, 4, 3), (8, 3, 6)]:
        cases.append((rng.normal(size=(n, d_in)), rng.normal(size=(d_out, d_in)),
                      rng.normal(size=d_out), rng.normal(size=(n, d_out))))
    # Pre-activations exactly 0: a zero input row and zero biases in the first two units.
    x, W, b, g = (a.copy() for a in cases[1])
    x[0] = 0.0
    b[:2] = 0.0
    cases.append((x, W, b, g))
    names = ("dx", "dW", "db")
    for x, W, b, grad_out in cases:
        args = tuple(a.copy() for a in (x, W, b, grad_out))
        got = call(linear_relu_backward, "linear_relu_backward", *args)
        if not all(np.array_equal(a, c) for a, c in zip(args, (x, W, b, grad_out))):
            raise Failure("linear_relu_backward modified one of its arguments in place; "
                           "compute new arrays instead")
        if not isinstance(got, (tuple, list)) or len(got) != 3:
            raise Failure("linear_relu_backward should return a tuple (dx, dW, db), "
                           f"got {type(got).__name__}")
        expected = _linear_relu_reference(x, W, b, grad_out)
        shape = f"x {x.shape}, W {W.shape}, b {b.shape}"
        for name, value, ref in zip(names, got, expected):
            value = np.asarray(value)
            if value.shape != ref.shape:
                raise Failure(f"for {shape}: {name} has shape {value.shape}; expected {ref.shape} "
                               f"(a gradient has the shape of what it differentiates)")
            if not np.allclose(value, ref, rtol=1e-6, atol=1e-9):
                hint = ""
                z = x @ W.T + b
                if (z == 0).any():
                    hint = (" -- this case has pre-activations exactly 0: relu'(0) should "
                            "be 0, so use (z > 0), not (z >= 0)")
                elif name == "db":
                    hint = " -- remember to sum over the batch"
                raise Failure(f"for {shape}: {name} differs from autograd's by up to "
                               f"{np.abs(value - ref).max():.3g}{hint}")
            tally.ok()
    return "Your gradients match autograd, including relu'(0) = 0."


@exercise("Exercise 3.2 (ReLU from |x|)")
def check_relu_via_abs(tally, relu_via_abs) -> str:
    """Check a torch function that computes ReLU from ``abs`` and arithmetic only.

    Values must match ``max(0, x)``; the autograd gradient at exactly 0 must be 0.5, which is
    what a formula built on ``|x|`` gives (autograd uses ``d|x|/dx = 0`` at 0).

    Example:
        >>> check_relu_via_abs(lambda x: (x + x.abs()) / 2).passed
        True
    """
    gen = torch.Generator().manual_seed(5)
    inputs = [torch.tensor([-3.0, -1.0, 0.0, 2.0, 4.5], dtype=torch.float64),
              torch.randn(3, 4, generator=gen, dtype=torch.float64)]
    for x in inputs:
        got = call(relu_via_abs, "relu_via_abs", x)
        if not isinstance(got, torch.Tensor):
            raise Failure(f"relu_via_abs({show(x)}) returned a {type(got).__name__}; "
                           f"expected a torch.Tensor")
        expected = x.clamp_min(0)
        if got.shape != x.shape or not torch.allclose(got, expected):
            raise Failure(f"relu_via_abs({show(x)}) returned {show(got)}; "
                           f"expected {show(expected)}")
        tally.ok()
    zero = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    out = call(relu_via_abs, "relu_via_abs", zero)
    if not out.requires_grad:
        raise Failure("relu_via_abs(x) is not differentiable by autograd (did you use NumPy, "
                       "or .detach()?); build it from torch operations")
    (grad,) = torch.autograd.grad(out.sum(), zero)
    if not torch.allclose(grad, torch.tensor([0.5], dtype=torch.float64)):
        raise Failure(f"autograd gives {grad.item():g} at x = 0 for your function; a formula "
                       f"made of |x| and arithmetic gives 0.5 -- did you call relu, clamp or "
                       f"maximum instead of abs?")
    tally.ok()
    return "Autograd returns 0.5 at x = 0 for (x + |x|) / 2, while torch.relu returns 0."


@exercise("Exercise 3.3 (counting regions)")
def check_max_regions(tally, max_regions) -> str:
    """Check ``max_regions(n)``: the largest number of linear regions that one hidden layer of
    ``n`` ReLU units can cut the plane into (``n`` lines in general position).

    Example:
        >>> check_max_regions(lambda n: 2 ** n).status
        'failed'
    """
    for n in range(0, 13):
        got = call(max_regions, "max_regions", n)
        expected = 1 + n + n * (n - 1) // 2
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise Failure(f"max_regions({n}) returned {got!r} ({type(got).__name__}); "
                           f"expected an int")
        if got != expected:
            hint = {0: " (with no units the whole plane is one region)",
                    1: " (one line splits the plane in two)"}.get(
                n, " (the k-th new line crosses the k-1 earlier ones, so it adds k regions)")
            raise Failure(f"max_regions({n}) returned {got}; expected {expected}{hint}")
        tally.ok()
    return "1 + n + n(n-1)/2 regions: quadratic in the width for 2-D inputs."
