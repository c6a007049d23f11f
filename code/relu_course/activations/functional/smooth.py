r"""The smooth ReLU-like activations: GELU (Hendrycks & Gimpel, 2016), SiLU (Hendrycks & Gimpel,
2016; Elfwing, Uchibe & Doya, 2018; called Swish by Ramachandran, Zoph & Le, 2017), Mish (Misra,
2020) and softplus.

* :class:`GELUFunction` -- ``gelu(x) = x * Phi(x)`` (exact) or its tanh approximation.
* :func:`gelu` -- Gaussian error linear unit (Hendrycks & Gimpel, 2016): :math:`x\,\Phi(x)`,
  where :math:`\Phi` is the standard normal CDF.
* :func:`gelu_derivative` -- :math:`\Phi(x) + x\,\varphi(x)` (exact) or the derivative of the
  tanh approximation.
* :class:`SiLUFunction` -- ``silu(x) = x * sigmoid(x)``.
* :func:`silu` -- Sigmoid-weighted linear unit, :math:`x\,\sigma(x)` (also called Swish).
* :func:`silu_derivative` -- :math:`\sigma(x)\,(1 + x (1 - \sigma(x)))`.
* :class:`MishFunction` -- ``mish(x) = x * tanh(softplus(x))``.
* :func:`mish` -- Mish (Misra, 2020): :math:`x \tanh(\mathrm{softplus}(x))`.
* :func:`mish_derivative` --
  :math:`\tanh(\mathrm{sp}(x)) + x\,\sigma(x)\,(1 - \tanh^2(\mathrm{sp}(x)))` with
  :math:`\mathrm{sp} = \mathrm{softplus}`.
* :class:`SoftplusFunction` -- ``softplus(x) = log(1 + exp(beta * x)) / beta``, linear above the
  threshold.
* :func:`softplus` -- Softplus, :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`: a smooth
  approximation of ReLU.
* :func:`softplus_derivative` -- :math:`\sigma(\beta x)`, and :math:`1` where :math:`\beta x`
  exceeds the threshold.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from ..._validation import check_inplace, check_real, check_tensor
from ._common import _derivative, _down, _sigmoid, _up

__all__ = ["GELUFunction", "gelu", "gelu_derivative", "SiLUFunction", "silu", "silu_derivative",
           "MishFunction", "mish", "mish_derivative", "SoftplusFunction", "softplus",
           "softplus_derivative"]


_SQRT_HALF = 1.0 / math.sqrt(2.0)            # 1/sqrt(2)


_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


_GELU_K = math.sqrt(2.0 / math.pi)          # tanh approximation: sqrt(2/pi)


_GELU_C = 0.044715                          # tanh approximation: cubic coefficient


def _gelu_slope(x: Tensor, approximate: str) -> Tensor:
    """GELU's derivative, one formula per approximation mode."""
    if approximate == "tanh":
        # d/dx [x/2 (1 + tanh u)] = (1 + tanh u)/2 + x/2 (1 - tanh^2 u) u',
        # with u = K (x + C x^3) and u' = K (1 + 3 C x^2)
        t = torch.tanh(_GELU_K * (x + _GELU_C * x * x * x))
        du = _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du
    cdf = 0.5 * (1.0 + torch.erf(x * _SQRT_HALF))                  # Phi(x)
    pdf = torch.exp(-0.5 * x * x) * _INV_SQRT_2PI                  # phi(x)
    return cdf + x * pdf                                           # d/dx [x Phi(x)]


class GELUFunction(torch.autograd.Function):
    r"""``gelu(x) = x * Phi(x)`` (exact) or its tanh approximation.

    Example:
        >>> GELUFunction.apply(torch.tensor([0.0]), "none")
        tensor([0.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, approximate: str) -> Tensor:
        xf = _up(x)
        if approximate == "tanh":
            inner = _GELU_K * (xf + _GELU_C * xf * xf * xf)          # sqrt(2/pi) (x + C x^3)
            return _down(0.5 * xf * (1.0 + torch.tanh(inner)), x)
        cdf = 0.5 * (1.0 + torch.erf(xf * _SQRT_HALF))               # Phi(x)
        return _down(xf * cdf, x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.approximate = inputs
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        return _down(_up(grad_out) * _gelu_slope(_up(x), ctx.approximate), grad_out), None

    @staticmethod
    def jvp(ctx, x_t: Tensor, _approximate_t) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_up(x_t) * _gelu_slope(_up(x), ctx.approximate), x_t)


def _check_approximate(fn_name: str, approximate) -> str:
    if not isinstance(approximate, str):
        raise TypeError(
            f"{fn_name}() expects `approximate` to be a str, got {type(approximate).__name__}"
        )
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"{fn_name}() expects `approximate` to be 'none' or 'tanh', got {approximate!r}"
        )
    return approximate


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    r"""Gaussian error linear unit (Hendrycks & Gimpel, 2016): :math:`x\,\Phi(x)`, where
    :math:`\Phi` is the standard normal CDF.

    With ``approximate="tanh"``:
    :math:`\tfrac12 x \bigl(1 + \tanh[\sqrt{2/\pi}\,(x + 0.044715 x^3)]\bigr)` (maximum error
    about :math:`4.7 \times 10^{-4}`). The derivative at :math:`0` is :math:`0.5`.

    Args:
        input: a floating-point tensor of any shape.
        approximate: ``"none"`` (exact, the default) or ``"tanh"``.

    At ``+inf`` this returns ``inf`` for every dtype (the limit); ``torch.nn.functional.gelu``
    returns ``nan`` there in float32 and below.

    Example:
        >>> gelu(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.1587,  0.0000,  0.8413])
    """
    check_tensor("gelu", input)
    approximate = _check_approximate("gelu", approximate)
    return GELUFunction.apply(input, approximate)


def gelu_derivative(input: Tensor, approximate: str = "none") -> Tensor:
    r""":math:`\Phi(x) + x\,\varphi(x)` (exact) or the derivative of the tanh approximation.

    Example:
        >>> gelu_derivative(torch.tensor([0.0]))
        tensor([0.5000])
    """
    check_tensor("gelu_derivative", input)
    approximate = _check_approximate("gelu_derivative", approximate)
    return _derivative(GELUFunction.apply, input, approximate)


def _silu_slope(x: Tensor) -> Tensor:
    s = _sigmoid(x)
    return s * (1.0 + x * (1.0 - s))                 # d/dx [x s(x)] = s + x s (1 - s)


class SiLUFunction(torch.autograd.Function):
    r"""``silu(x) = x * sigmoid(x)``.

    Example:
        >>> SiLUFunction.apply(torch.tensor([0.0]))
        tensor([0.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        xf = _up(x)
        return _down(xf * _sigmoid(xf), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.save_for_forward(inputs[0])

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_up(grad_out) * _silu_slope(_up(x)), grad_out)

    @staticmethod
    def jvp(ctx, x_t: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_up(x_t) * _silu_slope(_up(x)), x_t)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Sigmoid-weighted linear unit, :math:`x\,\sigma(x)` (also called Swish).

    Proposed by Hendrycks & Gimpel (2016) and Elfwing et al. (2018), and rediscovered by an
    automated search as Swish (Ramachandran et al., 2017). Its minimum is about
    :math:`-0.2785` at :math:`x \approx -1.2785`; the derivative at :math:`0` is :math:`0.5`.

    Args:
        input: a floating-point tensor of any shape.
        inplace: must be ``False``.

    Example:
        >>> silu(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.2689,  0.0000,  0.7311])
    """
    check_tensor("silu", input)
    check_inplace("silu", inplace)
    return SiLUFunction.apply(input)


def silu_derivative(input: Tensor) -> Tensor:
    r""":math:`\sigma(x)\,(1 + x (1 - \sigma(x)))`.

    Example:
        >>> silu_derivative(torch.tensor([0.0]))
        tensor([0.5000])
    """
    check_tensor("silu_derivative", input)
    return _derivative(silu, input)


def _mish_slope(x: Tensor) -> Tensor:
    # d/dx [x tanh(sp(x))] = tanh(sp(x)) + x sp'(x) (1 - tanh^2(sp(x))), with sp' = sigmoid
    t = torch.tanh(torch.log1p(torch.exp(x)))                        # tanh(softplus(x))
    return t + x * _sigmoid(x) * (1.0 - t * t)


class MishFunction(torch.autograd.Function):
    r"""``mish(x) = x * tanh(softplus(x))``.

    Example:
        >>> MishFunction.apply(torch.tensor([0.0]))
        tensor([0.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        xf = _up(x)
        # log1p(e^x): exact for small e^x; above x = 88.7 e^x overflows to inf and tanh(inf) = 1
        return _down(xf * torch.tanh(torch.log1p(torch.exp(xf))), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])
        ctx.save_for_forward(inputs[0])

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_up(grad_out) * _mish_slope(_up(x)), grad_out)

    @staticmethod
    def jvp(ctx, x_t: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_up(x_t) * _mish_slope(_up(x)), x_t)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Mish (Misra, 2020): :math:`x \tanh(\mathrm{softplus}(x))`.

    Its minimum is about :math:`-0.3088` at :math:`x \approx -1.1924`; the derivative at
    :math:`0` is :math:`0.6`.

    Args:
        input: a floating-point tensor of any shape.
        inplace: must be ``False``.

    Example:
        >>> mish(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.3034,  0.0000,  0.8651])
    """
    check_tensor("mish", input)
    check_inplace("mish", inplace)
    return MishFunction.apply(input)


def mish_derivative(input: Tensor) -> Tensor:
    r""":math:`\tanh(\mathrm{sp}(x)) + x\,\sigma(x)\,(1 - \tanh^2(\mathrm{sp}(x)))` with
    :math:`\mathrm{sp} = \mathrm{softplus}`.

    Example:
        >>> mish_derivative(torch.tensor([0.0]))
        tensor([0.6000])
    """
    check_tensor("mish_derivative", input)
    return _derivative(mish, input)


class SoftplusFunction(torch.autograd.Function):
    r"""``softplus(x) = log(1 + exp(beta * x)) / beta``, linear above the threshold.

    Example:
        >>> SoftplusFunction.apply(torch.tensor([30.0]), 1.0, 20.0)  # beta, threshold
        tensor([30.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, beta: float, threshold: float) -> Tensor:
        xf = _up(x)
        z = beta * xf
        # Above the threshold softplus equals x to within float precision (and e^z would
        # overflow), so it returns x there, exactly as torch does.
        return _down(torch.where(z > threshold, xf, torch.log1p(torch.exp(z)) / beta), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.beta, ctx.threshold = inputs
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g, z = _up(grad_out), ctx.beta * _up(x)
        # softplus'(x) = sigmoid(beta x), and exactly 1 where the forward returned x
        return _down(torch.where(z > ctx.threshold, g, g * _sigmoid(z)), grad_out), None, None

    @staticmethod
    def jvp(ctx, x_t: Tensor, _beta_t, _threshold_t) -> Tensor:
        (x,) = ctx.saved_tensors
        t, z = _up(x_t), ctx.beta * _up(x)
        return _down(torch.where(z > ctx.threshold, t, t * _sigmoid(z)), x_t)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r"""Softplus, :math:`\frac{1}{\beta}\log(1 + e^{\beta x})`: a smooth approximation of ReLU.

    It approaches ReLU as :math:`\beta \to \infty` (the largest gap is
    :math:`\log(2)/\beta`, at :math:`x = 0`). Its derivative is the sigmoid
    :math:`\sigma(\beta x)` -- softplus is *not* ReLU's derivative.

    Args:
        input: a floating-point tensor of any shape.
        beta: sharpness, a finite number > 0 (default ``1.0``).
        threshold: where :math:`\beta x` exceeds it, return :math:`x` (default ``20.0``).

    Example:
        >>> softplus(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([0.3133, 0.6931, 1.3133])
    """
    check_tensor("softplus", input)
    beta = check_real("softplus", "beta", beta, gt=0)
    threshold = check_real("softplus", "threshold", threshold)
    return SoftplusFunction.apply(input, beta, threshold)


def softplus_derivative(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r""":math:`\sigma(\beta x)`, and :math:`1` where :math:`\beta x` exceeds the threshold.

    Example:
        >>> softplus_derivative(torch.tensor([0.0]))
        tensor([0.5000])
    """
    check_tensor("softplus_derivative", input)
    beta = check_real("softplus_derivative", "beta", beta, gt=0)
    threshold = check_real("softplus_derivative", "threshold", threshold)
    return _derivative(SoftplusFunction.apply, input, beta, threshold)
