"""Exercise checks for chapter 8, "Exponential Linear Unit (ELU)"."""

from __future__ import annotations

import math
import numbers

import torch

from ..activations.functional import SELU_ALPHA, SELU_SCALE
from ._core import Failure, call, exercise, show

__all__ = ["check_elu_gaussian_mean", "check_elu_backward_from_output",
           "check_alpha_dropout_constants"]


def _elu_gaussian_mean_reference(sigma: float, alpha: float) -> float:
    r""":math:`E[\mathrm{ELU}_\alpha(\sigma Z)]` for :math:`Z \sim N(0, 1)`:
    :math:`\sigma/\sqrt{2\pi} + \alpha\,(e^{\sigma^2/2}\,\Phi(-\sigma) - 1/2)`."""
    positive = sigma / math.sqrt(2.0 * math.pi)                      # E[sigma Z; Z > 0]
    tail = math.exp(sigma * sigma / 2.0) * 0.5 * math.erfc(sigma / math.sqrt(2.0))
    return positive + alpha * (tail - 0.5)                           # + E[alpha (e^{sZ} - 1); Z < 0]


def _as_float(value, what: str) -> float:
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Failure(f"{what} returned {value!r} ({type(value).__name__}); expected a number")
    return float(value)


@exercise("Exercise 8.1 (the mean of ELU on a Gaussian)")
def check_elu_gaussian_mean(tally, elu_gaussian_mean) -> str:
    r"""Check ``elu_gaussian_mean(sigma, alpha)``: the exact mean of
    :math:`\mathrm{ELU}_\alpha(\sigma Z)` for a standard normal :math:`Z`, to within
    :math:`10^{-6}`.

    Example:
        >>> import math
        >>> def mean(sigma, alpha):
        ...     tail = math.exp(sigma**2 / 2) * 0.5 * math.erfc(sigma / math.sqrt(2))
        ...     return sigma / math.sqrt(2 * math.pi) + alpha * (tail - 0.5)
        >>> check_elu_gaussian_mean(mean).passed
        True
        >>> check_elu_gaussian_mean(lambda sigma, alpha: sigma / math.sqrt(2 * math.pi)).status
        'failed'
    """
    cases = [(1.0, 1.0), (0.5, 1.0), (2.0, 1.0), (1.0, 0.5), (1.0, 2.0), (3.0, 1.5),
             (0.1, 1.0), (1.0, SELU_ALPHA)]
    for sigma, alpha in cases:
        what = f"elu_gaussian_mean({sigma:g}, {alpha:g})"
        got = _as_float(call(elu_gaussian_mean, "elu_gaussian_mean", sigma, alpha), what)
        expected = _elu_gaussian_mean_reference(sigma, alpha)
        if not math.isfinite(got) or abs(got - expected) > 1e-6:
            relu_part = sigma / math.sqrt(2.0 * math.pi)
            hint = ""
            if abs(got - relu_part) < 1e-6:
                hint = (" -- that is the mean of relu(sigma Z); add the negative part, "
                        "E[alpha (e^(sigma Z) - 1); Z < 0]")
            elif abs(got - (relu_part - alpha / 2)) < 1e-6:
                hint = " -- the term E[e^(sigma Z); Z < 0] = e^(sigma^2/2) Phi(-sigma) is missing"
            elif abs(got - _elu_gaussian_mean_reference(sigma, 1.0)) < 1e-6 and alpha != 1.0:
                hint = " -- is alpha used? The whole negative part is multiplied by alpha"
            elif abs(got - (relu_part + alpha * (math.exp(sigma**2 / 2) * 0.5
                                                * math.erfc(-sigma / math.sqrt(2)) - 0.5))) < 1e-6:
                hint = " -- the negative side needs Phi(-sigma), the probability mass below 0"
            raise Failure(f"{what} returned {got:.6g}; expected {expected:.6g}{hint}")
        tally.ok()
    return (f"With alpha = 1 the mean is {_elu_gaussian_mean_reference(1.0, 1.0):.4f}, not 0; "
            f"SELU's alpha = {SELU_ALPHA:.4f} makes it 0 for sigma = 1.")


@exercise("Exercise 8.2 (ELU's backward from its output)")
def check_elu_backward_from_output(tally, elu_backward_from_output) -> str:
    r"""Check ``elu_backward_from_output(grad_out, out, alpha)``: the gradient with respect to
    the input of ``out = elu(x, alpha)``, computed from the output alone.

    The answer is compared (in float64) with autograd, including :math:`x = 0`, where PyTorch's
    ELU uses the slope :math:`\alpha` of the negative branch.

    Example:
        >>> def backward(grad_out, out, alpha):
        ...     return torch.where(out > 0, grad_out, grad_out * (out + alpha))
        >>> check_elu_backward_from_output(backward).passed
        True
        >>> check_elu_backward_from_output(lambda g, out, alpha: g * torch.exp(out)).status
        'failed'
    """
    gen = torch.Generator().manual_seed(8)
    inputs = [torch.tensor([-6.0, -2.0, -0.5, 0.0, 0.5, 3.0], dtype=torch.float64),
              3 * torch.randn(4, 5, generator=gen, dtype=torch.float64)]
    for alpha in (1.0, 0.5, 2.0):
        for x in inputs:
            leaf = x.clone().requires_grad_()
            out = torch.nn.functional.elu(leaf, alpha)
            grad_out = torch.randn(x.shape, generator=gen, dtype=torch.float64)
            (expected,) = torch.autograd.grad(out, leaf, grad_out)
            out = out.detach()
            args = (grad_out.clone(), out.clone(), alpha)
            got = call(elu_backward_from_output, "elu_backward_from_output", *args)
            if not (torch.equal(args[0], grad_out) and torch.equal(args[1], out)):
                raise Failure("elu_backward_from_output modified one of its arguments in "
                              "place; compute a new tensor instead")
            if not isinstance(got, torch.Tensor):
                raise Failure(f"elu_backward_from_output returned a {type(got).__name__}; "
                              f"expected a torch.Tensor")
            if got.shape != x.shape:
                raise Failure(f"for an input of shape {tuple(x.shape)} the gradient has shape "
                              f"{tuple(got.shape)}; it should have the input's shape")
            if not torch.allclose(got.double(), expected, rtol=1e-9, atol=1e-12):
                bad = (got.double() - expected).abs().argmax()
                xb, ob = x.reshape(-1)[bad].item(), out.reshape(-1)[bad].item()
                gb = got.double().reshape(-1)[bad].item()
                eb = expected.reshape(-1)[bad].item()
                hint = ""
                if xb == 0.0:
                    hint = (" -- at x = 0 (output 0) PyTorch uses the negative branch's slope "
                            "alpha, so test out > 0, not out >= 0")
                elif xb < 0:
                    hint = (" -- for x <= 0, elu'(x) = alpha e^x, and the output "
                            "alpha (e^x - 1) gives alpha e^x = out + alpha")
                else:
                    hint = " -- for x > 0, elu'(x) = 1: pass grad_out through unchanged"
                raise Failure(f"with alpha = {alpha:g}, at x = {xb:.4g} (output {ob:.4g}) "
                              f"the gradient is {gb:.6g}; expected {eb:.6g}{hint}")
            tally.ok()
    out32 = torch.nn.functional.elu(torch.tensor([-20.0]))
    got32 = call(elu_backward_from_output, "elu_backward_from_output",
                 torch.ones(1), out32, 1.0)
    value = float(got32.reshape(-1)[0]) if isinstance(got32, torch.Tensor) else float("nan")
    return (f"In float32, at x = -20 your function returns {value:.3g} (the exact value is "
            f"{math.exp(-20):.3g}): the output has rounded to exactly -alpha.")


def _alpha_dropout_reference(p: float) -> tuple[float, float]:
    r"""Klambauer et al.'s affine correction for alpha dropout with SELU:
    :math:`\kappa = (q + \alpha'^2 q (1 - q))^{-1/2}`, :math:`\beta = -\kappa (1 - q) \alpha'`,
    :math:`q = 1 - p`, :math:`\alpha' = -\lambda\alpha`."""
    q = 1.0 - p
    a_prime = -SELU_SCALE * SELU_ALPHA
    a = (q + a_prime**2 * q * (1.0 - q)) ** -0.5
    return a, -a * (1.0 - q) * a_prime


@exercise("Exercise 8.3 (alpha dropout's constants)")
def check_alpha_dropout_constants(tally, alpha_dropout_constants) -> str:
    r"""Check ``alpha_dropout_constants(p) -> (kappa, beta)``: the affine map
    :math:`\kappa x + \beta` that keeps mean 0
    and variance 1 when alpha dropout sets a share ``p`` of SELU activations to
    :math:`\alpha' = -\lambda\alpha`.

    Example:
        >>> import math
        >>> from relu_course.activations.functional import SELU_ALPHA, SELU_SCALE
        >>> def constants(p):
        ...     q, s = 1 - p, -SELU_SCALE * SELU_ALPHA
        ...     a = 1 / math.sqrt(q + s * s * q * (1 - q))
        ...     return a, -a * (1 - q) * s
        >>> check_alpha_dropout_constants(constants).passed
        True
    """
    a_prime = -SELU_SCALE * SELU_ALPHA
    for p in (0.0, 0.05, 0.1, 0.2, 0.5):
        got = call(alpha_dropout_constants, "alpha_dropout_constants", p)
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"alpha_dropout_constants({p:g}) returned {show(got)}; expected a "
                          f"pair (kappa, beta)")
        a = _as_float(got[0], f"alpha_dropout_constants({p:g})[0]")
        b = _as_float(got[1], f"alpha_dropout_constants({p:g})[1]")
        ea, eb = _alpha_dropout_reference(p)
        if abs(a - ea) > 1e-9 or abs(b - eb) > 1e-9:
            q = 1.0 - p
            hint = ""
            if abs(a - q ** -0.5) < 1e-9 and p > 0:
                hint = (" -- kappa = 1/sqrt(q) would be right if dropped units were set to 0; "
                        "here they are set to alpha' = -lambda alpha, which adds variance")
            elif abs(a - ea) < 1e-9 and abs(b + eb) < 1e-9:
                hint = " -- beta has the wrong sign"
            elif (0.0 < p < 1.0 and p != 0.5
                  and abs(a - _alpha_dropout_reference(1.0 - p)[0]) < 1e-9):
                hint = " -- p is the share *dropped*; the share kept is q = 1 - p"
            # the mean and variance the learner's constants give for a (0, 1) input:
            mean = a * (1 - q) * a_prime + b
            var = a * a * (q + a_prime**2 * q * (1 - q))
            raise Failure(f"alpha_dropout_constants({p:g}) returned (kappa, beta) = "
                          f"({a:.6g}, {b:.6g}); "
                          f"expected ({ea:.6g}, {eb:.6g}). With yours, a mean-0, variance-1 "
                          f"input leaves with mean {mean:.4g} and variance {var:.4g}{hint}")
        tally.ok()
    return "These are the constants that torch.nn.AlphaDropout applies."
