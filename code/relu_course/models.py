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

__all__ = ["INIT_SCHEMES", "init_weights", "mlp", "small_cnn", "hinge_network",
           "hinge_interpolant", "prelu_parameter_groups", "init_he_for_slope",
           "init_hidden_biases"]

#: The initialisation schemes :func:`init_weights` accepts.
INIT_SCHEMES = ("default", "he", "xavier", "lecun")


def init_weights(model: nn.Module, scheme: str = "he") -> nn.Module:
    """Re-initialise every ``Linear`` and ``Conv2d`` layer of ``model`` in place; returns it.

    Uses the global torch generator: call :func:`relu_course.set_seed` first for repeatability.

    Example:
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


# ---- sums of hinges (chapter 1) ----------------------------------------------------------------

def _hinge_vector(fn_name: str, name: str, values) -> torch.Tensor:
    """``values`` as a 1-D float64 CPU tensor of finite numbers, or a clear error."""
    if not isinstance(values, torch.Tensor):
        array_like = hasattr(values, "__array__")                     # a NumPy array, say
        if isinstance(values, (str, bytes)) or not (array_like or isinstance(values, Sequence)):
            raise TypeError(f"{fn_name}() expects `{name}` to be a 1-D tensor, array or list of "
                            f"numbers, got {type(values).__name__}")
        try:
            values = torch.as_tensor(values if array_like else [float(v) for v in values])
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{fn_name}() expects `{name}` to hold real numbers") from None
    if values.dtype == torch.bool or values.is_complex():
        raise TypeError(f"{fn_name}() expects `{name}` to hold real numbers, got dtype {values.dtype}")
    t = values.detach().to("cpu", torch.float64)
    if t.dim() != 1 or t.numel() == 0:
        raise ValueError(f"{fn_name}() expects `{name}` to be a non-empty 1-D list, got shape "
                         f"{tuple(t.shape)}")
    if not torch.isfinite(t).all():
        raise ValueError(f"{fn_name}() expects `{name}` to hold finite numbers")
    return t


def hinge_network(knots, coefficients, bias: float = 0.0, *,
                  dtype: torch.dtype | None = None) -> nn.Sequential:
    r"""The one-hidden-layer ReLU network that is a sum of hinges at the given knots:

    .. math::
        f(x) = c + \sum_{j=1}^{k} a_j\, \mathrm{ReLU}(x - t_j).

    Hidden unit :math:`j` is a *hinge*: zero left of its knot :math:`t_j` and a ramp of slope
    :math:`a_j` right of it. The sum is continuous and piecewise linear, and its slope changes by
    :math:`a_j` at :math:`t_j` (and nowhere else).

    The network has the layout of :func:`mlp` (``Flatten``, ``Linear(1, k)``, the course's ReLU,
    ``Linear(k, 1)``): first-layer weights 1 and biases :math:`-t_j`, output weights
    :math:`a_j` and output bias :math:`c`. It maps inputs of shape ``(N, 1)`` to ``(N, 1)``.
    Building it does not use the random number generator.

    Args:
        knots: the :math:`k \ge 1` positions :math:`t_j` (a 1-D tensor, array or list, in
            any order).
        coefficients: the :math:`k` slope changes :math:`a_j`.
        bias: the constant :math:`c`.
        dtype: the parameters' floating-point dtype (default: torch's default dtype).

    Raises:
        TypeError, ValueError: for non-numeric, empty, non-finite or mismatched arguments.

    Example:
        >>> net = hinge_network([0.0, 1.0], [1.0, -2.0])    # up with slope 1, then down
        >>> net(torch.tensor([[-1.0], [0.5], [1.0], [2.0]])).flatten().tolist()
        [0.0, 0.5, 1.0, 0.0]
    """
    t = _hinge_vector("hinge_network", "knots", knots)
    a = _hinge_vector("hinge_network", "coefficients", coefficients)
    if a.numel() != t.numel():
        raise ValueError(f"hinge_network(): {t.numel()} knots but {a.numel()} coefficients")
    from ._validation import check_real

    c = check_real("hinge_network", "bias", bias)
    dtype = torch.get_default_dtype() if dtype is None else dtype
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"hinge_network() expects `dtype` to be a floating-point torch.dtype, "
                        f"got {dtype!r}")
    k = t.numel()
    hidden = nn.utils.skip_init(nn.Linear, 1, k, dtype=dtype)      # no random initialisation
    output = nn.utils.skip_init(nn.Linear, k, 1, dtype=dtype)
    with torch.no_grad():
        hidden.weight.fill_(1.0)                                     # (k, 1)
        hidden.bias.copy_(-t)                                        # unit j switches on at t_j
        output.weight.copy_(a.unsqueeze(0))                          # (1, k)
        output.bias.fill_(c)
    return nn.Sequential(nn.Flatten(), hidden, get_activation("relu"), output)


def hinge_interpolant(knots, values, *, dtype: torch.dtype | None = None) -> nn.Sequential:
    r"""The ReLU network with ``len(knots) - 1`` hidden units that joins the points
    :math:`(t_0, y_0), \dots, (t_k, y_k)` by straight lines (piecewise-linear interpolation).

    With the slopes :math:`s_j = (y_{j+1} - y_j) / (t_{j+1} - t_j)` of the :math:`k` pieces,

    .. math::
        f(x) = y_0 + s_0\,\mathrm{ReLU}(x - t_0)
               + \sum_{j=1}^{k-1} (s_j - s_{j-1})\,\mathrm{ReLU}(x - t_j):

    the first hinge starts the first piece, and each later hinge adds exactly the change of slope
    at its knot. On :math:`[t_0, t_k]` the network equals the interpolant; left of :math:`t_0` it
    is the constant :math:`y_0`, and right of :math:`t_k` it continues the last piece. It is
    built by :func:`hinge_network`.

    Args:
        knots: :math:`k + 1 \ge 2` strictly increasing positions.
        values: the :math:`k + 1` values :math:`y_j` at the knots.
        dtype: the parameters' floating-point dtype (default: torch's default dtype).

    Example:
        >>> tent = hinge_interpolant([0.0, 1.0, 2.0], [0.0, 1.0, 0.0])   # 2 hidden units
        >>> tent(torch.tensor([[0.5], [1.0], [1.5]])).flatten().tolist()
        [0.5, 1.0, 0.5]
    """
    t = _hinge_vector("hinge_interpolant", "knots", knots)
    y = _hinge_vector("hinge_interpolant", "values", values)
    if t.numel() < 2:
        raise ValueError("hinge_interpolant() needs at least 2 knots")
    if y.numel() != t.numel():
        raise ValueError(f"hinge_interpolant(): {t.numel()} knots but {y.numel()} values")
    if not (t[1:] > t[:-1]).all():
        raise ValueError("hinge_interpolant() expects strictly increasing knots")
    slopes = (y[1:] - y[:-1]) / (t[1:] - t[:-1])                     # s_0 ... s_{k-1}
    changes = torch.cat([slopes[:1], slopes[1:] - slopes[:-1]])      # a_j
    return hinge_network(t[:-1], changes, y[0].item(), dtype=dtype)


# ---- PReLU: optimiser parameter groups and a slope-aware He initialisation (chapter 7) -------

def _prelu_types() -> tuple[type, ...]:
    from .modules import PReLU

    return (PReLU, nn.PReLU)


def prelu_parameter_groups(model: nn.Module, weight_decay: float,
                           slope_weight_decay: float = 0.0) -> list[dict]:
    r"""Split ``model``'s trainable parameters into optimiser parameter groups: the PReLU
    slopes, and everything else, each with its own weight decay.

    An optimiser with weight decay :math:`\lambda` adds :math:`\lambda\,\theta` to the gradient
    of every parameter :math:`\theta` it is given (an L2 penalty
    :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2`), which pulls it toward zero. For a PReLU
    slope :math:`a`, zero means ReLU; He et al. (2015) therefore used no weight decay on the
    slopes. Pass the result to any ``torch.optim`` optimiser, then to
    :func:`relu_course.train.fit` as ``optimizer=``.

    Slopes are the ``weight`` of every :class:`relu_course.modules.PReLU` and ``torch.nn.PReLU``
    module; each parameter appears once (shared ones too), in ``model.parameters()`` order, and
    frozen parameters (``requires_grad=False``) are left out. Empty groups are left out, so a
    model without PReLU gives one group.

    Args:
        model: the network.
        weight_decay: :math:`\lambda` for every parameter that is not a PReLU slope (>= 0).
        slope_weight_decay: :math:`\lambda` for the PReLU slopes (default ``0.0``, as in
            He et al.).

    Returns:
        A list of dicts ``{"params": [...], "weight_decay": ..., "name": ...}`` with ``name``
        ``"weights"`` (everything else) and ``"slopes"``.

    Raises:
        TypeError, ValueError: for a model that is not an ``nn.Module``, one without trainable
            parameters, or a negative or non-finite decay.

    Example:
        >>> from relu_course.modules import PReLU
        >>> net = small_cnn(channels=(4, 8), activation=lambda c: PReLU(c))
        >>> groups = prelu_parameter_groups(net, weight_decay=5e-4)
        >>> [(g["name"], sum(p.numel() for p in g["params"]), g["weight_decay"]) for g in groups]
        [('weights', 666, 0.0005), ('slopes', 12, 0.0)]
        >>> optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    """
    from ._validation import check_real

    if not isinstance(model, nn.Module):
        raise TypeError(f"prelu_parameter_groups() expects an nn.Module, got {type(model).__name__}")
    decays = {}
    for name, value in (("weight_decay", weight_decay), ("slope_weight_decay", slope_weight_decay)):
        decays[name] = check_real("prelu_parameter_groups", name, value)
        if decays[name] < 0:
            raise ValueError(f"prelu_parameter_groups() expects `{name}` >= 0, got {value}")
    slope_ids = {id(m.weight) for m in model.modules() if isinstance(m, _prelu_types())}
    weights, slopes, seen = [], [], set()
    for p in model.parameters():
        if not p.requires_grad or id(p) in seen:
            continue
        seen.add(id(p))
        (slopes if id(p) in slope_ids else weights).append(p)
    if not weights and not slopes:
        raise ValueError("prelu_parameter_groups(): the model has no trainable parameters")
    groups = [{"params": weights, "weight_decay": decays["weight_decay"], "name": "weights"},
              {"params": slopes, "weight_decay": decays["slope_weight_decay"], "name": "slopes"}]
    return [g for g in groups if g["params"]]


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
        >>> net = init_he_for_slope(mlp(400, [400], 2, "leaky_relu"), negative_slope=1.0)
        >>> round(net[1].weight.var().item() * 400, 1)       # Var(w) * fan_in = 2 / (1 + 1)
        1.0
    """
    from ._validation import check_real

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


# ---- bias initialisation (chapter 11) ---------------------------------------------------------

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
        >>> net = init_hidden_biases(mlp(4, [8, 8], 3, init="he"), 0.25)
        >>> net[1].bias.tolist()[:3], net[3].bias.tolist()[:3], net[5].bias.tolist()
        ([0.25, 0.25, 0.25], [0.25, 0.25, 0.25], [0.0, 0.0, 0.0])
    """
    from ._validation import check_real

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
