"""Tests of the chapter 4 exercise check added for the course's learner edition: ReLU's
backward pass from a mask of one bit per value (Exercise 4.1)."""

from __future__ import annotations

import numpy as np
import pytest

from relu_course import exercises as E


def stub(*args):
    raise NotImplementedError


def pack_mask(y):
    return np.packbits(y > 0)


def backward_from_bits(grad_out, packed):
    mask = np.unpackbits(packed, count=grad_out.size).reshape(grad_out.shape)
    return grad_out * mask


def test_backward_from_bits_passes():
    result = E.check_relu_backward_from_bits(pack_mask, backward_from_bits)
    assert result.passed and result.checks_passed == 8, result
    assert repr(result).startswith("[PASSED] Exercise 4.1")
    # little-endian bit order is as good, if used both ways
    assert E.check_relu_backward_from_bits(
        lambda y: np.packbits(y > 0, bitorder="little"),
        lambda g, p: g * np.unpackbits(p, count=g.size, bitorder="little").reshape(g.shape),
    ).passed


def test_backward_from_bits_not_attempted():
    assert E.check_relu_backward_from_bits(stub, stub).status == "not attempted"
    assert E.check_relu_backward_from_bits(pack_mask, stub).status == "not attempted"


def in_place(grad_out, packed):
    mask = np.unpackbits(packed, count=grad_out.size).reshape(grad_out.shape)
    grad_out *= mask
    return grad_out


@pytest.mark.parametrize("pack, backward, expected", [
    (lambda y: (y > 0).astype(np.uint8), backward_from_bits, "pack eight values"),
    (lambda y: np.packbits(y > 0).astype(np.int64), backward_from_bits, "expected a uint8"),
    (lambda y: np.packbits(y >= 0), backward_from_bits, "differs from torch.relu's"),
    (pack_mask, lambda g, p: g.reshape(-1) * np.unpackbits(p, count=g.size), "shape of grad_out"),
    (pack_mask, lambda g, p: g * np.unpackbits(p)[:g.size].reshape(g.shape)[::-1],
     "differs"),
    (pack_mask, in_place, "in place"),
], ids=["byte-per-value", "int64", "relu-prime-0-is-1", "flat", "reversed", "in-place"])
def test_backward_from_bits_explains_the_mistake(pack, backward, expected):
    result = E.check_relu_backward_from_bits(pack, backward)
    assert result.status == "failed"
    assert expected in result.message, result.message
