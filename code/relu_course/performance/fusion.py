r"""The fast path: the from-scratch activations reformulated for ``torch.compile``.

:mod:`relu_course.activations.functional` is written to be read: each formula as it is on
paper. Run eagerly, every operation in a formula is a separate pass over memory, which is why
those functions are several times slower than torch's fused builtins on large tensors.
``torch.compile`` (TorchInductor) turns a formula into a single loop -- one pass forward and
one backward, as the builtins do -- and :func:`fused` returns exactly that. A few formulas
are rewritten here first, because the compiler's CPU code handles them badly:

* **No boolean masks** (``_step``, ``_saturate``). The compiler's CPU code stores and loads
  boolean tensors slowly, and when a backward tests ``x > 0`` on a saved tensor, the compiler
  likes to save the 1-byte mask instead of the tensor -- an extra, slow pass. So the step
  function ``x > 0`` is computed with arithmetic: ``x`` times a huge number overflows every
  nonzero value past 1 in magnitude, and clamping to ``[0, 1]`` gives 0 or 1. ReLU's backward
  multiplies by it; Leaky ReLU and PReLU blend ``lerp(slope, 1, step)``, which is exactly 1 or
  exactly the slope; their forwards are ``max(x, 0) + slope * min(x, 0)`` (``clamp_min`` +
  ``clamp_max``), again exactly ``x`` or ``slope * x``; Leaky ReLU saves its input, as torch
  does, and recomputes the slopes in the backward loop; Softplus' backward blends the sigmoid
  with 1 above the threshold the same way.
* **An accurate expm1** (``_expm1_fused``): the compiler's vectorised CPU code evaluates
  ``expm1(y)`` as ``exp(y) - 1``, off by about one float32 ulp of 1 (6e-8) -- a large relative
  error for small ``|y|``. ELU/SELU and tanh use a short Taylor series near 0 instead.
* **One exponential for GELU's backward** (``_normal_cdf_pdf_fused``, exact GELU in float32):
  the normal CDF from the rational approximation 7.1.26 of Abramowitz & Stegun (1964),
  whose :math:`e^{-z^2}` is the density's :math:`e^{-x^2/2}`, so the backward needs one
  exponential instead of an erf and an exponential (1.7 ms against 2.3 ms for 2^22 elements on
  the course's 2-core CPU; torch's own GELU backward: 1.7 ms). Absolute error below 1.5e-7,
  about one float32 ulp of 1. The forward keeps erf (the faster of the two); float64 keeps erf.

Sigmoid, SiLU and Mish need no rewriting. Each Function below subclasses the readable one and
replaces only the methods that differ -- and ``jvp``: Dynamo does not trace an autograd
Function that defines one (it would run the function eagerly, unfused), so forward-mode AD
stays with :mod:`relu_course.activations.functional`. ``tests/performance/test_fusion.py``
checks every fused function against the readable one (values and gradients, with the
tolerances stated there) and against torch. :data:`FUSED` holds the wrappers, by name, with the
eager functions' signatures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from types import MappingProxyType

import torch
from torch import Tensor

from .._validation import check_inplace, check_real, check_tensor
from ..activations import functional as F
from ..activations.functional import _down, _prelu_weight_view, _sigmoid, _sum_like_weight, _up

__all__ = ["fused", "FUSED"]


# --------------------------------------------------------------------------------------------
# Helpers: a step function without masks, expm1 and the normal CDF for compiled code
# --------------------------------------------------------------------------------------------

def _saturate(t: Tensor) -> Tensor:
    """``t`` scaled so far up that every nonzero value overflows past 1: a positive number
    (even the smallest subnormal) becomes at least 1, a negative one at most -1, and zero stays
    zero. Clamping the result to ``[0, 1]`` gives the step function ``x > 0`` as a float,
    computed with arithmetic only -- no boolean tensor (see ``_step``)."""
    big = 2.0 ** 1000 if t.dtype == torch.float64 else 2.0 ** 126      # squared: past the range
    return t * big * big


def _step(x: Tensor) -> Tensor:
    """``1.0`` where ``x > 0`` and ``0.0`` elsewhere (also for NaN), without a boolean mask.

    ``fmax`` ignores a NaN operand, so NaN maps to 0, like the test ``x > 0``.
    """
    return torch.fmax(_saturate(x).clamp_max(1.0), torch.zeros((), dtype=x.dtype))


def _blend(low: Tensor | float, high: Tensor | float, x: Tensor) -> Tensor:
    """``high`` where ``x > 0``, ``low`` elsewhere, exactly: ``lerp(low, high, step(x))``
    is ``low + 0`` or ``high - 0`` (for finite ``low`` and ``high``)."""
    if not isinstance(low, Tensor):
        low = torch.full((), low, dtype=x.dtype)
    if not isinstance(high, Tensor):
        high = torch.full((), high, dtype=x.dtype)
    return torch.lerp(low, high, _step(x))


def _expm1_fused(y: Tensor) -> Tensor:
    r"""``expm1(y)`` for compiled code, accurate near 0.

    Near 0 the Taylor series :math:`y + y^2/2! + \dots` is used instead of ``exp(y) - 1``
    (below ``0.1`` its first omitted term is under 1e-9 of the sum in float32; float64
    switches at ``0.01`` and keeps two more terms).
    """
    if y.dtype == torch.float64:
        small, terms = 0.01, 8
    else:
        small, terms = 0.1, 6
    taylor = torch.full((), 1.0 / math.factorial(terms), dtype=y.dtype)
    for k in range(terms - 1, 0, -1):                       # Horner: 1/1! + y (1/2! + ...)
        taylor = taylor * y + 1.0 / math.factorial(k)
    return torch.where(y.abs() < small, taylor * y, torch.exp(y) - 1.0)


# Abramowitz & Stegun 7.1.26: for z >= 0,
#   erfc(z) ~ t (a1 + t (a2 + t (a3 + t (a4 + t a5)))) e^{-z^2},  t = 1 / (1 + p z),
# absolute error below 1.5e-7.
_AS_P = 0.3275911
_AS_A = (0.254829592, -0.284496736, 1.421413741, -1.453152027, 1.061405429)
_SQRT_HALF = 1.0 / math.sqrt(2.0)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _normal_cdf_pdf_fused(x: Tensor) -> tuple[Tensor, Tensor]:
    """``(Phi(x), phi(x))`` from one exponential; for compiled float32 code (see above)."""
    t = 1.0 / (1.0 + (_AS_P * _SQRT_HALF) * x.abs())
    a1, a2, a3, a4, a5 = _AS_A
    poly = t * (a1 + t * (a2 + t * (a3 + t * (a4 + t * a5))))
    gauss = torch.exp(-0.5 * x * x)                                  # e^{-x^2/2}
    tail = 0.5 * poly * gauss                                        # Phi(-|x|)
    return torch.where(x < 0, tail, 1.0 - tail), gauss * _INV_SQRT_2PI


# --------------------------------------------------------------------------------------------
# The rewritten Functions: each replaces only what differs from the readable one
# --------------------------------------------------------------------------------------------

class _NoJVP:
    """Dynamo cannot trace a ``torch.autograd.Function`` that defines ``jvp`` (it falls back to
    eager code), so the fused Functions restore the default, leaving forward-mode AD to
    :mod:`relu_course.activations.functional`."""

    jvp = torch.autograd.Function.jvp


class SiLUFused(_NoJVP, F.SiLUFunction):
    """SiLU, unchanged: the readable formula compiles well."""


class MishFused(_NoJVP, F.MishFunction):
    """Mish, unchanged: the readable formula compiles well."""


class SigmoidFused(_NoJVP, F.SigmoidFunction):
    """Sigmoid, unchanged: the readable formula compiles well."""


class ReLUFused(_NoJVP, F.ReLUFunction):
    """ReLU, backward ``grad * step(out)``: ``out >= 0``, so ``fmin(saturated, 1)`` is 1 where
    ``out > 0``, 0 at ``out = 0`` and 1 for a NaN output, which passes the gradient as in
    torch. (A product, not a selection: an infinite incoming gradient at an inactive unit
    gives NaN here, 0 in the readable version and torch.)"""

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        return torch.fmin(_saturate(out), torch.ones((), dtype=out.dtype)) * grad_out


class LeakyReLUFused(_NoJVP, F.LeakyReLUFunction):
    """Leaky ReLU as ``max(x, 0) + slope * min(x, 0)``, backward ``grad * lerp(slope, 1,
    step(x))``: exactly ``x`` or ``slope * x``, exactly 1 or the slope."""

    @staticmethod
    def forward(x: Tensor, negative_slope: float) -> Tensor:
        xf = _up(x)
        return _down(xf.clamp_min(0) + xf.clamp_max(0) * negative_slope, x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        slopes = _blend(ctx.negative_slope, 1.0, _up(x))
        return _down(_up(grad_out) * slopes, grad_out), None


class PReLUFused(_NoJVP, F.PReLUFunction):
    """PReLU as ``max(x, 0) + a * min(x, 0)``, input gradient ``grad * lerp(a, 1, step(x))``."""

    @staticmethod
    def forward(x: Tensor, weight: Tensor) -> Tensor:
        xf = _up(x)
        a = _prelu_weight_view(_up(weight), xf)
        return _down(xf.clamp_min(0) + a * xf.clamp_max(0), x)

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        x, weight = ctx.saved_tensors
        g, xf = _up(grad_out), _up(x)
        a = _prelu_weight_view(_up(weight), xf)
        grad_x = grad_a = None
        if ctx.needs_input_grad[0]:
            grad_x = _down(g * _blend(a, 1.0, xf), grad_out)
        if ctx.needs_input_grad[1]:
            per_element = torch.where(xf > 0, 0.0, xf * g)                   # dy/da = 0 or x
            grad_a = _down(_sum_like_weight(per_element, weight), weight)
        return grad_x, grad_a


class ELUFused(_NoJVP, F.ELUFunction):
    """ELU/SELU as ``scale * max(x, 0) + scale * alpha * expm1(min(x, 0))`` (one of the two
    terms is 0), with the accurate ``_expm1_fused``."""

    @staticmethod
    def forward(x: Tensor, alpha: float, scale: float) -> Tensor:
        xf = _up(x)
        negative = (scale * alpha) * _expm1_fused(xf.clamp_max(0))
        return _down(xf.clamp_min(0) * scale + negative, x)


class GELUFused(_NoJVP, F.GELUFunction):
    """GELU; the backward of exact GELU in float32 uses ``_normal_cdf_pdf_fused``."""

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        if ctx.approximate != "none" or x.dtype != torch.float32:     # the readable formula
            return _down(_up(grad_out) * F._gelu_slope(_up(x), ctx.approximate), grad_out), None
        cdf, pdf = _normal_cdf_pdf_fused(x)
        return grad_out * (cdf + x * pdf), None


class SoftplusFused(_NoJVP, F.SoftplusFunction):
    """Softplus; backward ``grad * lerp(sigmoid(z), 1, step(z - threshold))``."""

    @staticmethod
    def backward(ctx, grad_out: Tensor):
        (x,) = ctx.saved_tensors
        z = ctx.beta * _up(x)
        slope = _blend(_sigmoid(z), 1.0, z - ctx.threshold)
        return _down(_up(grad_out) * slope, grad_out), None, None


class TanhFused(_NoJVP, F.TanhFunction):
    """tanh from ``_expm1_fused``: ``copysign(-m / (m + 2), x)``, ``m = expm1(-2|x|)``."""

    @staticmethod
    def forward(x: Tensor) -> Tensor:
        xf = _up(x)
        m = _expm1_fused(-2.0 * xf.abs())
        return _down(torch.copysign(-m / (m + 2.0), xf), x)


# --------------------------------------------------------------------------------------------
# Wrappers with the signatures of relu_course.activations.functional (and torch.nn.functional)
# --------------------------------------------------------------------------------------------

def relu(input: Tensor, inplace: bool = False) -> Tensor:
    check_tensor("relu", input, allow_integer=True)
    check_inplace("relu", inplace)
    return ReLUFused.apply(input)


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    check_tensor("leaky_relu", input)
    slope = check_real("leaky_relu", "negative_slope", negative_slope)
    check_inplace("leaky_relu", inplace)
    return LeakyReLUFused.apply(input, slope)


def prelu(input: Tensor, weight: Tensor) -> Tensor:
    F._check_prelu("prelu", input, weight)
    return PReLUFused.apply(input, weight)


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    check_tensor("elu", input)
    alpha = check_real("elu", "alpha", alpha)
    check_inplace("elu", inplace)
    return ELUFused.apply(input, alpha, 1.0)


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    check_tensor("selu", input)
    check_inplace("selu", inplace)
    return ELUFused.apply(input, F.SELU_ALPHA, F.SELU_SCALE)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    check_tensor("gelu", input)
    approximate = F._check_approximate("gelu", approximate)
    return GELUFused.apply(input, approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    check_tensor("softplus", input)
    beta = check_real("softplus", "beta", beta, gt=0)
    threshold = check_real("softplus", "threshold", threshold)
    return SoftplusFused.apply(input, beta, threshold)


def tanh(input: Tensor) -> Tensor:
    check_tensor("tanh", input)
    return TanhFused.apply(input)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    check_tensor("silu", input)
    check_inplace("silu", inplace)
    return SiLUFused.apply(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    check_tensor("mish", input)
    check_inplace("mish", inplace)
    return MishFused.apply(input)


def sigmoid(input: Tensor) -> Tensor:
    check_tensor("sigmoid", input)
    return SigmoidFused.apply(input)


#: The functions that :func:`fused` compiles, by name (read-only).
FUSED = MappingProxyType({
    "relu": relu, "leaky_relu": leaky_relu, "prelu": prelu, "elu": elu, "selu": selu,
    "gelu": gelu, "silu": silu, "mish": mish, "softplus": softplus,
    "sigmoid": sigmoid, "tanh": tanh,
})


def fused(name: str) -> Callable:
    """The activation ``name`` compiled by ``torch.compile`` into fused kernels.

    Same signature and, within the tolerances of ``tests/performance/test_fusion.py``, the same
    values and gradients as ``relu_course.activations.registry.FUNCTIONS[name]``. The compiler
    traces our forward formula and our hand-written backward and generates one loop for each, a
    single pass over memory each, as torch's builtins do.

    Compiling takes seconds and needs a C++ compiler on the CPU (Triton on CUDA). It happens
    on the first call for each new input shape, dtype and device: shapes are compiled as
    constants (``dynamic=False``), because a kernel compiled for symbolic sizes after a small
    first input was measured to run on one thread only. After ``torch._dynamo``'s recompile
    limit (8 shapes by default) further shapes run eagerly.

    Example:
        >>> fast_gelu = fused("gelu")       # doctest: +SKIP
        >>> y = fast_gelu(torch.randn(1000))   # doctest: +SKIP
    """
    if not isinstance(name, str) or name not in FUSED:
        raise ValueError(f"fused(): unknown activation {name!r}; valid: {', '.join(FUSED)}")
    return torch.compile(FUSED[name], dynamic=False)
