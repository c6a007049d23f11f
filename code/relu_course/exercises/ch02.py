"""Exercise checks for chapter 2, "The birth of ReLU"."""

from __future__ import annotations

import math

import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_stepped_sigmoid_sum", "check_noisy_relu_nair_hinton",
           "check_softplus_without_overflow"]


def _stepped_reference(x: torch.Tensor, n: int, step: float = 1.0, first: int = 1,
                       offset: float = 0.5) -> torch.Tensor:
    """``step * sum_{i=first}^{first+n-1} sigmoid(x - (i - offset) * step)`` in float64."""
    centres = (torch.arange(first, first + n, dtype=torch.float64) - offset) * step
    return step * torch.sigmoid(x.double().unsqueeze(-1) - centres).sum(-1)


@exercise("Exercise 2.1 (stepped sigmoid units)")
def check_stepped_sigmoid_sum(tally, stepped_sigmoid_sum) -> str:
    r"""Check ``stepped_sigmoid_sum(x, n, step=1.0)``: the sum
    :math:`\Delta \sum_{i=1}^{n} \sigma\bigl(x - (i - \tfrac12) \Delta\bigr)` with step
    :math:`\Delta`,
    elementwise for a tensor ``x`` of any shape, returned as a tensor of the same shape (0 when
    ``n = 0``). With ``step = 1`` it is the expected total activity of Nair and Hinton's
    ``n`` stepped sigmoid units, :math:`\sum_{i=1}^{n} \sigma(x - i + 0.5)`.

    Example:
        >>> def reference(x, n, step=1.0):
        ...     centres = (torch.arange(1, n + 1, dtype=x.dtype) - 0.5) * step
        ...     return step * torch.sigmoid(x.unsqueeze(-1) - centres).sum(-1)
        >>> check_stepped_sigmoid_sum(reference).passed
        True
    """
    gen = torch.Generator().manual_seed(2)
    cases = [(torch.tensor([-3.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.float64), 1, None),
             (torch.tensor([-2.0, 0.0, 1.0, 4.0, 10.0], dtype=torch.float64), 4, None),
             (torch.randn(3, 5, generator=gen, dtype=torch.float64) * 3, 7, None),
             (torch.linspace(-5, 5, 11, dtype=torch.float64), 30, None),
             (torch.tensor([-1.0, 2.0], dtype=torch.float64), 0, None),
             (torch.tensor([-1.0, 0.0, 2.0], dtype=torch.float64), 6, 0.5),
             (torch.linspace(-3, 3, 7, dtype=torch.float64), 40, 0.25)]
    for x, n, step in cases:
        args = (x.clone(), n) if step is None else (x.clone(), n, step)
        shown = f"{show(x)}, {n}" + ("" if step is None else f", step={step}")
        got = call(stepped_sigmoid_sum, "stepped_sigmoid_sum", *args)
        if not isinstance(got, torch.Tensor):
            raise Failure(f"stepped_sigmoid_sum({shown}) returned a {type(got).__name__}; "
                          f"expected a torch.Tensor")
        h = 1.0 if step is None else step
        expected = _stepped_reference(x, n, h)
        if got.shape != x.shape:
            raise Failure(f"stepped_sigmoid_sum(x, {n}) for x of shape {tuple(x.shape)} "
                          f"returned shape {tuple(got.shape)}; sum over the units, not over x")
        got = got.detach().double()
        if not torch.allclose(got, expected, rtol=1e-6, atol=1e-8):
            hint = ""
            if n and torch.allclose(got, _stepped_reference(x, n, h, first=0), atol=1e-8):
                hint = (" -- the units are i = 1, ..., n (centres 0.5, 1.5, ... times the "
                        "step), not i = 0, ..., n-1")
            elif n and torch.allclose(got, _stepped_reference(x, n, h, offset=0.0), atol=1e-8):
                hint = " -- each centre is shifted by half a step: (i - 0.5) * step"
            elif n and h != 1.0 and torch.allclose(got, expected / h, atol=1e-8):
                hint = " -- multiply the sum by the step (the width of each slice)"
            elif n == 0:
                hint = " -- with no units the sum is 0"
            raise Failure(f"stepped_sigmoid_sum({shown}) returned {show(got)}; "
                          f"expected {show(expected)}{hint}")
        tally.ok()
    # It must not have changed its input.
    x = torch.tensor([0.0, 1.0], dtype=torch.float64)
    call(stepped_sigmoid_sum, "stepped_sigmoid_sum", x, 3)
    if not torch.equal(x, torch.tensor([0.0, 1.0], dtype=torch.float64)):
        raise Failure("stepped_sigmoid_sum modified its input x in place; compute a new tensor")
    tally.ok()
    grid = torch.linspace(-5, 5, 1001, dtype=torch.float64)
    softplus = torch.nn.functional.softplus(grid)
    gaps = [(_stepped_reference(grid, round(40 / h), h) - softplus).abs().max().item()
            for h in (1.0, 0.5)]
    return (f"With enough units the largest gap to softplus on [-5, 5] is {gaps[0]:.4f} for "
            f"step 1 and {gaps[1]:.4f} for step 0.5: about 4 times smaller, as for the "
            f"midpoint rule. The sum tends to softplus only as the step shrinks.")


def _expected_noisy_relu_mean(x: float, variance: float) -> float:
    """E[max(0, x + s Z)] for Z ~ N(0, 1) and s^2 = variance: x Phi(x/s) + s phi(x/s)."""
    s = math.sqrt(variance)
    t = x / s
    phi = math.exp(-t * t / 2) / math.sqrt(2 * math.pi)
    big_phi = 0.5 * (1 + math.erf(t / math.sqrt(2)))
    return x * big_phi + s * phi


@exercise("Exercise 2.2 (noisy rectified linear units)")
def check_noisy_relu_nair_hinton(tally, noisy_relu) -> str:
    r"""Check ``noisy_relu(x, generator)``: Nair and Hinton's NReLU,
    :math:`\max(0, x + \varepsilon)` with :math:`\varepsilon \sim N(0, \sigma(x))` -- Gaussian
    noise whose *variance* is the sigmoid of the input -- drawn with ``torch.randn(...,
    generator=generator)`` so that a seeded generator gives repeatable samples.

    The check compares sample means over 200,000 draws with the exact mean
    :math:`x\,\Phi(x/s) + s\,\varphi(x/s)`, :math:`s = \sqrt{\sigma(x)}`.

    Example:
        >>> check_noisy_relu_nair_hinton(lambda x, g: torch.relu(x)).status   # no noise
        'failed'
    """
    levels = [-2.0, 0.0, 1.0, 3.0]
    x = torch.tensor(levels, dtype=torch.float64).repeat_interleave(50_000)   # (200000,)
    gen = torch.Generator().manual_seed(11)
    got = call(noisy_relu, "noisy_relu", x.clone(), gen)
    if not isinstance(got, torch.Tensor) or got.shape != x.shape:
        kind = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        raise Failure(f"noisy_relu(x, generator) for x of shape {tuple(x.shape)} returned "
                      f"{kind}; expected a tensor of the same shape")
    got = got.detach().double()
    if (got < 0).any():
        raise Failure("noisy_relu returned negative values: add the noise first, then apply "
                      "max(0, .)")
    tally.ok()
    again = call(noisy_relu, "noisy_relu", x.clone(), torch.Generator().manual_seed(11))
    if not torch.equal(torch.as_tensor(again).detach().double(), got):
        raise Failure("two calls with generators seeded alike gave different samples: draw the "
                      "noise with torch.randn(x.shape, generator=generator, dtype=x.dtype)")
    tally.ok()
    if torch.equal(got, torch.relu(x)):
        raise Failure("noisy_relu(x) equals relu(x): no noise was added")
    for k, level in enumerate(levels):
        sample = got[k * 50_000:(k + 1) * 50_000]
        variance = 1 / (1 + math.exp(-level))                        # sigma(x)
        expected = _expected_noisy_relu_mean(level, variance)
        mean = sample.mean().item()
        if abs(mean - expected) > 0.012:
            hint = ""
            if abs(mean - _expected_noisy_relu_mean(level, variance**2)) < 0.012:
                hint = (" -- that is what a noise *standard deviation* of sigma(x) gives; the "
                        "variance should be sigma(x), so the standard deviation is sqrt(sigma(x))")
            elif abs(mean - _expected_noisy_relu_mean(level, 1.0)) < 0.012:
                hint = " -- the noise's variance should depend on x: sigma(x), not 1"
            raise Failure(f"for x = {level:g} the mean of 50,000 samples is {mean:.4f}; "
                          f"expected {expected:.4f}{hint}")
        tally.ok()
    return ("The noise variance sigma(x) is what N stepped sigmoid units' binary states add up "
            "to; ReLU is this unit with the noise left out.")


def _softplus_reference(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x) in float64, computed without overflow."""
    x = x.detach().double()
    return torch.relu(x) + torch.log1p(torch.exp(-x.abs()))


@exercise("Exercise 2.3 (softplus without overflow)")
def check_softplus_without_overflow(tally, softplus) -> str:
    r"""Check ``softplus(x)``: :math:`\log(1 + e^x)` elementwise for a floating-point tensor of
    any shape, returned as a tensor of the same shape and dtype, finite and correct for inputs
    as large as 1,000 in float32 (where :math:`e^x` overflows), differentiable by autograd with
    the sigmoid as its derivative.

    Example:
        >>> naive = lambda x: torch.log(1 + torch.exp(x))       # overflows for large x
        >>> check_softplus_without_overflow(naive).status
        'failed'
    """
    grid = torch.linspace(-30, 30, 601, dtype=torch.float64)
    cases = [(torch.tensor([-3.0, -1.0, 0.0, 1.0, 3.0], dtype=torch.float64), 1e-10),
             (grid, 1e-10),
             (torch.tensor([[0.5, -0.5], [2.0, -2.0]]), 1e-6),          # float32, 2-D
             (torch.tensor([50.0, 100.0, 1000.0, -100.0, -1000.0]), 1e-6),
             (torch.tensor([800.0, -800.0], dtype=torch.float64), 1e-10)]
    for x, tol in cases:
        original = x.clone()
        got = call(softplus, "softplus", x)
        if not torch.equal(x, original):
            raise Failure("softplus modified its input x in place; compute a new tensor")
        if not isinstance(got, torch.Tensor):
            raise Failure(f"softplus({show(x)}) returned a {type(got).__name__}; expected a "
                          f"torch.Tensor")
        if got.shape != x.shape or got.dtype != x.dtype:
            raise Failure(f"softplus(x) for x of shape {tuple(x.shape)} and dtype {x.dtype} "
                          f"returned shape {tuple(got.shape)} and dtype {got.dtype}; keep both")
        expected = _softplus_reference(x)
        values = got.detach().double()
        bad = ~torch.isclose(values, expected, rtol=tol, atol=tol / 100) | ~values.isfinite()
        if bad.any():
            k = int(bad.flatten().nonzero()[0])
            xk, gk, ek = x.flatten()[k].item(), values.flatten()[k].item(), expected.flatten()[k]
            hint = ""
            if not math.isfinite(gk) and xk > 0:
                hint = (" -- e^x overflows for large x (beyond about 88 in float32, 709 in "
                        "float64); rewrite log(1 + e^x) so that only e^(-|x|) is computed")
            elif gk == max(0.0, xk):
                hint = (" -- that is ReLU's value; softplus is smooth and above ReLU "
                        "everywhere, by log 2 at x = 0")
            elif xk > 0 and abs(gk + xk - ek.item()) < 1e-6 * max(1.0, xk):
                hint = " -- for positive x the answer is close to x: add max(0, x)"
            raise Failure(f"softplus({xk:g}) returned {gk:.6g} ({x.dtype}); expected "
                          f"{ek.item():.6g}{hint}")
        tally.ok()
    x = torch.tensor([-20.0, -3.0, -0.5, 0.5, 3.0, 20.0], dtype=torch.float64,
                     requires_grad=True)
    out = call(softplus, "softplus", x)
    if not (isinstance(out, torch.Tensor) and out.requires_grad):
        raise Failure("autograd cannot differentiate your softplus: compute it with torch "
                      "operations only (no NumPy, no .item(), no .detach())")
    (grad,) = torch.autograd.grad(out.sum(), x)
    sigmoid = torch.sigmoid(x.detach())
    if not torch.allclose(grad, sigmoid, rtol=1e-9, atol=1e-12):
        raise Failure(f"the derivative of your softplus at {show(x.detach())} is "
                      f"{show(grad)}; expected the sigmoid {show(sigmoid)}")
    tally.ok()
    return ("Softplus is max(0, x) + log(1 + e^(-|x|)): ReLU plus a bump of height log 2 at 0. "
            "Its derivative is the sigmoid -- softplus is a smooth stand-in for ReLU, not "
            "ReLU's derivative.")
