r"""What activations keep in memory for the backward pass, and a ReLU that keeps one bit.

During training, every layer saves some tensors in its forward pass so that its backward pass
can run later; until then those tensors stay in memory. For a network this *activation
memory* usually dwarfs the memory of the weights, and it grows with the batch size.

ReLU's backward needs only to know *where* the input was positive: one bit per element. Yet
``torch.relu`` saves its whole output (32 bits per element in float32) -- cheap to compute
with, but 32 times more than the information needed. Novikov et al. (2022) store activation
derivatives in a few bits instead; for ReLU the idea is exact: :class:`PackedReLUFunction`
saves a sign mask packed eight elements to a byte and gives the same gradients as
``torch.relu``.

Whether that saves memory in a network depends on the neighbours: a ``Linear`` layer after
the ReLU saves its own input -- the ReLU's output -- anyway, and two references to the same
tensor cost memory once. :func:`saved_tensor_bytes` counts every distinct saved tensor once, so
it measures exactly this.

* :func:`pack_bits` / :func:`unpack_bits` -- a boolean tensor to one bit per element and back.
* :func:`packed_relu` / :class:`PackedReLU` -- ReLU with a 1-bit saved mask.
* :func:`saved_tensor_bytes` -- bytes that autograd keeps for the backward of a computation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ._validation import check_inplace, check_tensor

__all__ = ["pack_bits", "unpack_bits", "PackedReLUFunction", "packed_relu", "PackedReLU",
           "SavedTensors", "saved_tensor_bytes"]

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

    The gradient is ``grad * (out != 0)``, the same as :func:`relu_course.functional.relu`
    (and ``torch.relu``, whose backward passes the gradient where the input was positive or
    NaN). The mask is packed eight elements per byte with :func:`pack_bits`: float32 needs 32
    times less saved memory than ``torch.relu``, which keeps its whole output.

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

    Values and gradients equal :func:`relu_course.functional.relu`'s; only the memory kept
    between forward and backward differs (and packing and unpacking the bits costs time).

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


@dataclass(frozen=True)
class SavedTensors:
    """What autograd saved for the backward pass of one computation.

    Attributes:
        nbytes: bytes held by the distinct saved tensors (a tensor saved twice, or saved by two
            operations, counts once), including tensors that are also inputs.
        count: number of distinct saved tensors.
        by_dtype: bytes per dtype name, e.g. ``{"float32": 4096, "uint8": 128}``.

    Example:
        >>> SavedTensors(nbytes=4096, count=1, by_dtype={"float32": 4096}).nbytes
        4096
    """

    nbytes: int
    count: int
    by_dtype: dict[str, int]


def saved_tensor_bytes(fn: Callable[..., object], *args, **kwargs) -> SavedTensors:
    """Run ``fn(*args, **kwargs)`` and report the tensors autograd saved for its backward.

    Uses :func:`torch.autograd.graph.saved_tensors_hooks`, so it sees exactly what the
    backward pass will need: tensors saved by several operations (a ReLU's output that the
    next ``Linear`` also saves as its input) are counted once, by their storage. Inputs that
    require gradients must be given in ``args`` for anything to be saved; parameters of a
    model called inside ``fn`` count when an operation saves them (a ``Linear`` saves its
    weight).

    Returns:
        a :class:`SavedTensors`.

    Example:
        >>> import torch.nn.functional as TF
        >>> x = torch.randn(1000, requires_grad=True)
        >>> saved_tensor_bytes(TF.relu, x).nbytes            # torch keeps the output
        4000
        >>> saved_tensor_bytes(packed_relu, x).nbytes        # 1000 bits
        125
    """
    if not callable(fn):
        raise TypeError(f"saved_tensor_bytes() expects a callable `fn`, got {type(fn).__name__}")
    seen: dict[tuple, Tensor] = {}

    def pack(t: Tensor):
        if t.layout == torch.strided and t.numel() > 0:
            storage = t.untyped_storage()
            key = (t.device.type, t.device.index, storage.data_ptr())
            if key not in seen or storage.nbytes() > seen[key].untyped_storage().nbytes():
                seen[key] = t
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        result = fn(*args, **kwargs)
    by_dtype: dict[str, int] = {}
    total = 0
    for t in seen.values():
        n = t.untyped_storage().nbytes()
        total += n
        name = str(t.dtype).replace("torch.", "")
        by_dtype[name] = by_dtype.get(name, 0) + n
    del result
    return SavedTensors(nbytes=total, count=len(seen), by_dtype=by_dtype)
