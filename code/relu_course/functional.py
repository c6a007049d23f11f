r"""Activation functions written from scratch, each with a hand-written backward pass.

Every activation is a :class:`torch.autograd.Function` in the style of PyTorch's
"Extending PyTorch" notes: ``forward`` takes no ``ctx``, ``setup_context`` saves what the
backward needs through ``save_for_backward``, and ``generate_vmap_rule = True`` lets
``torch.func.vmap`` batch them because their bodies are plain torch operations. The backward
of each function is written out by hand right beside its forward; it never calls the torch op
of the same name and never relies on autograd to differentiate the forward.

The public wrappers have the names and signatures of :mod:`torch.nn.functional` and reproduce
its behaviour: values, gradients (including the choice made at a kink, e.g. ``relu'(0) = 0``),
NaN propagation, ``relu(-0.0) == -0.0``, infinities, empty and 0-d tensors, any memory layout,
and the four floating-point dtypes. Like PyTorch's own kernels, float16 and bfloat16 inputs are
computed in float32 and rounded once at the end.

Each function ``f`` also has ``f_derivative`` with the same arguments, which returns
:math:`f'(x)` elementwise -- exactly the gradient that autograd returns for ``f(x).sum()``.

Papers: ReLU (Nair & Hinton, 2010; Glorot, Bordes & Bengio, 2011), Leaky ReLU (Maas, Hannun &
Ng, 2013), PReLU (He et al., 2015), ELU (Clevert, Unterthiner & Hochreiter, 2016), SELU
(Klambauer et al., 2017), GELU (Hendrycks & Gimpel, 2016), SiLU (Hendrycks & Gimpel, 2016;
Elfwing, Uchibe & Doya, 2018; called Swish by Ramachandran, Zoph & Le, 2017), Mish (Misra, 2020).
"""

from __future__ import annotations

import math
from types import MappingProxyType

import torch
from torch import Tensor

from ._validation import check_inplace, check_real, check_tensor

__all__ = [
    "relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish", "softplus",
    "sigmoid", "tanh",
    "relu_derivative", "leaky_relu_derivative", "prelu_derivative", "elu_derivative",
    "selu_derivative", "gelu_derivative", "silu_derivative", "mish_derivative",
    "softplus_derivative", "sigmoid_derivative", "tanh_derivative",
    "ReLUFunction", "LeakyReLUFunction", "PReLUFunction", "ELUFunction", "GELUFunction",
    "SiLUFunction", "MishFunction", "SoftplusFunction", "SigmoidFunction", "TanhFunction",
    "FUNCTIONS", "DERIVATIVES", "SELU_ALPHA", "SELU_SCALE",
]

#: SELU's :math:`\alpha` (Klambauer et al., 2017), as used by ``torch.nn.functional.selu``.
SELU_ALPHA = 1.6732632423543772848170429916717
#: SELU's scale :math:`\lambda` (Klambauer et al., 2017).
SELU_SCALE = 1.0507009873554804934193349852946

_HALF = (torch.float16, torch.bfloat16)
_SQRT_HALF = 1.0 / math.sqrt(2.0)            # 1/sqrt(2)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)          # tanh approximation: sqrt(2/pi)
_GELU_C = 0.044715                          # tanh approximation: cubic coefficient


def _up(t: Tensor) -> Tensor:
    """Half-precision tensors are computed in float32 (PyTorch's "opmath" convention)."""
    return t.float() if t.dtype in _HALF else t


def _down(t: Tensor, dtype: torch.dtype) -> Tensor:
    return t if t.dtype == dtype else t.to(dtype)


def _sigmoid_formula(x: Tensor) -> Tensor:
    # 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) for x < 0: written with e = e^-|x| <= 1,
    # so nothing overflows and tiny values for very negative x are kept.
    e = torch.exp(-x.abs())
    r = torch.reciprocal(1.0 + e)
    return torch.where(x >= 0, r, e * r)


def _tanh_formula(x: Tensor) -> Tensor:
    # tanh|x| = (1 - e^{-2|x|}) / (1 + e^{-2|x|}) = -m / (2 + m) with m = expm1(-2|x|);
    # copysign restores the sign (and keeps tanh(-0.0) = -0.0).
    m = torch.expm1(-2.0 * x.abs())
    return torch.copysign(-m / (m + 2.0), x)


# --------------------------------------------------------------------------------------------
# ReLU
# --------------------------------------------------------------------------------------------

def _relu_backward(grad: Tensor, out: Tensor) -> Tensor:
    # relu'(x) = 1 for x > 0 and 0 for x <= 0 (PyTorch picks 0 at the kink); the output is
    # enough to decide, since out > 0 exactly where x > 0. NaN passes the gradient, as in torch.
    return torch.where(out <= 0, 0.0, grad)             # keeps grad's memory layout


class ReLUFunction(torch.autograd.Function):
    r"""``relu(x) = max(0, x)`` with backward ``grad * (x > 0)``.

    Example:
        >>> ReLUFunction.apply(torch.tensor([-1.0, 2.0]))  # what relu() calls
        tensor([0., 2.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return x.clamp_min(0)                    # max(x, 0): keeps -0.0 and NaN like torch.relu

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)            # save the output only, as torch does

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return _relu_backward(grad_out, out)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit, :math:`\mathrm{ReLU}(x) = \max(0, x)`, elementwise.

    The derivative is :math:`1` for :math:`x > 0` and :math:`0` for :math:`x < 0`; at
    :math:`x = 0` any value in :math:`[0, 1]` is a valid subgradient and, like PyTorch, we
    return :math:`0`.

    Args:
        input: a tensor of any shape; floating point, or integer (forward only, as in torch).
        inplace: accepted for compatibility with ``torch.nn.functional.relu``; must be ``False``.

    Example:
        >>> relu(torch.tensor([-2.0, -0.0, 0.0, 3.0]))
        tensor([0., -0., 0., 3.])
    """
    check_tensor("relu", input, allow_integer=True)
    check_inplace("relu", inplace)
    return ReLUFunction.apply(input)


def relu_derivative(input: Tensor) -> Tensor:
    r""":math:`\mathrm{ReLU}'(x)`: ``1`` where ``x > 0``, else ``0`` (``0`` at ``x = 0``).

    Example:
        >>> relu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 1.])
    """
    check_tensor("relu_derivative", input)
    return _relu_backward(torch.ones_like(input), ReLUFunction.forward(input))


# --------------------------------------------------------------------------------------------
# Leaky ReLU
# --------------------------------------------------------------------------------------------

def _leaky_relu_backward(grad: Tensor, x: Tensor, slope: float) -> Tensor:
    return torch.where(x > 0, grad, grad * slope)          # slope also at x = 0, as torch


class LeakyReLUFunction(torch.autograd.Function):
    r"""``leaky_relu(x) = x if x > 0 else slope * x``.

    Example:
        >>> LeakyReLUFunction.apply(torch.tensor([-1.0, 2.0]), 0.1)
        tensor([-0.1000,  2.0000])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, negative_slope: float) -> Tensor:
        xf = _up(x)
        return _down(torch.where(xf > 0, xf, xf * negative_slope), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.negative_slope = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g = _leaky_relu_backward(_up(grad_out), _up(x), ctx.negative_slope)
        return _down(g, grad_out.dtype), None


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    r"""Leaky ReLU (Maas et al., 2013): :math:`x` for :math:`x > 0`, else
    :math:`\text{negative\_slope} \cdot x`.

    Args:
        input: a floating-point tensor of any shape.
        negative_slope: slope for :math:`x \le 0` (default ``0.01``, PyTorch's default; Keras'
            ``LeakyReLU`` layer defaults to ``0.3`` and ``tf.nn.leaky_relu`` to ``0.2``).
        inplace: must be ``False``.

    The derivative at :math:`x = 0` is ``negative_slope``, as in PyTorch.

    Example:
        >>> leaky_relu(torch.tensor([-2.0, 0.0, 3.0]), negative_slope=0.1)
        tensor([-0.2000,  0.0000,  3.0000])
    """
    check_tensor("leaky_relu", input)
    slope = check_real("leaky_relu", "negative_slope", negative_slope)
    check_inplace("leaky_relu", inplace)
    return LeakyReLUFunction.apply(input, slope)


def leaky_relu_derivative(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    r""":math:`1` for :math:`x > 0`, else ``negative_slope`` (also at :math:`x = 0`).

    Example:
        >>> leaky_relu_derivative(torch.tensor([-1.0, 0.0, 2.0]), negative_slope=0.1)
        tensor([0.1000, 0.1000, 1.0000])
    """
    check_tensor("leaky_relu_derivative", input)
    slope = check_real("leaky_relu_derivative", "negative_slope", negative_slope)
    g = _leaky_relu_backward(torch.ones_like(_up(input)), _up(input), slope)
    return _down(g, input.dtype)


# --------------------------------------------------------------------------------------------
# PReLU
# --------------------------------------------------------------------------------------------

def _prelu_weight_view(weight: Tensor, x: Tensor) -> Tensor:
    """Shape the weight to broadcast against x: shared (0-d) or one value per channel (dim 1)."""
    if weight.numel() == 1:
        return weight.reshape(())
    shape = [1] * x.dim()
    shape[1] = -1
    return weight.reshape(shape)                          # (1, C, 1, ..., 1)


def _prelu_input_backward(grad: Tensor, x: Tensor, w: Tensor) -> Tensor:
    return torch.where(x > 0, grad, w * grad)


class PReLUFunction(torch.autograd.Function):
    r"""``prelu(x, a) = x if x > 0 else a * x`` with gradients for ``x`` and the slope ``a``.

    Example:
        >>> PReLUFunction.apply(torch.tensor([-1.0, 2.0]), torch.tensor([0.25]))
        tensor([-0.2500,  2.0000])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, weight: Tensor) -> Tensor:
        xf = _up(x)
        w = _prelu_weight_view(_up(weight), xf)
        return _down(torch.where(xf > 0, xf, w * xf), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)            # x and the weight

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight = ctx.saved_tensors
        g, xf = _up(grad_out), _up(x)
        w = _prelu_weight_view(_up(weight), xf)
        grad_x = grad_w = None
        if ctx.needs_input_grad[0]:
            grad_x = _down(_prelu_input_backward(g, xf, w), grad_out.dtype)
        if ctx.needs_input_grad[1]:
            # d out / d a = x where x <= 0 (0 elsewhere), summed over everything that shares a.
            per_element = torch.where(xf > 0, 0.0, xf * g)
            if weight.numel() == 1:
                total = per_element.sum()
            else:
                total = per_element.sum(dim=[d for d in range(x.dim()) if d != 1])
            grad_w = _down(total.reshape(weight.shape), weight.dtype)
        return grad_x, grad_w


def _check_prelu(fn_name: str, input, weight) -> None:
    check_tensor(fn_name, input)
    check_tensor(fn_name, weight, name="weight")
    if weight.dim() > 1:
        raise ValueError(
            f"{fn_name}() expects `weight` to be 0-d or 1-d, got shape {tuple(weight.shape)}"
        )
    if weight.dtype != input.dtype:
        raise TypeError(
            f"{fn_name}() expects `weight` to have the input's dtype {input.dtype}, "
            f"got {weight.dtype}"
        )
    if weight.device != input.device:
        raise ValueError(
            f"{fn_name}() expects `weight` on the input's device {input.device}, "
            f"got {weight.device}"
        )
    channels = input.shape[1] if input.dim() >= 2 else 1
    if weight.numel() not in (1, channels):
        raise ValueError(
            f"{fn_name}() expects `weight` to have 1 element (one shared slope) or one per "
            f"channel (input.shape[1] = {channels}), got {weight.numel()}"
        )
    if weight.numel() > 1 and input.dim() == 0:
        raise ValueError(f"{fn_name}() needs a single shared slope for a 0-d input")


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    r"""Parametric ReLU (He et al., 2015): :math:`x` for :math:`x > 0`, else :math:`a x`
    with a learnable slope :math:`a`.

    Args:
        input: a floating-point tensor; channels are on dimension 1 (for inputs with at least
            two dimensions).
        weight: the slopes, a tensor with 1 element (shared by all channels, PyTorch's
            default) or ``input.shape[1]`` elements (one per channel); same dtype and device.

    Gradients flow to both the input and the weight:
    :math:`\partial y / \partial a = x` where :math:`x \le 0` and :math:`0` elsewhere.

    Example:
        >>> prelu(torch.tensor([-2.0, 3.0]), torch.tensor([0.25]))
        tensor([-0.5000,  3.0000])
    """
    _check_prelu("prelu", input, weight)
    return PReLUFunction.apply(input, weight)


def prelu_derivative(input: Tensor, weight: Tensor) -> Tensor:
    r"""Derivative with respect to the input: :math:`1` for :math:`x > 0`, else :math:`a`.

    Example:
        >>> prelu_derivative(torch.tensor([-1.0, 0.0, 2.0]), torch.tensor([0.25]))
        tensor([0.2500, 0.2500, 1.0000])
    """
    _check_prelu("prelu_derivative", input, weight)
    xf = _up(input)
    w = _prelu_weight_view(_up(weight), xf)
    return _down(_prelu_input_backward(torch.ones_like(xf), xf, w), input.dtype)


# --------------------------------------------------------------------------------------------
# ELU and SELU
# --------------------------------------------------------------------------------------------

def _elu_backward(grad: Tensor, x: Tensor, alpha: float, scale: float) -> Tensor:
    # d/dx [scale * alpha * (e^x - 1)] = scale * alpha * e^x for x <= 0 (so elu'(0) = alpha).
    # A NaN input takes the x > 0 branch and passes the gradient, like torch's scalar and CUDA
    # kernels (torch's vectorised CPU loop returns NaN there instead).
    return torch.where(x <= 0, grad * (scale * alpha) * torch.exp(x), grad * scale)


class ELUFunction(torch.autograd.Function):
    r"""``scale * (x if x > 0 else alpha * (exp(x) - 1))``; ELU has ``scale = 1``.

    Example:
        >>> ELUFunction.apply(torch.tensor([0.0, 2.0]), 1.0, 1.0)  # alpha, scale
        tensor([0., 2.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, alpha: float, scale: float) -> Tensor:
        xf = _up(x)
        out = torch.where(xf > 0, xf, alpha * torch.expm1(xf))
        if scale != 1.0:
            out = out * scale
        return _down(out, x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.alpha, ctx.scale = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g = _elu_backward(_up(grad_out), _up(x), ctx.alpha, ctx.scale)
        return _down(g, grad_out.dtype), None, None


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    r"""Exponential linear unit (Clevert et al., 2016): :math:`x` for :math:`x > 0`, else
    :math:`\alpha (e^x - 1)`.

    Negative inputs saturate at :math:`-\alpha`. The derivative is :math:`\alpha e^x` for
    :math:`x \le 0` (so :math:`\alpha` at :math:`0`): never exactly zero, but tiny for very
    negative inputs. ELU is continuously differentiable only for :math:`\alpha = 1`.

    Args:
        input: a floating-point tensor of any shape.
        alpha: the saturation value for negative inputs (default ``1.0``).
        inplace: must be ``False``.

    Example:
        >>> elu(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([-0.6321,  0.0000,  2.0000])
    """
    check_tensor("elu", input)
    alpha = check_real("elu", "alpha", alpha)
    check_inplace("elu", inplace)
    return ELUFunction.apply(input, alpha, 1.0)


def elu_derivative(input: Tensor, alpha: float = 1.0) -> Tensor:
    r""":math:`1` for :math:`x > 0`, else :math:`\alpha e^x`.

    Example:
        >>> elu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.3679, 1.0000, 1.0000])
    """
    check_tensor("elu_derivative", input)
    alpha = check_real("elu_derivative", "alpha", alpha)
    xf = _up(input)
    return _down(_elu_backward(torch.ones_like(xf), xf, alpha, 1.0), input.dtype)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Scaled ELU (Klambauer et al., 2017): :math:`\lambda x` for :math:`x > 0`, else
    :math:`\lambda \alpha (e^x - 1)`, with :math:`\lambda \approx 1.0507` and
    :math:`\alpha \approx 1.6733` (:data:`SELU_SCALE`, :data:`SELU_ALPHA`).

    Self-normalisation needs more than the function: LeCun-normal initialisation, standardised
    inputs, fully connected layers and alpha-dropout instead of dropout.

    Args:
        input: a floating-point tensor of any shape.
        inplace: must be ``False``.

    Example:
        >>> selu(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([-1.1113,  0.0000,  1.0507])
    """
    check_tensor("selu", input)
    check_inplace("selu", inplace)
    return ELUFunction.apply(input, SELU_ALPHA, SELU_SCALE)


def selu_derivative(input: Tensor) -> Tensor:
    r""":math:`\lambda` for :math:`x > 0`, else :math:`\lambda \alpha e^x` (about 1.7581 at 0).

    Example:
        >>> selu_derivative(torch.tensor([0.0, 1.0]))
        tensor([1.7581, 1.0507])
    """
    check_tensor("selu_derivative", input)
    xf = _up(input)
    g = _elu_backward(torch.ones_like(xf), xf, SELU_ALPHA, SELU_SCALE)
    return _down(g, input.dtype)


# --------------------------------------------------------------------------------------------
# GELU (exact and tanh approximation)
# --------------------------------------------------------------------------------------------

def _gelu_forward(x: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        inner = _GELU_K * (x + _GELU_C * x * x * x)
        return 0.5 * x * (1.0 + torch.tanh(inner))
    return x * (0.5 * (1.0 + torch.erf(x * _SQRT_HALF)))            # x * Phi(x)


def _gelu_backward(grad: Tensor, x: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        x2 = x * x
        t = torch.tanh(_GELU_K * (x + _GELU_C * x2 * x))
        d_inner = _GELU_K * (1.0 + 3.0 * _GELU_C * x2)
        return grad * (0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * d_inner)
    cdf = 0.5 * (1.0 + torch.erf(x * _SQRT_HALF))                  # Phi(x)
    pdf = torch.exp(-0.5 * x * x) * _INV_SQRT_2PI                  # phi(x)
    return grad * (cdf + x * pdf)


class GELUFunction(torch.autograd.Function):
    r"""``gelu(x) = x * Phi(x)`` (exact) or its tanh approximation.

    Example:
        >>> GELUFunction.apply(torch.tensor([0.0]), "none")
        tensor([0.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, approximate: str) -> Tensor:
        return _down(_gelu_forward(_up(x), approximate), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.approximate = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g = _gelu_backward(_up(grad_out), _up(x), ctx.approximate)
        return _down(g, grad_out.dtype), None


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
    xf = _up(input)
    return _down(_gelu_backward(torch.ones_like(xf), xf, approximate), input.dtype)


# --------------------------------------------------------------------------------------------
# SiLU (Swish) and Mish
# --------------------------------------------------------------------------------------------

def _silu_backward(grad: Tensor, x: Tensor) -> Tensor:
    s = _sigmoid_formula(x)
    return grad * (s * (1.0 + x * (1.0 - s)))                        # s + x s (1 - s)


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
        return _down(xf * _sigmoid_formula(xf), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_silu_backward(_up(grad_out), _up(x)), grad_out.dtype)


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
    xf = _up(input)
    return _down(_silu_backward(torch.ones_like(xf), xf), input.dtype)


def _mish_backward(grad: Tensor, x: Tensor) -> Tensor:
    t = torch.tanh(torch.log1p(torch.exp(x)))                        # tanh(softplus(x))
    return grad * (t + x * _sigmoid_formula(x) * (1.0 - t * t))


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
        return _down(xf * torch.tanh(torch.log1p(torch.exp(xf))), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(inputs[0])

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (x,) = ctx.saved_tensors
        return _down(_mish_backward(_up(grad_out), _up(x)), grad_out.dtype)


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
    xf = _up(input)
    return _down(_mish_backward(torch.ones_like(xf), xf), input.dtype)


# --------------------------------------------------------------------------------------------
# Softplus
# --------------------------------------------------------------------------------------------

def _softplus_backward(grad: Tensor, x: Tensor, beta: float, threshold: float) -> Tensor:
    z = x * beta
    return torch.where(z > threshold, grad, grad * _sigmoid_formula(z))   # softplus' = sigmoid


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
        z = xf * beta
        # Above the threshold softplus equals x to within float precision (and exp would
        # overflow), so return x there, exactly as torch does.
        return _down(torch.where(z > threshold, xf, torch.log1p(torch.exp(z)) / beta), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.beta, ctx.threshold = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g = _softplus_backward(_up(grad_out), _up(x), ctx.beta, ctx.threshold)
        return _down(g, grad_out.dtype), None, None


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
    beta = check_real("softplus", "beta", beta, positive=True)
    threshold = check_real("softplus", "threshold", threshold)
    return SoftplusFunction.apply(input, beta, threshold)


def softplus_derivative(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    r""":math:`\sigma(\beta x)`, and :math:`1` where :math:`\beta x` exceeds the threshold.

    Example:
        >>> softplus_derivative(torch.tensor([0.0]))
        tensor([0.5000])
    """
    check_tensor("softplus_derivative", input)
    beta = check_real("softplus_derivative", "beta", beta, positive=True)
    threshold = check_real("softplus_derivative", "threshold", threshold)
    xf = _up(input)
    return _down(_softplus_backward(torch.ones_like(xf), xf, beta, threshold), input.dtype)


# --------------------------------------------------------------------------------------------
# Sigmoid and tanh
# --------------------------------------------------------------------------------------------

def _sigmoid_backward(grad: Tensor, s: Tensor) -> Tensor:
    return grad * (s * (1.0 - s))                                    # at most 0.25, at x = 0


class SigmoidFunction(torch.autograd.Function):
    r"""``sigmoid(x) = 1 / (1 + exp(-x))`` with backward ``grad * s * (1 - s)``.

    Example:
        >>> SigmoidFunction.apply(torch.tensor([0.0]))
        tensor([0.5000])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return _down(_sigmoid_formula(_up(x)), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)            # s is enough: sigma' = s (1 - s)

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        return _down(_sigmoid_backward(_up(grad_out), _up(s)), grad_out.dtype)


def sigmoid(input: Tensor) -> Tensor:
    r"""Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`.

    Its derivative :math:`\sigma(x)(1 - \sigma(x))` is at most :math:`0.25` (at :math:`x = 0`),
    which is why gradients shrink through stacks of sigmoid layers.

    Example:
        >>> sigmoid(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([0.2689, 0.5000, 0.7311])
    """
    check_tensor("sigmoid", input)
    return SigmoidFunction.apply(input)


def sigmoid_derivative(input: Tensor) -> Tensor:
    r""":math:`\sigma(x)\,(1 - \sigma(x))`, at most :math:`0.25`.

    Example:
        >>> sigmoid_derivative(torch.tensor([0.0]))
        tensor([0.2500])
    """
    check_tensor("sigmoid_derivative", input)
    s = _up(_down(_sigmoid_formula(_up(input)), input.dtype))   # the output, as autograd saves it
    return _down(_sigmoid_backward(torch.ones_like(s), s), input.dtype)


def _tanh_backward(grad: Tensor, t: Tensor) -> Tensor:
    return grad * (1.0 - t * t)


class TanhFunction(torch.autograd.Function):
    r"""``tanh(x)`` from exponentials, with backward ``grad * (1 - t^2)``.

    Example:
        >>> TanhFunction.apply(torch.tensor([0.0]))
        tensor([0.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return _down(_tanh_formula(_up(x)), x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (t,) = ctx.saved_tensors
        return _down(_tanh_backward(_up(grad_out), _up(t)), grad_out.dtype)


def tanh(input: Tensor) -> Tensor:
    r"""Hyperbolic tangent, :math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x})`.

    Zero-centred, bounded in :math:`(-1, 1)`; its derivative :math:`1 - \tanh^2(x)` is at most
    :math:`1` (at :math:`x = 0`) and decays exponentially for large :math:`|x|`.

    Example:
        >>> tanh(torch.tensor([-1.0, 0.0, 1.0]))
        tensor([-0.7616,  0.0000,  0.7616])
    """
    check_tensor("tanh", input)
    return TanhFunction.apply(input)


def tanh_derivative(input: Tensor) -> Tensor:
    r""":math:`1 - \tanh^2(x)`.

    Example:
        >>> tanh_derivative(torch.tensor([0.0]))
        tensor([1.])
    """
    check_tensor("tanh_derivative", input)
    t = _up(_down(_tanh_formula(_up(input)), input.dtype))      # the output, as autograd saves it
    return _down(_tanh_backward(torch.ones_like(t), t), input.dtype)


#: Every activation by its ``torch.nn.functional`` name (read-only).
FUNCTIONS = MappingProxyType({
    "relu": relu, "leaky_relu": leaky_relu, "prelu": prelu, "elu": elu, "selu": selu,
    "gelu": gelu, "silu": silu, "mish": mish, "softplus": softplus, "sigmoid": sigmoid,
    "tanh": tanh,
})

#: The derivative of every activation, by the same names (read-only).
DERIVATIVES = MappingProxyType({
    "relu": relu_derivative, "leaky_relu": leaky_relu_derivative,
    "prelu": prelu_derivative, "elu": elu_derivative, "selu": selu_derivative,
    "gelu": gelu_derivative, "silu": silu_derivative, "mish": mish_derivative,
    "softplus": softplus_derivative, "sigmoid": sigmoid_derivative, "tanh": tanh_derivative,
})
