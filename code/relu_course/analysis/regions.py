r"""Linear regions of ReLU networks: which units are active, which linear piece an input falls in,
and how many pieces meet a 2-D window (Montufar et al., 2014).

* :func:`activation_pattern` -- Boolean matrix ``(N, total units)``: which units output a
  positive value for each input.
* :func:`linear_region_ids` -- An integer id per input (``int64``, shape ``(N,)``); equal ids
  mean equal activation patterns, i.e.
* :class:`RegionGrid` -- Linear-region ids on a regular 2-D grid (row ``i`` is ``ys[i]``, column
  ``j`` is ``xs[j]``).
* :func:`linear_region_grid` -- Evaluate the linear-region id of a 2-input network on a
  ``resolution x resolution`` grid.
* :func:`count_linear_regions` -- Number of linear regions of a 2-input ReLU network that meet
  the window (grid estimate, a lower bound).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor
from .hooks import record_activations

__all__ = ["activation_pattern", "linear_region_ids", "RegionGrid", "linear_region_grid",
           "count_linear_regions"]


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
        >>> from relu_course.activations import modules as M
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
    resolution = check_int("linear_region_grid", "resolution", resolution, ge=2)
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
