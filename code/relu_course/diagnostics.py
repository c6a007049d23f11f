"""Measurements the chapters talk about, taken with forward hooks on a model's activation layers.

* :func:`record_activations` -- the output of every activation layer for a batch.
* :func:`activation_pattern` / :func:`linear_region_ids` -- which units are active, and hence
  which linear piece of a ReLU network an input falls in (Montufar et al., 2014).
* :func:`count_linear_regions` -- how many pieces meet a 2-D window, counted on a grid.
* :func:`dead_unit_fraction` -- units that output zero for every input.
* :func:`activation_stats` -- per-layer mean, standard deviation and share of exact zeros.
* :func:`gradient_norms` -- per-layer norm of the loss gradient with respect to the weights.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from . import modules as M
from ._validation import check_int, check_real, check_tensor

__all__ = [
    "ACTIVATION_TYPES", "activation_layers", "record_activations", "activation_pattern",
    "linear_region_ids", "RegionGrid", "linear_region_grid", "count_linear_regions",
    "dead_unit_fraction", "LayerStats", "activation_stats", "gradient_norms",
    "activation_derivatives", "preactivation_gradient_norms",
]

#: The module types treated as activation layers (the course's own and their torch.nn namesakes).
ACTIVATION_TYPES = (
    M.ReLU, M.LeakyReLU, M.PReLU, M.ELU, M.SELU, M.GELU, M.SiLU, M.Mish, M.Softplus, M.Sigmoid,
    M.Tanh, nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.GELU, nn.SiLU, nn.Mish,
    nn.Softplus, nn.Sigmoid, nn.Tanh, nn.RReLU, nn.CELU,
)


def activation_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` for every activation layer of ``model``, in registration order.

    Raises:
        ValueError: if the model has none.

    Example:
        >>> from relu_course.models import mlp
        >>> [name for name, _ in activation_layers(mlp(2, [4, 4], 2))]
        ['2', '4']
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"activation_layers() expects an nn.Module, got {type(model).__name__}")
    found = [(name, m) for name, m in model.named_modules() if isinstance(m, ACTIVATION_TYPES)]
    if not found:
        raise ValueError(
            "the model has no activation layers to measure (expected modules such as "
            "relu_course.modules.ReLU or torch.nn.ReLU)"
        )
    return found


@contextmanager
def record_activations(model: nn.Module, what: str = "output"):
    """Context manager: collect the (detached) output -- or, with ``what="input"``, the input,
    i.e. the pre-activation -- of every activation layer.

    Yields a dict ``{layer name: list of tensors}`` (one entry per forward call); the hooks are
    removed on exit.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [3], 2)
        >>> with record_activations(net) as acts:
        ...     _ = net(torch.zeros(4, 2))
        >>> list(acts), acts["2"][0].shape
        (['2'], torch.Size([4, 3]))
    """
    if what not in ("output", "input"):
        raise ValueError(f"record_activations(): `what` must be 'output' or 'input', got {what!r}")
    layers = activation_layers(model)
    outputs: dict[str, list[Tensor]] = {name: [] for name, _ in layers}
    handles = []
    for name, module in layers:
        def hook(_module, inputs, output, name=name):
            outputs[name].append((output if what == "output" else inputs[0]).detach())
        handles.append(module.register_forward_hook(hook))
    try:
        yield outputs
    finally:
        for h in handles:
            h.remove()


@torch.no_grad()
def activation_pattern(model: nn.Module, x: Tensor) -> Tensor:
    """Boolean matrix ``(N, total units)``: which units output a positive value for each input.

    For ReLU-family networks this on/off pattern fixes the linear piece the input falls in.

    Example:
        >>> from relu_course.models import mlp
        >>> activation_pattern(mlp(2, [3, 5], 2), torch.zeros(4, 2)).shape  # 4 inputs, 8 units
        torch.Size([4, 8])
    """
    check_tensor("activation_pattern", x, name="x")
    with record_activations(model) as acts:
        model(x)
    return torch.cat([outs[-1].reshape(len(x), -1) > 0 for outs in acts.values()], dim=1)


@torch.no_grad()
def linear_region_ids(model: nn.Module, x: Tensor) -> Tensor:
    """An integer id per input (``int64``, shape ``(N,)``); equal ids mean equal activation
    patterns, i.e. the same linear region. Ids are numbered 0, 1, ... in sorted pattern order.

    Example:
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 1), M.ReLU())  # one unit, one kink
        >>> with torch.no_grad():
        ...     _ = net[0].weight.fill_(1.0), net[0].bias.fill_(0.0)
        >>> linear_region_ids(net, torch.tensor([[-2.0], [-1.0], [1.0], [2.0]])).tolist()
        [0, 0, 1, 1]
    """
    pattern = activation_pattern(model, x)
    _, ids = torch.unique(pattern, dim=0, return_inverse=True)
    return ids


@dataclass(frozen=True)
class RegionGrid:
    """Linear-region ids on a regular 2-D grid (row ``i`` is ``ys[i]``, column ``j`` is ``xs[j]``).

    Example:
        >>> from relu_course.models import mlp
        >>> grid = linear_region_grid(mlp(2, [4], 2), resolution=50)
        >>> grid.ids.shape, grid.points().shape
        (torch.Size([50, 50]), torch.Size([2500, 2]))
    """

    xs: Tensor
    ys: Tensor
    ids: Tensor            # (len(ys), len(xs)), int64

    @property
    def count(self) -> int:
        """Number of distinct regions seen on the grid."""
        return int(torch.unique(self.ids).numel())

    def points(self) -> Tensor:
        """The grid's points as an ``(len(ys) * len(xs), 2)`` tensor, in the order of
        ``ids.reshape(-1)``."""
        gy, gx = torch.meshgrid(self.ys, self.xs, indexing="ij")
        return torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(xmin, xmax, ymin, ymax)``, as matplotlib's ``imshow`` expects."""
        return (float(self.xs[0]), float(self.xs[-1]), float(self.ys[0]), float(self.ys[-1]))


@torch.no_grad()
def linear_region_grid(model: nn.Module, xlim: tuple[float, float] = (-3.0, 3.0),
                       ylim: tuple[float, float] = (-3.0, 3.0), resolution: int = 300) -> RegionGrid:
    """Evaluate the linear-region id of a 2-input network on a ``resolution x resolution`` grid.

    Regions thinner than the grid spacing can be missed, so :attr:`RegionGrid.count` is a
    lower bound on the number of regions meeting the window.

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> grid = linear_region_grid(mlp(2, [3], 2), xlim=(-10, 10), ylim=(-10, 10))
        >>> 1 <= grid.count <= 7          # at most 1 + 3 + 3 regions for 3 units
        True
    """
    resolution = check_int("linear_region_grid", "resolution", resolution, minimum=2)
    bounds = [check_real("linear_region_grid", n, v) for n, v in
              (("xlim[0]", xlim[0]), ("xlim[1]", xlim[1]), ("ylim[0]", ylim[0]), ("ylim[1]", ylim[1]))]
    if not (bounds[0] < bounds[1] and bounds[2] < bounds[3]):
        raise ValueError(f"linear_region_grid(): empty window xlim={xlim}, ylim={ylim}")
    device = next((p.device for p in model.parameters()), torch.device("cpu"))
    xs = torch.linspace(bounds[0], bounds[1], resolution)
    ys = torch.linspace(bounds[2], bounds[3], resolution)
    empty = RegionGrid(xs, ys, torch.empty(0, dtype=torch.long))
    ids = linear_region_ids(model, empty.points().to(device))          # (R*R,)
    return RegionGrid(xs, ys, ids.reshape(resolution, resolution).cpu())


def count_linear_regions(model: nn.Module, xlim=(-3.0, 3.0), ylim=(-3.0, 3.0),
                         resolution: int = 300) -> int:
    """Number of linear regions of a 2-input ReLU network that meet the window (grid estimate,
    a lower bound).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> count_linear_regions(mlp(2, [1], 2), xlim=(-50, 50), ylim=(-50, 50))  # one line
        2
    """
    return linear_region_grid(model, xlim, ylim, resolution).count


@torch.no_grad()
def dead_unit_fraction(model: nn.Module, x: Tensor) -> dict[str, float]:
    """For each activation layer, the fraction of its units that are never positive on ``x``
    (a "dead" ReLU outputs zero for every input, so it also gets no gradient).

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [4], 2)
        >>> with torch.no_grad():
        ...     _ = net[1].bias.copy_(torch.tensor([-100.0, -100.0, 100.0, 100.0]))
        >>> dead_unit_fraction(net, torch.randn(64, 2))
        {'2': 0.5}
    """
    check_tensor("dead_unit_fraction", x, name="x")
    if len(x) == 0:
        raise ValueError("dead_unit_fraction(): x holds no examples")
    with record_activations(model) as acts:
        model(x)
    result = {}
    for name, outs in acts.items():
        alive = (outs[-1] > 0).reshape(len(x), -1).any(dim=0)        # per unit
        result[name] = 1.0 - alive.float().mean().item()
    return result


@dataclass(frozen=True)
class LayerStats:
    """Summary of one activation layer's values over a batch (all units and examples).

    Example:
        >>> LayerStats(mean=0.4, std=0.58, zero_fraction=0.5, mean_square=0.5).zero_fraction
        0.5
    """

    mean: float
    std: float
    zero_fraction: float      # share of values that are exactly 0 (ReLU's sparsity)
    mean_square: float        # E[v^2], the "signal energy" that initialisation tries to keep


@torch.no_grad()
def activation_stats(model: nn.Module, x: Tensor, what: str = "output") -> dict[str, LayerStats]:
    """Per activation layer (in order), statistics of its outputs -- or of its inputs, the
    pre-activations, with ``what="input"`` -- on the batch ``x``.

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0); net = mlp(4, [256], 2, init="he")
        >>> stats = activation_stats(net, torch.randn(512, 4))
        >>> round(stats["2"].zero_fraction, 1)
        0.5
    """
    check_tensor("activation_stats", x, name="x")
    if len(x) == 0:
        raise ValueError("activation_stats(): x holds no examples")
    with record_activations(model, what) as acts:
        model(x)
    result = {}
    for name, outs in acts.items():
        v = outs[-1].double()
        result[name] = LayerStats(mean=v.mean().item(), std=v.std(unbiased=False).item(),
                                  zero_fraction=(v == 0).double().mean().item(),
                                  mean_square=(v * v).mean().item())
    return result


def gradient_norms(model: nn.Module, x: Tensor, y: Tensor, loss_fn=None) -> dict[str, float]:
    """The Euclidean norm of the loss gradient with respect to each ``Linear``/``Conv2d``
    layer's weight, in order (first layer first), for one batch -- without changing the model
    or leaving gradients behind.

    ``loss_fn(logits, y)`` defaults to cross-entropy.

    Example:
        >>> from relu_course.models import mlp
        >>> norms = gradient_norms(mlp(4, [8, 8], 3), torch.randn(16, 4), torch.randint(0, 3, (16,)))
        >>> list(norms)                   # the three Linear layers, first to last
        ['1', '3', '5']
    """
    check_tensor("gradient_norms", x, name="x")
    if not isinstance(y, Tensor):
        raise TypeError(f"gradient_norms() expects `y` to be a torch.Tensor, got {type(y).__name__}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"gradient_norms(): x and y need the same, non-zero number of examples "
                         f"(got {len(x)} and {len(y)})")
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if not layers:
        raise ValueError("gradient_norms(): the model has no Linear or Conv2d layers")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    weights = [m.weight for _, m in layers]
    loss = loss_fn(model(x), y)
    grads = torch.autograd.grad(loss, weights)
    return {name: g.norm().item() for (name, _), g in zip(layers, grads)}


def _derivative_spec(name: str, module: nn.Module):
    """``(derivative function, keyword arguments)`` matching an activation layer's settings."""
    from . import functional as F

    if isinstance(module, (M.ReLU, nn.ReLU)):
        return F.relu_derivative, {}
    if isinstance(module, (M.LeakyReLU, nn.LeakyReLU)):
        return F.leaky_relu_derivative, {"negative_slope": float(module.negative_slope)}
    if isinstance(module, (M.PReLU, nn.PReLU)):
        return F.prelu_derivative, {"weight": module.weight.detach()}
    if isinstance(module, (M.ELU, nn.ELU)):
        return F.elu_derivative, {"alpha": float(module.alpha)}
    if isinstance(module, (M.SELU, nn.SELU)):
        return F.selu_derivative, {}
    if isinstance(module, (M.GELU, nn.GELU)):
        return F.gelu_derivative, {"approximate": module.approximate}
    if isinstance(module, (M.SiLU, nn.SiLU)):
        return F.silu_derivative, {}
    if isinstance(module, (M.Mish, nn.Mish)):
        return F.mish_derivative, {}
    if isinstance(module, (M.Softplus, nn.Softplus)):
        return F.softplus_derivative, {"beta": float(module.beta),
                                       "threshold": float(module.threshold)}
    if isinstance(module, (M.Sigmoid, nn.Sigmoid)):
        return F.sigmoid_derivative, {}
    if isinstance(module, (M.Tanh, nn.Tanh)):
        return F.tanh_derivative, {}
    raise ValueError(f"activation_derivatives(): no derivative known for layer {name!r} "
                     f"({type(module).__name__}); supported: the activations of "
                     f"relu_course.functional and their torch.nn namesakes")


@torch.no_grad()
def activation_derivatives(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    r"""Per activation layer (in order), the activation's derivative :math:`\phi'(z)` at every
    pre-activation :math:`z` that the batch ``x`` produces.

    This is the factor by which each unit scales the gradient passing back through it: exactly
    0 or 1 for ReLU, at most :math:`1/4` for the sigmoid, close to 0 wherever a sigmoid or tanh
    unit is saturated. The pre-activations are recorded with :func:`record_activations`
    (``what="input"``) and the layer's own settings are used (leaky slope, ELU's
    :math:`\alpha`, PReLU's learned slopes, ...), through the derivatives in
    ``relu_course.functional.DERIVATIVES``. A layer called several times in one forward
    pass reports its last call, as in :func:`activation_stats`.

    Args:
        model: a network with activation layers (see :data:`ACTIVATION_TYPES`).
        x: a batch of inputs on the model's device.

    Returns:
        ``{layer name: tensor of derivatives}``, each shaped like that layer's pre-activation.

    Raises:
        ValueError: for an empty batch, or a layer type without a known derivative
            (``torch.nn.RReLU``, ``torch.nn.CELU``).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> d = activation_derivatives(mlp(4, [8], 2, "sigmoid"), torch.randn(16, 4))
        >>> d["2"].shape, bool(d["2"].max() <= 0.25)
        (torch.Size([16, 8]), True)
        >>> d = activation_derivatives(mlp(4, [8], 2, "relu"), torch.randn(16, 4))
        >>> sorted(set(d["2"].unique().tolist()) | {0.0, 1.0})    # only zeros and ones
        [0.0, 1.0]
    """
    check_tensor("activation_derivatives", x, name="x")
    if len(x) == 0:
        raise ValueError("activation_derivatives(): x holds no examples")
    specs = {name: _derivative_spec(name, m) for name, m in activation_layers(model)}
    with record_activations(model, "input") as pre:
        model(x)
    return {name: fn(pre[name][-1], **kwargs) for name, (fn, kwargs) in specs.items()}


def preactivation_gradient_norms(model: nn.Module, x: Tensor, y: Tensor,
                                 loss_fn=None) -> dict[str, float]:
    r"""Per activation layer (in order, first layer first), the Euclidean norm of the loss
    gradient with respect to that layer's *input*, the pre-activation :math:`z_l`, for one
    batch: the signal that backpropagation carries down the network.

    In a multilayer perceptron with :math:`z_l = W_l h_{l-1} + b_l` and
    :math:`h_l = \phi(z_l)`, this backward signal :math:`\delta_l = \partial L / \partial z_l`
    obeys

    .. math::
        \delta_l = D_l\, W_{l+1}^\top\, \delta_{l+1}, \qquad
        D_l = \operatorname{diag}\bigl(\phi'(z_l)\bigr),

    so from one layer to the one below, its norm changes by a factor that depends on the
    activation's derivative *and* on the weights. (The weight gradients that
    :func:`gradient_norms` reports are :math:`\partial L / \partial W_l = \delta_l\,
    h_{l-1}^\top`, summed over the batch: they mix this backward signal with the forward one.)
    The norm is taken over the whole batch and all units of the layer.

    The model is not changed and no ``.grad`` is left behind. A layer called several times in
    one forward pass reports its last call, as in :func:`activation_stats`.

    Args:
        model: a network with activation layers (see :data:`ACTIVATION_TYPES`) whose
            pre-activations depend on trainable parameters or on ``x``.
        x: a batch of inputs on the model's device.
        y: the targets, one per input.
        loss_fn: ``loss_fn(logits, y)``, cross-entropy by default.

    Returns:
        ``{layer name: norm}``, in the order of :func:`activation_layers`.

    Raises:
        TypeError: if ``x`` or ``y`` is not a tensor.
        ValueError: for an empty batch or mismatched lengths, an activation layer that works
            in place (``nn.ReLU(inplace=True)``: its input is overwritten), or a
            pre-activation that does not depend on anything trainable (frozen parameters, or a
            call inside ``torch.no_grad()``).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> net = mlp(4, [8, 8, 8], 3)
        >>> norms = preactivation_gradient_norms(net, torch.randn(16, 4),
        ...                                      torch.randint(0, 3, (16,)))
        >>> list(norms)                   # the three activation layers, first to last
        ['2', '4', '6']
        >>> all(v > 0 for v in norms.values())
        True
    """
    check_tensor("preactivation_gradient_norms", x, name="x")
    if not isinstance(y, Tensor):
        raise TypeError(f"preactivation_gradient_norms() expects `y` to be a torch.Tensor, "
                        f"got {type(y).__name__}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"preactivation_gradient_norms(): x and y need the same, non-zero "
                         f"number of examples (got {len(x)} and {len(y)})")
    layers = activation_layers(model)
    for name, module in layers:
        if getattr(module, "inplace", False):
            raise ValueError(f"preactivation_gradient_norms(): activation layer {name!r} works "
                             f"in place, which overwrites the pre-activation; use "
                             f"inplace=False")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    captured: dict[str, Tensor] = {}
    handles = []
    for name, module in layers:
        def hook(_module, inputs, _output, name=name):
            captured[name] = inputs[0]               # kept in the graph (not detached)
        handles.append(module.register_forward_hook(hook))
    try:
        loss = loss_fn(model(x), y)
    finally:
        for h in handles:
            h.remove()
    names = [name for name, _ in layers]
    missing = [n for n in names if n not in captured]
    if missing:
        raise ValueError(f"preactivation_gradient_norms(): activation layer(s) {missing} were "
                         f"not called by the forward pass")
    frozen = [n for n in names if not captured[n].requires_grad]
    if frozen or not loss.requires_grad:
        raise ValueError(f"preactivation_gradient_norms(): the pre-activations of layer(s) "
                         f"{frozen or names} do not depend on anything trainable (frozen "
                         f"parameters, or called inside torch.no_grad()?)")
    grads = torch.autograd.grad(loss, [captured[n] for n in names], allow_unused=True)
    return {n: (0.0 if g is None else g.norm().item()) for n, g in zip(names, grads)}
