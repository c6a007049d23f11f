r"""Convolutional networks: stages of convolution, batch normalisation and activation, residual
blocks, and a 1-D CNN for spectrograms (Ioffe & Szegedy, 2015; He et al., 2016).

* :func:`small_cnn` -- A small CNN for the 8x8 digits: per entry of ``channels`` a 3x3
  convolution (padding 1), the activation and 2x2 max-pooling
* :func:`small_cnn` -- A small CNN for the 8x8 digits: per entry of ``channels`` a 3x3
  convolution (padding 1), the activation and 2x2 max-pooling
* :func:`conv_norm_cnn` -- A CNN made of conv--norm--activation stages: per entry of
  ``channels``, a 3x3 convolution (padding 1), batch normalisation
* :data:`RESIDUAL_PLACEMENTS`
* :class:`ResidualBlock` -- The basic residual block of He et al.
* :func:`small_resnet` -- A small residual network: a stem (3x3 convolution, batch
  normalisation, activation, 2x2 max-pooling)
* :func:`audio_cnn` -- A 1-D convolutional classifier of spectrograms: batch normalisation of
  each frequency bin (if ``norm``)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import nn

from .._validation import check_int
from ..data.audio import AUDIO_CLASSES
from .dense import _activation_factory, _widths
from .init import init_weights

__all__ = ["small_cnn", "small_cnn", "conv_norm_cnn", "RESIDUAL_PLACEMENTS", "ResidualBlock",
           "small_resnet", "audio_cnn"]


def small_cnn(in_channels: int = 1, num_classes: int = 10, channels: Sequence[int] = (16, 32),
              activation: str | Callable[[int], nn.Module] = "relu", *, image_size: int = 8,
              init: str = "default", activation_kwargs: dict | None = None) -> nn.Sequential:
    """A small CNN for the 8x8 digits: per entry of ``channels`` a 3x3 convolution (padding 1),
    the activation and 2x2 max-pooling; then a linear classifier.

    ``activation`` and ``activation_kwargs`` work as in :func:`~relu_course.models.dense.mlp`; a
    factory receives the number of channels (``lambda c: PReLU(c)`` gives channel-wise PReLU).

    Example:
        >>> net = small_cnn(); net(torch.zeros(5, 1, 8, 8)).shape
        torch.Size([5, 10])
    """
    in_channels = check_int("small_cnn", "in_channels", in_channels, ge=1)
    num_classes = check_int("small_cnn", "num_classes", num_classes, ge=1)
    image_size = check_int("small_cnn", "image_size", image_size, ge=1)
    widths = _widths("small_cnn", channels)
    if not widths:
        raise ValueError("small_cnn() needs at least one convolution in `channels`")
    if image_size < 2 ** len(widths):
        raise ValueError(
            f"small_cnn(): {len(widths)} pooling steps need image_size >= {2 ** len(widths)}, "
            f"got {image_size}"
        )
    make = _activation_factory("small_cnn", activation, activation_kwargs)
    layers: list[nn.Module] = []
    previous, size = in_channels, image_size
    for width in widths:
        layers += [nn.Conv2d(previous, width, kernel_size=3, padding=1),
                   make(width), nn.MaxPool2d(2)]
        previous, size = width, size // 2
    layers += [nn.Flatten(), nn.Linear(previous * size * size, num_classes)]
    return init_weights(nn.Sequential(*layers), init)


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
        activation: a name for :func:`relu_course.activations.registry.get_activation` or a factory
            ``channels -> nn.Module``, as in :func:`relu_course.models.cnn.small_cnn`.
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
    in_channels = check_int("conv_norm_cnn", "in_channels", in_channels, ge=1)
    num_classes = check_int("conv_norm_cnn", "num_classes", num_classes, ge=1)
    image_size = check_int("conv_norm_cnn", "image_size", image_size, ge=1)
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
        activation: a name for :func:`relu_course.activations.registry.get_activation` or a factory
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
    def __init__(self, channels, activation="relu", placement="after_add", *,
                 activation_kwargs=None):
        super().__init__()
        make = _checked(channels, activation, placement, activation_kwargs)
        self.channels, self.placement = channels, placement
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(channels)
        self.act1 = make(channels)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(channels)
        self.act2 = nn.Identity() if placement == "none" else make(channels)

    def branch(self, x):
        """The residual function :math:`\\mathcal F(\\mathbf x)` alone.

        Example:
            >>> ResidualBlock(2).branch(torch.zeros(1, 2, 3, 3)).shape
            torch.Size([1, 2, 3, 3])
        """
        return self.bn2(self.conv2(self.act1(self.bn1(self.conv1(x)))))

    def forward(self, x):
        f = self.branch(x)                    # F(x), of either sign
        self.last_branch_output = f.detach()  # kept, to look inside
        if self.placement == "after_add":     # He et al. (2016)
            return self.act2(x + f)
        return x + self.act2(f)               # act2 is the identity for "none"

    def extra_repr(self):
        return f"channels={self.channels}, placement={self.placement!r}"


def _checked(channels, activation, placement, activation_kwargs):
    """:class:`ResidualBlock`'s arguments checked; returns the activation factory."""
    check_int("ResidualBlock", "channels", channels, ge=1)
    if placement not in RESIDUAL_PLACEMENTS:
        raise ValueError(f"ResidualBlock(): unknown placement {placement!r}; valid: "
                         f"{', '.join(RESIDUAL_PLACEMENTS)}")
    return _activation_factory("ResidualBlock", activation, activation_kwargs)


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
        ['Conv2d', 'BatchNorm2d', 'ReLU', 'MaxPool2d', 'ResidualBlock', 'AdaptiveAvgPool2d',
        'Flatten', 'Linear']
        >>> net(torch.zeros(3, 1, 8, 8)).shape
        torch.Size([3, 10])
    """
    in_channels = check_int("small_resnet", "in_channels", in_channels, ge=1)
    num_classes = check_int("small_resnet", "num_classes", num_classes, ge=1)
    channels = check_int("small_resnet", "channels", channels, ge=1)
    blocks = check_int("small_resnet", "blocks", blocks, ge=0)
    make = _activation_factory("small_resnet", activation, activation_kwargs)
    layers: list[nn.Module] = [nn.Conv2d(in_channels, channels, 3, padding=1, bias=False),
                               nn.BatchNorm2d(channels), make(channels), nn.MaxPool2d(2)]
    layers += [ResidualBlock(channels, activation, placement, activation_kwargs=activation_kwargs)
               for _ in range(blocks)]
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, num_classes)]
    return nn.Sequential(*layers)


def audio_cnn(in_bins: int = 33, num_classes: int = len(AUDIO_CLASSES),
              channels: Sequence[int] = (16,),
              activation: str | Callable[[int], nn.Module] = "relu", *, kernel_size: int = 5,
              norm: bool = True, activation_kwargs: dict | None = None) -> nn.Sequential:
    r"""A 1-D convolutional classifier of spectrograms: batch normalisation of each frequency
    bin (if ``norm``), then per entry of ``channels`` a ``Conv1d`` and the activation, then
    global average pooling over time and a linear layer.

    The spectrogram's ``in_bins`` frequency bins are the input channels of the first
    convolution, so each kernel looks at the whole spectrum over ``kernel_size`` consecutive
    frames. The convolutions pad *circularly* (the clip is treated as a loop), so every frame is
    processed alike; averaging over time makes the prediction independent of *when* a pattern
    occurs. (For raw signals, put a :class:`~relu_course.data.audio.LogSpectrogram` in front:
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
        activation: a name for :func:`relu_course.activations.registry.get_activation` or a factory
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
    in_bins = check_int("audio_cnn", "in_bins", in_bins, ge=1)
    num_classes = check_int("audio_cnn", "num_classes", num_classes, ge=1)
    kernel_size = check_int("audio_cnn", "kernel_size", kernel_size, ge=1)
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
