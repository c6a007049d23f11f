"""Exercise checks for chapter 10, "Common use cases"."""

from __future__ import annotations

import math

import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_position_wise_ffn", "check_spectrogram_peak_track"]


def _ffn_reference(x, W1, b1, W2, b2, activation):
    return activation(x @ W1.T + b1) @ W2.T + b2


@exercise("Exercise 10.2 (a transformer feed-forward block)")
def check_position_wise_ffn(tally, position_wise_ffn) -> str:
    r"""Check ``position_wise_ffn(x, W1, b1, W2, b2, activation)``, the feed-forward block
    :math:`\phi(x W_1^\top + b_1) W_2^\top + b_2` applied to the last dimension of ``x``.

    ``x`` has shape ``(..., d)`` -- ``(tokens, d)`` or ``(batch, time, d)`` --, ``W1`` is
    ``(h, d)``, ``b1`` ``(h,)``, ``W2`` ``(d, h)``, ``b2`` ``(d,)``; ``activation`` is a
    function such as ``torch.relu``. The answer is compared with a reference for ReLU and GELU,
    for 2-D and 3-D inputs, and must not change its arguments.

    Example:
        >>> def ffn(x, W1, b1, W2, b2, activation):
        ...     return activation(x @ W1.T + b1) @ W2.T + b2
        >>> check_position_wise_ffn(ffn).passed
        True
    """
    g = torch.Generator().manual_seed(10)
    gelu = torch.nn.functional.gelu
    cases = [((5, 4), 8, torch.relu, "relu"), ((2, 7, 4), 8, torch.relu, "relu"),
             ((3, 6, 5), 12, gelu, "gelu"), ((1, 1, 3), 2, torch.relu, "relu")]
    for shape, hidden, activation, name in cases:
        d = shape[-1]
        args = [torch.randn(*shape, generator=g, dtype=torch.float64),
                torch.randn(hidden, d, generator=g, dtype=torch.float64),
                torch.randn(hidden, generator=g, dtype=torch.float64),
                torch.randn(d, hidden, generator=g, dtype=torch.float64),
                torch.randn(d, generator=g, dtype=torch.float64)]
        copies = [a.clone() for a in args]
        where = f"x of shape {shape}, hidden width {hidden}, activation {name}"
        try:                                 # name the shapes, not every number, on a crash
            got = call(lambda c=copies, a=activation: position_wise_ffn(*c, a),
                       "position_wise_ffn")
        except Failure as exc:
            raise Failure(f"for {where}: {exc}") from None
        if not all(torch.equal(a, c) for a, c in zip(args, copies)):
            raise Failure("position_wise_ffn changed one of its arguments in place; compute "
                          "new tensors instead")
        if not isinstance(got, torch.Tensor):
            raise Failure(f"position_wise_ffn should return a tensor, got {type(got).__name__}")
        expected = _ffn_reference(*args, activation)
        if tuple(got.shape) != tuple(expected.shape):
            hint = ""
            if got.dim() != expected.dim():
                hint = " -- work on the last dimension only; keep every leading dimension"
            raise Failure(f"for {where}: the output has shape {tuple(got.shape)}; expected "
                          f"{tuple(expected.shape)}, the shape of x{hint}")
        if not torch.allclose(got.to(expected.dtype), expected, rtol=1e-6, atol=1e-8):
            worst = (got.to(expected.dtype) - expected).abs().max().item()
            raise Failure(f"for {where}: the output differs from the reference by up to "
                          f"{worst:.3g} -- compute activation(x @ W1.T + b1) @ W2.T + b2 "
                          f"(W1 is (hidden, d), so x is multiplied by its transpose)")
        tally.ok()
    return ("The same two matrices act on every position: the block is applied to each token "
            "separately.")


def _peak_reference(spec, sample_rate, n_fft):
    return spec.argmax(dim=-2).to(torch.float64) * sample_rate / n_fft


@exercise("Exercise 10.4 (the loudest frequency over time)")
def check_spectrogram_peak_track(tally, peak_frequency_track) -> str:
    r"""Check ``peak_frequency_track(spec, sample_rate, n_fft)``: for each frame of a
    spectrogram, the frequency in hertz of its loudest bin, :math:`f^* \cdot
    \text{sample\_rate} / n_{fft}` with :math:`f^*` the arg-max over the bins.

    ``spec`` has shape ``(bins, frames)`` or ``(N, bins, frames)``; the answer has shape
    ``(frames,)`` or ``(N, frames)``.

    Example:
        >>> def track(spec, sample_rate, n_fft):
        ...     return spec.argmax(dim=-2) * sample_rate / n_fft
        >>> check_spectrogram_peak_track(track).passed
        True
    """
    g = torch.Generator().manual_seed(104)
    t = torch.arange(1024, dtype=torch.float64) / 4000
    rising = torch.sin(2 * math.pi * (400 * t + 600 / (2 * t[-1]) * t**2))   # 400 -> 1000 Hz
    window = torch.hann_window(64, dtype=torch.float64)
    chirp = torch.stft(rising, 64, 32, window=window, return_complex=True).abs().log1p()
    cases = [(chirp, 4000, 64, "a rising chirp's spectrogram (33 bins x 33 frames)"),
             (torch.rand(17, 9, generator=g), 1000, 32, "a random (17, 9) spectrogram"),
             (torch.rand(3, 33, 20, generator=g), 8000, 64, "a batch of 3 random spectrograms"),
             (torch.rand(5, 1, generator=g), 100, 8, "one frame of 5 bins")]
    for spec, rate, n_fft, label in cases:
        copy = spec.clone()
        try:
            got = call(lambda s=copy, r=rate, n=n_fft: peak_frequency_track(s, r, n),
                       "peak_frequency_track")
        except Failure as exc:
            raise Failure(f"for {label} (sample rate {rate}, n_fft {n_fft}): {exc}") from None
        if not torch.equal(copy, spec):
            raise Failure("peak_frequency_track changed the spectrogram in place")
        if not isinstance(got, torch.Tensor):
            raise Failure(f"peak_frequency_track should return a tensor, got {type(got).__name__}")
        expected = _peak_reference(spec, rate, n_fft)
        if tuple(got.shape) != tuple(expected.shape):
            raise Failure(f"for {label}: the answer has shape {tuple(got.shape)}; expected "
                          f"{tuple(expected.shape)}, one frequency per frame (take the "
                          f"arg-max over the bins, dim=-2)")
        if not torch.allclose(got.to(torch.float64), expected, atol=1e-6):
            as_bins = torch.allclose(got.to(torch.float64), spec.argmax(dim=-2).double())
            hint = (" -- these are bin numbers: multiply by sample_rate / n_fft" if as_bins
                    else " -- take the arg-max over the frequency bins (dim=-2), not the frames")
            raise Failure(f"for {label} (sample rate {rate}, n_fft {n_fft}): got "
                          f"{show(got.flatten()[:6])}..., expected "
                          f"{show(expected.flatten()[:6])}...{hint}")
        tally.ok()
    return "A rising chirp's loudest frequency climbs frame by frame."
