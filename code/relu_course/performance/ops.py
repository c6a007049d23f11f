r"""Counting the tensor operations a forward + backward executes: a cost measure that does not
depend on the machine.

* :data:`OP_KINDS`
* :func:`count_ops` -- Count the tensor operations a forward + backward of ``fn(x, *args)``
  executes.
* :func:`classify_ops` -- Group the result of :func:`count_ops` by :data:`OP_KINDS`
  (comparisons and selections, arithmetic, exponential-type functions)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from types import MappingProxyType

import torch
from torch import Tensor

from .._validation import check_int, check_tensor

__all__ = ["OP_KINDS", "count_ops", "classify_ops"]


#: How :func:`classify_ops` groups ATen operations; anything else counts as ``"other"``
#: (for a builtin that is its fused kernel, e.g. ``relu`` or ``sigmoid_backward``).
OP_KINDS = MappingProxyType({
    "compare/select": ("gt", "ge", "lt", "le", "eq", "ne", "where", "clamp", "clamp_min",
                       "clamp_max", "maximum", "minimum", "sign", "signbit"),
    "arithmetic": ("add", "sub", "rsub", "mul", "div", "neg", "abs", "reciprocal", "copysign",
                   "pow", "square", "sqrt", "rsqrt"),
    "exp/log/erf/tanh": ("exp", "expm1", "log", "log1p", "erf", "erfc", "tanh", "sigmoid"),
})


#: Operations that allocate memory without passing over any data.
_NOT_PASSES = frozenset({"empty", "empty_like", "empty_strided", "new_empty",
                         "new_empty_strided"})


def count_ops(fn: Callable[..., Tensor], x: Tensor, *args) -> Counter:
    """Count the tensor operations a forward + backward of ``fn(x, *args)`` executes.

    Every ATen operation that PyTorch dispatches while computing ``y = fn(x, *args)`` and the
    gradient with respect to ``x`` is recorded, except views (``detach``, reshapes) and
    operations whose result is smaller than ``x`` (such as a 0-d constant): what remains are
    full passes over the data. An in-place operation counts under its plain name (``mul_`` as
    ``mul``): it is a pass over memory all the same; allocating an uninitialised tensor
    (``empty_like``) is not a pass and is skipped. A fused builtin shows up as one kernel per
    pass (``relu``, ``threshold_backward``); a from-scratch formula as one entry per elementary
    operation.

    Args:
        fn: a differentiable function; ``x``: a floating-point tensor; ``args``: passed on.

    Returns:
        ``Counter({op name: times executed})``.

    Example:
        >>> from relu_course.activations import functional as F
        >>> sorted(count_ops(F.relu, torch.randn(8)).items())
        [('clamp_min', 1), ('le', 1), ('where', 1)]
        >>> sorted(count_ops(torch.relu, torch.randn(8)).items())
        [('relu', 1), ('threshold_backward', 1)]
    """
    from torch.utils._python_dispatch import TorchDispatchMode

    if not callable(fn):
        raise TypeError(f"count_ops() expects a callable `fn`, got {type(fn).__name__}")
    check_tensor("count_ops", x, name="x")
    numel = x.numel()
    counts: Counter = Counter()

    class _Recorder(TorchDispatchMode):
        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            results = out if isinstance(out, (tuple, list)) else (out,)
            full = any(isinstance(r, Tensor) and r.numel() >= numel for r in results)
            name = func.overloadpacket.__name__
            if full and not func.is_view and name not in _NOT_PASSES:
                counts[name[:-1] if name.endswith("_") else name] += 1   # mul_ counts as mul
            return out

    leaf = x.detach().requires_grad_(True)
    grad = torch.ones_like(leaf)
    with _Recorder():
        y = fn(leaf, *args)
        torch.autograd.grad(y, leaf, grad)
    return counts


def classify_ops(counts: Mapping[str, int]) -> dict[str, int]:
    """Group the result of :func:`count_ops` by :data:`OP_KINDS`:
    ``{"compare/select": ..., "arithmetic": ..., "exp/log/erf/tanh": ..., "other": ...,
    "total": ...}``.

    Example:
        >>> classify_ops({"gt": 1, "mul": 2, "exp": 1, "gelu": 1})
        {'compare/select': 1, 'arithmetic': 2, 'exp/log/erf/tanh': 1, 'other': 1, 'total': 5}
    """
    if not isinstance(counts, Mapping):
        raise TypeError(f"classify_ops() expects a mapping {{op name: count}}, "
                        f"got {type(counts).__name__}")
    result = {kind: 0 for kind in OP_KINDS}
    result["other"] = 0
    for op, n in counts.items():
        n = check_int("classify_ops", f"counts[{op!r}]", n, ge=0)
        kind = next((k for k, ops in OP_KINDS.items() if op in ops), "other")
        result[kind] += n
    result["total"] = sum(result.values())
    return result
