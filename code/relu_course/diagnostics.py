"""Measurements the chapters talk about, taken with forward hooks on a model's activation layers.

* :func:`record_activations` -- the output of every activation layer for a batch.
* :func:`activation_pattern` / :func:`linear_region_ids` -- which units are active, and hence
  which linear piece of a ReLU network an input falls in (Montufar et al., 2014).
* :func:`count_linear_regions` -- how many pieces meet a 2-D window, counted on a grid.
* :func:`dead_unit_fraction` -- units that output zero for every input.
* :func:`activation_stats` -- per-layer mean, standard deviation and share of exact zeros.
* :func:`gradient_norms` -- per-layer norm of the loss gradient with respect to the weights.
* :class:`TrainingMonitor` -- a :func:`relu_course.train.fit` callback that records the above
  (dead units, activation statistics, gradient-to-weight ratios) after every epoch.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from . import modules as M
from ._validation import check_batch, check_int, check_real, check_tensor
from .utils import eval_mode

__all__ = [
    "ACTIVATION_TYPES", "activation_layers", "record_activations", "activation_pattern",
    "linear_region_ids", "RegionGrid", "linear_region_grid", "count_linear_regions",
    "dead_unit_fraction", "LayerStats", "activation_stats", "gradient_norms",
    "activation_derivatives", "preactivation_gradient_norms", "TrainingMonitor",
    "prelu_slopes",
    "never_positive_units", "unit_preactivation_gradients", "effective_negative_slopes",
    "born_dead_fractions", "input_derivatives", "confidence_along_rays",
    "per_example_weight_gradients", "relu_kink_sensitivity",
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
    check_batch("gradient_norms", x, y)
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


def _preactivation_gradients(fn_name: str, model: nn.Module, x: Tensor, y: Tensor, loss_fn,
                             *, require_all: bool):
    """The loss gradient with respect to every activation layer's input (its pre-activation)
    for one batch: ``(layer names, {name: pre-activation}, gradients)``, in layer order. Shared
    by :func:`preactivation_gradient_norms` and :func:`unit_preactivation_gradients`.

    With ``require_all``, an activation layer the forward pass did not call is an error;
    otherwise it is left out. A gradient is ``None`` for a layer the loss does not depend on.
    """
    check_batch(fn_name, x, y)
    layers = activation_layers(model)
    for name, module in layers:
        if getattr(module, "inplace", False):
            raise ValueError(f"{fn_name}(): activation layer {name!r} works in place, which "
                             f"overwrites the pre-activation; use inplace=False")
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
    missing = [name for name, _ in layers if name not in captured]
    if missing and require_all:
        raise ValueError(f"{fn_name}(): activation layer(s) {missing} were not called by the "
                         f"forward pass")
    names = [name for name, _ in layers if name in captured]
    frozen = [n for n in names if not captured[n].requires_grad]
    if frozen or not names or not loss.requires_grad:
        raise ValueError(f"{fn_name}(): the pre-activations of layer(s) {frozen or names} do not "
                         f"depend on anything trainable (frozen parameters, or called inside "
                         f"torch.no_grad()?)")
    grads = torch.autograd.grad(loss, [captured[n] for n in names], allow_unused=True)
    return names, captured, grads


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
    names, captured, grads = _preactivation_gradients("preactivation_gradient_norms", model, x,
                                                      y, loss_fn, require_all=True)
    return {n: (0.0 if g is None else g.norm().item()) for n, g in zip(names, grads)}


class TrainingMonitor:
    r"""A callback for :func:`relu_course.train.fit` that watches a network while it trains.

    After every ``every``-th epoch it measures, on a fixed probe batch ``x`` (and targets ``y``):

    * ``dead``: per activation layer, the fraction of units never positive on ``x``
      (:func:`dead_unit_fraction`);
    * ``zero_fraction``, ``mean``, ``std``: per activation layer, statistics of the outputs
      (:func:`activation_stats`);
    * ``grad_to_weight`` (only when ``y`` is given): per ``Linear``/``Conv2d`` layer, the ratio
      :math:`\lVert \partial L / \partial W \rVert / \lVert W \rVert` on the probe batch
      (:func:`gradient_norms`). Times the learning rate, it approximates the relative size of
      one SGD update; values far below :math:`10^{-4}` mean a layer barely learns, values near
      1 mean it is being rewritten every step.

    Each measurement is one dictionary in the list ``records``, with the key ``epoch``; call the
    monitor once before training (``monitor(0, model)``) to record the initial state. The
    monitor never stops training (it returns ``None``); use ``stop_on_dead`` to stop when the
    unit-weighted dead fraction over all layers reaches a threshold.

    Args:
        x: the probe inputs (a non-empty batch on the model's device).
        y: the probe targets, or ``None`` to skip the gradient ratios.
        every: measure after every ``every``-th epoch (epoch 0 is always measured).
        stop_on_dead: if given, a fraction in (0, 1]: ask :func:`~relu_course.train.fit` to
            stop once that share of all units is dead.

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> from relu_course.train import TrainConfig, fit
        >>> _ = torch.manual_seed(0)
        >>> data = load("moons", n_samples=200)
        >>> net = mlp(2, [16, 16], 2)
        >>> monitor = TrainingMonitor(data.x_train, data.y_train)
        >>> monitor(0, net)
        >>> _ = fit(net, data, TrainConfig(epochs=3), callback=monitor)
        >>> [r["epoch"] for r in monitor.records]
        [0, 1, 2, 3]
        >>> sorted(monitor.records[-1])
        ['dead', 'epoch', 'grad_to_weight', 'mean', 'std', 'total_dead', 'zero_fraction']
        >>> len(monitor.series("dead", "2")), len(monitor.series("total_dead"))
        (4, 4)
    """

    KEYS = ("dead", "zero_fraction", "mean", "std", "grad_to_weight", "total_dead")

    def __init__(self, x: Tensor, y: Tensor | None = None, *, every: int = 1,
                 stop_on_dead: float | None = None):
        check_tensor("TrainingMonitor", x, name="x")
        if len(x) == 0:
            raise ValueError("TrainingMonitor(): the probe batch x holds no examples")
        if y is not None:
            if not isinstance(y, Tensor):
                raise TypeError(f"TrainingMonitor() expects `y` to be a torch.Tensor or None, "
                                f"got {type(y).__name__}")
            if len(y) != len(x):
                raise ValueError(f"TrainingMonitor(): x has {len(x)} examples but y has {len(y)}")
        self.every = check_int("TrainingMonitor", "every", every, minimum=1)
        if stop_on_dead is not None:
            stop_on_dead = check_real("TrainingMonitor", "stop_on_dead", stop_on_dead)
            if not 0.0 < stop_on_dead <= 1.0:
                raise ValueError(f"TrainingMonitor(): stop_on_dead must be in (0, 1], "
                                 f"got {stop_on_dead}")
        self.x, self.y, self.stop_on_dead = x, y, stop_on_dead
        self.records: list[dict] = []

    def __call__(self, epoch: int, model: nn.Module, history=None) -> bool | None:
        epoch = check_int("TrainingMonitor", "epoch", epoch, minimum=0)
        if not isinstance(model, nn.Module):
            raise TypeError(f"TrainingMonitor expects an nn.Module, got {type(model).__name__}")
        if epoch % self.every and epoch != 0:
            return None
        if not activation_layers(model):
            raise ValueError("TrainingMonitor: the model has no activation layers to monitor")
        with eval_mode(model):
            with torch.no_grad(), record_activations(model) as acts:
                model(self.x)
            record = {"epoch": epoch, "dead": {}, "zero_fraction": {}, "mean": {}, "std": {}}
            dead_units = total_units = 0
            for name, outs in acts.items():
                v = outs[-1].reshape(len(self.x), -1)
                alive = (v > 0).any(dim=0)
                dead_units += int((~alive).sum())
                total_units += alive.numel()
                record["dead"][name] = 1.0 - alive.double().mean().item()
                v = v.double()
                record["zero_fraction"][name] = (v == 0).double().mean().item()
                record["mean"][name] = v.mean().item()
                record["std"][name] = v.std(unbiased=False).item()
            record["total_dead"] = dead_units / total_units
            if self.y is not None:
                norms = gradient_norms(model, self.x, self.y)
                weights = {name: m.weight for name, m in model.named_modules()
                           if isinstance(m, (nn.Linear, nn.Conv2d))}
                record["grad_to_weight"] = {
                    name: g / max(weights[name].detach().norm().item(), 1e-30)
                    for name, g in norms.items()}
        self.records.append(record)
        if self.stop_on_dead is not None and record["total_dead"] >= self.stop_on_dead:
            return True
        return None

    def series(self, key: str, layer: str | None = None) -> list[float]:
        """The values of one measurement over the recorded epochs.

        ``key`` is one of ``TrainingMonitor.KEYS``; ``layer`` names the layer for the per-layer keys (and
        must be ``None`` for ``total_dead``).

        Example:
            >>> m = TrainingMonitor(torch.zeros(1, 2))
            >>> m.records = [{"epoch": 0, "total_dead": 0.25}, {"epoch": 1, "total_dead": 0.5}]
            >>> m.series("total_dead")
            [0.25, 0.5]
        """
        if key not in self.KEYS:
            raise ValueError(f"TrainingMonitor.series(): unknown key {key!r}; "
                             f"choose from {', '.join(self.KEYS)}")
        if key == "total_dead":
            if layer is not None:
                raise ValueError("TrainingMonitor.series(): 'total_dead' is over all layers; "
                                 "leave layer=None")
            return [r["total_dead"] for r in self.records]
        if layer is None:
            raise ValueError(f"TrainingMonitor.series(): {key!r} is per layer; pass layer=")
        missing = [r["epoch"] for r in self.records if layer not in r.get(key, {})]
        if missing:
            raise ValueError(f"TrainingMonitor.series(): no {key!r} for layer {layer!r} "
                             f"(recorded layers: {sorted(self.records[0].get(key, {}))})")
        return [r[key][layer] for r in self.records]

    @property
    def epochs(self) -> list[int]:
        """The epochs at which the monitor measured, in order."""
        return [r["epoch"] for r in self.records]


def prelu_slopes(model: nn.Module) -> dict[str, Tensor]:
    r"""The current negative-side slopes :math:`a` of every PReLU layer of ``model``.

    Returns ``{layer name: slopes}`` in registration order (the input side first), where
    ``slopes`` is a detached float64 CPU copy of the layer's ``weight``: one value for a
    channel-shared PReLU, one per channel for a channel-wise one. Both
    :class:`relu_course.modules.PReLU` and ``torch.nn.PReLU`` count. The copies do not change
    when the model trains on, so the function can be called from a
    :func:`relu_course.train.fit` callback to record the slopes after every epoch.

    Raises:
        ValueError: if the model has no PReLU layer.

    Example:
        >>> from relu_course.models import small_cnn
        >>> net = small_cnn(channels=(4, 8), activation=lambda c: M.PReLU(c))
        >>> {name: a.shape for name, a in prelu_slopes(net).items()}
        {'1': torch.Size([4]), '4': torch.Size([8])}
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"prelu_slopes() expects an nn.Module, got {type(model).__name__}")
    found = {name: m.weight.detach().to("cpu", torch.float64).clone().reshape(-1)
             for name, m in model.named_modules() if isinstance(m, (M.PReLU, nn.PReLU))}
    if not found:
        raise ValueError("prelu_slopes(): the model has no PReLU layer "
                         "(relu_course.modules.PReLU or torch.nn.PReLU)")
    return found


# ---- dead units, their gradients, and negative slopes (chapter 6) ---------------------------

@torch.no_grad()
def never_positive_units(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    r"""Per activation layer (in order), a boolean mask of the units whose pre-activation is
    never positive on the batch ``x``: unit :math:`j` is flagged when :math:`z_j(x_n) \le 0`
    for every example :math:`x_n`.

    This is the course's definition of a *dead* unit. For ReLU such a unit outputs 0 for every
    input and passes back no gradient, since :math:`\mathrm{ReLU}'(z) = 0` for :math:`z \le 0`.
    For Leaky ReLU with slope :math:`a > 0` the same unit outputs :math:`a z \ne 0` and passes
    back :math:`a` times the gradient it receives, so it is "dead" only in the sense of never
    using its slope-1 side. For ReLU, Leaky ReLU with :math:`a \ge 0`, ELU, ... (activations
    that are positive exactly where :math:`z > 0`) the fraction of flagged units equals
    :func:`dead_unit_fraction`. Every element of a layer's output is a unit (for a convolution,
    one channel at one position), as in :func:`dead_unit_fraction`.

    Args:
        model: a network with activation layers (see :data:`ACTIVATION_TYPES`).
        x: a non-empty batch of inputs on the model's device.

    Returns:
        ``{layer name: bool tensor of shape (units,)}``, on the CPU; ``True`` marks a unit
        that is never positive.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [3], 2, "leaky_relu")
        >>> with torch.no_grad():
        ...     _ = net[1].bias.copy_(torch.tensor([-100.0, 100.0, -100.0]))
        >>> never_positive_units(net, torch.randn(32, 2))["2"].tolist()
        [True, False, True]
    """
    check_tensor("never_positive_units", x, name="x")
    if len(x) == 0:
        raise ValueError("never_positive_units(): x holds no examples")
    with record_activations(model, "input") as pre:
        model(x)
    return {name: ~(zs[-1].reshape(len(x), -1) > 0).any(dim=0).cpu()
            for name, zs in pre.items()}


def unit_preactivation_gradients(model: nn.Module, x: Tensor, y: Tensor,
                                 loss_fn=None) -> dict[str, Tensor]:
    r"""Per activation layer (in order) and per unit, the size of the loss gradient that
    reaches the unit's pre-activation on one batch:
    :math:`g_j = \bigl(\sum_n (\partial L / \partial z_{j}(x_n))^2\bigr)^{1/2}`.

    A unit's incoming weights and bias are updated only through
    :math:`\partial L / \partial z_j = \phi'(z_j)\,\partial L / \partial h_j`. For a ReLU unit
    that is never positive on the batch (:func:`never_positive_units`) every factor
    :math:`\phi'(z_j)` is 0, so :math:`g_j = 0` exactly; for Leaky ReLU it is the slope
    :math:`a`, so :math:`g_j` is :math:`a` times the gradient arriving from above. The layer
    view of the same signal is :func:`preactivation_gradient_norms`.

    The model is not changed and no ``.grad`` is left behind.

    Args:
        model: a network with activation layers that do not work in place.
        x: a batch of inputs on the model's device.
        y: the targets, one per input.
        loss_fn: ``loss_fn(logits, y)``, cross-entropy by default.

    Returns:
        ``{layer name: float tensor of shape (units,)}``, on the CPU, units numbered as in
        :func:`never_positive_units`.

    Raises:
        TypeError: if ``x`` or ``y`` is not a tensor.
        ValueError: for an empty batch, mismatched lengths, an in-place activation layer, or
            pre-activations that do not depend on anything trainable.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [3], 2)
        >>> with torch.no_grad():
        ...     _ = net[1].bias.copy_(torch.tensor([-100.0, 0.5, -100.0]))
        >>> x, y = torch.randn(16, 2), torch.randint(0, 2, (16,))
        >>> g = unit_preactivation_gradients(net, x, y)["2"]
        >>> g[0].item(), g[2].item()       # the two dead ReLU units get exactly nothing
        (0.0, 0.0)
    """
    names, captured, grads = _preactivation_gradients("unit_preactivation_gradients", model, x,
                                                      y, loss_fn, require_all=False)
    result = {}
    for n, g in zip(names, grads):
        z = captured[n]
        if g is None:
            g = torch.zeros_like(z)
        result[n] = g.detach().reshape(len(x), -1).double().norm(dim=0).cpu()
    return result


@torch.no_grad()
def effective_negative_slopes(activation, n: int = 10_000, *, value: float = -1.0,
                              training: bool | None = None) -> Tensor:
    r"""The slope an activation applies to a negative input, once per element:
    :math:`\phi(v) / v` for ``n`` copies of the negative number :math:`v` (``value``).

    For Leaky ReLU every element gets the same slope :math:`a`; for a randomised leaky ReLU
    (``torch.nn.RReLU`` in training mode) each element gets its own random slope, and in
    evaluation mode a fixed one. Measuring it is how the course checks what a library really
    does rather than what its documentation says.

    Args:
        activation: an ``nn.Module`` or a function of one tensor (e.g.
            ``relu_course.functional.leaky_relu``).
        n: how many elements to measure.
        value: the negative input used (default ``-1.0``). For activations that are linear on
            the negative side the result does not depend on it.
        training: for a module, the mode to measure in (``True``: training, ``False``:
            evaluation); the module's own mode is restored afterwards. ``None`` keeps the
            current mode. Must be ``None`` for a plain function.

    Returns:
        A float64 tensor of ``n`` slopes, on the CPU. The input is float64 unless the module
        has parameters (then their dtype and device). Random modules draw from torch's global
        generator, so seed it (:func:`relu_course.set_seed`) for repeatable numbers.

    Example:
        >>> from relu_course.modules import LeakyReLU
        >>> effective_negative_slopes(LeakyReLU(0.1), n=3).tolist()
        [0.1, 0.1, 0.1]
        >>> s = effective_negative_slopes(nn.RReLU(), n=4, training=False)
        >>> round(s[0].item(), 4)          # (1/8 + 1/3) / 2 in evaluation mode
        0.2292
    """
    n = check_int("effective_negative_slopes", "n", n, minimum=1)
    value = check_real("effective_negative_slopes", "value", value)
    if value >= 0:
        raise ValueError(f"effective_negative_slopes() expects a negative `value`, got {value}")
    if training is not None and not isinstance(training, bool):
        raise TypeError(f"effective_negative_slopes() expects `training` to be a bool or None, "
                        f"got {type(training).__name__}")
    if not callable(activation):
        raise TypeError(f"effective_negative_slopes() expects an nn.Module or a function, "
                        f"got {type(activation).__name__}")
    is_module = isinstance(activation, nn.Module)
    if training is not None and not is_module:
        raise ValueError("effective_negative_slopes(): `training` applies to an nn.Module only")
    device, dtype = torch.device("cpu"), torch.float64
    if is_module:
        first = next(activation.parameters(), None)           # follow a PReLU's weight
        if first is not None:
            device, dtype = first.device, first.dtype
    x = torch.full((n,), value, device=device, dtype=dtype)
    was_training = activation.training if is_module else None
    if training is not None:
        activation.train(training)
    try:
        out = activation(x)
    finally:
        if training is not None:
            activation.train(was_training)
    if not isinstance(out, Tensor) or out.shape != x.shape:
        raise ValueError("effective_negative_slopes(): the activation must return a tensor of "
                         "its input's shape")
    return (out.detach().double() / value).cpu()


# ---- challenges and limitations (chapter 12) --------------------------------------------------

_BORN_DEAD_INITS = ("he", "xavier", "lecun", "default")


@torch.no_grad()
def born_dead_fractions(width: int, max_depth: int, *, n_networks: int = 1000,
                        in_features: int = 2, n_inputs: int = 128, init: str = "he",
                        bias: float | None = None, activation: str = "relu",
                        activation_kwargs: dict | None = None, batch_norm: bool = False,
                        seed: int | None = None,
                        device: str | torch.device | None = None) -> Tensor:
    r"""Monte Carlo estimate of the probability that a randomly initialised fully connected
    network is *born dead* (Lu et al., 2020): constant on its inputs before any training.

    ``n_networks`` independent networks with ``max_depth`` hidden layers of ``width`` units are
    drawn and evaluated together (batched matrix products, so hundreds of tiny networks cost
    about as much as one) on the same ``n_inputs`` standard-normal inputs
    :math:`x \in \mathbb{R}^{d}`. A hidden layer whose outputs are **exactly 0 for every
    input** passes the same constant to every later layer (``activation(bias)``), so the
    network's output no longer depends on its input, and no gradient reaches the weights up to
    that layer. Entry :math:`l - 1` of the result is the share of networks that have such a
    layer among their first :math:`l` hidden layers, i.e. the estimated probability that a
    network with :math:`l` hidden layers is born dead (on these inputs; a network constant on
    a finite sample might still vary elsewhere).

    For one input :math:`x \ne 0`, weights drawn from a continuous distribution symmetric about
    0 and biases symmetric about 0 (or zero), each unit of a layer whose input is not all zeros
    is off with probability :math:`1/2`, independently, so

    .. math::
        P(\text{born dead}) \;\le\; P(\text{some layer is all zero at } x)
        \;=\; 1 - \prod_{l=1}^{L} \bigl(1 - 2^{-N_l}\bigr),

    which tends to 1 as the depth :math:`L` grows at a fixed width.

    Args:
        width: units per hidden layer, :math:`N`.
        max_depth: the deepest network considered, :math:`L`.
        n_networks: networks drawn (the estimate's standard error is at most
            :math:`0.5/\sqrt{n}`).
        in_features: input dimension :math:`d`.
        n_inputs: inputs on which "constant" is checked.
        init: weight scheme, as in :mod:`relu_course.models`: ``"he"``, ``"xavier"`` and
            ``"lecun"`` (normal weights, zero biases) or ``"default"`` (PyTorch's
            ``nn.Linear``: weights and biases :math:`U(\pm 1/\sqrt{\text{fan\_in}})`).
        bias: if given, every bias is set to this constant instead (e.g. a small positive
            value).
        activation: a name from :data:`relu_course.functional.FUNCTIONS`.
        activation_kwargs: keyword arguments for it, e.g. ``{"negative_slope": 0.01}``.
        batch_norm: normalise each unit's pre-activations over the inputs (mean 0, variance
            1, as batch normalisation does in training mode) before the activation.
        seed: seeds a private generator (weights and inputs); the global one is not used.
        device: where to compute (default: CPU).

    Returns:
        A float64 CPU tensor of shape ``(max_depth,)``, non-decreasing.

    Example:
        >>> dead = born_dead_fractions(2, 10, n_networks=2000)
        >>> bool(dead[0] == 0), bool(dead[-1] > 0.8)   # 1 layer never; 10 layers mostly
        (True, True)
        >>> float(born_dead_fractions(2, 10, activation="leaky_relu")[-1])
        0.0
    """
    from . import functional as F
    from ._validation import seed_or_base
    from .utils import get_device

    width = check_int("born_dead_fractions", "width", width, minimum=1)
    max_depth = check_int("born_dead_fractions", "max_depth", max_depth, minimum=1)
    n_networks = check_int("born_dead_fractions", "n_networks", n_networks, minimum=1)
    in_features = check_int("born_dead_fractions", "in_features", in_features, minimum=1)
    n_inputs = check_int("born_dead_fractions", "n_inputs", n_inputs, minimum=1)
    seed = seed_or_base("born_dead_fractions", seed)
    if init not in _BORN_DEAD_INITS:
        raise ValueError(f"born_dead_fractions(): unknown init {init!r}; valid: "
                         f"{', '.join(_BORN_DEAD_INITS)}")
    if bias is not None:
        bias = check_real("born_dead_fractions", "bias", bias)
    if not isinstance(activation, str) or activation not in F.FUNCTIONS:
        raise ValueError(f"born_dead_fractions(): unknown activation {activation!r}; valid: "
                         f"{', '.join(F.FUNCTIONS)}")
    if not isinstance(batch_norm, bool):
        raise TypeError(f"born_dead_fractions() expects `batch_norm` to be a bool, "
                        f"got {type(batch_norm).__name__}")
    act = F.FUNCTIONS[activation]
    kwargs = dict(activation_kwargs or {})
    act(torch.zeros(1), **kwargs)                       # fail early on a bad keyword argument
    device = torch.device("cpu") if device is None else get_device(device)

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_inputs, in_features, generator=g)                 # (B, d), shared
    h = x.to(device).expand(n_networks, n_inputs, in_features)          # (M, B, d)
    dead = torch.zeros(n_networks, dtype=torch.bool, device=device)
    fractions = []
    fan_in = in_features
    for _ in range(max_depth):
        shape = (n_networks, fan_in, width)                             # x @ W: (M, B, N)
        if init == "default":
            bound = fan_in ** -0.5
            w = (torch.rand(shape, generator=g) * 2 - 1) * bound
            b = (torch.rand(n_networks, 1, width, generator=g) * 2 - 1) * bound
        else:
            var = {"he": 2.0 / fan_in, "xavier": 2.0 / (fan_in + width),
                   "lecun": 1.0 / fan_in}[init]
            w = torch.randn(shape, generator=g) * var ** 0.5
            b = torch.zeros(n_networks, 1, width)
        if bias is not None:
            b = torch.full((n_networks, 1, width), bias)
        z = torch.baddbmm(b.to(device), h, w.to(device))                # (M, B, N)
        if batch_norm:
            mean = z.mean(dim=1, keepdim=True)
            var_z = z.var(dim=1, unbiased=False, keepdim=True)
            z = (z - mean) / torch.sqrt(var_z + 1e-5)
        h = act(z, **kwargs)
        dead |= (h == 0).flatten(1).all(dim=1)          # this layer is zero for every input
        fractions.append(dead.double().mean())
        fan_in = width
    return torch.stack(fractions).cpu()


def input_derivatives(model: nn.Module, x: Tensor, order: int = 2, *,
                      create_graph: bool = False) -> list[Tensor]:
    r"""The values and the first ``order`` derivatives of a one-input, one-output network,
    :math:`[f(x), f'(x), \dots, f^{(k)}(x)]`, by automatic differentiation.

    Each derivative is taken with :func:`torch.autograd.grad` of the previous one, summed over
    the batch (which is exact because each output depends on its own input only: do not use
    a model that mixes examples, such as batch normalisation in training mode). Where
    autograd finds that a derivative does not depend on :math:`x` at all -- as happens for the
    second derivative of a ReLU network, whose first derivative is piecewise constant -- the
    next derivative is returned as exact zeros.

    Args:
        model: maps ``(N, 1)`` inputs to ``(N, 1)`` outputs.
        x: the points, shape ``(N,)`` or ``(N, 1)``, on the model's device and dtype.
        order: the highest derivative, :math:`k \ge 0`.
        create_graph: keep the graph, so that the results can be differentiated again with
            respect to the model's parameters (as a physics-informed loss needs); by default
            the results are detached.

    Returns:
        ``order + 1`` tensors of shape ``(N,)``.

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> x = torch.linspace(-2, 2, 101)
        >>> f, df, d2f = input_derivatives(mlp(1, [16], 1, "relu"), x)
        >>> bool((d2f == 0).all())                 # zero wherever autograd looks
        True
        >>> f, df, d2f = input_derivatives(mlp(1, [16], 1, "tanh"), x)
        >>> bool((d2f != 0).all())
        True
    """
    check_tensor("input_derivatives", x, name="x")
    order = check_int("input_derivatives", "order", order, minimum=0)
    if not isinstance(create_graph, bool):
        raise TypeError(f"input_derivatives() expects `create_graph` to be a bool, "
                        f"got {type(create_graph).__name__}")
    if x.dim() == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() != 1 or len(x) == 0:
        raise ValueError(f"input_derivatives() expects x of shape (N,) or (N, 1) with N >= 1, "
                         f"got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError("input_derivatives() expects a floating-point x")
    xg = x.detach().clone().reshape(-1, 1).requires_grad_(True)        # (N, 1)
    with torch.enable_grad():
        out = model(xg)
        if tuple(out.shape) != (len(x), 1):
            raise ValueError(f"input_derivatives(): the model should map (N, 1) to (N, 1), "
                             f"got output shape {tuple(out.shape)}")
        results = [out[:, 0]]
        current = out
        for _ in range(order):
            grad = None
            if current.requires_grad:
                (grad,) = torch.autograd.grad(current.sum(), xg, create_graph=True,
                                              allow_unused=True)
            current = torch.zeros_like(xg) if grad is None else grad            # (N, 1)
            results.append(current[:, 0])
    if not create_graph:
        results = [r.detach() for r in results]
    return results


@torch.no_grad()
def confidence_along_rays(model: nn.Module, x: Tensor, scales) -> Tensor:
    r"""The classifier's confidence, :math:`\max_k \mathrm{softmax}(f(\alpha x))_k`, for every
    input ``x[i]`` scaled by every factor :math:`\alpha` in ``scales``.

    For a ReLU network (biases included) Hein et al. (2019) prove that along almost every ray
    :math:`\alpha x` the confidence tends to 1 as :math:`\alpha \to \infty`: far from the
    origin the ray stays in one linear region, where the logits are
    :math:`\alpha V x + c`, an affine function of :math:`\alpha`.

    The model is evaluated in eval mode and restored to its previous mode.

    Args:
        model: a classifier returning logits of shape ``(N, classes)``.
        x: the inputs, on the model's device.
        scales: the factors :math:`\alpha` (a sequence, array or 1-D tensor of finite numbers).

    Returns:
        A tensor of shape ``(len(scales), N)`` (on ``x``'s device, float32 or the model's
        dtype).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> conf = confidence_along_rays(mlp(4, [32], 3), torch.randn(5, 4), [1.0, 1e4])
        >>> conf.shape, bool((conf[1] > 0.99).all())
        (torch.Size([2, 5]), True)
    """
    check_tensor("confidence_along_rays", x, name="x")
    if len(x) == 0:
        raise ValueError("confidence_along_rays(): x holds no examples")
    if isinstance(scales, Tensor):
        factors = scales.detach().cpu().double().reshape(-1).tolist()
    elif isinstance(scales, (str, bytes)) or not hasattr(scales, "__iter__"):
        raise TypeError(f"confidence_along_rays() expects `scales` to be a sequence of numbers, "
                        f"got {type(scales).__name__}")
    else:
        factors = [check_real("confidence_along_rays", "scale", s) for s in scales]
    if not factors:
        raise ValueError("confidence_along_rays() needs at least one scale")
    with eval_mode(model):
        rows = [torch.softmax(model(alpha * x), dim=1).max(dim=1).values for alpha in factors]
    return torch.stack(rows)


def per_example_weight_gradients(model: nn.Module, x: Tensor, y: Tensor,
                                 loss_fn=None) -> dict[str, Tensor]:
    r"""The gradient of the loss of *each example* with respect to the weight of every
    ``Linear``/``Conv2d`` layer: ``{layer name: tensor of shape (N, *weight.shape)}``.

    For a linear layer :math:`z = W h + b`, the gradient of one example's loss is the outer
    product :math:`\partial L / \partial W = \delta\, h^\top` with
    :math:`\delta = \partial L / \partial z`: row :math:`j` (the weights into unit :math:`j`)
    is :math:`\delta_j\, h`. If every entry of :math:`h` is :math:`\ge 0` -- as ReLU outputs
    are -- all the non-zero entries of that row share the sign of :math:`\delta_j`.

    Computed with ``torch.func`` (``vmap`` of ``grad``), without changing the model or leaving
    ``.grad`` behind; the model must treat examples independently (no batch normalisation in
    training mode).

    Args:
        model: a network with ``Linear`` or ``Conv2d`` layers.
        x: a batch of inputs on the model's device.
        y: the targets, one per input.
        loss_fn: ``loss_fn(logits, y)`` for a batch of one (default cross-entropy).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> grads = per_example_weight_gradients(mlp(3, [4], 2), torch.randn(5, 3),
        ...                                      torch.tensor([0, 1, 0, 1, 1]))
        >>> {name: tuple(g.shape) for name, g in grads.items()}
        {'1': (5, 4, 3), '3': (5, 2, 4)}
    """
    from torch.func import functional_call, grad, vmap

    check_batch("per_example_weight_gradients", x, y)
    layers = [name for name, m in model.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if not layers:
        raise ValueError("per_example_weight_gradients(): the model has no Linear or Conv2d "
                         "layers")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    weights = {f"{name}.weight": name for name in layers}

    def one_loss(trainable, xi, yi):
        merged = {**params, **trainable}
        out = functional_call(model, (merged, buffers), (xi.unsqueeze(0),))
        return loss_fn(out, yi.unsqueeze(0))

    trainable = {k: params[k] for k in weights}
    grads = vmap(grad(one_loss), in_dims=(None, 0, 0))(trainable, x, y)
    return {weights[k]: g for k, g in grads.items()}


def relu_kink_sensitivity(model: nn.Module, x: Tensor, y: Tensor, *,
                          batch_size: int | None = None, loss_fn=None) -> list[dict]:
    r"""For each mini-batch, how many pre-activations are exactly 0, and how much the weight
    gradient changes between :math:`\mathrm{ReLU}'(0) = 0` and :math:`\mathrm{ReLU}'(0) = 1`
    (the experiment of Bertoin et al., 2021, in miniature).

    The model's activation layers must include :class:`relu_course.modules.ReLUKink` layers;
    their ``grad_at_zero`` is set to 0, then to 1, and restored afterwards. For each batch
    (consecutive slices of ``x`` of ``batch_size`` examples) the result holds

    * ``"zeros"``: the number of pre-activations of those layers that are exactly 0;
    * ``"difference"``: :math:`\lVert g_1 - g_0 \rVert / \lVert g_0 \rVert`, the relative
      change of the gradient with respect to all parameters (computed in float64 from the
      two gradients as the model's dtype gives them; ``0.0`` when they are bitwise equal).

    Wherever no pre-activation is exactly 0 the two gradients are identical, bit for bit.

    Args:
        model: a network whose ReLU layers are ``ReLUKink`` (build it with
            ``mlp(..., activation=lambda width: ReLUKink())``).
        x, y: the data, on the model's device (and ``x`` in its dtype).
        batch_size: examples per batch (default: all in one batch).
        loss_fn: ``loss_fn(logits, y)``, cross-entropy by default.

    Example:
        >>> from relu_course.models import mlp
        >>> from relu_course.modules import ReLUKink
        >>> _ = torch.manual_seed(0)
        >>> net = mlp(2, [8], 2, activation=lambda width: ReLUKink(), init="he")
        >>> x = torch.cat([torch.zeros(1, 2), torch.randn(3, 2)])  # zero input, zero bias
        >>> sensitivity = relu_kink_sensitivity(net, x, torch.tensor([0, 1, 0, 1]))
        >>> sensitivity[0]["zeros"], sensitivity[0]["difference"] > 0
        (8, True)
    """
    from .modules import ReLUKink

    check_batch("relu_kink_sensitivity", x, y)
    size = len(x) if batch_size is None else check_int("relu_kink_sensitivity", "batch_size",
                                                        batch_size, minimum=1)
    kinks = [m for m in model.modules() if isinstance(m, ReLUKink)]
    if not kinks:
        raise ValueError("relu_kink_sensitivity(): the model has no ReLUKink layers; build it "
                         "with activation=lambda width: ReLUKink()")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    params = [p for p in model.parameters() if p.requires_grad]
    saved = [m.grad_at_zero for m in kinks]
    zeros_seen: list[int] = []
    handles = [m.register_forward_hook(
        lambda _m, inputs, _out: zeros_seen.append(int((inputs[0] == 0).sum())))
        for m in kinks]
    results = []
    try:
        for start in range(0, len(x), size):
            xb, yb = x[start:start + size], y[start:start + size]
            grads = []
            for s in (0.0, 1.0):
                for m in kinks:
                    m.grad_at_zero = s
                zeros_seen.clear()
                loss = loss_fn(model(xb), yb)
                grads.append(torch.cat([g.reshape(-1) for g in
                                        torch.autograd.grad(loss, params)]).double())
            zeros = sum(zeros_seen)
            base = grads[0].norm().item()
            gap = (grads[1] - grads[0]).norm().item()
            results.append({"zeros": zeros, "difference": gap / base if base > 0 else gap})
    finally:
        for m, s in zip(kinks, saved):
            m.grad_at_zero = s
        for h in handles:
            h.remove()
    return results
