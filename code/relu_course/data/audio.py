r"""Synthetic audio, generated here (nothing is downloaded), and its log-magnitude spectrogram
computed with ``torch.stft``.

* :data:`AUDIO_CLASSES`
* :func:`synthetic_audio` -- Synthetic sound clips (generated here, not recorded):
  ``n_per_class`` clips of each class in :data:`AUDIO_CLASSES`, interleaved
* :func:`load_synthetic_audio` -- :func:`synthetic_audio` split into a training and a test part
  (the first ``1 - test_fraction`` of the clips train, the rest test
* :func:`log_spectrogram` -- The log-magnitude spectrogram :math:`\log(1 + |X_{f,\tau}|)` of a
  batch of signals.
* :class:`LogSpectrogram` -- A layer computing :func:`log_spectrogram` (no parameters), so that
  a model can take raw signals.
* :func:`spectrogram_dataset` -- A copy of a dataset of signals ``(N, L)`` with every signal
  replaced by its :func:`log_spectrogram`
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor, seed_or_base
from .datasets import Dataset

__all__ = ["AUDIO_CLASSES", "synthetic_audio", "load_synthetic_audio", "log_spectrogram",
           "LogSpectrogram", "spectrogram_dataset"]


#: The classes of :func:`synthetic_audio`, in label order.
AUDIO_CLASSES = ("tone", "rising chirp", "falling chirp", "noise")


def synthetic_audio(n_per_class: int = 200, *, length: int = 1024, sample_rate: int = 4000,
                    min_sweep: float = 600.0, noise_range: tuple[float, float] = (0.05, 0.5),
                    seed: int | None = None) -> tuple[Tensor, Tensor]:
    r"""Synthetic sound clips (generated here, not recorded): ``n_per_class`` clips of each
    class in :data:`AUDIO_CLASSES`, interleaved (labels 0, 1, 2, 3, 0, 1, ...).

    Every clip has ``length`` samples at ``sample_rate`` Hz, a random amplitude
    :math:`A \sim U(0.5, 1)`, a random phase, and added white Gaussian noise whose standard
    deviation is drawn from ``noise_range``:

    * **tone**: :math:`A \sin(2\pi f t + \varphi)`, :math:`f \sim U(f_{lo}, f_{hi})`;
    * **rising / falling chirp**: a linear sweep between two frequencies :math:`a < b` drawn
      from :math:`U(f_{lo}, f_{hi})` with :math:`b - a \ge` ``min_sweep``; the
      instantaneous frequency goes from :math:`a` to :math:`b` (rising) or from :math:`b` to
      :math:`a` (falling) over the clip, i.e. phase
      :math:`2\pi(f_0 t + \tfrac{f_1 - f_0}{2T} t^2) + \varphi`. The two chirp classes draw
      :math:`(a, b)` from the same distribution, so their *time-averaged* spectra are
      identically distributed: only the order in time tells them apart;
    * **noise**: white Gaussian noise of standard deviation :math:`A/\sqrt 2` (the power of a
      sine of amplitude :math:`A`) plus the background noise.

    Here :math:`f_{lo} = 0.1` and :math:`f_{hi} = 0.9` times the Nyquist frequency
    ``sample_rate / 2``.

    Args:
        n_per_class: clips per class.
        length: samples per clip.
        sample_rate: samples per second.
        min_sweep: the smallest frequency range of a chirp, in Hz.
        noise_range: ``(low, high)`` of the background noise's standard deviation.
        seed: seeds a private ``torch.Generator`` (same seed, same clips, on every machine).

    Returns:
        ``x`` of shape ``(4 * n_per_class, length)`` (float32) and labels ``y`` (int64).

    Example:
        >>> x, y = synthetic_audio(2, length=256, seed=0)
        >>> x.shape, y.tolist()
        (torch.Size([8, 256]), [0, 1, 2, 3, 0, 1, 2, 3])
    """
    n_per_class = check_int("synthetic_audio", "n_per_class", n_per_class, ge=1)
    length = check_int("synthetic_audio", "length", length, ge=16)
    sample_rate = check_int("synthetic_audio", "sample_rate", sample_rate, ge=1)
    min_sweep = check_real("synthetic_audio", "min_sweep", min_sweep)
    seed = seed_or_base("synthetic_audio", seed)
    if not isinstance(noise_range, (tuple, list)) or len(noise_range) != 2:
        raise TypeError("synthetic_audio() expects `noise_range` to be a pair (low, high)")
    low, high = (check_real("synthetic_audio", "noise_range", v) for v in noise_range)
    if not 0.0 <= low <= high:
        raise ValueError(f"synthetic_audio() expects 0 <= low <= high in noise_range, "
                         f"got {tuple(noise_range)}")
    nyquist = sample_rate / 2
    f_lo, f_hi = 0.1 * nyquist, 0.9 * nyquist
    if not 0.0 <= min_sweep < f_hi - f_lo:
        raise ValueError(f"synthetic_audio(): min_sweep must be in [0, {f_hi - f_lo:g}) Hz for "
                         f"sample_rate {sample_rate}, got {min_sweep}")
    g = torch.Generator().manual_seed(seed)
    n = 4 * n_per_class
    y = torch.arange(n) % 4                                             # (n,)
    t = torch.arange(length, dtype=torch.float64) / sample_rate         # (length,)
    duration = length / sample_rate

    def uniform(lo: float, hi: float) -> Tensor:
        return lo + (hi - lo) * torch.rand(n, 1, generator=g, dtype=torch.float64)

    amplitude = uniform(0.5, 1.0)                                       # (n, 1)
    phase = uniform(0.0, 2 * math.pi)
    tone_f = uniform(f_lo, f_hi)
    # chirp ends: a < b with b - a >= min_sweep (a uniform pair, rejected until wide enough)
    a, b = uniform(f_lo, f_hi), uniform(f_lo, f_hi)
    a, b = torch.minimum(a, b), torch.maximum(a, b)
    for _ in range(1000):
        short = (b - a) < min_sweep
        if not short.any():
            break
        a2, b2 = uniform(f_lo, f_hi), uniform(f_lo, f_hi)
        a = torch.where(short, torch.minimum(a2, b2), a)
        b = torch.where(short, torch.maximum(a2, b2), b)
    rising = (y == 1).unsqueeze(1)
    f0, f1 = torch.where(rising, a, b), torch.where(rising, b, a)
    chirp_phase = 2 * math.pi * (f0 * t + (f1 - f0) / (2 * duration) * t**2) + phase
    white = torch.randn(n, length, generator=g, dtype=torch.float64)
    background = uniform(low, high) * torch.randn(n, length, generator=g, dtype=torch.float64)
    label = y.unsqueeze(1)
    x = torch.where(label == 0, amplitude * torch.sin(2 * math.pi * tone_f * t + phase),
                    torch.where(label == 3, amplitude / math.sqrt(2) * white,
                                amplitude * torch.sin(chirp_phase)))
    return (x + background).float(), y.long()


def load_synthetic_audio(n_per_class: int = 200, *, test_fraction: float = 0.25,
                         seed: int | None = None,
                         device: str | torch.device | None = None, **kwargs) -> Dataset:
    """:func:`synthetic_audio` split into a training and a test part (the first
    ``1 - test_fraction`` of the clips train, the rest test; the classes are interleaved, so
    both parts are balanced), as a :class:`relu_course.data.datasets.Dataset` named
    ``"synthetic-audio"``.

    Args:
        n_per_class: clips per class, in both parts together.
        test_fraction: share of the clips held out, strictly between 0 and 1.
        seed: seeds the clips (default: the base seed, :func:`relu_course.utils.base_seed`).
        device: where to put the tensors (default: CPU).
        **kwargs: passed on to :func:`synthetic_audio` (``length``, ``sample_rate``, ...).

    Example:
        >>> data = load_synthetic_audio(8, length=256)
        >>> data
        Dataset('synthetic-audio', train=24, test=8, input_shape=(256,), num_classes=4)
    """
    test_fraction = check_real("load_synthetic_audio", "test_fraction", test_fraction, gt=0, lt=1)
    x, y = synthetic_audio(n_per_class, seed=seed, **kwargs)
    n_test = 4 * max(1, round(test_fraction * len(y) / 4))
    if n_test >= len(y):
        raise ValueError("load_synthetic_audio(): too few clips to hold out a test set; "
                         "raise n_per_class")
    cut = len(y) - n_test
    data = Dataset("synthetic-audio", x[:cut], y[:cut], x[cut:], y[cut:], len(AUDIO_CLASSES))
    return data if device is None else data.to(device)


def log_spectrogram(signal: Tensor, n_fft: int = 64, hop_length: int = 32) -> Tensor:
    r"""The log-magnitude spectrogram :math:`\log(1 + |X_{f,\tau}|)` of a batch of signals.

    :math:`X = \mathrm{STFT}(x)` is computed by ``torch.stft`` with a periodic Hann window of
    ``n_fft`` samples, hop ``hop_length``, ``center=True`` (the signal is reflect-padded by
    ``n_fft // 2`` on both sides) and a one-sided spectrum: frequency bin :math:`f` is
    :math:`f \cdot \text{sample\_rate} / n_{fft}` Hz, for :math:`f = 0, \dots, n_{fft}/2`.

    Args:
        signal: shape ``(N, L)`` (a batch) or ``(L,)`` (one signal), real floating point.
        n_fft: window length (at least 2 and at most ``L``).
        hop_length: samples between the starts of consecutive frames.

    Returns:
        Shape ``(N, n_fft // 2 + 1, 1 + L // hop_length)`` -- frequency bins by frames -- or
        without the batch dimension for a single signal.

    Example:
        >>> t = torch.arange(512) / 512
        >>> s = log_spectrogram(torch.sin(2 * torch.pi * 64 * t), n_fft=64, hop_length=32)
        >>> s.shape, int(s.mean(dim=1).argmax())       # 64 cycles / 512 samples -> bin 8
        (torch.Size([33, 17]), 8)
    """
    check_tensor("log_spectrogram", signal, name="signal")
    if signal.dim() not in (1, 2):
        raise ValueError(f"log_spectrogram() expects a signal of shape (L,) or (N, L), "
                         f"got {tuple(signal.shape)}")
    n_fft = check_int("log_spectrogram", "n_fft", n_fft, ge=2)
    hop_length = check_int("log_spectrogram", "hop_length", hop_length, ge=1)
    if n_fft > signal.shape[-1]:
        raise ValueError(f"log_spectrogram(): n_fft={n_fft} is longer than the signal "
                         f"({signal.shape[-1]} samples)")
    window = torch.hann_window(n_fft, device=signal.device, dtype=signal.dtype)
    spec = torch.stft(signal, n_fft, hop_length=hop_length, window=window, center=True,
                      return_complex=True)
    return torch.log1p(spec.abs())


class LogSpectrogram(nn.Module):
    r"""A layer computing :func:`log_spectrogram` (no parameters), so that a model can take raw
    signals.

    Shape:
        Input :math:`(N, L)`; output :math:`(N, n_{fft}/2 + 1, 1 + L / \text{hop})`.

    Example:
        >>> LogSpectrogram(64, 32)(torch.zeros(2, 1024)).shape
        torch.Size([2, 33, 33])
    """

    def __init__(self, n_fft: int = 64, hop_length: int = 32):
        super().__init__()
        self.n_fft = check_int("LogSpectrogram", "n_fft", n_fft, ge=2)
        self.hop_length = check_int("LogSpectrogram", "hop_length", hop_length, ge=1)

    def forward(self, signal: Tensor) -> Tensor:
        return log_spectrogram(signal, self.n_fft, self.hop_length)

    def extra_repr(self) -> str:
        return f"n_fft={self.n_fft}, hop_length={self.hop_length}"


def spectrogram_dataset(data: Dataset, n_fft: int = 64, hop_length: int = 32) -> Dataset:
    """A copy of a dataset of signals ``(N, L)`` with every signal replaced by its
    :func:`log_spectrogram` ``(N, n_fft // 2 + 1, frames)``. The spectrogram has no parameters,
    so it can be computed once, before training, instead of in every step.

    Example:
        >>> spectrogram_dataset(load_synthetic_audio(8, length=256))
        Dataset('synthetic-audio-spectrogram', train=24, test=8, input_shape=(33, 9), num_classes=4)
    """
    if not isinstance(data, Dataset):
        raise TypeError(f"spectrogram_dataset() expects a relu_course.data.datasets.Dataset, "
                        f"got {type(data).__name__}")
    if len(data.input_shape) != 1:
        raise ValueError(f"spectrogram_dataset() expects signals, one row each (N, L); got "
                         f"examples of shape {data.input_shape}")
    x_train = log_spectrogram(data.x_train, n_fft, hop_length)
    x_test = (log_spectrogram(data.x_test, n_fft, hop_length) if len(data.x_test)
              else data.x_test.new_zeros((0, *x_train.shape[1:])))
    return Dataset(f"{data.name}-spectrogram", x_train, data.y_train, x_test, data.y_test,
                   data.num_classes)
