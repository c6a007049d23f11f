"""Exercise checks for chapter 3, "ReLU explained".

The chapter's exercises use :func:`check_linear_relu_backward` (3.1),
:func:`check_relu_one_at_zero` (3.2) and :func:`check_count_patterns` (3.3).
"""

from __future__ import annotations

import numpy as np
import torch

from ._core import Failure, Pending, call, exercise, show

__all__ = ["check_linear_relu_backward", "check_relu_one_at_zero", "check_count_patterns"]


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


def _apply(function_class, x):
    """``function_class.apply(x)``, after checking that it is an autograd Function."""
    if not (isinstance(function_class, type)
            and issubclass(function_class, torch.autograd.Function)):
        raise Failure(f"pass the class itself, a subclass of torch.autograd.Function; got "
                      f"{function_class!r}")
    return call(function_class.apply, "ReLUOneAtZero.apply", x)


@exercise("Exercise 3.2 (a ReLU with ReLU'(0) = 1)")
def check_relu_one_at_zero(tally, function_class) -> str:
    """Check a ``torch.autograd.Function`` subclass that computes ``max(0, x)`` with a
    hand-written backward whose derivative at exactly 0 is 1 (``grad * (x >= 0)``).

    Values must equal ``torch.relu``'s; gradients must equal autograd's for ``torch.relu``
    away from 0 and pass the incoming gradient unchanged where the input is exactly 0.

    Example:
        >>> class Reference(torch.autograd.Function):
        ...     @staticmethod
        ...     def forward(ctx, x):
        ...         ctx.save_for_backward(x)
        ...         return x.clamp_min(0)
        ...     @staticmethod
        ...     def backward(ctx, grad_out):
        ...         (x,) = ctx.saved_tensors
        ...         return torch.where(x >= 0, grad_out, 0.0)
        >>> check_relu_one_at_zero(Reference).passed
        True
    """
    gen = torch.Generator().manual_seed(3)
    inputs = [torch.tensor([-2.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.float64),
              torch.randn(4, 5, generator=gen, dtype=torch.float64),
              torch.cat([torch.zeros(3, dtype=torch.float64),
                         torch.randn(5, generator=gen, dtype=torch.float64)])]
    for x in inputs:
        leaf = x.clone().requires_grad_()
        out = _apply(function_class, leaf)
        if not isinstance(out, torch.Tensor):
            raise Failure(f"forward returned a {type(out).__name__}; expected a tensor")
        if out.shape != x.shape or not torch.equal(out.detach(), torch.relu(x)):
            raise Failure(f"the forward pass of {show(x)} gave {show(out)}; expected "
                          f"{show(torch.relu(x))}")
        tally.ok()
        if not out.requires_grad:
            raise Failure("the output does not require grad: did forward detach it, or "
                          "return a NumPy array?")
        grad_out = torch.randn(x.shape, generator=gen, dtype=torch.float64)
        try:
            (got,) = torch.autograd.grad(out, leaf, grad_out)
        except NotImplementedError:
            raise Pending("`backward` is not implemented yet: replace `raise "
                          "NotImplementedError` with your code, then run this cell "
                          "again.") from None
        except Exception as exc:
            raise Failure(f"the backward pass raised {type(exc).__name__}: {exc}") from None
        want = torch.where(x >= 0, grad_out, 0.0)
        if got.shape != x.shape or not torch.allclose(got, want, rtol=1e-12, atol=0.0):
            hint = ""
            zero = x == 0
            if zero.any() and torch.allclose(got[~zero], want[~zero]) \
                    and torch.equal(got[zero], torch.zeros_like(got[zero])):
                hint = (" -- only the entries where x = 0 differ, and they are 0: the output "
                        "is 0 both at x = 0 and for negative x, so it cannot tell them "
                        "apart; save the input instead")
            raise Failure(f"for x = {show(x)} and grad_out = {show(grad_out)} the backward "
                          f"returned {show(got)}; expected {show(want)}{hint}")
        tally.ok()
    return ("ReLU'(0) = 1 needs the input, not the output: the output is 0 at x = 0 "
            "and for every negative x alike.")


def _count_patterns_reference(W, b, points) -> int:
    active = points @ W.T + b > 0
    return len(np.unique(active, axis=0))


@exercise("Exercise 3.3 (counting activation patterns)")
def check_count_patterns(tally, count_patterns) -> str:
    """Check ``count_patterns(W, b, points)``: the number of distinct activation patterns
    (which units have ``z > 0``) of the layer ``z = points @ W.T + b`` over the given points.

    Example:
        >>> check_count_patterns(lambda W, b, p: 1).status
        'failed'
    """
    rng = np.random.default_rng(11)
    cases = []
    # two parallel lines: three strips, not four quadrants
    cases.append((np.array([[1.0, 0.0], [1.0, 0.0]]), np.array([0.0, -1.0]),
                  rng.uniform(-3, 3, size=(400, 2))))
    # one unit, points on one side and one exactly on the line (z = 0 counts as off)
    cases.append((np.array([[1.0, 0.0]]), np.array([0.0]),
                  np.array([[-1.0, 0.0], [0.0, 1.0], [-2.0, 0.5]])))
    for n in (2, 3, 5):
        W, b = rng.normal(size=(n, 2)), rng.normal(size=n)
        cases.append((W, b, rng.uniform(-4, 4, size=(3000, 2))))
    for W, b, points in cases:
        args = (W.copy(), b.copy(), points.copy())
        got = call(count_patterns, "count_patterns", *args)
        if not all(np.array_equal(a, c) for a, c in zip(args, (W, b, points))):
            raise Failure("count_patterns modified one of its arguments in place")
        want = _count_patterns_reference(W, b, points)
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise Failure(f"count_patterns returned {got!r} ({type(got).__name__}); "
                          f"expected an int")
        if got != want:
            hint = ""
            if got == len(np.unique(points @ W.T + b >= 0, axis=0)):
                hint = (" -- a point with z exactly 0 is off (ReLU(0) = 0): test z > 0, "
                        "not z >= 0")
            elif got == 2 ** len(b):
                hint = " -- count the patterns that occur at the points, not all 2^n"
            elif got == len(points):
                hint = " -- count distinct patterns, not points (np.unique with axis=0)"
            raise Failure(f"for {len(b)} units and {len(points)} points: you counted {got} "
                          f"patterns; expected {want}{hint}")
        tally.ok()
    return ("Each pattern is one linear region that the points reach: at most "
            "1 + n + n(n-1)/2 for n lines.")
