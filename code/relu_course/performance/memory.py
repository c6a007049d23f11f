r"""What autograd keeps in memory for the backward pass of a computation.

During training, every layer saves some tensors in its forward pass so that its backward pass
can run later; until then those tensors stay in memory. For a network this *activation
memory* usually dwarfs the memory of the weights, and it grows with the batch size.

ReLU's backward needs only to know *where* the input was positive: one bit per element. Yet
``torch.relu`` saves its whole output (32 bits per element in float32) -- cheap to compute
with, but 32 times more than the information needed. Novikov et al. (2023) store activation
derivatives in a few bits instead; for ReLU the idea is exact:
:class:`relu_course.activations.packed.PackedReLUFunction` saves a sign mask packed eight
elements to a byte and gives the same gradients as ``torch.relu``.

Whether that saves memory in a network depends on the neighbours: a ``Linear`` layer after
the ReLU saves its own input -- the ReLU's output -- anyway, and two references to the same
tensor cost memory once. :func:`saved_tensor_bytes` counts every distinct saved tensor once, so
it measures exactly this.

* :func:`relu_course.activations.packed.packed_relu` -- ReLU with a 1-bit saved mask (in
  :mod:`relu_course.activations.packed`).
* :func:`saved_tensor_bytes` -- bytes that autograd keeps for the backward of a computation,
  as :class:`SavedTensors`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import Tensor

__all__ = ['SavedTensors', 'saved_tensor_bytes']


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
        >>> from relu_course.activations.packed import packed_relu
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
