"""Tests of relu_course.activations.packed: pack_bits/unpack_bits and PackedReLU, the ReLU that
saves one bit per element for its backward pass."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as TF
from torch import nn

from relu_course.activations import functional as F
from relu_course.activations import packed as packing
from relu_course.performance import memory


@pytest.mark.parametrize("numel", [0, 1, 7, 8, 9, 64, 1001])
def test_pack_and_unpack_are_inverse(numel):
    gen = torch.Generator().manual_seed(numel)
    mask = torch.rand(numel, generator=gen) > 0.5
    packed = packing.pack_bits(mask)
    assert packed.dtype == torch.uint8 and packed.numel() == math.ceil(numel / 8)
    assert torch.equal(packing.unpack_bits(packed, mask.shape), mask)


def test_pack_bits_layout_is_little_endian_within_a_byte():
    mask = torch.zeros(16, dtype=torch.bool)
    mask[0] = mask[9] = mask[15] = True
    assert packing.pack_bits(mask).tolist() == [1, 2 + 128]


def test_pack_bits_of_non_contiguous_and_multi_dimensional_masks():
    mask = torch.rand(5, 6, generator=torch.Generator().manual_seed(1)) > 0.3
    for view in (mask.t(), mask[:, ::2], mask.unsqueeze(0)):
        assert torch.equal(packing.unpack_bits(packing.pack_bits(view), view.shape), view)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16, torch.float32, torch.float64])
def test_packed_relu_equals_relu_in_value_and_gradient(dtype):
    gen = torch.Generator().manual_seed(3)
    x = torch.randn(7, 13, generator=gen).to(dtype)
    x[0, :4] = torch.tensor([0.0, -0.0, math.nan, -math.inf])
    grad_out = torch.randn(7, 13, generator=gen).to(dtype)
    results = []
    for fn in (packing.packed_relu, F.relu, torch.relu):
        leaf = x.clone().requires_grad_(True)
        out = fn(leaf)
        (g,) = torch.autograd.grad(out, leaf, grad_out)
        results.append((out, g))
    for out, g in results[:2]:
        torch.testing.assert_close(out, results[2][0], equal_nan=True, rtol=0, atol=0)
        torch.testing.assert_close(g, results[2][1], equal_nan=True, rtol=0, atol=0)


def test_packed_relu_saves_one_bit_per_element():
    x = torch.randn(4096, requires_grad=True)
    assert memory.saved_tensor_bytes(packing.packed_relu, x).nbytes == 4096 // 8
    assert memory.saved_tensor_bytes(TF.relu, x).nbytes == 4096 * 4
    assert memory.saved_tensor_bytes(F.relu, x).nbytes == 4096 * 4      # no more than torch


def test_packed_relu_saves_memory_when_the_next_layer_does_not_keep_its_input():
    torch.manual_seed(0)
    x = torch.randn(256, 32)
    blocks = {act: nn.Sequential(nn.Linear(32, 64), act(), nn.Dropout(0.5), nn.Linear(64, 8))
              for act in (nn.ReLU, packing.PackedReLU)}
    saved = {act: memory.saved_tensor_bytes(lambda m=m: m(x).sum()).nbytes
             for act, m in blocks.items()}
    # ReLU's float32 output (256 x 64 x 4 bytes) becomes 256 x 64 bits
    assert saved[nn.ReLU] - saved[packing.PackedReLU] == 256 * 64 * 4 - 256 * 64 // 8
