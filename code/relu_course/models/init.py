r"""Weight initialisation: the schemes the chapters compare (He, Xavier/Glorot, LeCun, PyTorch's
default), He initialisation for a leaky slope, and bias initialisation.

* :data:`INIT_SCHEMES`
* :func:`he_normal_` -- He initialisation of one weight tensor, in place: :math:`N(0, 2/n_\text{in})`
* :func:`init_weights` -- Re-initialise every ``Linear`` and ``Conv2d`` layer of ``model`` in
  place; returns it.
* :func:`init_he_for_slope`
* :func:`init_hidden_biases` -- Set the bias of every ``Linear``/``Conv2d`` layer that feeds an
  activation -- all but the last such layer
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = ["INIT_SCHEMES", "he_normal_", "init_weights", "init_he_for_slope", "init_hidden_biases"]


#: The initialisation schemes :func:`init_weights` accepts.
INIT_SCHEMES = ("default", "he", "xavier", "lecun")


def he_normal_(weight: torch.Tensor) -> torch.Tensor:
    r"""He initialisation of one weight tensor, in place: draw every entry from
    :math:`N(0, 2/n_\text{in})`; returns the tensor.

    :math:`n_\text{in}`, the fan-in, is the number of inputs that one output unit sums over:
    ``weight[0].numel()``, the in-features of a ``Linear`` layer, or in-channels times kernel
    size of a ``Conv2d``. He et al. (2015) chose the variance so that a ReLU layer keeps the
    mean square of its pre-activations: the layer multiplies it by
    :math:`n_\text{in}\,\mathrm{Var}(w)`, and ReLU keeps half of it, so
    :math:`\mathrm{Var}(w) = 2/n_\text{in}`. ``init_weights(model, "he")`` calls this for every
    layer. Uses the global torch generator: call :func:`relu_course.set_seed` first.

    Raises:
        TypeError: for something that is not a tensor.
        ValueError: for a tensor that is not floating-point or has fewer than two dimensions
            (a weight matrix or a convolution kernel has two or more).

    Example:
        >>> import torch
        >>> w = he_normal_(torch.empty(4000, 50))
        >>> round(w.var().item() * 50, 1)               # Var(w) * fan_in = 2
        2.0
    """
    if not isinstance(weight, torch.Tensor):
        raise TypeError("he_normal_() expects a tensor, "
                        f"got {type(weight).__name__}")
    if weight.dim() < 2 or not weight.is_floating_point():
        raise ValueError("he_normal_() expects floating-point weights with "
                         f"two or more dimensions, got {weight.dtype} of "
                         f"shape {tuple(weight.shape)}")
    fan_in = weight[0].numel()        # inputs per output unit (x kernel size)
    std = (2.0 / fan_in) ** 0.5
    with torch.no_grad():
        return weight.normal_(0.0, std)


def init_weights(model: nn.Module, scheme: str = "he") -> nn.Module:
    """Re-initialise every ``Linear`` and ``Conv2d`` layer of ``model`` in place; returns it.

    Uses the global torch generator: call :func:`relu_course.set_seed` first for repeatability.

    Example:
        >>> from relu_course.models import mlp
        >>> net = init_weights(mlp(100, [400], 2), "he")
        >>> round(net[1].weight.std().item() * 100 ** 0.5, 1)  # std * sqrt(fan_in) = sqrt(2)
        1.4
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
        with torch.no_grad():
            if scheme == "he":
                he_normal_(w)
            elif scheme == "xavier":
                w.normal_(0.0, (2.0 / (fan_in + fan_out)) ** 0.5)
            else:  # lecun
                w.normal_(0.0, (1.0 / fan_in) ** 0.5)
            if layer.bias is not None:
                layer.bias.zero_()
    return model


def init_he_for_slope(model: nn.Module, negative_slope: float = 0.25) -> nn.Module:
    r"""Re-initialise every ``Linear`` and ``Conv2d`` layer of ``model`` in place for a leaky
    ReLU or PReLU with slope :math:`a` = ``negative_slope``; returns the model.

    He et al. (2015) follow the mean square of the pre-activations through the layers. For a
    symmetric pre-activation :math:`z`, a rectifier with negative slope :math:`a` keeps
    :math:`\mathbb{E}[f(z)^2] = \tfrac{1 + a^2}{2}\,\mathbb{E}[z^2]`, and a layer with
    :math:`n` inputs (the fan-in) multiplies it by :math:`n\,\mathrm{Var}(w)`. The signal keeps
    its size when the product is 1:

    .. math::
        w \sim N\!\left(0,\; \frac{2}{(1 + a^2)\,n}\right).

    :math:`a = 0` is He initialisation for ReLU (``init_weights(model, "he")``); :math:`a = 1`
    (the identity) gives :math:`1/n`. The standard deviation equals that of
    ``torch.nn.init.kaiming_normal_(w, a=negative_slope, nonlinearity="leaky_relu")``. Biases
    start at zero. Uses the global torch generator: call :func:`relu_course.set_seed` first.

    Args:
        model: the network (``Linear``/``Conv2d`` layers anywhere inside it are initialised).
        negative_slope: the slope :math:`a` of the activations for :math:`x < 0` (PReLU's
            initial value, ``0.25`` by default); any finite number.

    Example:
        >>> from relu_course.models import mlp
        >>> net = init_he_for_slope(mlp(400, [400], 2, "leaky_relu"), negative_slope=1.0)
        >>> round(net[1].weight.var().item() * 400, 1)       # Var(w) * fan_in = 2 / (1 + 1)
        1.0
    """
    from .._validation import check_real

    if not isinstance(model, nn.Module):
        raise TypeError(f"init_he_for_slope() expects an nn.Module, got {type(model).__name__}")
    a = check_real("init_he_for_slope", "negative_slope", negative_slope)
    for layer in model.modules():
        if not isinstance(layer, (nn.Linear, nn.Conv2d)):
            continue
        fan_in = layer.weight[0].numel()            # inputs per output unit (x kernel size)
        std = (2.0 / ((1.0 + a * a) * fan_in)) ** 0.5
        with torch.no_grad():
            layer.weight.normal_(0.0, std)
            if layer.bias is not None:
                layer.bias.zero_()
    return model


def init_hidden_biases(model: nn.Module, value: float) -> nn.Module:
    r"""Set the bias of every ``Linear``/``Conv2d`` layer that feeds an activation -- all but
    the last such layer, which produces the logits -- to the constant ``value``, in place;
    returns the model.

    A small positive bias :math:`b` shifts every hidden pre-activation
    :math:`z = w \cdot h + b` to the right, so at initialisation more ReLU units are on for
    more inputs (Krizhevsky et al., 2012, used :math:`b = 1` in some layers). The output
    layer's bias is left alone: a constant added to every logit changes nothing.

    Args:
        model: the network; its ``Linear``/``Conv2d`` layers are taken in registration order.
        value: the bias (any finite number).

    Raises:
        TypeError, ValueError: for a model that is not an ``nn.Module``, one with fewer than
            two ``Linear``/``Conv2d`` layers, a layer without a bias, or a non-finite value.

    Example:
        >>> from relu_course.models import mlp
        >>> net = init_hidden_biases(mlp(4, [8, 8], 3, init="he"), 0.25)
        >>> net[1].bias.tolist()[:3], net[3].bias.tolist()[:3], net[5].bias.tolist()
        ([0.25, 0.25, 0.25], [0.25, 0.25, 0.25], [0.0, 0.0, 0.0])
    """
    from .._validation import check_real

    if not isinstance(model, nn.Module):
        raise TypeError(f"init_hidden_biases() expects an nn.Module, got {type(model).__name__}")
    value = check_real("init_hidden_biases", "value", value)
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if len(layers) < 2:
        raise ValueError(f"init_hidden_biases(): the model has {len(layers)} Linear/Conv2d "
                         f"layer(s); at least one hidden layer and an output layer are needed")
    hidden = layers[:-1]
    missing = [i for i, m in enumerate(hidden) if m.bias is None]
    if missing:
        raise ValueError(f"init_hidden_biases(): hidden layer(s) {missing} have no bias "
                         f"(built with bias=False)")
    with torch.no_grad():
        for layer in hidden:
            layer.bias.fill_(value)
    return model
