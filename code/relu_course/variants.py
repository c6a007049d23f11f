r"""Newer relatives of ReLU: squared ReLU, ReLU6, hard-swish, learnable activations, and
fake quantisation for studying hardware-friendly (bounded) activations.

* :func:`squared_relu` -- :math:`\max(0, x)^2`, found by the architecture search of Primer
  (So et al., 2021) for transformer feed-forward blocks. It keeps ReLU's exact zeros.
* :func:`relu6` -- :math:`\min(\max(0, x), 6)`, a bounded ReLU used in mobile networks because a
  known output range suits fixed-point arithmetic (Jacob et al., 2018).
* :func:`hard_swish` -- :math:`x \, \mathrm{ReLU6}(x + 3) / 6`, a piecewise-polynomial stand-in
  for SiLU/Swish built from ReLU6 (Howard et al., 2019, MobileNetV3).
* :class:`RationalActivation` -- a learnable "Padé activation unit" (Molina et al., 2020):
  a ratio of two polynomials whose coefficients are trained with the network.
* :class:`PiecewiseLinearActivation` -- a learnable linear spline on fixed knots, the simplest
  member of the KAN-style spline family (Liu et al., 2025); it starts as exact ReLU.
* :func:`fake_quantize` / :func:`quantize_activations` -- uniform affine quantisation
  (quantise then dequantise) of tensors and of a model's activation outputs, as in integer-only
  inference (Jacob et al., 2018); :func:`activation_ranges` measures the ranges to use.

Unlike :mod:`relu_course.functional`, these functions are plain torch expressions whose
gradients come from autograd. The functions validate their arguments; every one has a module
(``SquaredReLU``, ``ReLU6``, ``HardSwish``) for use inside models, and :func:`get_variant`
builds any of them from a name.
"""

from __future__ import annotations

from contextlib import ExitStack, contextmanager

import torch
from torch import Tensor, nn

from . import functional as F
from ._validation import check_int, check_real, check_tensor
from .utils import eval_mode

__all__ = [
    "squared_relu", "relu6", "hard_swish", "rational", "piecewise_linear",
    "SquaredReLU", "ReLU6", "HardSwish", "RationalActivation", "PiecewiseLinearActivation",
    "VARIANT_NAMES", "get_variant", "RATIONAL_RELU_INIT", "fake_quantize",
    "activation_ranges", "quantize_activations",
]


# --------------------------------------------------------------------------------------------
# Fixed-shape variants
# --------------------------------------------------------------------------------------------

def squared_relu(input: Tensor) -> Tensor:
    r"""Squared ReLU (So et al., 2021): :math:`\mathrm{ReLU}(x)^2 = \max(0, x)^2`.

    Its derivative :math:`2\max(0, x)` is continuous (0 at the kink), and it is exactly zero
    for :math:`x \le 0`, so a feed-forward block using it is as sparse as a ReLU block.

    Args:
        input: a floating-point tensor of any shape.

    Example:
        >>> squared_relu(torch.tensor([-2.0, 0.5, 3.0]))
        tensor([0.0000, 0.2500, 9.0000])
    """
    check_tensor("squared_relu", input)
    r = F.relu(input)
    return r * r


def relu6(input: Tensor) -> Tensor:
    r"""ReLU6: :math:`\min(\max(0, x), 6)`, ReLU with its output capped at 6.

    The gradient is 1 for :math:`0 < x < 6` and 0 elsewhere (also at the two kinks, as in
    ``torch.nn.functional.relu6``).

    Args:
        input: a floating-point tensor of any shape.

    Example:
        >>> relu6(torch.tensor([-1.0, 3.0, 8.0]))
        tensor([0., 3., 6.])
    """
    check_tensor("relu6", input)
    inside = (input > 0) & (input < 6)
    # x * mask keeps the gradient 1 inside (0, 6) and 0 outside; 6 where x >= 6.
    return input * inside + (input >= 6).to(input.dtype) * 6.0


def hard_swish(input: Tensor) -> Tensor:
    r"""Hard-swish (Howard et al., 2019): :math:`x \cdot \mathrm{ReLU6}(x + 3) / 6`.

    It is 0 for :math:`x \le -3`, equal to :math:`x` for :math:`x \ge 3` and the parabola
    :math:`x (x + 3) / 6` in between -- a cheap approximation of SiLU/Swish with no
    exponential. Values match ``torch.nn.functional.hardswish``; at the kinks
    :math:`x = \pm 3` autograd gives the one-sided values 0 and 1 (torch's own backward gives
    -0.5 and 1.5 there).

    Args:
        input: a floating-point tensor of any shape.

    Example:
        >>> hard_swish(torch.tensor([-4.0, 0.0, 1.0, 4.0]))
        tensor([-0.0000,  0.0000,  0.6667,  4.0000])
    """
    check_tensor("hard_swish", input)
    return input * relu6(input + 3.0) / 6.0


class SquaredReLU(nn.Module):
    r"""Applies :func:`squared_relu`, :math:`\max(0, x)^2`, elementwise.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> SquaredReLU()(torch.tensor([-1.0, 2.0]))
        tensor([0., 4.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return squared_relu(input)


class ReLU6(nn.Module):
    r"""Applies :func:`relu6`, :math:`\min(\max(0, x), 6)`, elementwise.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> ReLU6()(torch.tensor([-1.0, 7.0]))
        tensor([0., 6.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return relu6(input)


class HardSwish(nn.Module):
    r"""Applies :func:`hard_swish`, :math:`x \cdot \mathrm{ReLU6}(x + 3) / 6`, elementwise.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> HardSwish()(torch.tensor([-4.0, 4.0]))
        tensor([-0., 4.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return hard_swish(input)


# --------------------------------------------------------------------------------------------
# Learnable activations
# --------------------------------------------------------------------------------------------

#: Coefficients ``(numerator, denominator)`` of a degree-(5, 4) safe rational function fitted
#: (least squares, float64) to ReLU on [-3, 3]; largest error there about 0.03. Outside the
#: fitted range the function grows linearly but no longer follows ReLU.
RATIONAL_RELU_INIT = (
    (0.0299745, 0.616908, 2.37433, 3.06324, 1.52259, 0.252338),
    (1.19109, 4.40402, 0.909822, 0.348195),
)


def rational(input: Tensor, numerator: Tensor, denominator: Tensor) -> Tensor:
    r"""The "safe" rational function of a Padé activation unit (Molina et al., 2020):

    .. math::
        R(x) = \frac{a_0 + a_1 x + \dots + a_m x^m}{1 + |b_1|\,|x| + \dots + |b_n|\,|x|^n}.

    The denominator is at least 1, so :math:`R` has no poles whatever the coefficients.

    Args:
        input: a floating-point tensor of any shape.
        numerator: the coefficients :math:`a_0, \dots, a_m`, a 1-D tensor (``m + 1`` values).
        denominator: the coefficients :math:`b_1, \dots, b_n`, a 1-D tensor (``n`` values; may
            be empty, giving a polynomial).

    Example:
        >>> rational(torch.tensor([2.0]), torch.tensor([0.0, 1.0]), torch.tensor([1.0]))
        tensor([0.6667])
    """
    check_tensor("rational", input)
    for name, c in (("numerator", numerator), ("denominator", denominator)):
        check_tensor("rational", c, name=name)
        if c.dim() != 1:
            raise ValueError(f"rational(): `{name}` must be 1-D, got shape {tuple(c.shape)}")
    if numerator.numel() == 0:
        raise ValueError("rational(): `numerator` needs at least one coefficient")
    p = torch.zeros_like(input) + numerator[-1]
    for a in numerator.flip(0)[1:]:              # Horner: (((a_m x + a_{m-1}) x + ...) + a_0
        p = p * input + a
    ax = input.abs()
    q = torch.ones_like(input)
    power = torch.ones_like(input)
    for b in denominator:
        power = power * ax
        q = q + b.abs() * power
    return p / q


class RationalActivation(nn.Module):
    r"""A learnable rational activation, the Padé activation unit (PAU) of Molina et al.
    (2020): :func:`rational` with trainable coefficients shared by all units.

    Args:
        numerator_degree: :math:`m` (default 5, as in the paper).
        denominator_degree: :math:`n` (default 4).
        init: ``"relu"`` (default) starts from :data:`RATIONAL_RELU_INIT`, a close fit to ReLU
            on [-3, 3] (only for the default degrees); ``"identity"`` starts from
            :math:`R(x) = x`.

    Attributes:
        numerator: shape ``(m + 1,)``. denominator: shape ``(n,)``.

    Example:
        >>> act = RationalActivation()
        >>> act
        RationalActivation(numerator_degree=5, denominator_degree=4)
        >>> [round(v, 2) for v in act(torch.tensor([-2.0, 0.0, 2.0])).tolist()]
        [0.0, 0.03, 2.0]
    """

    def __init__(self, numerator_degree: int = 5, denominator_degree: int = 4,
                 init: str = "relu"):
        super().__init__()
        self.numerator_degree = check_int("RationalActivation", "numerator_degree",
                                          numerator_degree, minimum=0)
        self.denominator_degree = check_int("RationalActivation", "denominator_degree",
                                            denominator_degree, minimum=0)
        if init not in ("relu", "identity"):
            raise ValueError(f"RationalActivation: init must be 'relu' or 'identity', got {init!r}")
        if init == "relu" and (self.numerator_degree, self.denominator_degree) != (5, 4):
            raise ValueError("RationalActivation: init='relu' needs the default degrees (5, 4); "
                             "use init='identity' for other degrees")
        if init == "identity" and self.numerator_degree < 1:
            raise ValueError("RationalActivation: init='identity' needs numerator_degree >= 1")
        self.init = init
        self.numerator = nn.Parameter(torch.zeros(self.numerator_degree + 1))
        self.denominator = nn.Parameter(torch.zeros(self.denominator_degree))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.numerator.zero_()
            self.denominator.zero_()
            if self.init == "relu":
                self.numerator.copy_(torch.tensor(RATIONAL_RELU_INIT[0]))
                self.denominator.copy_(torch.tensor(RATIONAL_RELU_INIT[1]))
            else:
                self.numerator[1] = 1.0

    def forward(self, input: Tensor) -> Tensor:
        return rational(input, self.numerator, self.denominator)

    def extra_repr(self) -> str:
        return f"numerator_degree={self.numerator_degree}, denominator_degree={self.denominator_degree}"


def piecewise_linear(input: Tensor, knots: Tensor, values: Tensor) -> Tensor:
    r"""The linear spline through the points ``(knots[i], values[i])``, extended beyond the
    first and last knot by its end segments (so it grows linearly, like ReLU).

    For :math:`t_i \le x \le t_{i+1}`:
    :math:`f(x) = v_i + (x - t_i)\,(v_{i+1} - v_i) / (t_{i+1} - t_i)`.

    Args:
        input: a floating-point tensor of any shape.
        knots: increasing 1-D tensor of at least 2 positions :math:`t_i`.
        values: 1-D tensor of the same length, the spline's values :math:`v_i` at the knots.

    Example:
        >>> knots = torch.tensor([-1.0, 0.0, 1.0])
        >>> piecewise_linear(torch.tensor([-2.0, 0.5, 3.0]), knots, torch.relu(knots))
        tensor([0.0000, 0.5000, 3.0000])
    """
    check_tensor("piecewise_linear", input)
    check_tensor("piecewise_linear", knots, name="knots")
    check_tensor("piecewise_linear", values, name="values")
    if knots.dim() != 1 or knots.numel() < 2:
        raise ValueError(f"piecewise_linear(): `knots` must be 1-D with >= 2 entries, "
                         f"got shape {tuple(knots.shape)}")
    if values.shape != knots.shape:
        raise ValueError(f"piecewise_linear(): `values` has shape {tuple(values.shape)}, "
                         f"`knots` has {tuple(knots.shape)}")
    if not bool((knots[1:] > knots[:-1]).all()):
        raise ValueError("piecewise_linear(): `knots` must be strictly increasing")
    seg = torch.searchsorted(knots.detach().contiguous(), input.detach().contiguous()) - 1
    seg = seg.clamp(0, knots.numel() - 2)         # outside: extend the end segments
    t0, t1, v0, v1 = knots[seg], knots[seg + 1], values[seg], values[seg + 1]
    return v0 + (input - t0) * (v1 - v0) / (t1 - t0)


class PiecewiseLinearActivation(nn.Module):
    r"""A learnable linear spline with ``num_knots`` equally spaced knots on ``[low, high]``
    and trainable values at the knots, shared by all units -- a degree-1 relative of the
    B-spline activations of Kolmogorov-Arnold networks (Liu et al., 2025).

    It starts as exact ReLU when 0 lies on or between knots (the values are
    :math:`\max(0, t_i)`), so training can only move it away from ReLU where that helps.

    Args:
        num_knots: number of knots (default 9, at least 2).
        low, high: the range covered by the knots (default ``-3.0`` and ``3.0``).

    Attributes:
        knots: fixed buffer of shape ``(num_knots,)``. values: parameter of the same shape.

    Example:
        >>> act = PiecewiseLinearActivation(num_knots=7)
        >>> act(torch.tensor([-5.0, -1.0, 0.5, 5.0]))
        tensor([0.0000, 0.0000, 0.5000, 5.0000], grad_fn=<AddBackward0>)
    """

    def __init__(self, num_knots: int = 9, low: float = -3.0, high: float = 3.0):
        super().__init__()
        self.num_knots = check_int("PiecewiseLinearActivation", "num_knots", num_knots, minimum=2)
        self.low = check_real("PiecewiseLinearActivation", "low", low)
        self.high = check_real("PiecewiseLinearActivation", "high", high)
        if self.high <= self.low:
            raise ValueError(f"PiecewiseLinearActivation: need low < high, got {low} and {high}")
        self.register_buffer("knots", torch.linspace(self.low, self.high, self.num_knots))
        self.values = nn.Parameter(torch.relu(self.knots.clone()))

    def reset_parameters(self) -> None:
        with torch.no_grad():
            self.values.copy_(torch.relu(self.knots))

    def forward(self, input: Tensor) -> Tensor:
        return piecewise_linear(input, self.knots.to(input.dtype), self.values.to(input.dtype))

    def extra_repr(self) -> str:
        return f"num_knots={self.num_knots}, low={self.low}, high={self.high}"


_VARIANTS = {
    "squared_relu": SquaredReLU, "relu6": ReLU6, "hard_swish": HardSwish,
    "rational": RationalActivation, "piecewise_linear": PiecewiseLinearActivation,
}
_VARIANT_ALIASES = {"relu2": "squared_relu", "relu_squared": "squared_relu",
                    "hardswish": "hard_swish", "pau": "rational", "spline": "piecewise_linear"}

#: The names :func:`get_variant` accepts (aliases: ``relu2``, ``hardswish``, ``pau``, ``spline``).
VARIANT_NAMES = tuple(_VARIANTS)


def get_variant(name: str, **kwargs) -> nn.Module:
    r"""Build one of this module's activations from its name, e.g. ``get_variant("relu6")``.

    Names are case-insensitive; ``-`` and spaces count as ``_``.

    Args:
        name: one of :data:`VARIANT_NAMES` or an alias.
        **kwargs: passed to the constructor (only the learnable ones take arguments).

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).

    Example:
        >>> get_variant("PAU")
        RationalActivation(numerator_degree=5, denominator_degree=4)
    """
    if not isinstance(name, str):
        raise TypeError(f"get_variant() expects `name` to be a str, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _VARIANT_ALIASES.get(key, key)
    if key not in _VARIANTS:
        raise ValueError(f"get_variant(): unknown activation {name!r}; valid names are "
                         f"{', '.join(VARIANT_NAMES)} (aliases: {', '.join(_VARIANT_ALIASES)})")
    return _VARIANTS[key](**kwargs)


# --------------------------------------------------------------------------------------------
# Quantisation
# --------------------------------------------------------------------------------------------

def fake_quantize(input: Tensor, num_bits: int = 8, low: float | None = None,
                  high: float | None = None) -> Tensor:
    r"""Uniform affine quantisation followed by dequantisation (Jacob et al., 2018).

    With :math:`2^b` levels spread over ``[low, high]`` the step (scale) is
    :math:`s = (\text{high} - \text{low}) / (2^b - 1)`; each value is clipped to the range and
    rounded to the nearest level, :math:`\hat{x} = \text{low} + s \,
    \mathrm{round}((\mathrm{clip}(x) - \text{low}) / s)`. Inside the range the error is at most
    :math:`s/2`; a wide range (an unbounded activation with a few large values) means a
    coarse step for all values.

    Args:
        input: a floating-point tensor.
        num_bits: :math:`b`, between 2 and 16 (default 8, as in int8 inference).
        low, high: the representable range; ``None`` takes the tensor's own minimum / maximum
            ("min-max calibration"). The range is widened to include 0, so that 0 is exact.

    Example:
        >>> fake_quantize(torch.tensor([0.0, 0.1, 0.26, 1.0]), num_bits=2)
        tensor([0.0000, 0.0000, 0.3333, 1.0000])
    """
    check_tensor("fake_quantize", input)
    bits = check_int("fake_quantize", "num_bits", num_bits, minimum=2)
    if bits > 16:
        raise ValueError(f"fake_quantize() expects `num_bits` <= 16, got {bits}")
    lo = float(input.min()) if low is None else check_real("fake_quantize", "low", low)
    hi = float(input.max()) if high is None else check_real("fake_quantize", "high", high)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi <= lo:                                   # all zeros: nothing to round
        return input.clone()
    scale = (hi - lo) / (2 ** bits - 1)
    zero_point = round(-lo / scale)                # the integer that represents 0 exactly
    q = torch.round(input / scale + zero_point).clamp(0, 2 ** bits - 1)
    return (q - zero_point) * scale


def _activation_modules(fn_name: str, model: nn.Module, types) -> list[tuple[str, nn.Module]]:
    if not isinstance(model, nn.Module):
        raise TypeError(f"{fn_name}() expects an nn.Module, got {type(model).__name__}")
    if types is None:
        from .diagnostics import ACTIVATION_TYPES
        types = (*ACTIVATION_TYPES, *_VARIANTS.values(), nn.ReLU6, nn.Hardswish)
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, types)]
    if not layers:
        raise ValueError(f"{fn_name}(): the model has no activation layers")
    return layers


@torch.no_grad()
def activation_ranges(model: nn.Module, x: Tensor,
                      types: tuple[type, ...] | None = None) -> dict[str, tuple[float, float]]:
    r"""Calibration for :func:`quantize_activations`: the smallest and largest output of every
    activation layer of ``model`` on the batch ``x`` (in eval mode).

    Args:
        model: the network.
        x: a calibration batch (e.g. the training inputs).
        types: module types treated as activations (default as in :func:`quantize_activations`).

    Example:
        >>> net = nn.Sequential(nn.Linear(1, 1), ReLU6())
        >>> with torch.no_grad():
        ...     _ = net[0].weight.fill_(10.0), net[0].bias.fill_(0.0)
        >>> activation_ranges(net, torch.tensor([[-1.0], [0.2], [3.0]]))
        {'1': (0.0, 6.0)}
    """
    layers = _activation_modules("activation_ranges", model, types)
    check_tensor("activation_ranges", x, name="x")
    found: dict[str, tuple[float, float]] = {}
    with eval_mode(model), ExitStack() as hooks:                    # handles removed on exit
        for name, module in layers:
            def hook(_module, _inputs, output, name=name):
                found[name] = (float(output.min()), float(output.max()))
            hooks.enter_context(module.register_forward_hook(hook))
        model(x)
    return {name: found[name] for name, _ in layers if name in found}


@contextmanager
def quantize_activations(model: nn.Module, num_bits: int = 8,
                         ranges: dict[str, tuple[float, float]] | None = None,
                         types: tuple[type, ...] | None = None):
    r"""Context manager: fake-quantise the output of every activation layer of ``model``.

    Inside the ``with`` block each activation module's output is replaced by
    :func:`fake_quantize` of it -- simulating int8 (or ``num_bits``) activations.

    Args:
        model: the network.
        num_bits: bits per activation value.
        ranges: ``{layer name: (low, high)}`` fixed ranges, e.g. measured on calibration data
            or, for ReLU6, the known range ``(0, 6)``; layers not listed use each batch's own
            min/max.
        types: module types treated as activations (default: this module's variants, the
            course's activation modules and their ``torch.nn`` namesakes).

    Yields:
        the list of layer names being quantised.

    Example:
        >>> net = nn.Sequential(nn.Linear(2, 4), ReLU6(), nn.Linear(4, 1))
        >>> with quantize_activations(net, num_bits=4, ranges={"1": (0.0, 6.0)}) as names:
        ...     y = net(torch.zeros(3, 2))
        >>> names
        ['1']
    """
    bits = check_int("quantize_activations", "num_bits", num_bits, minimum=2)
    layers = _activation_modules("quantize_activations", model, types)
    ranges = dict(ranges or {})
    unknown = set(ranges) - {name for name, _ in layers}
    if unknown:
        raise ValueError(f"quantize_activations(): no activation layer named {sorted(unknown)}")
    handles = []
    for name, module in layers:
        low, high = ranges.get(name, (None, None))

        def hook(_module, _inputs, output, low=low, high=high):
            return fake_quantize(output, bits, low, high)
        handles.append(module.register_forward_hook(hook))
    try:
        yield [name for name, _ in layers]
    finally:
        for h in handles:
            h.remove()
