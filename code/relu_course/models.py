r"""Model builders, parameterised by activation and initialisation.

Initialisation schemes (``init=``), for the weights of every ``Linear``/``Conv2d`` layer:

* ``"default"`` -- PyTorch's own: ``kaiming_uniform_(a=sqrt(5))``, i.e.
  :math:`U(\pm 1/\sqrt{\text{fan\_in}})`, variance :math:`1/(3\,\text{fan\_in})`. This is
  *not* He initialisation.
* ``"he"`` -- He et al. (2015): :math:`N(0, 2/\text{fan\_in})`, made for ReLU.
* ``"xavier"`` -- Glorot & Bengio (2010): :math:`N(0, 2/(\text{fan\_in}+\text{fan\_out}))`.
* ``"lecun"`` -- :math:`N(0, 1/\text{fan\_in})`, what SELU needs.

With any scheme but ``"default"`` the biases start at zero.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from ._validation import check_int
from .modules import get_activation

__all__ = ["INIT_SCHEMES", "init_weights", "mlp", "small_cnn"]

#: The initialisation schemes :func:`init_weights` accepts.
INIT_SCHEMES = ("default", "he", "xavier", "lecun")


def init_weights(model: nn.Module, scheme: str = "he") -> nn.Module:
    """Re-initialise every ``Linear`` and ``Conv2d`` layer of ``model`` in place; returns it.

    Uses the global torch generator: call :func:`relu_course.set_seed` first for repeatability.
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"init_weights() expects an nn.Module, got {type(model).__name__}")
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"init_weights(): unknown scheme {scheme!r}; valid: {', '.join(INIT_SCHEMES)}")
    for layer in model.modules():
        if not isinstance(layer, (nn.Linear, nn.Conv2d)):
            continue
        if scheme == "default":
            layer.reset_parameters()
            continue
        w = layer.weight
        fan_in = w[0].numel()                  # inputs per output unit (x kernel size)
        fan_out = w.shape[0] * w[0, 0].numel()
        if scheme == "he":
            std = (2.0 / fan_in) ** 0.5
        elif scheme == "xavier":
            std = (2.0 / (fan_in + fan_out)) ** 0.5
        else:  # lecun
            std = (1.0 / fan_in) ** 0.5
        with torch.no_grad():
            w.normal_(0.0, std)
            if layer.bias is not None:
                layer.bias.zero_()
    return model


def _widths(fn_name: str, hidden: Sequence[int]) -> list[int]:
    if isinstance(hidden, (int, str)) or not isinstance(hidden, Sequence):
        raise TypeError(f"{fn_name}() expects `hidden` to be a list of layer widths, e.g. [64, 64]")
    return [check_int(fn_name, "hidden width", h, minimum=1) for h in hidden]


def _activation_factory(fn_name: str, activation, activation_kwargs) -> Callable[[int], nn.Module]:
    """Return ``make(width) -> nn.Module`` from a name (+ keyword arguments) or a callable."""
    kwargs = dict(activation_kwargs or {})
    if callable(activation) and not isinstance(activation, str):
        if kwargs:
            raise ValueError(f"{fn_name}(): activation_kwargs only apply to an activation name")

        def make(width: int) -> nn.Module:
            module = activation(width)
            if not isinstance(module, nn.Module):
                raise TypeError(f"{fn_name}(): the activation factory must return an nn.Module, "
                                f"got {type(module).__name__}")
            return module
        return make
    get_activation(activation, **kwargs)                 # fail early on a bad name/argument
    return lambda width: get_activation(activation, **kwargs)


def mlp(in_features: int, hidden: Sequence[int], out_features: int,
        activation: str | Callable[[int], nn.Module] = "relu", *, init: str = "default",
        activation_kwargs: dict | None = None) -> nn.Sequential:
    """A multilayer perceptron: ``Flatten``, then ``Linear`` + activation per hidden width,
    then a final ``Linear`` (no activation: it outputs logits).

    Args:
        in_features: inputs per example (e.g. 2 for a toy set, 64 for 8x8 digits).
        hidden: hidden layer widths, e.g. ``[32, 32]``; ``[]`` gives a linear model.
        out_features: outputs (number of classes).
        activation: a name accepted by :func:`relu_course.modules.get_activation`, or a
            function ``width -> nn.Module`` called once per hidden layer (e.g.
            ``lambda width: PReLU(width)`` for one PReLU slope per unit).
        init: one of :data:`INIT_SCHEMES`.
        activation_kwargs: keyword arguments for a named activation, e.g.
            ``{"negative_slope": 0.1}``.

    Example:
        >>> mlp(2, [8, 8], 2)
        Sequential(
          (0): Flatten(start_dim=1, end_dim=-1)
          (1): Linear(in_features=2, out_features=8, bias=True)
          (2): ReLU()
          (3): Linear(in_features=8, out_features=8, bias=True)
          (4): ReLU()
          (5): Linear(in_features=8, out_features=2, bias=True)
        )
    """
    in_features = check_int("mlp", "in_features", in_features, minimum=1)
    out_features = check_int("mlp", "out_features", out_features, minimum=1)
    widths = _widths("mlp", hidden)
    make = _activation_factory("mlp", activation, activation_kwargs)
    layers: list[nn.Module] = [nn.Flatten()]
    previous = in_features
    for width in widths:
        layers += [nn.Linear(previous, width), make(width)]
        previous = width
    layers.append(nn.Linear(previous, out_features))
    return init_weights(nn.Sequential(*layers), init)


def small_cnn(in_channels: int = 1, num_classes: int = 10, channels: Sequence[int] = (16, 32),
              activation: str | Callable[[int], nn.Module] = "relu", *, image_size: int = 8,
              init: str = "default", activation_kwargs: dict | None = None) -> nn.Sequential:
    """A small CNN for the 8x8 digits: per entry of ``channels`` a 3x3 convolution (padding 1),
    the activation and 2x2 max-pooling; then a linear classifier.

    ``activation`` and ``activation_kwargs`` work as in :func:`mlp`; a factory receives the
    number of channels (``lambda c: PReLU(c)`` gives channel-wise PReLU).

    Example:
        >>> net = small_cnn(); net(torch.zeros(5, 1, 8, 8)).shape
        torch.Size([5, 10])
    """
    in_channels = check_int("small_cnn", "in_channels", in_channels, minimum=1)
    num_classes = check_int("small_cnn", "num_classes", num_classes, minimum=1)
    image_size = check_int("small_cnn", "image_size", image_size, minimum=1)
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
