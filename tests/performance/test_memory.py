"""Tests of relu_course.performance.memory: counting the bytes that autograd saves for the
backward pass."""

from __future__ import annotations

import torch
from torch import nn

from relu_course.activations import packed as packing
from relu_course.performance import memory


def test_saved_tensor_bytes_counts_a_shared_tensor_once():
    torch.manual_seed(0)
    x = torch.randn(256, 32)
    plain = nn.Sequential(nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 8))
    packed = nn.Sequential(nn.Linear(32, 64), packing.PackedReLU(), nn.Linear(64, 8))
    packed.load_state_dict(plain.state_dict())
    a = memory.saved_tensor_bytes(lambda: plain(x).sum())
    b = memory.saved_tensor_bytes(lambda: packed(x).sum())
    # The second Linear saves the ReLU's output as its input: torch's ReLU costs nothing
    # extra, the packed mask adds 256 * 64 / 8 bytes.
    assert b.nbytes - a.nbytes == 256 * 64 // 8
    assert b.by_dtype["uint8"] == 256 * 64 // 8
