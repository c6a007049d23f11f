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
]

#: Module types treated as activation layers: the course's own and their torch.nn namesakes.
ACTIVATION_TYPES = (
    M.ReLU, M.LeakyReLU, M.PReLU, M.ELU, M.SELU, M.GELU, M.SiLU, M.Mish, M.Softplus, M.Sigmoid,
    M.Tanh, nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.GELU, nn.SiLU, nn.Mish,
    nn.Softplus, nn.Sigmoid, nn.Tanh, nn.RReLU, nn.CELU,
)


def activation_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` for every activation layer of ``model``, in registration order.

    Raises:
        ValueError: if the model has none.
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
    """
    check_tensor("activation_pattern", x, name="x")
    with record_activations(model) as acts:
        model(x)
    return torch.cat([outs[-1].reshape(len(x), -1) > 0 for outs in acts.values()], dim=1)


@torch.no_grad()
def linear_region_ids(model: nn.Module, x: Tensor) -> Tensor:
    """An integer id per input (``int64``, shape ``(N,)``); equal ids mean equal activation
    patterns, i.e. the same linear region. Ids are numbered 0, 1, ... in sorted pattern order."""
    pattern = activation_pattern(model, x)
    _, ids = torch.unique(pattern, dim=0, return_inverse=True)
    return ids


@dataclass(frozen=True)
class RegionGrid:
    """Linear-region ids on a regular 2-D grid (row ``i`` is ``ys[i]``, column ``j`` is ``xs[j]``)."""

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
    a lower bound)."""
    return linear_region_grid(model, xlim, ylim, resolution).count


@torch.no_grad()
def dead_unit_fraction(model: nn.Module, x: Tensor) -> dict[str, float]:
    """For each activation layer, the fraction of its units that are never positive on ``x``
    (a "dead" ReLU outputs zero for every input, so it also gets no gradient)."""
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
    """Summary of one activation layer's values over a batch (all units and examples)."""

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
