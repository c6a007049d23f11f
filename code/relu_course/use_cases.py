r"""Where ReLU sits in three common kinds of model (chapter 10, "Common use cases").

Images -- convolution, batch normalisation, ReLU (Ioffe & Szegedy, 2015; He et al., 2016):

* :func:`conv_norm_cnn` -- stages of 3x3 convolution, batch normalisation, activation and
  2x2 max-pooling, then a linear classifier (for the 8x8 digits of :mod:`relu_course.data`).
* :class:`ResidualBlock` -- the basic block of a residual network,
  :math:`\mathbf y = \phi(\mathbf x + \mathcal F(\mathbf x))` with
  :math:`\mathcal F = \mathrm{BN}\circ\mathrm{conv}\circ\phi\circ\mathrm{BN}\circ\mathrm{conv}`:
  as in He et al. (2016) the second activation comes *after* the addition.
* :func:`small_resnet` -- a stem, a few residual blocks, global average pooling, a classifier.

Audio -- a spectrogram, then 1-D convolutions over time (synthetic signals, generated here):

* :data:`AUDIO_CLASSES`, :func:`synthetic_audio`, :func:`load_synthetic_audio` -- pure tones,
  rising chirps, falling chirps and white noise, with random frequencies, amplitudes and
  background noise.
* :func:`log_spectrogram` and the module :class:`LogSpectrogram` --
  :math:`\log(1 + |\mathrm{STFT}(x)|)` computed with ``torch.stft``.
* :func:`spectrogram_dataset` -- a dataset of signals turned into one of spectrograms.
* :func:`audio_cnn` -- ``Conv1d`` + activation layers on a spectrogram (frequency bins are the
  channels, time is the axis the kernels slide along), global average pooling over time, a
  linear classifier.

Text -- :func:`char_ngram_loss`, the validation loss of a character n-gram count model: the
baseline for the small transformers of :mod:`relu_course.language`.

And :func:`confusion_matrix`, to see which classes a classifier mixes up.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

from ._validation import check_int, check_real, check_tensor, seed_or_base
from .data import Dataset
from .models import _activation_factory, _widths
from .utils import eval_mode

__all__ = ["conv_norm_cnn", "RESIDUAL_PLACEMENTS", "ResidualBlock", "small_resnet",
           "AUDIO_CLASSES", "synthetic_audio", "load_synthetic_audio", "log_spectrogram",
           "LogSpectrogram", "spectrogram_dataset", "audio_cnn", "confusion_matrix",
           "char_ngram_loss"]


# ---- images ----------------------------------------------------------------------------------

def conv_norm_cnn(in_channels: int = 1, num_classes: int = 10,
                  channels: Sequence[int] = (16, 32),
                  activation: str | Callable[[int], nn.Module] = "relu", *,
                  norm: bool = True, image_size: int = 8,
                  activation_kwargs: dict | None = None) -> nn.Sequential:
    r"""A CNN made of conv--norm--activation stages: per entry of ``channels``, a 3x3
    convolution (padding 1), batch normalisation (if ``norm``), the activation and 2x2
    max-pooling; then ``Flatten`` and a linear classifier.

    Each stage computes :math:`\mathrm{pool}(\phi(\mathrm{BN}(W * \mathbf x)))`. The
    convolution has no bias when batch normalisation follows it (BN subtracts the mean, so a
    bias would be cancelled). Batch normalisation makes every channel's pre-activations zero
    mean and unit variance over the batch, so a ReLU after it outputs exactly zero for about
    half of them. PyTorch's default initialisation is used.

    Args:
        in_channels: channels of the input image (1 for greyscale).
        num_classes: outputs (logits).
        channels: output channels of each stage, e.g. ``(16, 32)``.
        activation: a name for :func:`relu_course.modules.get_activation` or a factory
            ``channels -> nn.Module``, as in :func:`relu_course.models.small_cnn`.
        norm: put ``BatchNorm2d`` between each convolution and its activation.
        image_size: height (= width) of the input; each stage halves it.
        activation_kwargs: keyword arguments for a named activation.

    Shape:
        Input :math:`(N, C_{in}, S, S)`; output :math:`(N, \text{num\_classes})`.

    Example:
        >>> net = conv_norm_cnn(channels=(4, 8))
        >>> [type(m).__name__ for m in net][:4], net(torch.zeros(2, 1, 8, 8)).shape
        (['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d'], torch.Size([2, 10]))
    """
    in_channels = check_int("conv_norm_cnn", "in_channels", in_channels, minimum=1)
    num_classes = check_int("conv_norm_cnn", "num_classes", num_classes, minimum=1)
    image_size = check_int("conv_norm_cnn", "image_size", image_size, minimum=1)
    if not isinstance(norm, bool):
        raise TypeError(f"conv_norm_cnn() expects `norm` to be a bool, got {type(norm).__name__}")
    widths = _widths("conv_norm_cnn", channels)
    if not widths:
        raise ValueError("conv_norm_cnn() needs at least one stage in `channels`")
    if image_size < 2 ** len(widths):
        raise ValueError(f"conv_norm_cnn(): {len(widths)} pooling steps need image_size >= "
                         f"{2 ** len(widths)}, got {image_size}")
    make = _activation_factory("conv_norm_cnn", activation, activation_kwargs)
    layers: list[nn.Module] = []
    previous, size = in_channels, image_size
    for width in widths:
        layers.append(nn.Conv2d(previous, width, kernel_size=3, padding=1, bias=not norm))
        if norm:
            layers.append(nn.BatchNorm2d(width))
        layers += [make(width), nn.MaxPool2d(2)]
        previous, size = width, size // 2
    layers += [nn.Flatten(), nn.Linear(previous * size * size, num_classes)]
    return nn.Sequential(*layers)


#: Where :class:`ResidualBlock` puts its second activation.
RESIDUAL_PLACEMENTS = ("after_add", "end_of_branch", "none")


class ResidualBlock(nn.Module):
    r"""The basic residual block of He et al. (2016), with a choice of where the second
    activation goes.

    The *branch* is :math:`\mathcal F(\mathbf x) = \mathrm{BN}_2(W_2 * \phi(\mathrm{BN}_1(W_1 *
    \mathbf x)))` (two 3x3 convolutions, ``channels`` in and out, padding 1). The block returns

    * ``placement="after_add"`` (He et al., 2016):
      :math:`\mathbf y = \phi(\mathbf x + \mathcal F(\mathbf x))`;
    * ``"end_of_branch"``: :math:`\mathbf y = \mathbf x + \phi(\mathcal F(\mathbf x))` -- with
      ReLU the branch can then only *add* to each value, never subtract;
    * ``"none"``: :math:`\mathbf y = \mathbf x + \mathcal F(\mathbf x)` (no second activation).

    The branch's output is kept in ``last_branch_output`` after each forward pass (detached),
    so it can be compared with the block's output.

    Args:
        channels: channels in and out (the shortcut is the identity, so they are equal).
        activation: a name for :func:`relu_course.modules.get_activation` or a factory
            ``channels -> nn.Module``.
        placement: one of :data:`RESIDUAL_PLACEMENTS`.
        activation_kwargs: keyword arguments for a named activation.

    Shape:
        Input :math:`(N, C, H, W)`; output the same.

    Example:
        >>> _ = torch.manual_seed(0)
        >>> block = ResidualBlock(4)
        >>> y = block(torch.randn(2, 4, 5, 5))
        >>> y.shape, bool((y >= 0).all()), bool((block.last_branch_output < 0).any())
        (torch.Size([2, 4, 5, 5]), True, True)
    """

    def __init__(self, channels: int, activation: str | Callable[[int], nn.Module] = "relu",
                 placement: str = "after_add", *, activation_kwargs: dict | None = None):
        super().__init__()
        channels = check_int("ResidualBlock", "channels", channels, minimum=1)
        if placement not in RESIDUAL_PLACEMENTS:
            raise ValueError(f"ResidualBlock(): unknown placement {placement!r}; valid: "
                             f"{', '.join(RESIDUAL_PLACEMENTS)}")
        make = _activation_factory("ResidualBlock", activation, activation_kwargs)
        self.channels, self.placement = channels, placement
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.act1 = make(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.act2 = make(channels) if placement != "none" else nn.Identity()
        self.last_branch_output: Tensor | None = None

    def branch(self, x: Tensor) -> Tensor:
        """The residual function :math:`\\mathcal F(\\mathbf x)` alone.

        Example:
            >>> ResidualBlock(2).branch(torch.zeros(1, 2, 3, 3)).shape
            torch.Size([1, 2, 3, 3])
        """
        return self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))

    def forward(self, x: Tensor) -> Tensor:
        f = self.branch(x)                                  # (N, C, H, W), any sign
        self.last_branch_output = f.detach()
        if self.placement == "after_add":
            return self.act2(x + f)
        if self.placement == "end_of_branch":
            return x + self.act2(f)
        return x + f

    def extra_repr(self) -> str:
        return f"channels={self.channels}, placement={self.placement!r}"


def small_resnet(in_channels: int = 1, num_classes: int = 10, channels: int = 16,
                 blocks: int = 2, activation: str | Callable[[int], nn.Module] = "relu", *,
                 placement: str = "after_add",
                 activation_kwargs: dict | None = None) -> nn.Sequential:
    r"""A small residual network: a stem (3x3 convolution, batch normalisation, activation,
    2x2 max-pooling), ``blocks`` :class:`ResidualBlock`\ s, global average pooling and a
    linear classifier.

    Args:
        in_channels: channels of the input image.
        num_classes: outputs (logits).
        channels: channels of the stem and of every block.
        blocks: number of residual blocks (0 gives a plain one-stage CNN).
        activation: a name or a factory, as in :func:`conv_norm_cnn`.
        placement: where each block puts its second activation (:data:`RESIDUAL_PLACEMENTS`).
        activation_kwargs: keyword arguments for a named activation.

    Example:
        >>> net = small_resnet(channels=4, blocks=1)
        >>> [type(m).__name__ for m in net]
        ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'ResidualBlock', 'AdaptiveAvgPool2d', 'Flatten', 'Linear']
        >>> net(torch.zeros(3, 1, 8, 8)).shape
        torch.Size([3, 10])
    """
    in_channels = check_int("small_resnet", "in_channels", in_channels, minimum=1)
    num_classes = check_int("small_resnet", "num_classes", num_classes, minimum=1)
    channels = check_int("small_resnet", "channels", channels, minimum=1)
    blocks = check_int("small_resnet", "blocks", blocks, minimum=0)
    make = _activation_factory("small_resnet", activation, activation_kwargs)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, channels, 3, padding=1, bias=False),
                               nn.BatchNorm2d(channels), make(channels), nn.MaxPool2d(2)]
    layers += [ResidualBlock(channels, activation, placement, activation_kwargs=activation_kwargs)
               for _ in range(blocks)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)


# ---- audio (synthetic) -------------------------------------------------------------------------

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
    n_per_class = check_int("synthetic_audio", "n_per_class", n_per_class, minimum=1)
    length = check_int("synthetic_audio", "length", length, minimum=16)
    sample_rate = check_int("synthetic_audio", "sample_rate", sample_rate, minimum=1)
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
    both parts are balanced), as a :class:`relu_course.data.Dataset` named
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
    test_fraction = check_real("load_synthetic_audio", "test_fraction", test_fraction)
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"load_synthetic_audio() expects 0 < test_fraction < 1, "
                         f"got {test_fraction}")
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
    n_fft = check_int("log_spectrogram", "n_fft", n_fft, minimum=2)
    hop_length = check_int("log_spectrogram", "hop_length", hop_length, minimum=1)
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
        self.n_fft = check_int("LogSpectrogram", "n_fft", n_fft, minimum=2)
        self.hop_length = check_int("LogSpectrogram", "hop_length", hop_length, minimum=1)

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
        raise TypeError(f"spectrogram_dataset() expects a relu_course.data.Dataset, "
                        f"got {type(data).__name__}")
    if len(data.input_shape) != 1:
        raise ValueError(f"spectrogram_dataset() expects signals, one row each (N, L); got "
                         f"examples of shape {data.input_shape}")
    x_train = log_spectrogram(data.x_train, n_fft, hop_length)
    x_test = (log_spectrogram(data.x_test, n_fft, hop_length) if len(data.x_test)
              else data.x_test.new_zeros((0, *x_train.shape[1:])))
    return Dataset(f"{data.name}-spectrogram", x_train, data.y_train, x_test, data.y_test,
                   data.num_classes)


def audio_cnn(in_bins: int = 33, num_classes: int = len(AUDIO_CLASSES),
              channels: Sequence[int] = (16,),
              activation: str | Callable[[int], nn.Module] = "relu", *, kernel_size: int = 5,
              norm: bool = True, activation_kwargs: dict | None = None) -> nn.Sequential:
    r"""A 1-D convolutional classifier of spectrograms: batch normalisation of each frequency
    bin (if ``norm``), then per entry of ``channels`` a ``Conv1d`` and the activation, then
    global average pooling over time and a linear layer.

    The spectrogram's ``in_bins`` frequency bins are the input channels of the first
    convolution, so each kernel looks at the whole spectrum over ``kernel_size`` consecutive
    frames. The convolutions pad *circularly* (the clip is treated as a loop), so every frame
    is processed alike; averaging over time makes the prediction independent of *when* a
    pattern occurs. (For raw signals, put a :class:`LogSpectrogram` in front:
    ``nn.Sequential(LogSpectrogram(64, 32), audio_cnn())``.)

    The role of the activation: with ``activation="identity"`` every layer up to the pooling is
    linear and commutes with averaging over time, so the logits are a linear function of the
    spectrogram's *time average* alone,
    :math:`\text{logits} = A\,\bar{\mathbf s} + \mathbf c` with
    :math:`\bar{\mathbf s} = \frac1T \sum_\tau \mathbf s_\tau` (in eval mode): such a
    network cannot tell a rising chirp from a falling one. A ReLU between convolution and
    pooling makes the pooled features depend on the order of the frames.

    Args:
        in_bins: frequency bins of the input spectrogram (``n_fft // 2 + 1``).
        num_classes: outputs (logits).
        channels: output channels of each convolution.
        activation: a name for :func:`relu_course.modules.get_activation` or a factory
            ``channels -> nn.Module``.
        kernel_size: an odd kernel length (in frames).
        norm: standardise each frequency bin with ``BatchNorm1d`` before the convolutions.
        activation_kwargs: keyword arguments for a named activation.

    Shape:
        Input :math:`(N, \text{in\_bins}, T)`; output :math:`(N, \text{num\_classes})`.

    Example:
        >>> net = audio_cnn()
        >>> [type(m).__name__ for m in net]
        ['BatchNorm1d', 'Conv1d', 'ReLU', 'AdaptiveAvgPool1d', 'Flatten', 'Linear']
        >>> net(torch.zeros(3, 33, 40)).shape
        torch.Size([3, 4])
    """
    in_bins = check_int("audio_cnn", "in_bins", in_bins, minimum=1)
    num_classes = check_int("audio_cnn", "num_classes", num_classes, minimum=1)
    kernel_size = check_int("audio_cnn", "kernel_size", kernel_size, minimum=1)
    if kernel_size % 2 == 0:
        raise ValueError(f"audio_cnn() expects an odd kernel_size, got {kernel_size}")
    widths = _widths("audio_cnn", channels)
    if not widths:
        raise ValueError("audio_cnn() needs at least one convolution in `channels`")
    if not isinstance(norm, bool):
        raise TypeError(f"audio_cnn() expects `norm` to be a bool, got {type(norm).__name__}")
    make = _activation_factory("audio_cnn", activation, activation_kwargs)
    layers: list[nn.Module] = [nn.BatchNorm1d(in_bins)] if norm else []
    previous = in_bins
    for width in widths:
        layers += [nn.Conv1d(previous, width, kernel_size, padding=kernel_size // 2,
                             padding_mode="circular"), make(width)]
        previous = width
    layers += [nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(previous, num_classes)]
    return nn.Sequential(*layers)


@torch.no_grad()
def confusion_matrix(model: nn.Module, x: Tensor, y: Tensor, num_classes: int | None = None,
                     batch_size: int = 2048) -> Tensor:
    r"""Counts :math:`C_{ij}` of examples of true class :math:`i` that ``model`` predicts as
    class :math:`j` (the arg-max of its logits), evaluated in eval mode.

    The diagonal holds the correct predictions; :math:`\sum_j C_{ij}` is the number of examples
    of class :math:`i`.

    Args:
        model: maps ``x`` to logits ``(N, classes)``.
        x, y: inputs and integer labels.
        num_classes: the size of the matrix (default: the number of logits).
        batch_size: examples per forward pass.

    Returns:
        An ``int64`` tensor of shape ``(num_classes, num_classes)`` on the CPU.

    Example:
        >>> net = torch.nn.Linear(2, 2, bias=False)
        >>> with torch.no_grad():
        ...     _ = net.weight.copy_(torch.eye(2))       # predicts the larger coordinate
        >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 1.0]])
        >>> confusion_matrix(net, x, torch.tensor([0, 1, 1])).tolist()
        [[1, 0], [1, 1]]
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"confusion_matrix() expects an nn.Module, got {type(model).__name__}")
    check_tensor("confusion_matrix", x, name="x")
    if not isinstance(y, Tensor) or y.dtype.is_floating_point or y.dtype == torch.bool:
        raise TypeError("confusion_matrix() expects `y` to be an integer tensor of labels")
    if y.dim() != 1 or len(x) != len(y) or len(y) == 0:
        raise ValueError(f"confusion_matrix(): x and y need the same, non-zero number of "
                         f"examples and y must be 1-D (got {len(x)} and {tuple(y.shape)})")
    batch_size = check_int("confusion_matrix", "batch_size", batch_size, minimum=1)
    with eval_mode(model):
        logits = [model(x[i:i + batch_size]) for i in range(0, len(x), batch_size)]
    predicted = torch.cat([out.argmax(dim=1).cpu() for out in logits])
    if num_classes is None:
        num_classes = int(logits[0].shape[1])
    num_classes = check_int("confusion_matrix", "num_classes", num_classes, minimum=1)
    labels = y.cpu().long()
    if labels.min() < 0 or labels.max() >= num_classes or predicted.max() >= num_classes:
        raise ValueError(f"confusion_matrix(): labels or predictions outside 0..{num_classes - 1}")
    flat = labels * num_classes + predicted
    return torch.bincount(flat, minlength=num_classes**2).reshape(num_classes, num_classes)


# ---- text: a count-based baseline ------------------------------------------------------------

def char_ngram_loss(data, order: int = 2, smoothing: float = 0.1) -> float:
    r"""Validation loss (nats per character) of a character :math:`n`-gram *count* model -- the
    baseline a neural language model should beat.

    The model predicts character :math:`c` after the :math:`n - 1` characters :math:`u` from
    counts on the training split, with add-:math:`k` smoothing over the vocabulary of size
    :math:`V`:

    .. math::
        p(c \mid u) = \frac{\mathrm{count}(u\,c) + k}{\mathrm{count}(u) + k V},

    and the loss is the mean of :math:`-\ln p` over the validation split (every position with
    a full context). ``order=1`` ignores the context (character frequencies only); a model that
    knows nothing at all scores :math:`\ln V`.

    Args:
        data: a :class:`relu_course.language.CharCorpus`.
        order: :math:`n`, from 1 to 4 (at most :math:`10^8` table cells).
        smoothing: :math:`k > 0`.

    Example:
        >>> from relu_course.language import char_corpus
        >>> text = char_corpus("zen")
        >>> unigram, bigram = char_ngram_loss(text, 1), char_ngram_loss(text, 2)
        >>> bigram < unigram < math.log(text.vocab_size)
        True
    """
    from .language import CharCorpus

    if not isinstance(data, CharCorpus):
        raise TypeError(f"char_ngram_loss() expects a relu_course.language.CharCorpus, "
                        f"got {type(data).__name__}")
    order = check_int("char_ngram_loss", "order", order, minimum=1)
    smoothing = check_real("char_ngram_loss", "smoothing", smoothing, positive=True)
    v = data.vocab_size
    if order > 4 or v ** order > 10**8:
        raise ValueError(f"char_ngram_loss(): order {order} needs a table of {v}^{order} "
                         f"cells; use order <= 4 and at most 10**8 cells")

    def codes(ids: Tensor) -> Tensor:                      # one integer per n-gram
        ids = ids.cpu().long()
        if len(ids) < order:
            raise ValueError(f"char_ngram_loss(): a split is shorter than order {order}")
        windows = ids.unfold(0, order, 1)                 # (positions, order)
        powers = v ** torch.arange(order - 1, -1, -1)
        return (windows * powers).sum(dim=1)

    counts = torch.bincount(codes(data.train), minlength=v ** order).double()
    counts = counts.reshape(-1, v)                        # (contexts, next character)
    totals = counts.sum(dim=1)
    valid = codes(data.valid)
    context, char = valid // v, valid % v
    p = (counts[context, char] + smoothing) / (totals[context] + smoothing * v)
    return -p.log().mean().item()
