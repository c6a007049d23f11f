"""Exercise checks for chapter 2, "The birth of ReLU"."""

from __future__ import annotations

import math
import numbers

import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_stepped_sigmoid_sum", "check_noisy_relu_nair_hinton",
           "check_first_epoch_at_target"]


def _stepped_reference(x: torch.Tensor, n: int, step: float = 1.0, first: int = 1,
                       offset: float = 0.5) -> torch.Tensor:
    """``step * sum_{i=first}^{first+n-1} sigmoid(x - (i - offset) * step)`` in float64."""
    centres = (torch.arange(first, first + n, dtype=torch.float64) - offset) * step
    return step * torch.sigmoid(x.double().unsqueeze(-1) - centres).sum(-1)


@exercise("Exercise 2.1 (stepped sigmoid units)")
def check_stepped_sigmoid_sum(tally, stepped_sigmoid_sum) -> str:
    r"""Check ``stepped_sigmoid_sum(x, n, step=1.0)``: the sum
    :math:`h \sum_{i=1}^{n} \sigmaig(x - (i - 	frac12) hig)` with step :math:`h`,
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


@exercise("Exercise 2.3 (epochs to a target error)")
def check_first_epoch_at_target(tally, first_epoch_at_target) -> str:
    """Check ``first_epoch_at_target(errors, target)``: the first epoch, counting from 1, whose
    training error is at most ``target``, or ``None`` if no epoch reaches it.

    Example:
        >>> check_first_epoch_at_target(lambda errors, target: 1).status
        'failed'
    """
    cases = [([0.9, 0.5, 0.2, 0.1], 0.25, 3, ""),
             ([0.3, 0.25, 0.2], 0.25, 2, " (an error equal to the target reaches it: use <=)"),
             ([0.2, 0.5], 0.25, 1, " (epochs count from 1: the first value is epoch 1)"),
             ([0.6, 0.2, 0.4, 0.1], 0.25, 2,
              " (the *first* epoch that reaches the target counts, even if the error rises again)"),
             ([0.9, 0.8, 0.7], 0.25, None, " (never reached: return None)"),
             ([], 0.25, None, " (no epochs at all: return None)")]
    for errors, target, expected, hint in cases:
        got = call(first_epoch_at_target, "first_epoch_at_target", list(errors), target)
        if expected is None:
            if got is not None:
                raise Failure(f"first_epoch_at_target({errors}, {target}) returned {got!r}; "
                              f"expected None{hint}")
        else:
            if isinstance(got, bool) or not isinstance(got, numbers.Integral):
                raise Failure(f"first_epoch_at_target({errors}, {target}) returned {got!r}; "
                              f"expected the int {expected}")
            if got != expected:
                if got == expected - 1:
                    hint = " (epochs count from 1, not 0)"
                raise Failure(f"first_epoch_at_target({errors}, {target}) returned {got}; "
                              f"expected {expected}{hint}")
        tally.ok()
    return "relu_course.training.sweeps.epochs_to_reach does the same for any metric."
