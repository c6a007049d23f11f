r"""Helpers the from-scratch activations share: half precision computed in float32 and rounded once,
the derivative of any of them through its own backward, and the numerically careful sigmoid and
tanh. Private to :mod:`relu_course.activations.functional`."""

from __future__ import annotations

import torch
from torch import Tensor

__all__: list[str] = []


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
