r"""Learnable activation shapes: a rational function (the Padé activation unit of Molina et al.,
2020) and a linear spline on fixed knots (the simplest KAN-style spline; Liu et al., 2025). Both
start as ReLU.

* :data:`RATIONAL_RELU_INIT`
* :func:`rational` -- The "safe" rational function of a Padé activation unit (Molina et al.,
  2020):
* :class:`RationalActivation` -- A learnable rational activation, the Padé activation unit (PAU)
  of Molina et al.
* :func:`piecewise_linear` -- The linear spline through the points ``(knots[i], values[i])``,
  extended beyond the first and last knot by its end segments
* :class:`PiecewiseLinearActivation` -- A learnable linear spline with ``num_knots`` equally
  spaced knots on ``[low, high]`` and trainable values at the knots
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor

__all__ = ["RATIONAL_RELU_INIT", "rational", "RationalActivation", "piecewise_linear",
           "PiecewiseLinearActivation"]


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
                                          numerator_degree, ge=0)
        self.denominator_degree = check_int("RationalActivation", "denominator_degree",
                                            denominator_degree, ge=0)
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
        self.num_knots = check_int("PiecewiseLinearActivation", "num_knots", num_knots, ge=2)
        check_real("PiecewiseLinearActivation", "low", low)
        self.low = low
        check_real("PiecewiseLinearActivation", "high", high)
        self.high = high
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
