r"""Speed and memory: the fused (``torch.compile``\ d) fast path of the activations, fair timing
against torch's builtins, operation counts, and the memory kept for the backward pass.

======  ========================================================================================
bench   fair timing of forward + backward against torch's builtins
ops     counting the tensor operations of a forward + backward
saved   bytes each activation saves for backward, ours against torch's
memory  bytes autograd keeps for the backward of any computation
======  ========================================================================================

The public names of ``bench``, ``ops``, ``saved``, ``memory`` are also importable from here.
"""

from __future__ import annotations

from . import bench, memory, ops, saved  # noqa: E402,F401
from .bench import (  # noqa: F401
    FAST_SIZES,
    FULL_SIZES,
    GOAL_RATIO,
    BenchRow,
    Timing,
    compare,
    format_table,
    forward_backward,
    forward_backward_bytes,
    fused,
    main,
    time_forward_backward,
    time_interleaved,
)
from .memory import (  # noqa: F401
    SavedTensors,
    saved_tensor_bytes,
)
from .ops import (  # noqa: F401
    OP_KINDS,
    classify_ops,
    count_ops,
)
from .saved import (  # noqa: F401
    MemoryRow,
    format_memory_table,
    saved_bytes,
)

__all__ = [
    'bench', 'ops', 'saved', 'memory', 'GOAL_RATIO', 'Timing', 'BenchRow',
    'forward_backward_bytes', 'time_interleaved', 'forward_backward', 'time_forward_backward',
    'fused', 'compare', 'format_table', 'FULL_SIZES', 'FAST_SIZES', 'main', 'OP_KINDS',
    'count_ops', 'classify_ops', 'MemoryRow', 'saved_bytes', 'format_memory_table',
    'SavedTensors', 'saved_tensor_bytes',
]
