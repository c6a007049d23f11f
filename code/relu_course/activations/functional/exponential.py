r"""The exponential linear units: ELU (Clevert, Unterthiner & Hochreiter, 2016) and its scaled form
SELU (Klambauer et al., 2017), one Function for both.

* :data:`SELU_ALPHA`
* :data:`SELU_SCALE`
* :class:`ELUFunction` -- ``scale * (x if x > 0 else alpha * (exp(x) - 1))``; ELU has ``scale =
  1``.
* :func:`elu` -- Exponential linear unit (Clevert et al., 2016): :math:`x` for :math:`x > 0`,
  else :math:`\alpha (e^x - 1)`.
* :func:`elu_derivative` -- :math:`1` for :math:`x > 0`, else :math:`\alpha e^x`.
* :func:`selu` -- Scaled ELU (Klambauer et al., 2017): :math:`\lambda x` for :math:`x > 0`, else
  :math:`\lambda \alpha (e^x - 1)`
* :func:`selu_derivative` -- :math:`\lambda` for :math:`x > 0`, else :math:`\lambda \alpha e^x`
  (about 1.7581 at 0).
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..._validation import check_inplace, check_real, check_tensor
from ._common import _derivative, _down, _up

__all__ = ["SELU_ALPHA", "SELU_SCALE", "ELUFunction", "elu", "elu_derivative", "selu",
           "selu_derivative"]


#: SELU's :math:`\alpha` (Klambauer et al., 2017), as used by ``torch.nn.functional.selu``.
SELU_ALPHA = 1.6732632423543772848170429916717


#: SELU's scale :math:`\lambda` (Klambauer et al., 2017).
SELU_SCALE = 1.0507009873554804934193349852946


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
