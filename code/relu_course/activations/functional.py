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

One deliberate difference: ReLU's backward multiplies the incoming gradient by a 0/1 mask
instead of selecting it (faster, see ``_relu_backward``), so an infinite or NaN *incoming
gradient* at an inactive unit gives NaN where torch gives 0. Finite gradients -- everything
training produces before it has already diverged -- are identical.

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

from .._validation import check_inplace, check_real, check_tensor

__all__ = ["relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu", "mish", "softplus",
           "sigmoid", "tanh", "relu_derivative", "leaky_relu_derivative", "prelu_derivative",
           "elu_derivative", "selu_derivative", "gelu_derivative", "silu_derivative",
           "mish_derivative", "softplus_derivative", "sigmoid_derivative", "tanh_derivative",
           "ReLUFunction", "LeakyReLUFunction", "PReLUFunction", "ELUFunction", "GELUFunction",
           "SiLUFunction", "MishFunction", "SoftplusFunction", "SigmoidFunction", "TanhFunction",
           "FUNCTIONS", "DERIVATIVES", "SELU_ALPHA", "SELU_SCALE", "relu_kink",
           "relu_kink_derivative"]

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


# Speed. An elementwise activation does a few arithmetic operations per element, so its cost
# is set by how many times it passes over memory and how many new tensors it allocates. The
# formulas below therefore allocate a result once and then update it in place (``t.mul_(x)``
# rather than ``t * x``): the numbers are bit for bit those of the out-of-place expression in
# the comment beside them, with fewer allocations. Several operations still mean several
# passes; a fused kernel (torch's builtins, or ``torch.compile`` applied to these very
# functions, see ``relu_course.performance.bench.fused``) makes one. ``relu_course.performance.bench`` measures both.
#
# While ``torch.compile`` traces them, some functions take another route to the same values
# (``_is_compiling()`` below): the compiler's CPU code is slow for boolean tensors, and when a
# backward tests ``x > 0`` it prefers to save that 1-byte mask, so the masks become arithmetic
# (``_step``); Leaky ReLU then saves its input instead of its slopes; ``expm1`` becomes
# ``_expm1_fused``, because the compiler's CPU code computes ``exp(x) - 1``, which loses the
# relative accuracy near 0; and the backward of exact GELU in float32 uses a normal CDF that
# shares its exponential with the density (``_normal_cdf_pdf_fused``).
#
# In-place updates are only safe while autograd is not recording: inside ``forward`` (always)
# and inside ``backward`` unless a double backward (``create_graph=True``) differentiates the
# backward itself. Then each helper falls back to its plain out-of-place expression.

def _in_place_ok(*tensors: Tensor) -> bool:
    """Whether intermediate results may be updated in place (autograd is not recording them)."""
    return not torch.is_grad_enabled() or not any(t.requires_grad for t in tensors)


def _sigmoid_formula(x: Tensor) -> Tensor:
    # 1 / (1 + e^{-x}), the textbook formula, which torch's own kernels also use: for
    # x < -88.7 (float32) e^{-x} overflows to inf and the result is 0, as in torch.sigmoid.
    if _in_place_ok(x):
        return x.neg().exp_().add_(1.0).reciprocal_()
    return torch.reciprocal(torch.exp(-x) + 1.0)


def _expm1_fused(y: Tensor) -> Tensor:
    r"""``expm1(y)`` for compiled code, accurate near 0.

    The compiler's vectorised CPU code evaluates ``expm1(y)`` as ``exp(y) - 1``, which is off
    by about one float32 ulp of 1 (6e-8) -- a large relative error when ``|y|`` is small. Near
    0 the Taylor series :math:`y + y^2/2! + \dots` is used instead (below ``0.1`` its first
    omitted term is under 1e-9 of the sum in float32; float64 switches at ``0.01`` and keeps
    two more terms).
    """
    if y.dtype == torch.float64:
        small, terms = 0.01, 8
    else:
        small, terms = 0.1, 6
    taylor = torch.full((), 1.0 / math.factorial(terms), dtype=y.dtype)
    for k in range(terms - 1, 0, -1):                       # Horner: 1/1! + y (1/2! + ...)
        taylor = taylor * y + 1.0 / math.factorial(k)
    return torch.where(y.abs() < small, taylor * y, torch.exp(y) - 1.0)


def _tanh_formula(x: Tensor) -> Tensor:
    # tanh|x| = (1 - e^{-2|x|}) / (1 + e^{-2|x|}) = -m / (2 + m) with m = expm1(-2|x|);
    # copysign restores the sign (and keeps tanh(-0.0) = -0.0).
    if _is_compiling():
        m = _expm1_fused(-2.0 * x.abs())
        return torch.copysign(-m / (m + 2.0), x)
    if _in_place_ok(x):
        m = x.abs().mul_(-2.0).expm1_()                     # m = expm1(-2 |x|)
        denominator = m.add(2.0)                            # m + 2
        # m / (m + 2) = -tanh|x|; copysign keeps only its magnitude, so no negation needed.
        return m.div_(denominator).copysign_(x)             # copysign(-m / (m + 2), x)
    m = torch.expm1(-2.0 * x.abs())
    return torch.copysign(-m / (m + 2.0), x)


# --------------------------------------------------------------------------------------------
# ReLU
# --------------------------------------------------------------------------------------------

#: ``is_functorch_wrapped_tensor(t)`` is true inside ``torch.func`` transforms (vmap, grad),
#: where ``out=`` arguments are not supported; there the backward takes a slower route.
_IS_WRAPPED = getattr(torch._C._functorch, "is_functorch_wrapped_tensor", None)


_is_compiling = getattr(getattr(torch, "compiler", None), "is_compiling", lambda: False)


def _plain(t: Tensor) -> bool:
    """True for an ordinary tensor: not one inside a ``torch.func`` transform, and not while
    ``torch.compile`` traces (the compiler fuses the plain expression by itself)."""
    return _IS_WRAPPED is not None and not _is_compiling() and not _IS_WRAPPED(t)


def _relu_backward(grad: Tensor, out: Tensor) -> Tensor:
    # relu'(x) = 1 for x > 0 and 0 for x <= 0 (PyTorch picks 0 at the kink); the output is
    # enough to decide, since out != 0 exactly where x > 0 (or x is NaN, which passes the
    # gradient, as in torch). Speed: the 0/1 mask is written straight into the result's
    # memory in grad's dtype and multiplied in place -- one new tensor and two passes over
    # memory. (torch.where(out <= 0, 0.0, grad) is easier to read but makes a bool mask
    # first and measured about twice as slow.)
    if _plain(grad) and _plain(out) and _in_place_ok(grad, out):
        mask = torch.ne(out, 0, out=torch.empty_like(grad))
        return mask.mul_(grad)
    return _relu_backward_traced(grad, out)


def _saturate(t: Tensor) -> Tensor:
    """``t`` scaled so far up that every nonzero value overflows past 1: a positive number
    (even the smallest subnormal) becomes at least 1, a negative one at most -1, and zero stays
    zero. Clamping the result to ``[0, 1]`` gives the step function ``x > 0`` as a float,
    computed with arithmetic only -- no boolean tensor (see ``_step``)."""
    big = 2.0 ** 1000 if t.dtype == torch.float64 else 2.0 ** 126      # squared: past the range
    return t * big * big


def _step(x: Tensor) -> Tensor:
    """``1.0`` where ``x > 0`` and ``0.0`` elsewhere (also for NaN), without a boolean mask.

    For ``torch.compile``: its CPU code stores and loads boolean tensors slowly, and when the
    backward needs a mask the compiler likes to save a boolean one (1 byte instead of 4).
    ``fmax`` ignores a NaN operand, so NaN maps to 0, like the test ``x > 0``.
    """
    return torch.fmax(_saturate(x).clamp_max(1.0), torch.zeros((), dtype=x.dtype))


def _relu_backward_traced(grad: Tensor, out: Tensor) -> Tensor:
    """The same inside ``torch.func`` transforms, ``torch.compile`` and a double backward:
    without ``out=`` and without in-place updates."""
    if _is_compiling():
        # Fused by the compiler into one loop, without a boolean mask (see _step). out >= 0
        # here, so fmin(saturated, 1) is 1 where out > 0, 0 at out = 0, and 1 for a NaN output,
        # which passes the gradient as in torch.
        return torch.fmin(_saturate(out), torch.ones((), dtype=out.dtype)) * grad
    return out.ne(0).to(grad.dtype) * grad


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
    return :math:`0`. The backward saves the output (as torch does) and multiplies the
    incoming gradient by the mask ``output != 0``.

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


def _leaky_relu_slopes(x: Tensor, slope: float) -> Tensor:
    """The local derivative, ``1`` where ``x > 0`` and ``slope`` elsewhere, in ``x``'s dtype."""
    if _is_compiling():
        # For torch.compile, without a boolean mask (see _step): lerp(slope, 1, step) is exactly
        # 1 where the step is 1 and exactly the slope where it is 0 (also for a NaN input).
        return torch.lerp(torch.full((), slope, dtype=x.dtype), torch.ones((), dtype=x.dtype),
                          _step(x))
    if 0.0 <= slope < 1.0 and _plain(x):
        # A 0/1 mask written straight into a float tensor, then raised to the slope: exact.
        return torch.gt(x, 0, out=torch.empty_like(x)).clamp_min_(slope)
    return torch.where(x > 0, torch.ones((), dtype=x.dtype, device=x.device), slope)


class LeakyReLUFunction(torch.autograd.Function):
    r"""``leaky_relu(x) = x if x > 0 else slope * x``, returned with the local derivative.

    The forward computes the derivative :math:`d` (``1`` where :math:`x > 0`, else the slope)
    once and returns ``(x * d, d)``; ``d`` is saved, so the backward is the single product
    ``grad * d``. That saves as much memory as torch (which keeps :math:`x`) and passes over
    memory fewer times than testing :math:`x > 0` again. :func:`leaky_relu` returns the first
    output only.

    Example:
        >>> out, slopes = LeakyReLUFunction.apply(torch.tensor([-1.0, 2.0]), 0.1)
        >>> out, slopes
        (tensor([-0.1000,  2.0000]), tensor([0.1000, 1.0000]))
    """

    generate_vmap_rule = True

    @staticmethod
    def forward(x: Tensor, negative_slope: float) -> tuple[Tensor, Tensor]:
        xf = _up(x)
        d = _leaky_relu_slopes(xf, negative_slope)
        if _is_compiling():
            # The compiled backward recomputes d from x (setup_context), so the forward need
            # not share it: max(x, 0) + slope * min(x, 0) is again exactly x or slope * x.
            y = xf.clamp_min(0) + xf.clamp_max(0) * negative_slope
            return _down(y, x.dtype), d
        return _down(xf * d, x.dtype), d                   # x * 1 or x * slope: exact

    @staticmethod
    def setup_context(ctx, inputs, output):
        ctx.mark_non_differentiable(output[1])
        # Under torch.compile the input is saved instead and d recomputed in the fused backward
        # loop: no pass over memory is saved by keeping d there, and d need not be written.
        ctx.recompute = _is_compiling()
        ctx.negative_slope = inputs[1]
        ctx.save_for_backward(inputs[0] if ctx.recompute else output[1])

    @staticmethod
    def backward(ctx, grad_out: Tensor, _grad_slopes: Tensor):
        (saved,) = ctx.saved_tensors
        d = _leaky_relu_slopes(_up(saved), ctx.negative_slope) if ctx.recompute else saved
        return _down(_up(grad_out) * d, grad_out.dtype), None


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
    return LeakyReLUFunction.apply(input, slope)[0]


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
    if _is_compiling():
        # Mask-free for the compiler (see _step): lerp(a, 1, step) is exactly 1 or a.
        return grad * torch.lerp(w, torch.ones((), dtype=w.dtype), _step(x))
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
        if _is_compiling():
            # Mask-free for the compiler (see _step): max(x, 0) + a min(x, 0), exactly x or a x.
            return _down(xf.clamp_min(0) + w * xf.clamp_max(0), x.dtype)
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
        # max(x, 0) + alpha * expm1(min(x, 0)): exactly x for x > 0 and alpha * expm1(x)
        # otherwise (one of the two terms is 0), without a mask or a select.
        if _is_compiling():
            negative = alpha * _expm1_fused(xf.clamp_max(0))        # accurate near 0
            return _down((xf.clamp_min(0) + negative) * scale, x.dtype)
        out = xf.clamp_min(0)
        if scale != 1.0:
            out.mul_(scale)
        out.add_(xf.clamp_max(0).expm1_(), alpha=alpha * scale)
        return _down(out, x.dtype)

    @staticmethod
    def setup_context(ctx, inputs, output):
        x, ctx.alpha, ctx.scale = inputs
        ctx.save_for_backward(x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        g, xf = _up(grad_out), _up(x)
        if ctx.alpha == 1.0 and ctx.scale == 1.0 and _in_place_ok(g, xf):
            # ELU: elu'(x) = e^{min(x, 0)} (1 for x > 0, e^x otherwise): two passes.
            return _down(xf.clamp_max(0).exp_().mul_(g), grad_out.dtype), None, None
        return _down(_elu_backward(g, xf, ctx.alpha, ctx.scale), grad_out.dtype), None, None


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

# Under torch.compile, the backward of exact GELU in float32 evaluates the normal CDF with the
# rational approximation 7.1.26 of Abramowitz & Stegun (1964): for z >= 0,
#   erfc(z) ~ t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^{-z^2},  t = 1 / (1 + p z),
# with an absolute error below 1.5e-7 -- about one float32 ulp of 1. Its e^{-z^2} with
# z = |x| / sqrt(2) is the e^{-x^2/2} of the normal density, so the fused backward needs one
# exponential for both instead of an erf and an exponential: on the 2-core CPU of the
# course's benchmarks that loop took 1.7 ms where erf + exp took 2.3 ms (torch's own GELU
# backward: 1.7 ms, 2^22 elements). The forward keeps erf, which was the faster of the two
# there; float64 keeps erf throughout.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)


def _normal_cdf_pdf_fused(x: Tensor) -> tuple[Tensor, Tensor]:
    """``(Phi(x), phi(x))`` from one exponential; for compiled float32 code (see above)."""
    t = 1.0 / (1.0 + (_AS_P * _SQRT_HALF) * x.abs())
    a1, a2, a3, a4, a5 = _AS_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    gauss = torch.exp(-0.5 * x * x)                                  # e^{-x^2/2}
    tail = 0.5 * poly * gauss                                        # Phi(-|x|)
    return torch.where(x < 0, tail, 1.0 - tail), gauss * _INV_SQRT_2PI


def _gelu_fast_path(x: Tensor, approximate: str) -> bool:
    return approximate == "none" and x.dtype == torch.float32 and _is_compiling()


def _gelu_forward(x: Tensor, approximate: str) -> Tensor:
    if approximate == "tanh":
        inner = x.mul(_GELU_C).mul_(x).mul_(x).add_(x).mul_(_GELU_K)  # K (x + C x^3)
        return inner.tanh_().add_(1.0).mul_(0.5).mul_(x)      # 0.5 x (1 + tanh(inner))
    cdf = x.mul(_SQRT_HALF).erf_().add_(1.0).mul_(0.5)        # Phi(x) = (1 + erf(x/sqrt2))/2
    return cdf.mul_(x)                                        # x * Phi(x)


def _gelu_backward(grad: Tensor, x: Tensor, approximate: str) -> Tensor:
    if _gelu_fast_path(x, approximate):
        cdf, pdf = _normal_cdf_pdf_fused(x)
        return grad * (cdf + x * pdf)
    if approximate == "tanh" or not _in_place_ok(grad, x):
        return _gelu_backward_reference(grad, x, approximate)
    cdf = x.mul(_SQRT_HALF).erf_().add_(1.0).mul_(0.5)        # Phi(x)
    pdf = x.mul(-0.5).mul_(x).exp_().mul_(_INV_SQRT_2PI)      # phi(x) = e^{-x^2/2}/sqrt(2pi)
    return cdf.add_(pdf.mul_(x)).mul_(grad)                   # grad * (Phi(x) + x phi(x))


def _gelu_backward_reference(grad: Tensor, x: Tensor, approximate: str) -> Tensor:
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
    if not _in_place_ok(grad, x):
        return grad * (s * (1.0 + x * (1.0 - s)))                    # s + x s (1 - s)
    t = torch.rsub(s, 1.0).mul_(x).add_(1.0)                          # 1 + x (1 - s)
    return t.mul_(s).mul_(grad)                              # grad * (s (1 + x (1 - s)))


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
        return _down(_sigmoid_formula(xf).mul_(xf), x.dtype)             # x * sigmoid(x)

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
    if not _in_place_ok(grad, x):
        t = torch.tanh(torch.log1p(torch.exp(x)))                    # tanh(softplus(x))
        return grad * (t + x * _sigmoid_formula(x) * (1.0 - t * t))
    t = x.exp().log1p_().tanh_()                                     # tanh(softplus(x))
    u = torch.mul(t, t).neg_().add_(1.0)                             # 1 - t^2
    s = _sigmoid_formula(x).mul_(x).mul_(u)                          # x sigmoid(x) (1 - t^2)
    return s.add_(t).mul_(grad)                                      # grad * (t + ...)


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
        return _down(xf.exp().log1p_().tanh_().mul_(xf), x.dtype)     # x tanh(softplus(x))

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
    if _is_compiling():
        # Mask-free (see _step): sigmoid(z) below the threshold, exactly 1 above it.
        one = torch.ones((), dtype=z.dtype)
        return grad * torch.lerp(_sigmoid_formula(z), one, _step(z - threshold))
    if not _in_place_ok(grad, x):
        return torch.where(z > threshold, grad, grad * _sigmoid_formula(z))
    linear = z > threshold
    return torch.where(linear, grad, _sigmoid_formula(z).mul_(grad))    # softplus' = sigmoid


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
        linear = z > threshold
        smooth = z.exp_().log1p_().div_(beta)                       # log(1 + e^z) / beta
        return _down(torch.where(linear, xf, smooth), x.dtype)

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
    xf = _up(input)
    return _down(_softplus_backward(torch.ones_like(xf), xf, beta, threshold), input.dtype)


# --------------------------------------------------------------------------------------------
# Sigmoid and tanh
# --------------------------------------------------------------------------------------------

def _sigmoid_backward(grad: Tensor, s: Tensor) -> Tensor:
    if not _in_place_ok(grad, s):
        return grad * (s * (1.0 - s))                                # at most 0.25, at x = 0
    return torch.rsub(s, 1.0).mul_(s).mul_(grad)                     # grad * (s (1 - s))


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
    if not _in_place_ok(grad, t):
        return grad * (1.0 - t * t)
    return torch.mul(t, t).neg_().add_(1.0).mul_(grad)               # grad * (1 - t^2)


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


# --------------------------------------------------------------------------------------------
# ReLU with a chosen derivative at the kink (chapter 12)
# --------------------------------------------------------------------------------------------

def _relu_kink_backward(grad: Tensor, x: Tensor, grad_at_zero: float) -> Tensor:
    # 1 where x > 0, grad_at_zero where x == 0 exactly, 0 where x < 0; NaN passes, as in relu
    slope = torch.where(x > 0, 1.0, torch.where(x == 0, grad_at_zero, 0.0)).to(grad.dtype)
    return torch.where(torch.isnan(x), grad, grad * slope)


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
        x, grad_at_zero = inputs
        ctx.save_for_backward(x)
        ctx.grad_at_zero = grad_at_zero

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        return _relu_kink_backward(grad_out, x, ctx.grad_at_zero), None


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
    return _relu_kink_backward(torch.ones_like(input), input, s)
