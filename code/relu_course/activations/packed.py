r"""A ReLU that keeps one bit per element for its backward pass. ReLU's backward needs only to know
where the input was positive, yet ``torch.relu`` saves its whole output (32 bits per element in
float32). Novikov et al. (2023) store activation derivatives in a few bits; for ReLU the idea is
exact: the sign mask, packed eight elements to a byte, gives the same gradients as
``torch.relu``.

* :func:`pack_bits` -- Pack a boolean tensor into a flat ``uint8`` tensor, eight elements per
  byte.
* :func:`unpack_bits` -- The boolean tensor of ``shape`` that :func:`pack_bits` packed into
  ``packed``.
* :class:`PackedReLUFunction` -- ReLU whose backward keeps one bit per element: where the output
  is non-zero.
* :func:`packed_relu` -- ReLU, :math:`\max(0, x)`, that saves a 1-bit mask for its backward
  pass.
* :class:`PackedReLU` -- Module form of :func:`packed_relu`, a drop-in replacement for
  ``nn.ReLU()``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_inplace, check_tensor

__all__ = ["pack_bits", "unpack_bits", "PackedReLUFunction", "packed_relu", "PackedReLU"]


_BIT_WEIGHTS = (1, 2, 4, 8, 16, 32, 64, 128)


def _weights(device: torch.device) -> Tensor:
    return torch.tensor(_BIT_WEIGHTS, dtype=torch.uint8, device=device)


def pack_bits(mask: Tensor) -> Tensor:
    """Pack a boolean tensor into a flat ``uint8`` tensor, eight elements per byte.

    Element ``i`` of ``mask.flatten()`` becomes bit ``i % 8`` of byte ``i // 8``; the last byte
    is padded with zeros. :func:`unpack_bits` reverses it.

    Args:
        mask: a ``torch.bool`` tensor of any shape.

    Returns:
        a 1-d ``uint8`` tensor with ``ceil(mask.numel() / 8)`` elements.

    Example:
        >>> packed = pack_bits(torch.tensor([True, False, True, True, False, False, False,
        ...                                  False, True]))
        >>> packed.tolist()            # 1 + 4 + 8 = 13, then the ninth element alone
        [13, 1]
    """
    if not isinstance(mask, Tensor):
        raise TypeError(f"pack_bits() expects a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(f"pack_bits() expects a torch.bool tensor, got dtype {mask.dtype}")
    flat = mask.reshape(-1)
    pad = (-flat.numel()) % 8
    if pad:
        flat = torch.cat([flat, flat.new_zeros(pad)])
    groups = flat.view(-1, 8).view(torch.uint8)                    # 0/1 bytes, 8 per row
    return (groups * _weights(mask.device)).sum(dim=1, dtype=torch.uint8)


def unpack_bits(packed: Tensor, shape: tuple[int, ...] | torch.Size) -> Tensor:
    """The boolean tensor of ``shape`` that :func:`pack_bits` packed into ``packed``.

    Example:
        >>> mask = torch.tensor([[True, False, True], [False, False, True]])
        >>> torch.equal(unpack_bits(pack_bits(mask), mask.shape), mask)
        True
    """
    if not isinstance(packed, Tensor):
        raise TypeError(f"unpack_bits() expects a torch.Tensor, got {type(packed).__name__}")
    if packed.dtype != torch.uint8 or packed.dim() != 1:
        raise TypeError(f"unpack_bits() expects a 1-d torch.uint8 tensor (from pack_bits()), "
                        f"got dtype {packed.dtype} with {packed.dim()} dimensions")
    shape = torch.Size(shape)
    numel = shape.numel()
    if packed.numel() != (numel + 7) // 8:
        raise ValueError(f"unpack_bits(): {packed.numel()} bytes cannot hold a mask of shape "
                         f"{tuple(shape)} ({numel} elements need {(numel + 7) // 8} bytes)")
    bits = torch.bitwise_and(packed.unsqueeze(1), _weights(packed.device)) != 0
    return bits.reshape(-1)[:numel].reshape(shape)


class PackedReLUFunction(torch.autograd.Function):
    r"""ReLU whose backward keeps one bit per element: where the output is non-zero.

    The gradient is ``grad * (out != 0)``, the same as
    :func:`relu_course.activations.functional.relu` (and ``torch.relu``, whose backward passes
    the gradient where the input was positive or NaN). The mask is packed eight elements per
    byte with :func:`pack_bits`: float32 needs 32 times less saved memory than ``torch.relu``,
    which keeps its whole output.

    Example:
        >>> x = torch.tensor([-1.0, 2.0, 0.0, 3.0], requires_grad=True)
        >>> PackedReLUFunction.apply(x).sum().backward()
        >>> x.grad
        tensor([0., 1., 0., 1.])
    """

    @staticmethod
    def forward(ctx, x: Tensor) -> Tensor:
        out = x.clamp_min(0)
        ctx.shape = x.shape
        ctx.save_for_backward(pack_bits(out != 0))
        return out

    @staticmethod
    def backward(ctx, grad_out: Tensor) -> Tensor:
        (packed,) = ctx.saved_tensors
        mask = unpack_bits(packed, ctx.shape)
        return mask.to(grad_out.dtype) * grad_out


def packed_relu(input: Tensor, inplace: bool = False) -> Tensor:
    r"""ReLU, :math:`\max(0, x)`, that saves a 1-bit mask for its backward pass.

    Values and gradients equal :func:`relu_course.activations.functional.relu`'s; only the
    memory kept between forward and backward differs (and packing and unpacking the bits costs
    time).

    Args:
        input: a floating-point tensor of any shape.
        inplace: must be ``False``.

    Example:
        >>> packed_relu(torch.tensor([-2.0, 0.5]))
        tensor([0.0000, 0.5000])
    """
    check_tensor("packed_relu", input)
    check_inplace("packed_relu", inplace)
    return PackedReLUFunction.apply(input)


class PackedReLU(nn.Module):
    """Module form of :func:`packed_relu`, a drop-in replacement for ``nn.ReLU()``.

    Example:
        >>> PackedReLU()(torch.tensor([-1.0, 1.0]))
        tensor([0., 1.])
    """

    def __init__(self, inplace: bool = False):
        super().__init__()
        check_inplace("PackedReLU", inplace)

    def forward(self, input: Tensor) -> Tensor:
        return packed_relu(input)
