r"""``torch.nn``-compatible activation modules built on
:mod:`relu_course.activations.functional`.

Each class has the constructor of its ``torch.nn`` namesake, delegates ``forward`` to the
from-scratch function and shows its hyper-parameters in ``extra_repr``, following
``torch/nn/modules/activation.py``. Hyper-parameters are validated and stored as given, so
the repr shows them as passed (``LeakyReLU(negative_slope=1)``, as ``torch.nn`` does):
:class:`ReLU`, :class:`LeakyReLU`, :class:`PReLU`, :class:`ELU`, :class:`SELU`, :class:`GELU`,
:class:`SiLU`, :class:`Mish`, :class:`Softplus`, :class:`Sigmoid`, :class:`Tanh`, and
:class:`ReLUKink` (ReLU with a chosen derivative at 0).
:func:`relu_course.activations.registry.get_activation` builds any of them from a name.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_inplace, check_int, check_real
from . import functional as F

__all__ = ["ReLU", "LeakyReLU", "PReLU", "ELU", "SELU", "GELU", "SiLU", "Mish", "Softplus",
           "Sigmoid", "Tanh", "ReLUKink"]


class ReLU(nn.Module):
    r"""Applies :math:`\mathrm{ReLU}(x) = \max(0, x)` elementwise.

    Args:
        inplace: accepted for compatibility with ``torch.nn.ReLU``; must be ``False``.

    Shape:
        Input: :math:`(*)`, any shape. Output: :math:`(*)`, same shape.

    Example:
        >>> ReLU()(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        check_inplace("ReLU", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input)


class LeakyReLU(nn.Module):
    r"""Applies :math:`x` for :math:`x > 0` and :math:`\text{negative\_slope} \cdot x` otherwise.

    Args:
        negative_slope: slope for :math:`x \le 0` (default ``0.01``).
        inplace: must be ``False``.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> LeakyReLU(0.1)
        LeakyReLU(negative_slope=0.1)
    """

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False):
        super().__init__()
        check_real("LeakyReLU", "negative_slope", negative_slope)
        self.negative_slope = negative_slope
        check_inplace("LeakyReLU", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.leaky_relu(input, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class PReLU(nn.Module):
    r"""Parametric ReLU: :math:`x` for :math:`x > 0`, else :math:`a x` with a learned slope
    :math:`a` (He et al., 2015).

    Args:
        num_parameters: ``1`` (default) for one slope shared by all channels, or the number of
            channels (dimension 1 of the input) for one slope per channel.
        init: initial value of every slope (default ``0.25``, as in He et al. and PyTorch).
        device, dtype: where and how the slopes are stored.

    Shape:
        Input: :math:`(N, C, *)` or any shape when ``num_parameters == 1``. Output: same shape.

    Attributes:
        weight: the learnable slopes, shape ``(num_parameters,)``.

    He et al. did not apply weight decay to the slopes; leave them out of it in an optimiser.

    Example:
        >>> PReLU(num_parameters=3)
        PReLU(num_parameters=3)
    """

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters = check_int("PReLU", "num_parameters", num_parameters, ge=1)
        check_real("PReLU", "init", init)
        self.init = init
        factory = {"device": device, "dtype": dtype}
        self.weight = nn.Parameter(torch.empty(self.num_parameters, **factory))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        nn.init.constant_(self.weight, self.init)

    def forward(self, input: Tensor) -> Tensor:
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class ELU(nn.Module):
    r"""Applies :math:`x` for :math:`x > 0` and :math:`\alpha (e^x - 1)` otherwise.

    Args:
        alpha: saturation value for negative inputs (default ``1.0``).
        inplace: must be ``False``.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> ELU(alpha=0.5)
        ELU(alpha=0.5)
    """

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        check_real("ELU", "alpha", alpha)
        self.alpha = alpha
        check_inplace("ELU", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.elu(input, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class SELU(nn.Module):
    r"""Applies :math:`\lambda x` for :math:`x > 0` and :math:`\lambda \alpha (e^x - 1)`
    otherwise, with SELU's fixed constants.

    Args:
        inplace: must be ``False``.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> SELU()(torch.tensor([1.0]))
        tensor([1.0507])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        check_inplace("SELU", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.selu(input)


class GELU(nn.Module):
    r"""Applies :math:`x\,\Phi(x)` (or its tanh approximation) elementwise.

    Args:
        approximate: ``"none"`` (default, exact) or ``"tanh"``.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> GELU(approximate="tanh")
        GELU(approximate='tanh')
    """

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = F._check_approximate("GELU", approximate)

    def forward(self, input: Tensor) -> Tensor:
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(nn.Module):
    r"""Applies :math:`x\,\sigma(x)` (SiLU, also called Swish) elementwise.

    Args:
        inplace: must be ``False``.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> SiLU()(torch.tensor([0.0]))
        tensor([0.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        check_inplace("SiLU", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.silu(input)


class Mish(nn.Module):
    r"""Applies :math:`x \tanh(\mathrm{softplus}(x))` elementwise.

    Args:
        inplace: must be ``False``.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> Mish()(torch.tensor([0.0]))
        tensor([0.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        check_inplace("Mish", inplace)
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.mish(input)


class Softplus(nn.Module):
    r"""Applies :math:`\frac{1}{\beta}\log(1 + e^{\beta x})` elementwise.

    Args:
        beta: sharpness, > 0 (default ``1.0``).
        threshold: above :math:`\beta x >` threshold the output is :math:`x` (default ``20.0``).

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> Softplus(beta=2.0)
        Softplus(beta=2.0, threshold=20.0)
    """

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        check_real("Softplus", "beta", beta, gt=0)
        self.beta = beta
        check_real("Softplus", "threshold", threshold)
        self.threshold = threshold

    def forward(self, input: Tensor) -> Tensor:
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Sigmoid(nn.Module):
    r"""Applies :math:`\sigma(x) = 1 / (1 + e^{-x})` elementwise.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> Sigmoid()(torch.tensor([0.0]))
        tensor([0.5000])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.sigmoid(input)


class Tanh(nn.Module):
    r"""Applies :math:`\tanh(x)` elementwise.

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> Tanh()(torch.tensor([0.0]))
        tensor([0.])
    """

    def forward(self, input: Tensor) -> Tensor:
        return F.tanh(input)


class ReLUKink(nn.Module):
    r"""ReLU whose backward uses a chosen derivative at exactly 0,
    :math:`\mathrm{ReLU}'(0) = s` (``grad_at_zero``); see
    :func:`relu_course.activations.functional.relu_kink` (Bertoin et al., 2021).

    The forward is ReLU's, bit for bit. It has its own entry in the activation registry
    (``relu_kink``), so the diagnostics find it and
    :func:`relu_course.analysis.gradients.activation_derivatives` reports its derivative with
    the layer's own :math:`s` at 0. ``grad_at_zero`` is a plain attribute: change it to switch
    the convention of an existing network.

    Args:
        grad_at_zero: :math:`s`, the derivative used where the input is exactly 0
            (default ``0.0``, PyTorch's choice).

    Shape:
        Input: :math:`(*)`. Output: :math:`(*)`, same shape.

    Example:
        >>> layer = ReLUKink(grad_at_zero=1.0)
        >>> x = torch.zeros(3, requires_grad=True)
        >>> layer(x).sum().backward(); x.grad
        tensor([1., 1., 1.])
        >>> layer
        ReLUKink(grad_at_zero=1.0)
    """

    def __init__(self, grad_at_zero: float = 0.0):
        super().__init__()
        check_real("ReLUKink", "grad_at_zero", grad_at_zero)
        self.grad_at_zero = grad_at_zero

    def forward(self, input: Tensor) -> Tensor:
        return F.relu_kink(input, self.grad_at_zero)

    def extra_repr(self) -> str:
        return f"grad_at_zero={self.grad_at_zero}"
