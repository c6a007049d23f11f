r"""Activation functions written from scratch, each with a hand-written backward pass.

Every activation is a :class:`torch.autograd.Function` in the style of PyTorch's
"Extending PyTorch" notes: ``forward`` takes no ``ctx`` and computes the formula;
``setup_context`` saves what the derivative needs through ``save_for_backward`` (and
``save_for_forward``); ``backward`` is the derivative you would write on paper, times the
incoming gradient; ``jvp`` is the same derivative times a tangent (forward-mode AD, for
``torch.func.jvp``). ``generate_vmap_rule = True`` lets ``torch.func.vmap`` batch them, since
their bodies are plain torch operations. No backward calls the torch op of the same name or
relies on autograd to differentiate the forward.

The public wrappers have the names and signatures of :mod:`torch.nn.functional` and reproduce
its behaviour: values, gradients (including the choice made at a kink, e.g. ``relu'(0) = 0``),
NaN propagation, ``relu(-0.0) == -0.0``, infinities, empty and 0-d tensors, any memory layout,
and the four floating-point dtypes. Like PyTorch's own kernels, float16 and bfloat16 inputs are
computed in float32 and rounded once at the end (``_up`` and ``_down``).

Each function ``f`` also has ``f_derivative`` with the same arguments, which returns
:math:`f'(x)` elementwise -- exactly the gradient that autograd returns for ``f(x).sum()``.

These are the readable versions: one formula per line, out of place. The fast path -- the same
functions reformulated for ``torch.compile`` and fused into one loop each way -- lives in
:mod:`relu_course.performance.fusion`, whose tests check it against these functions. The activation
registry (:mod:`relu_course.activations.registry`) lists them all by name.

Contents, by activation (each ``f`` with ``f_derivative`` and, for those with a hand-written
backward, ``FFunction``):

* :func:`relu` (:class:`ReLUFunction`), :func:`leaky_relu` (:class:`LeakyReLUFunction`),
  :func:`prelu` (:class:`PReLUFunction`), :func:`relu_kink` (:class:`ReLUKinkFunction`) --
  the rectifiers; :func:`relu_derivative`, :func:`leaky_relu_derivative`,
  :func:`prelu_derivative`, :func:`relu_kink_derivative`;
* :func:`elu` and :func:`selu` (:class:`ELUFunction`, constants :data:`SELU_ALPHA` and
  :data:`SELU_SCALE`); :func:`elu_derivative`, :func:`selu_derivative`;
* :func:`gelu` (:class:`GELUFunction`), :func:`silu` (:class:`SiLUFunction`), :func:`mish`
  (:class:`MishFunction`), :func:`softplus` (:class:`SoftplusFunction`) -- the smooth ones;
  :func:`gelu_derivative`, :func:`silu_derivative`, :func:`mish_derivative`,
  :func:`softplus_derivative`;
* :func:`sigmoid` (:class:`SigmoidFunction`) and :func:`tanh` (:class:`TanhFunction`) -- the
  saturating ones ReLU replaced; :func:`sigmoid_derivative`, :func:`tanh_derivative`.

Papers: ReLU (Nair & Hinton, 2010; Glorot, Bordes & Bengio, 2011), Leaky ReLU (Maas, Hannun &
Ng, 2013), PReLU (He et al., 2015), ELU (Clevert, Unterthiner & Hochreiter, 2016), SELU
(Klambauer et al., 2017), GELU (Hendrycks & Gimpel, 2016), SiLU (Hendrycks & Gimpel, 2016;
Elfwing, Uchibe & Doya, 2018; called Swish by Ramachandran, Zoph & Le, 2017), Mish (Misra, 2020).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from .._validation import check_inplace, check_real, check_tensor

__all__ = [
    "relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish", "softplus",
    "sigmoid", "tanh",
    "relu_derivative", "leaky_relu_derivative", "prelu_derivative", "elu_derivative",
    "selu_derivative", "gelu_derivative", "silu_derivative", "mish_derivative",
    "softplus_derivative", "sigmoid_derivative", "tanh_derivative",
    "ReLUFunction", "LeakyReLUFunction", "PReLUFunction", "ELUFunction", "GELUFunction",
    "SiLUFunction", "MishFunction", "SoftplusFunction", "SigmoidFunction", "TanhFunction",
    "SELU_ALPHA", "SELU_SCALE", "ReLUKinkFunction", "relu_kink", "relu_kink_derivative",
]

#: SELU's :math:`\alpha` (Klambauer et al., 2017), as used by ``torch.nn.functional.selu``.
SELU_ALPHA = 1.6732632423543772848170429916717
#: SELU's scale :math:`\lambda` (Klambauer et al., 2017).
SELU_SCALE = 1.0507009873554804934193349852946

_SQRT_HALF = 1.0 / math.sqrt(2.0)            # 1/sqrt(2)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_K = math.sqrt(2.0 / math.pi)          # tanh approximation: sqrt(2/pi)
_GELU_C = 0.044715                          # tanh approximation: cubic coefficient


def _up(t: Tensor) -> Tensor:
    """float16 and bfloat16 are computed in float32 (PyTorch's "opmath" convention)."""
    return t.float() if t.dtype in (torch.float16, torch.bfloat16) else t


def _down(t: Tensor, like: Tensor) -> Tensor:
    """Round a result once, back to the dtype of ``like``."""
    return t.to(like.dtype)


def _sigmoid(x: Tensor) -> Tensor:
    # The textbook formula, as in torch's kernels: for x < -88.7 (float32) e^{-x} overflows
    # to inf and the result is exactly 0, as torch.sigmoid gives.
    return 1.0 / (1.0 + torch.exp(-x))


def _tanh(x: Tensor) -> Tensor:
    # tanh|x| = (1 - e^{-2|x|}) / (1 + e^{-2|x|}) = -m / (m + 2) with m = expm1(-2|x|):
    # expm1 keeps float32's relative accuracy near 0 (1 - e^{-2|x|} would cancel), the
    # exponent is never positive (no overflow), and copysign restores the sign, tanh(-0) = -0.
    m = torch.expm1(-2.0 * x.abs())
    return torch.copysign(-m / (m + 2.0), x)


# --------------------------------------------------------------------------------------------
# ReLU
# --------------------------------------------------------------------------------------------

class ReLUFunction(torch.autograd.Function):
    r"""``relu(x) = max(0, x)`` with backward ``grad * (x > 0)``.

    ``forward`` computes ``max(x, 0)`` with ``clamp_min``, which keeps ``-0.0`` and NaN as
    ``torch.relu`` does. ``setup_context`` saves the *output*: it is enough, because
    ``out > 0`` exactly where ``x > 0`` (torch's own ReLU saves its output too).
    ``backward`` selects rather than multiplies by a 0/1 mask, so an inactive unit returns
    exactly 0 even for an infinite incoming gradient, a NaN input passes its gradient, and
    ``relu'(0) = 0`` as in PyTorch. ``jvp`` is the same derivative applied to a tangent
    (forward mode, ``torch.func.jvp``).

    Example:
        >>> ReLUFunction.apply(torch.tensor([-1.0, 2.0]))  # what relu() calls
        tensor([0., 2.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return x.clamp_min(0)                # max(x, 0)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)        # out > 0 exactly where x > 0
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return torch.where(out <= 0, 0.0, grad_out)    # relu'(0) = 0

    @staticmethod
    def jvp(ctx, x_t: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return torch.where(out <= 0, 0.0, x_t)


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""Rectified linear unit, :math:`\mathrm{ReLU}(x) = \max(0, x)`, elementwise.

    The derivative is :math:`1` for :math:`x > 0` and :math:`0` for :math:`x < 0`; at
    :math:`x = 0` any value in :math:`[0, 1]` is a valid subgradient and, like PyTorch, we
    return :math:`0`. The backward saves the output (as torch does) and selects the incoming
    gradient where ``output > 0`` (and 0 elsewhere).

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


def _derivative(fn, input: Tensor, *args) -> Tensor:
    """:math:`f'(x)` elementwise: what our own backward returns for ``fn(x).sum()``.

    Works under ``torch.no_grad()`` and ``torch.inference_mode()`` too (tensors made in
    inference mode are copied, since autograd cannot record them)."""
    def plain(t):
        return t.clone() if isinstance(t, Tensor) and t.is_inference() else t

    with torch.inference_mode(False), torch.enable_grad():
        x = plain(input).detach().requires_grad_(True)
        y = fn(x, *(plain(a) for a in args))
        (d,) = torch.autograd.grad(y, x, torch.ones_like(y))
    return d


def relu_derivative(input: Tensor) -> Tensor:
    r""":math:`\mathrm{ReLU}'(x)`: ``1`` where ``x > 0``, else ``0`` (``0`` at ``x = 0``).

    Example:
        >>> relu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 1.])
    """
    check_tensor("relu_derivative", input)
    return _derivative(relu, input)


# --------------------------------------------------------------------------------------------
# Leaky ReLU
# --------------------------------------------------------------------------------------------

class LeakyReLUFunction(torch.autograd.Function):
    r"""``leaky_relu(x) = x if x > 0 else slope * x``, with backward ``grad`` or
    ``slope * grad``.

    Example:
        >>> LeakyReLUFunction.apply(torch.tensor([-1.0, 2.0]), 0.1)
        tensor([-0.1000,  2.0000])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, negative_slope: float) -> Tensor:
        xf = _up(x)
        return _down(torch.where(xf > 0, xf, negative_slope * xf), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.negative_slope = inputs
        ctx.save_for_backward(x)                 # as torch does
        ctx.save_for_forward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g, xf = _up(grad_out), _up(x)
        # 1 for x > 0, the slope for x <= 0 (also at the kink and for NaN, as torch)
        return _down(torch.where(xf > 0, g, ctx.negative_slope * g), grad_out), None

    @staticmethod
    def jvp(ctx, x_t: Tensor, _slope_t) -> Tensor:
        (x,) = ctx.saved_tensors
        t = _up(x_t)
        return _down(torch.where(_up(x) > 0, t, ctx.negative_slope * t), x_t)


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
    return _derivative(LeakyReLUFunction.apply, input, slope)


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


def _sum_like_weight(per_element: Tensor, weight: Tensor) -> Tensor:
    """Sum over everything that shares a slope: all elements, or all but the channel dim."""
    if weight.numel() == 1:
        return per_element.sum().reshape(weight.shape)
    dims = [d for d in range(per_element.dim()) if d != 1]
    return per_element.sum(dim=dims).reshape(weight.shape)


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
        a = _prelu_weight_view(_up(weight), xf)                  # (1, C, 1, ...) or ()
        return _down(torch.where(xf > 0, xf, a * xf), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(*inputs)            # x and the weight
        ctx.save_for_forward(*inputs)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight = ctx.saved_tensors
        g, xf = _up(grad_out), _up(x)
        a = _prelu_weight_view(_up(weight), xf)
        grad_x = grad_a = None
        if ctx.needs_input_grad[0]:
            grad_x = _down(torch.where(xf > 0, g, a * g), grad_out)          # dy/dx = 1 or a
        if ctx.needs_input_grad[1]:
            per_element = torch.where(xf > 0, 0.0, xf * g)                   # dy/da = 0 or x
            grad_a = _down(_sum_like_weight(per_element, weight), weight)
        return grad_x, grad_a

    @staticmethod
    def jvp(ctx, x_t: Tensor | None, weight_t: Tensor | None) -> Tensor:
        x, weight = ctx.saved_tensors
        xf = _up(x)
        a = _prelu_weight_view(_up(weight), xf)
        out_t = torch.zeros_like(xf)
        if x_t is not None:
            out_t = out_t + torch.where(xf > 0, _up(x_t), a * _up(x_t))
        if weight_t is not None:
            out_t = out_t + torch.where(xf > 0, 0.0, xf * _prelu_weight_view(_up(weight_t), xf))
        return _down(out_t, x)


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
    return _derivative(PReLUFunction.apply, input, weight.detach())


# --------------------------------------------------------------------------------------------
# ELU and SELU
# --------------------------------------------------------------------------------------------

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
        # expm1(x), not exp(x) - 1: accurate near 0, where exp(x) - 1 cancels.
        return _down(torch.where(xf > 0, scale * xf, (scale * alpha) * torch.expm1(xf)), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.alpha, ctx.scale = inputs
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g, xf = _up(grad_out), _up(x)
        # d/dx = scale for x > 0 and scale * alpha * e^x for x <= 0 (so alpha at the kink).
        # A NaN input passes the gradient, like torch's scalar and CUDA kernels.
        slope_neg = (ctx.scale * ctx.alpha) * torch.exp(xf)
        return _down(torch.where(xf <= 0, g * slope_neg, g * ctx.scale), grad_out), None, None

    @staticmethod
    def jvp(ctx, x_t: Tensor, _alpha_t, _scale_t) -> Tensor:
        (x,) = ctx.saved_tensors
        t, xf = _up(x_t), _up(x)
        slope_neg = (ctx.scale * ctx.alpha) * torch.exp(xf)
        return _down(torch.where(xf <= 0, t * slope_neg, t * ctx.scale), x_t)


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
    return _derivative(ELUFunction.apply, input, alpha, 1.0)


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
    return _derivative(ELUFunction.apply, input, SELU_ALPHA, SELU_SCALE)


# --------------------------------------------------------------------------------------------
# GELU (exact and tanh approximation)
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# SiLU (Swish) and Mish
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Softplus
# --------------------------------------------------------------------------------------------

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


# --------------------------------------------------------------------------------------------
# Sigmoid and tanh
# --------------------------------------------------------------------------------------------

class SigmoidFunction(torch.autograd.Function):
    r"""``sigmoid(x) = 1 / (1 + exp(-x))`` with backward ``grad * s * (1 - s)``.

    Example:
        >>> SigmoidFunction.apply(torch.tensor([0.0]))
        tensor([0.5000])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return _down(_sigmoid(_up(x)), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)            # s is enough: sigma' = s (1 - s)
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        s = _up(s)
        return _down(_up(grad_out) * (s * (1.0 - s)), grad_out)      # at most 0.25, at x = 0

    @staticmethod
    def jvp(ctx, x_t: Tensor) -> Tensor:
        (s,) = ctx.saved_tensors
        s = _up(s)
        return _down(_up(x_t) * (s * (1.0 - s)), x_t)


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
    return _derivative(sigmoid, input)


class TanhFunction(torch.autograd.Function):
    r"""``tanh(x)`` from exponentials, with backward ``grad * (1 - t^2)``.

    Example:
        >>> TanhFunction.apply(torch.tensor([0.0]))
        tensor([0.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        return _down(_tanh(_up(x)), x)

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.save_for_backward(output)            # t is enough: tanh' = 1 - t^2
        ctx.save_for_forward(output)

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (t,) = ctx.saved_tensors
        t = _up(t)
        return _down(_up(grad_out) * (1.0 - t * t), grad_out)

    @staticmethod
    def jvp(ctx, x_t: Tensor) -> Tensor:
        (t,) = ctx.saved_tensors
        t = _up(t)
        return _down(_up(x_t) * (1.0 - t * t), x_t)


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
    return _derivative(tanh, input)


# --------------------------------------------------------------------------------------------
# ReLU with a chosen derivative at the kink
# --------------------------------------------------------------------------------------------

def _relu_kink_slope(x: Tensor, grad_at_zero: float) -> Tensor:
    # 1 where x > 0, grad_at_zero where x == 0 exactly, 0 where x < 0; NaN passes, as in relu
    return torch.where(x > 0, 1.0, torch.where(x == 0, grad_at_zero, 0.0))


class ReLUKinkFunction(torch.autograd.Function):
    r"""``max(0, x)`` whose backward uses :math:`\mathrm{ReLU}'(0) = s` (``grad_at_zero``).

    The forward saves the *input*: the output cannot tell an exact zero from a negative input.

    Example:
        >>> x = torch.zeros(2, requires_grad=True)
        >>> ReLUKinkFunction.apply(x, 1.0).sum().backward(); x.grad
        tensor([1., 1.])
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, grad_at_zero: float) -> Tensor:
        return x.clamp_min(0)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.grad_at_zero = inputs
        ctx.save_for_backward(x)
        ctx.save_for_forward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        slope = _relu_kink_slope(x, ctx.grad_at_zero).to(grad_out.dtype)
        return torch.where(torch.isnan(x), grad_out, grad_out * slope), None

    @staticmethod
    def jvp(ctx, x_t: Tensor, _grad_at_zero_t) -> Tensor:
        (x,) = ctx.saved_tensors
        slope = _relu_kink_slope(x, ctx.grad_at_zero).to(x_t.dtype)
        return torch.where(torch.isnan(x), x_t, x_t * slope)


def relu_kink(input: Tensor, grad_at_zero: float = 0.0) -> Tensor:
    r"""ReLU with a chosen value :math:`s` of the derivative at exactly :math:`x = 0`.

    The values are :math:`\max(0, x)`, bit for bit as :func:`relu`; only the backward differs:

    .. math::
        \frac{\partial\,\mathrm{ReLU}_s}{\partial x} =
        \begin{cases} 1 & x > 0,\\ s & x = 0,\\ 0 & x < 0. \end{cases}

    Every :math:`s \in [0, 1]` is a subgradient; PyTorch (and :func:`relu`) use :math:`s = 0`.
    Bertoin et al. (2021) compare :math:`s = 0` and :math:`s = 1`: the choice changes the
    computed gradient whenever a pre-activation is exactly 0, which low precision makes
    common. Other values of :math:`s` are accepted too (any finite number), for experiments.

    Args:
        input: a floating-point tensor of any shape.
        grad_at_zero: :math:`s`, the derivative used where ``input == 0`` (also at ``-0.0``).

    Example:
        >>> x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
        >>> relu_kink(x, grad_at_zero=1.0).sum().backward()
        >>> x.grad
        tensor([0., 1., 1.])
    """
    check_tensor("relu_kink", input)
    s = check_real("relu_kink", "grad_at_zero", grad_at_zero)
    return ReLUKinkFunction.apply(input, s)


def relu_kink_derivative(input: Tensor, grad_at_zero: float = 0.0) -> Tensor:
    r""":math:`1` for :math:`x > 0`, :math:`s` (``grad_at_zero``) at :math:`x = 0`, else :math:`0`.

    Example:
        >>> relu_kink_derivative(torch.tensor([-1.0, 0.0, 2.0]), grad_at_zero=1.0)
        tensor([0., 1., 1.])
    """
    check_tensor("relu_kink_derivative", input)
    s = check_real("relu_kink_derivative", "grad_at_zero", grad_at_zero)
    return _derivative(ReLUKinkFunction.apply, input, s)
