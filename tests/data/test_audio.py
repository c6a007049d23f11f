"""Tests of relu_course.data.audio: the synthetic audio classes, log spectrograms and the
spectrogram dataset."""

from __future__ import annotations

import math

import pytest
import torch

from relu_course.data import Dataset, audio


def _peak_slope(x: torch.Tensor) -> torch.Tensor:
    """Mean change per frame of the loudest bin, per clip."""
    spec = audio.log_spectrogram(x)
    return spec.argmax(dim=-2).double().diff(dim=-1).mean(dim=-1)


def test_synthetic_audio_shapes_labels_and_determinism():
    x, y = audio.synthetic_audio(5, seed=3)
    assert x.shape == (20, 1024) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert y.tolist() == [0, 1, 2, 3] * 5
    x2, _ = audio.synthetic_audio(5, seed=3)
    assert torch.equal(x, x2)
    x3, _ = audio.synthetic_audio(5, seed=4)
    assert not torch.equal(x, x3)
    assert torch.isfinite(x).all()


def test_synthetic_audio_classes_look_like_their_names():
    x, y = audio.synthetic_audio(20, seed=0, noise_range=(0.0, 0.05))
    slope = _peak_slope(x)
    assert (slope[y == 1] > 0.2).all()                     # rising chirps climb
    assert (slope[y == 2] < -0.2).all()                    # falling chirps descend
    spec = audio.log_spectrogram(x)
    peak = spec.argmax(dim=-2)                             # (N, frames)
    tone_spread = (peak[y == 0].max(dim=1).values - peak[y == 0].min(dim=1).values)
    assert (tone_spread <= 2).all()                        # a tone stays in its bin
    # white noise is spread over the spectrum: its loudest bin is far less dominant
    share = spec.max(dim=-2).values / spec.sum(dim=-2)
    assert share[y == 3].mean() < 0.5 * share[y == 0].mean()


def test_chirp_sweeps_respect_min_sweep():
    x, y = audio.synthetic_audio(30, seed=1, noise_range=(0.0, 0.0), min_sweep=1000.0)
    spec = audio.log_spectrogram(x)
    peak_hz = spec.argmax(dim=-2).double() * 4000 / 64
    chirps = (y == 1) | (y == 2)
    # between the second and the second-to-last frame the chirp moves by most of its sweep
    moved = (peak_hz[chirps, -2] - peak_hz[chirps, 1]).abs()
    assert (moved > 1000.0 * 28 / 32 - 2 * 4000 / 64).all()


def test_load_synthetic_audio_split_is_balanced():
    data = audio.load_synthetic_audio(10, test_fraction=0.2, seed=0)
    assert isinstance(data, Dataset) and data.num_classes == 4
    assert len(data.y_train) == 32 and len(data.y_test) == 8
    assert torch.bincount(data.y_test).tolist() == [2, 2, 2, 2]
    x, _ = audio.synthetic_audio(10, seed=0)
    assert torch.equal(torch.cat([data.x_train, data.x_test]), x)
    with pytest.raises(ValueError):
        audio.load_synthetic_audio(10, test_fraction=1.0)


def test_log_spectrogram_matches_stft_and_batches():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(3, 300, generator=g, dtype=torch.float64)
    s = audio.log_spectrogram(x, n_fft=32, hop_length=8)
    window = torch.hann_window(32, dtype=torch.float64)
    ref = torch.stft(x, 32, 8, window=window, return_complex=True).abs().log1p()
    torch.testing.assert_close(s, ref)
    assert s.shape == (3, 17, 1 + 300 // 8)
    torch.testing.assert_close(audio.log_spectrogram(x[1], 32, 8), s[1])
    torch.testing.assert_close(audio.LogSpectrogram(32, 8)(x), s)
    assert (s >= 0).all()


def test_log_spectrogram_finds_a_tone():
    t = torch.arange(1024) / 4000
    s = audio.log_spectrogram(torch.sin(2 * math.pi * 1000 * t), 64, 32)   # bin 1000/62.5 = 16
    assert (s.argmax(dim=0)[1:-1] == 16).all()


def test_spectrogram_dataset():
    clips = audio.load_synthetic_audio(4, length=256)
    data = audio.spectrogram_dataset(clips, n_fft=32, hop_length=16)
    assert data.input_shape == (17, 17) and data.name == "synthetic-audio-spectrogram"
    torch.testing.assert_close(data.x_test, audio.log_spectrogram(clips.x_test, 32, 16))
    assert torch.equal(data.y_train, clips.y_train)
    with pytest.raises(TypeError):
        audio.spectrogram_dataset(clips.x_train)
    with pytest.raises(ValueError):
        audio.spectrogram_dataset(data)                       # already 2-D examples
