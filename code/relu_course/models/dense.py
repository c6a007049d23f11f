r"""Fully connected networks: the course's MLP builder, and ReLU networks written down by hand from
hinges (a piecewise-linear function as a sum of shifted ReLUs).

* :func:`mlp` -- A multilayer perceptron: ``Flatten``, then ``Linear`` + activation per hidden
  width, then a final ``Linear`` (no activation
* :func:`hinge_network` -- The one-hidden-layer ReLU network that is a sum of hinges at the
  given knots:
* :func:`hinge_interpolant`
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import nn

from .._validation import check_int
from ..activations.registry import get_activation
from .init import init_weights

__all__ = ["mlp", "hinge_network", "hinge_interpolant"]


def _widths(fn_name: str, hidden: Sequence[int]) -> list[int]:
    if isinstance(hidden, (int, str)) or not isinstance(hidden, Sequence):
        raise TypeError(f"{fn_name}() expects `hidden` to be a list of layer widths, e.g. [64, 64]")
    return [check_int(fn_name, "hidden width", h, ge=1) for h in hidden]


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
        activation: a name accepted by :func:`relu_course.activations.registry.get_activation`, or a
            function ``width -> nn.Module`` called once per hidden layer (e.g.
            ``lambda width: PReLU(width)`` for one PReLU slope per unit).
        init: one of :data:`~relu_course.models.init.INIT_SCHEMES`.
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
    in_features = check_int("mlp", "in_features", in_features, ge=1)
    out_features = check_int("mlp", "out_features", out_features, ge=1)
    widths = _widths("mlp", hidden)
    make = _activation_factory("mlp", activation, activation_kwargs)
    layers: list[nn.Module] = [nn.Flatten()]
    previous = in_features
    for width in widths:
        layers += [nn.Linear(previous, width), make(width)]
        previous = width
    layers.append(nn.Linear(previous, out_features))
    return init_weights(nn.Sequential(*layers), init)


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
    from .._validation import check_real

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
