r"""The memory each activation keeps for its backward pass, ours against torch's.

* :class:`MemoryRow` -- Bytes one activation keeps for its backward pass: ours against torch's
  builtin.
* :func:`saved_bytes` -- Bytes each activation saves for its backward pass
* :func:`format_memory_table` -- The rows of :func:`saved_bytes` as a text table (bytes per
  element, ours and torch's).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch

from .._validation import check_int
from ..activations.registry import BUILTINS, FUNCTIONS
from ..utils import get_device
from .bench import _check_dtype, _extra_args, _names, _row_list

__all__ = ["MemoryRow", "saved_bytes", "format_memory_table"]


@dataclass(frozen=True)
class MemoryRow:
    """Bytes one activation keeps for its backward pass: ours against torch's builtin.

    Example:
        >>> MemoryRow("relu", 1000, "float32", ours=4000, builtin=4000).ratio
        1.0
    """

    name: str
    numel: int
    dtype: str
    ours: int
    builtin: int

    @property
    def ratio(self) -> float:
        """``ours / builtin`` (1 means the same memory)."""
        return self.ours / self.builtin if self.builtin else float("inf")


def saved_bytes(names: str | Sequence[str] | None = None, numel: int = 2**20, *,
                dtype: torch.dtype = torch.float32, device: str | torch.device | None = "cpu",
                ) -> list[MemoryRow]:
    """Bytes each activation saves for its backward pass (counted with saved-tensor hooks by
    :func:`relu_course.performance.memory.saved_tensor_bytes`), for an input of ``numel`` elements.

    A tensor that is saved and is also the input (torch's GELU saves :math:`x`) counts in
    full: it has to stay in memory until the backward either way.

    Example:
        >>> rows = saved_bytes(["relu", "gelu"], numel=1000)
        >>> [(r.name, r.ours, r.builtin) for r in rows]
        [('relu', 4000, 4000), ('gelu', 4000, 4000)]
    """
    from .memory import saved_tensor_bytes

    names = list(BUILTINS) if names is None else _names("saved_bytes", names)
    numel = check_int("saved_bytes", "numel", numel, ge=1)
    dtype = _check_dtype("saved_bytes", dtype)
    device = get_device(device)
    x = torch.randn(numel, generator=torch.Generator().manual_seed(0)).to(device, dtype)
    x.requires_grad_(True)
    rows = []
    for name in names:
        args = _extra_args(name, x)
        ours = saved_tensor_bytes(FUNCTIONS[name], x, *args).nbytes
        builtin = saved_tensor_bytes(BUILTINS[name], x, *args).nbytes
        rows.append(MemoryRow(name, numel, str(dtype).replace("torch.", ""), ours, builtin))
    return rows


def format_memory_table(rows: Sequence[MemoryRow]) -> str:
    """The rows of :func:`saved_bytes` as a text table (bytes per element, ours and torch's).

    Example:
        >>> print(format_memory_table([MemoryRow("relu", 1000, "float32", 4000, 4000)]))
        saved for backward, float32, 1,000 elements
        activation  ours B/elem  torch B/elem  ours/torch
        relu               4.00          4.00        1.00
    """
    rows = _row_list("format_memory_table", rows, MemoryRow, "saved_bytes()")
    lines = [f"saved for backward, {rows[0].dtype}, {rows[0].numel:,} elements",
             f"{'activation':<10} {'ours B/elem':>12} {'torch B/elem':>13} {'ours/torch':>11}"]
    for r in rows:
        lines.append(f"{r.name:<10} {r.ours / r.numel:>12.2f} {r.builtin / r.numel:>13.2f} "
                     f"{r.ratio:>11.2f}")
    return "\n".join(lines)
