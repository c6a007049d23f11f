r"""The saturating activations that ReLU replaced: the logistic sigmoid and tanh, bounded on both
sides, with derivatives that vanish for large inputs.

* :class:`SigmoidFunction` -- ``sigmoid(x) = 1 / (1 + exp(-x))`` with backward ``grad * s * (1 -
  s)``.
* :func:`sigmoid` -- Logistic sigmoid, :math:`\sigma(x) = 1 / (1 + e^{-x})`.
* :func:`sigmoid_derivative` -- :math:`\sigma(x)\,(1 - \sigma(x))`, at most :math:`0.25`.
* :class:`TanhFunction` -- ``tanh(x)`` from exponentials, with backward ``grad * (1 - t^2)``.
* :func:`tanh` -- Hyperbolic tangent, :math:`\tanh(x) = (e^{x} - e^{-x}) / (e^{x} + e^{-x})`.
* :func:`tanh_derivative` -- :math:`1 - \tanh^2(x)`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..._validation import check_tensor
from ._common import _derivative, _down, _sigmoid, _tanh, _up

__all__ = ["SigmoidFunction", "sigmoid", "sigmoid_derivative", "TanhFunction", "tanh",
           "tanh_derivative"]


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
