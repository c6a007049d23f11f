"""relu_course.performance.saved: the bytes each activation keeps for its backward pass, ours
against torch's."""

from __future__ import annotations

import pytest

from relu_course.activations.registry import BUILTINS
from relu_course.performance import saved


def test_saved_bytes_ours_never_exceeds_torch_for_relu():
    rows = saved.saved_bytes(numel=1000)
    assert [r.name for r in rows] == list(BUILTINS)
    relu = rows[0]
    assert relu.ours == relu.builtin == 4000
    assert all(r.ours > 0 and r.builtin > 0 for r in rows)
    text = saved.format_memory_table(rows)
    assert text.splitlines()[0] == "saved for backward, float32, 1,000 elements"
    assert len(text.splitlines()) == 2 + len(rows)


def test_saved_bytes_checks_its_arguments():
    with pytest.raises(ValueError, match="unknown activation"):
        saved.saved_bytes(["nope"])
    with pytest.raises(ValueError):
        saved.saved_bytes(numel=0)
    with pytest.raises(ValueError):
        saved.saved_bytes(device="tpu")
    with pytest.raises(ValueError):
        saved.format_memory_table([])
    with pytest.raises(TypeError):
        saved.format_memory_table(["relu"])
