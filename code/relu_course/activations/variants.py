r"""Newer relatives of ReLU with fixed shapes: squared ReLU (So et al., 2021), ReLU6 (Jacob et al.,
2018) and hard-swish (Howard et al., 2019). Plain torch expressions whose gradients come from
autograd.

* :func:`squared_relu` -- Squared ReLU (So et al., 2021): :math:`\mathrm{ReLU}(x)^2 = \max(0,
  x)^2`.
* :func:`relu6` -- ReLU6: :math:`\min(\max(0, x), 6)`, ReLU with its output capped at 6.
* :func:`hard_swish` -- Hard-swish (Howard et al., 2019): :math:`x \cdot \mathrm{ReLU6}(x + 3) /
  6`.
* :class:`SquaredReLU` -- Applies :func:`squared_relu`, :math:`\max(0, x)^2`, elementwise.
* :class:`ReLU6` -- Applies :func:`relu6`, :math:`\min(\max(0, x), 6)`, elementwise.
* :class:`HardSwish` -- Applies :func:`hard_swish`, :math:`x \cdot \mathrm{ReLU6}(x + 3) / 6`,
  elementwise.
"""

from __future__ import annotations

from torch import Tensor, nn

from .._validation import check_tensor
from ..activations import functional as F

__all__ = ["squared_relu", "relu6", "hard_swish", "SquaredReLU", "ReLU6", "HardSwish"]


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
