"""Exercise checks for chapter 13, "Future trends"."""

from __future__ import annotations

import numbers

import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_glu_matched_width", "check_sparse_ffn_macs", "check_relu6_uint8_quantizer"]


@exercise("Exercise 13.1 (a gated block of equal size)")
def check_glu_matched_width(tally, glu_width) -> str:
    """Check ``glu_width(d_model, plain_hidden) -> int``: the hidden width of a bias-free gated
    block (three ``d x h`` matrices) whose parameter count is closest to that of a bias-free
    plain block (two ``d x plain_hidden`` matrices).

    Example:
        >>> check_glu_matched_width(lambda d, h: round(2 * h / 3)).passed
        True
    """
    from ..models.transformer import ffn_parameter_count, matched_hidden_width

    cases = [(32, 128), (64, 256), (16, 64), (8, 10), (48, 100), (7, 1), (128, 512), (5, 31)]
    for d, h in cases:
        got = call(glu_width, "glu_width", d, h)
        if isinstance(got, bool) or not isinstance(got, numbers.Integral):
            raise Failure(f"glu_width({d}, {h}) should return an int (a number of units), "
                          f"got {show(got)} of type {type(got).__name__}")
        expected = matched_hidden_width("swiglu", d, h, reference_kind="relu", bias=False)
        if int(got) != expected:
            plain = ffn_parameter_count("relu", d, h, bias=False)
            mine = ffn_parameter_count("swiglu", d, max(int(got), 1), bias=False) if got >= 1 else 0
            raise Failure(f"glu_width({d}, {h}) returned {got}: that gated block has {mine} "
                          f"weights, the plain one {plain}; width {expected} is closer "
                          f"(solve 3 d h_g = 2 d h for h_g and round)")
        tally.ok()
    return "Three matrices of width 2h/3 hold as many weights as two of width h."


@exercise("Exercise 13.2 (multiply-adds a sparse kernel can skip)")
def check_sparse_ffn_macs(tally, skippable_macs) -> str:
    """Check ``skippable_macs(hidden, d_model) -> float``: for hidden activations of shape
    ``(tokens, h)``, the mean number per token of the down-projection's multiply-adds
    (``h * d_model`` per token) whose hidden factor is exactly zero.

    Example:
        >>> check_sparse_ffn_macs(
        ...     lambda hid, d: (hid == 0).sum().item() * d / hid.shape[0]).passed
        True
    """
    g = torch.Generator().manual_seed(13)
    cases = []
    z = torch.randn(6, 10, generator=g)
    cases.append(("ReLU outputs", torch.relu(z), 4))
    cases.append(("GELU outputs (no exact zeros)", torch.nn.functional.gelu(z), 4))
    cases.append(("all zeros", torch.zeros(3, 5), 7))
    cases.append(("one token", torch.tensor([[0.0, 1.5, 0.0, 2.0]]), 3))
    cases.append(("ReLU outputs with -0.0", torch.relu(torch.randn(8, 16, generator=g)) * -1.0, 2))
    for label, hidden, d in cases:
        got = call(skippable_macs, "skippable_macs", hidden.clone(), d)
        if isinstance(got, torch.Tensor):
            if got.numel() != 1:
                raise Failure(f"skippable_macs(...) for {label} should return one number, got "
                              f"a tensor of shape {tuple(got.shape)}")
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            raise Failure(f"skippable_macs(...) should return a number, got {type(got).__name__}")
        expected = (hidden == 0).sum().item() * d / hidden.shape[0]
        if abs(float(got) - expected) > 1e-9 * max(1.0, expected):
            hint = ""
            if abs(float(got) - expected * hidden.shape[0]) < 1e-9 * max(1.0, expected * 10):
                hint = " -- divide by the number of tokens (a mean per token)"
            elif d > 1 and abs(float(got) * d - expected) < 1e-9 * max(1.0, expected):
                hint = " -- each zero saves d_model multiply-adds, one per output"
            raise Failure(f"for {label} (shape {tuple(hidden.shape)}, d_model={d}): got "
                          f"{float(got):.6g}, expected {expected:.6g}{hint}")
        tally.ok()
    return "A zero in the hidden vector saves one multiply-add per output of the block."


@exercise("Exercise 13.3 (8-bit quantiser for ReLU6)")
def check_relu6_uint8_quantizer(tally, quantize_relu6) -> str:
    """Check ``quantize_relu6(x) -> Tensor``: unsigned 8-bit fake quantisation on the fixed
    range [0, 6] -- step ``s = 6 / 255``, ``round(x / s)`` clipped to 0...255, times ``s``.

    Example:
        >>> s = 6 / 255
        >>> check_relu6_uint8_quantizer(
        ...     lambda x: torch.round(x / s).clamp(0, 255) * s).passed
        True
    """
    from ..analysis.quantization import fake_quantize

    g = torch.Generator().manual_seed(6)
    cases = [("values inside [0, 6]", torch.rand(50, generator=g) * 6),
             ("the ends 0 and 6", torch.tensor([0.0, 6.0])),
             ("values outside the range", torch.tensor([-1.0, 6.5, 100.0])),
             ("a 2-D batch", torch.rand(4, 7, generator=g) * 8 - 1)]
    for label, x in cases:
        got = call(quantize_relu6, "quantize_relu6", x.clone())
        if not isinstance(got, torch.Tensor) or got.shape != x.shape:
            raise Failure(f"quantize_relu6 should return a tensor of shape {tuple(x.shape)} "
                          f"for {label}, got {show(got)}")
        expected = fake_quantize(x, 8, 0.0, 6.0)
        if not torch.allclose(got.double(), expected.double(), atol=1e-5, rtol=0):
            i = int((got.double() - expected.double()).abs().argmax())
            raise Failure(f"for {label}: input {x.reshape(-1)[i].item():.5g} gave "
                          f"{got.reshape(-1)[i].item():.5g}, expected "
                          f"{expected.reshape(-1)[i].item():.5g} (clip to [0, 6] and use "
                          f"step 6/255)")
        tally.ok()
    levels = torch.unique(call(quantize_relu6, "quantize_relu6",
                               torch.linspace(-1, 7, 5001)))
    if len(levels) != 256:
        raise Failure(f"quantize_relu6 should produce exactly 256 distinct levels on [-1, 7], "
                      f"got {len(levels)}")
    tally.ok()
    return "256 levels, 6/255 apart: the known range of ReLU6 needs no calibration."
