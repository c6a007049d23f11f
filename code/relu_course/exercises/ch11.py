"""Exercise checks for chapter 11, "Training neural networks with ReLU"."""

from __future__ import annotations

import math
import numbers

import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_kaiming_uniform_bound", "check_clip_by_global_norm"]


@exercise("Exercise 11.1 (the bound of kaiming_uniform_)")
def check_kaiming_uniform_bound(tally, kaiming_uniform_bound) -> str:
    """Check ``kaiming_uniform_bound(fan_in, a) -> b``: the half-width of the uniform
    distribution ``U(-b, b)`` that ``torch.nn.init.kaiming_uniform_(w, a=a)`` draws from (with
    its defaults ``mode="fan_in"``, ``nonlinearity="leaky_relu"``).

    The answer is ``gain * sqrt(3 / fan_in)`` with ``gain = sqrt(2 / (1 + a**2))``; it is
    compared with the formula and with the largest entry of a large sample drawn by PyTorch.

    Example:
        >>> check_kaiming_uniform_bound(lambda n, a: math.sqrt(6 / ((1 + a * a) * n))).passed
        True
        >>> check_kaiming_uniform_bound(lambda n, a: math.sqrt(2 / n)).status
        'failed'
    """
    cases = [(1, 0.0), (64, 0.0), (64, math.sqrt(5)), (300, math.sqrt(5)), (10, 0.01),
             (128, 1.0), (27, 0.25)]
    gen = torch.Generator().manual_seed(11)
    for fan_in, a in cases:
        got = call(kaiming_uniform_bound, "kaiming_uniform_bound", fan_in, a)
        if isinstance(got, torch.Tensor) and got.numel() == 1:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Failure(f"kaiming_uniform_bound({fan_in}, {a:.4g}) returned {got!r} "
                          f"({type(got).__name__}); expected a number")
        expected = math.sqrt(6.0 / ((1.0 + a * a) * fan_in))
        if not math.isclose(float(got), expected, rel_tol=1e-6):
            hint = ""
            if math.isclose(float(got), math.sqrt(2.0 / ((1.0 + a * a) * fan_in)), rel_tol=1e-6):
                hint = (" -- that is the standard deviation; a uniform U(-b, b) has standard "
                        "deviation b / sqrt(3), so b = sqrt(3) * std")
            elif math.isclose(float(got), math.sqrt(6.0 / fan_in), rel_tol=1e-6) and a != 0:
                hint = " -- the negative slope a changes the gain: gain = sqrt(2 / (1 + a^2))"
            elif math.isclose(float(got), expected ** 2, rel_tol=1e-6):
                hint = " -- that looks like b squared"
            raise Failure(f"kaiming_uniform_bound({fan_in}, {a:.4g}) returned {float(got):.6g}; "
                          f"expected {expected:.6g}{hint}")
        # PyTorch itself: no entry beyond the bound, and the largest ones close to it
        w = torch.empty(4000, fan_in)
        torch.nn.init.kaiming_uniform_(w, a=a, generator=gen)
        largest = w.abs().max().item()
        if not (largest <= expected * (1 + 1e-6) and largest > 0.99 * expected):
            raise Failure(f"internal check: PyTorch's largest entry {largest:.6g} does not match "
                          f"the bound {expected:.6g} for fan_in={fan_in}, a={a:.4g}")
        tally.ok()
    n = 300
    b = float(call(kaiming_uniform_bound, "kaiming_uniform_bound", n, math.sqrt(5)))
    variance = b * b / 3
    if not math.isclose(variance * n, 1 / 3, rel_tol=1e-6):
        raise Failure(f"with a = sqrt(5) and fan_in = {n}, b^2 / 3 * fan_in = {variance * n:.4g}; "
                      f"expected 1/3")
    tally.ok()
    return ("With a = sqrt(5), PyTorch's default for nn.Linear, b = 1/sqrt(fan_in) and the "
            "variance is 1/(3 fan_in): one sixth of He initialisation's 2/fan_in.")


def _global_norm_reference(grads, max_norm):
    total = math.sqrt(sum(float((g.double() ** 2).sum()) for g in grads))
    scale = 1.0 if total == 0 or total <= max_norm else max_norm / total
    return [g * scale for g in grads], total


@exercise("Exercise 11.2 (clipping by the global norm)")
def check_clip_by_global_norm(tally, clip_by_global_norm) -> str:
    """Check ``clip_by_global_norm(grads, max_norm) -> list of tensors``: every gradient in the
    list scaled by ``min(1, max_norm / total)``, where ``total`` is the Euclidean norm of all
    the gradients together. The inputs must not be modified.

    Example:
        >>> def clip(grads, max_norm):
        ...     total = sum((g ** 2).sum() for g in grads) ** 0.5
        ...     return [g * min(1.0, max_norm / max(float(total), 1e-12)) for g in grads]
        >>> check_clip_by_global_norm(clip).passed
        True
    """
    gen = torch.Generator().manual_seed(7)
    cases = [
        ([torch.tensor([3.0, 4.0])], 1.0),                                     # norm 5 -> 1
        ([torch.tensor([3.0, 4.0])], 10.0),                                    # below: unchanged
        ([torch.randn(4, 3, generator=gen), torch.randn(3, generator=gen),
          torch.randn(2, 4, generator=gen)], 1.0),
        ([torch.randn(5, 5, generator=gen) * 100, torch.randn(5, generator=gen) * 0.01], 2.5),
        ([torch.zeros(3), torch.zeros(2, 2)], 1.0),                            # all zero
    ]
    for grads, max_norm in cases:
        inputs = [g.clone() for g in grads]
        got = call(clip_by_global_norm, "clip_by_global_norm", inputs, max_norm)
        shapes = [tuple(g.shape) for g in grads]
        where = f"gradients of shapes {shapes} and max_norm={max_norm}"
        if not all(torch.equal(a, b) for a, b in zip(inputs, grads)):
            raise Failure(f"for {where}: clip_by_global_norm changed the tensors it was given "
                          f"(in place); return new tensors instead")
        if not isinstance(got, (list, tuple)) or len(got) != len(grads):
            raise Failure(f"for {where}: expected a list of {len(grads)} tensors, "
                          f"got {type(got).__name__}")
        expected, total = _global_norm_reference(grads, max_norm)
        for i, (g, e) in enumerate(zip(got, expected)):
            if not isinstance(g, torch.Tensor) or tuple(g.shape) != tuple(e.shape):
                raise Failure(f"for {where}: item {i} should be a tensor of shape "
                              f"{tuple(e.shape)}, got {show(g)}")
            if not torch.allclose(g.double(), e.double(), rtol=1e-5, atol=1e-7):
                hint = ""
                if total <= max_norm:
                    hint = (f" -- the total norm {total:.4g} is already within max_norm, so "
                            f"the gradients should come back unchanged")
                elif len(grads) > 1:
                    hint = (" -- the norm is over all the gradients together, "
                            "sqrt(sum of every squared entry), and every tensor gets the "
                            "same factor")
                raise Failure(f"for {where}: item {i} is {show(g)}; expected {show(e)}{hint}")
        tally.ok()
    return ("The direction of the gradient is kept; only its length is capped at max_norm, as "
            "torch.nn.utils.clip_grad_norm_ does.")
