r"""The rectifiers, piecewise linear with a kink at 0: ReLU (Nair & Hinton, 2010; Glorot, Bordes &
Bengio, 2011), Leaky ReLU (Maas, Hannun & Ng, 2013), PReLU with a learned slope (He et al.,
2015), and ReLU with a chosen derivative at the kink (Bertoin et al., 2021).

* :class:`ReLUFunction` -- ``relu(x) = max(0, x)`` with backward ``grad * (x > 0)``.
* :func:`relu` -- Rectified linear unit, :math:`\mathrm{ReLU}(x) = \max(0, x)`, elementwise.
* :func:`relu_derivative` -- :math:`\mathrm{ReLU}'(x)`: ``1`` where ``x > 0``, else ``0`` (``0``
  at ``x = 0``).
* :class:`LeakyReLUFunction` -- ``leaky_relu(x) = x if x > 0 else slope * x``, with backward
  ``grad`` or ``slope * grad``.
* :func:`leaky_relu` -- Leaky ReLU (Maas et al., 2013): :math:`x` for :math:`x > 0`, else
  :math:`\text{negative\_slope} \cdot x`.
* :func:`leaky_relu_derivative` -- :math:`1` for :math:`x > 0`, else ``negative_slope`` (also at
  :math:`x = 0`).
* :class:`PReLUFunction` -- ``prelu(x, a) = x if x > 0 else a * x`` with gradients for ``x`` and
  the slope ``a``.
* :func:`prelu` -- Parametric ReLU (He et al., 2015): :math:`x` for :math:`x > 0`, else
  :math:`a x` with a learnable slope :math:`a`.
* :func:`prelu_derivative` -- Derivative with respect to the input: :math:`1` for :math:`x > 0`,
  else :math:`a`.
* :class:`ReLUKinkFunction` -- ``max(0, x)`` whose backward uses :math:`\mathrm{ReLU}'(0) = s`
  (``grad_at_zero``).
* :func:`relu_kink` -- ReLU with a chosen value :math:`s` of the derivative at exactly
  :math:`x = 0`.
* :func:`relu_kink_derivative` -- :math:`1` for :math:`x > 0`, :math:`s` (``grad_at_zero``) at
  :math:`x = 0`, else :math:`0`.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ..._validation import check_inplace, check_real, check_tensor
from ._common import _derivative, _down, _up

__all__ = ["ReLUFunction", "relu", "relu_derivative", "LeakyReLUFunction", "leaky_relu",
           "leaky_relu_derivative", "PReLUFunction", "prelu", "prelu_derivative",
           "ReLUKinkFunction", "relu_kink", "relu_kink_derivative"]


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
        ctx.save_for_backward(output)            # the output is enough (torch saves it too):
        ctx.save_for_forward(output)             # out > 0 exactly where x > 0

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (out,) = ctx.saved_tensors
        # relu'(x) = 1 for x > 0, 0 for x <= 0 (PyTorch picks 0 at the kink). Selecting, not
        # multiplying by a mask: 0 where the unit is off even if grad is inf; a NaN passes.
        return torch.where(out <= 0, 0.0, grad_out)

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


def relu_derivative(input: Tensor) -> Tensor:
    r""":math:`\mathrm{ReLU}'(x)`: ``1`` where ``x > 0``, else ``0`` (``0`` at ``x = 0``).

    Example:
        >>> relu_derivative(torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 1.])
    """
    check_tensor("relu_derivative", input)
    return _derivative(relu, input)


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
