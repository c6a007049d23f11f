"""Exercise checks for chapter 12, "Challenges and limitations"."""

from __future__ import annotations

import numbers

import torch

from ._core import Failure, Pending, call, exercise, show

__all__ = ["check_born_dead_min_width", "check_relu_grad_at_zero_trick",
           "check_second_derivative_autograd"]


def _born_dead_bound(width: int, depth: int) -> float:
    """1 - (1 - 2^-width)^depth, the chance that some layer is all zero at one input."""
    return 1.0 - (1.0 - 2.0 ** -width) ** depth


@exercise("Exercise 12.1 (how wide to stay alive)")
def check_born_dead_min_width(tally, min_width_for) -> str:
    r"""Check ``min_width_for(depth, max_probability)``: the smallest width :math:`N \ge 1`
    such that a network of ``depth`` hidden layers of :math:`N` ReLU units has
    :math:`1 - (1 - 2^{-N})^{L} \le` ``max_probability``.

    Example:
        >>> def min_width_for(depth, max_probability):
        ...     n = 1
        ...     while 1 - (1 - 2.0 ** -n) ** depth > max_probability:
        ...         n += 1
        ...     return n
        >>> check_born_dead_min_width(min_width_for).passed
        True
        >>> check_born_dead_min_width(lambda depth, p: 8).status
        'failed'
    """
    cases = [(1, 0.5), (1, 0.3), (10, 0.5), (10, 0.05), (40, 0.1), (50, 0.01), (100, 0.5),
             (200, 0.001), (3, 0.9)]
    for depth, p in cases:
        got = call(min_width_for, "min_width_for", depth, p)
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise Failure(f"min_width_for({depth}, {p}) returned {got!r} "
                          f"({type(got).__name__}); expected an int, a number of units")
        expected = 1
        while _born_dead_bound(expected, depth) > p:
            expected += 1
        if got != expected:
            if got < expected:
                hint = (f"with {got} units the bound is {_born_dead_bound(int(got), depth):.4f}, "
                        f"above {p}") if got >= 1 else "a width is at least 1"
            else:
                hint = (f"{got - 1} units already give a bound of "
                        f"{_born_dead_bound(int(got) - 1, depth):.4f} <= {p}: look for the "
                        f"smallest width")
            raise Failure(f"min_width_for({depth}, {p}) returned {got}; expected {expected} "
                          f"({hint})")
        tally.ok()
    return ("The width needed grows only like log2 of the depth: doubling the depth costs "
            "about one more unit per layer.")


@exercise("Exercise 12.2 (choosing ReLU'(0) with one line)")
def check_relu_grad_at_zero_trick(tally, relu_with_grad_at_zero) -> str:
    r"""Check ``relu_with_grad_at_zero(x, s)``: values ``max(0, x)`` exactly, and an autograd
    gradient of 1 for ``x > 0``, 0 for ``x < 0`` and ``s`` at ``x == 0``.

    Example:
        >>> def relu_with_grad_at_zero(x, s):
        ...     at_zero = (x == 0).to(x.dtype)
        ...     return torch.relu(x) + s * at_zero * (x - x.detach())
        >>> check_relu_grad_at_zero_trick(relu_with_grad_at_zero).passed
        True
        >>> check_relu_grad_at_zero_trick(lambda x, s: torch.relu(x)).status   # s ignored
        'failed'
    """
    gen = torch.Generator().manual_seed(12)
    inputs = [torch.tensor([-2.0, -0.5, 0.0, 0.0, 0.5, 3.0], dtype=torch.float64),
              torch.cat([torch.randn(7, generator=gen, dtype=torch.float64),
                         torch.zeros(3, dtype=torch.float64)]).reshape(2, 5),
              torch.tensor([0.0, -1.0, 1.0], dtype=torch.float32)]
    for s in (0.0, 0.5, 1.0):
        for x in inputs:
            xg = x.clone().requires_grad_(True)
            out = call(relu_with_grad_at_zero, "relu_with_grad_at_zero", xg, s)
            if not isinstance(out, torch.Tensor):
                raise Failure(f"relu_with_grad_at_zero(x, {s}) returned a {type(out).__name__}; "
                              f"expected a tensor")
            expected = x.clamp_min(0)
            if out.shape != x.shape or not torch.equal(out.detach().to(x.dtype), expected):
                raise Failure(f"relu_with_grad_at_zero({show(x)}, {s}) returned "
                              f"{show(out)}; the values must be max(0, x) exactly")
            if not out.requires_grad:
                raise Failure("the result does not depend on x for autograd (did you detach "
                              "everything, or use NumPy?)")
            (grad,) = torch.autograd.grad(out.sum(), xg, allow_unused=True)
            grad = torch.zeros_like(x) if grad is None else grad
            want = torch.where(x > 0, 1.0, torch.where(x == 0, s, 0.0)).to(x.dtype)
            if not torch.allclose(grad, want):
                where = "at x = 0" if not torch.allclose(grad[x == 0], want[x == 0]) else \
                    "away from 0"
                raise Failure(f"for x = {show(x)} and s = {s}, autograd gives the gradient "
                              f"{show(grad)}; expected {show(want)} (wrong {where})")
            tally.ok()
    return ("Adding s * [x == 0] * (x - x.detach()) changes no value (it is exactly 0) but adds "
            "s to the gradient exactly where x == 0.")


def _call_second_derivative(second_derivative, f, x: torch.Tensor, what: str):
    """Call the learner's function; say which function failed, not the whole input."""
    if not callable(second_derivative):
        raise Failure(f"`second_derivative` should be a function, got "
                      f"{type(second_derivative).__name__}")
    try:
        return second_derivative(f, x.clone())
    except NotImplementedError:
        raise Pending("`second_derivative` is not implemented yet: replace `raise "
                      "NotImplementedError` with your code, then run this cell again.") from None
    except Exception as exc:  # the learner's code failed: say for which function
        hint = ""
        if isinstance(exc, RuntimeError) and "grad" in str(exc):
            hint = (" -- here the first derivative does not depend on x at all (as for a "
                    "linear function or a ReLU network), so autograd has nothing to "
                    "differentiate: check df.requires_grad (or use allow_unused=True) and "
                    "return zeros in that case")
        raise Failure(f"second_derivative({what}) raised {type(exc).__name__}: {exc}{hint}") \
            from None


def _check_values(name: str, got, expected: torch.Tensor, what: str, atol: float) -> None:
    if not isinstance(got, torch.Tensor):
        raise Failure(f"second_derivative({what}) returned a {type(got).__name__}; expected a "
                      f"tensor")
    if got.numel() != expected.numel():
        raise Failure(f"second_derivative({what}) returned {got.numel()} values for "
                      f"{expected.numel()} points; return one value per point")
    got = got.detach().reshape(-1).to(expected.dtype)
    if not torch.isfinite(got).all() or not torch.allclose(got, expected, rtol=1e-4, atol=atol):
        worst = (got - expected).abs().argmax().item()
        raise Failure(f"second_derivative({what}) is {got[worst].item():.6g} at point "
                      f"{worst}; expected {expected[worst].item():.6g}")


@exercise("Exercise 12.3 (second derivatives by autograd)")
def check_second_derivative_autograd(tally, second_derivative) -> str:
    r"""Check ``second_derivative(f, x)``: :math:`f''` at each point of ``x`` (shape
    ``(N, 1)``), for a function ``f`` that maps ``(N, 1)`` to ``(N, 1)`` elementwise -- a
    formula or a one-input network -- by automatic differentiation.

    Example:
        >>> def second_derivative(f, x):
        ...     x = x.detach().clone().requires_grad_(True)
        ...     (df,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        ...     if not df.requires_grad:               # df does not depend on x at all
        ...         return torch.zeros_like(x)
        ...     (d2f,) = torch.autograd.grad(df.sum(), x, allow_unused=True)
        ...     return torch.zeros_like(x) if d2f is None else d2f
        >>> check_second_derivative_autograd(second_derivative).passed
        True
    """
    from ..models import mlp

    x = torch.linspace(-2.0, 2.0, 41, dtype=torch.float64).reshape(-1, 1)
    formulas = [("sin", torch.sin, -torch.sin(x)), ("x**3", lambda t: t ** 3, 6 * x),
                ("exp(-x**2)", lambda t: torch.exp(-t ** 2),
                 (4 * x ** 2 - 2) * torch.exp(-x ** 2)),
                ("3 x + 1", lambda t: 3 * t + 1, torch.zeros_like(x))]
    for what, f, expected in formulas:
        got = _call_second_derivative(second_derivative, f, x, f"{what}, x")
        _check_values(what, got, expected.reshape(-1), f"{what}, x", 1e-8)
        tally.ok()
    state = torch.random.get_rng_state()
    try:
        torch.manual_seed(12)
        tanh_net = mlp(1, [8, 8], 1, "tanh").double()
        relu_net = mlp(1, [8, 8], 1, "relu").double()
    finally:
        torch.random.set_rng_state(state)
    h = 1e-4
    with torch.no_grad():
        fd = (tanh_net(x + h) - 2 * tanh_net(x) + tanh_net(x - h)) / h ** 2
    got = _call_second_derivative(second_derivative, tanh_net, x, "a tanh network, x")
    _check_values("tanh network", got, fd.reshape(-1), "a tanh network, x", 1e-5)
    tally.ok()
    got = _call_second_derivative(second_derivative, relu_net, x, "a ReLU network, x")
    _check_values("ReLU network", got, torch.zeros(len(x), dtype=torch.float64),
                  "a ReLU network, x", 0.0)
    tally.ok()
    return ("For the ReLU network autograd's f'' is exactly 0 everywhere it looks: the slope "
            "is piecewise constant, and the kinks, where it jumps, are never sampled.")
