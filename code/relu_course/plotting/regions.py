r"""Decision boundaries and the linear regions of ReLU networks in 2-D.

* :func:`plot_linear_regions` -- Draw the linear regions of a 2-input ReLU network (from
  :func:`relu_course.analysis.regions.linear_region_grid`)
* :func:`plot_decision_boundaries` -- Decision regions of one or more classifiers with two
  inputs, one panel each, with the labelled points drawn on top.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import ListedColormap, to_rgb
from torch import nn

from ..analysis.regions import RegionGrid
from ..utils import eval_mode
from .theme import MARKERS, PALETTE, _figure_and_axes, style

__all__ = ["plot_linear_regions", "plot_decision_boundaries"]


def _region_colours(n: int) -> ListedColormap:
    """Light colours for ``n`` regions, shuffled so that neighbouring ids look different."""
    base = [np.array(to_rgb(c)) for c in PALETTE[:7]]
    tints = [0.22, 0.36, 0.5]
    colours = [1 - (1 - b) * t for t in tints for b in base]          # tints of the palette
    order = np.random.default_rng(0).permutation(max(n, 1))
    return ListedColormap([colours[k % len(colours)] for k in order])


def plot_linear_regions(grid: RegionGrid, *, ax=None, model: nn.Module | None = None,
                        data: tuple | None = None, title: str | None = None):
    """Draw the linear regions of a 2-input ReLU network (from
    :func:`relu_course.analysis.regions.linear_region_grid`), their borders in dark grey and,
    optionally, the decision boundary of a 2-class ``model`` and labelled points ``data = (x, y)``.

    Returns the matplotlib figure.

    Example:
        >>> from relu_course.analysis import linear_region_grid
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> grid = linear_region_grid(mlp(2, [6], 2), resolution=100)
        >>> fig = plot_linear_regions(grid)
        >>> fig.axes[0].get_title() == f"{grid.count} linear regions"
        True
    """
    if not isinstance(grid, RegionGrid):
        raise TypeError(f"plot_linear_regions() expects a RegionGrid, got {type(grid).__name__}")
    ids = grid.ids.numpy()
    with style():
        fig, ax = _figure_and_axes(ax, figsize=(4.2, 4.0))
        ax.imshow(ids, origin="lower", extent=grid.extent, cmap=_region_colours(int(ids.max()) + 1),
                  interpolation="nearest", aspect="auto")
        border = np.zeros(ids.shape, dtype=bool)
        border[:, 1:] |= ids[:, 1:] != ids[:, :-1]
        border[1:, :] |= ids[1:, :] != ids[:-1, :]
        overlay = np.zeros(ids.shape + (4,))
        overlay[border] = (0.2, 0.2, 0.2, 0.9)
        ax.imshow(overlay, origin="lower", extent=grid.extent, interpolation="nearest", aspect="auto")
        if model is not None:
            device = next((p.device for p in model.parameters()), torch.device("cpu"))
            with torch.no_grad():
                logits = model(grid.points().to(device))
            if logits.shape[1] != 2:
                raise ValueError("plot_linear_regions(): a decision boundary needs a 2-class model")
            margin = (logits[:, 1] - logits[:, 0]).reshape(ids.shape).cpu().numpy()
            ax.contour(grid.xs.numpy(), grid.ys.numpy(), margin, levels=[0.0],
                       colors=PALETTE[7], linewidths=2.0)
        if data is not None:
            xs, ys = (torch.as_tensor(t).cpu() for t in data)
            for c in torch.unique(ys).tolist():
                pts = xs[ys == c]
                ax.scatter(pts[:, 0], pts[:, 1], s=12, marker=MARKERS[c % len(MARKERS)],
                           color=PALETTE[c % len(PALETTE)], edgecolors="white", linewidths=0.4,
                           label=f"class {c}")
            ax.legend(loc="upper right", frameon=True)
        ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=grid.extent[:2], ylim=grid.extent[2:])
        ax.grid(False)
        ax.set_title(title if title is not None else f"{grid.count} linear regions")
        fig.tight_layout()
    return fig


def _points_and_labels(data) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x, y)`` on the CPU from a Dataset (its training part) or a pair."""
    from ..data.datasets import Dataset

    if isinstance(data, Dataset):
        x, y = data.x_train, data.y_train
    elif isinstance(data, (tuple, list)) and len(data) == 2:
        x, y = data
    else:
        raise TypeError("plot_decision_boundaries() expects `data` to be a relu_course Dataset "
                        f"or a pair (x, y), got {type(data).__name__}")
    x = torch.as_tensor(x).detach().cpu()
    y = torch.as_tensor(y).detach().cpu()
    if x.dim() != 2 or x.shape[1] != 2:
        raise ValueError(f"plot_decision_boundaries() needs 2-D inputs of shape (N, 2), got "
                         f"{tuple(x.shape)}")
    if y.shape != (len(x),) or y.is_floating_point():
        raise ValueError("plot_decision_boundaries() needs one integer label per point")
    return x.float(), y.long()


def plot_decision_boundaries(models, data, *, axes=None, xlim=None, ylim=None,
                             resolution: int = 200, panel_size=(3.4, 3.2)):
    r"""Decision regions of one or more classifiers with two inputs, one panel each, with the
    labelled points drawn on top.

    Each panel colours the plane by the class the model predicts (the largest logit; for a
    model with a single output, class 1 where it is positive), in light tints of the class
    colours, and draws the decision boundary in black: where the logit of a class equals the
    largest of the others. Points are drawn with the class's colour and marker shape.

    Args:
        models: a model, or ``{title: model}`` for several panels. A model maps ``(N, 2)``
            inputs to ``(N, classes)`` logits (or ``(N, 1)``).
        data: a :class:`relu_course.data.datasets.Dataset` (its training points are drawn) or a pair
            ``(x, y)`` of inputs ``(N, 2)`` and integer labels ``(N,)``.
        axes: axes to draw on, one per model (default: a new figure with the panels in a row).
        xlim, ylim: the window (default: the points' range with a 10% margin).
        resolution: grid points per side at which the models are evaluated.
        panel_size: size of one panel in inches, for a new figure.

    Returns:
        The matplotlib figure.

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> data = load("xor", n_samples=64)
        >>> fig = plot_decision_boundaries({"linear": mlp(2, [], 2), "MLP": mlp(2, [8], 2)}, data)
        >>> [ax.get_title() for ax in fig.axes]
        ['linear', 'MLP']
    """
    if isinstance(models, nn.Module):
        models = {"": models}
    if not isinstance(models, Mapping) or not models:
        raise ValueError("plot_decision_boundaries() expects a model or a non-empty mapping "
                         "{title: model}")
    for title, model in models.items():
        if not isinstance(model, nn.Module):
            raise TypeError(f"plot_decision_boundaries(): {title!r} is not an nn.Module "
                            f"({type(model).__name__})")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"plot_decision_boundaries() expects `resolution` to be an int >= 2, "
                         f"got {resolution!r}")
    x, y = _points_and_labels(data)
    limits = []
    for lim, column in ((xlim, x[:, 0]), (ylim, x[:, 1])):
        if lim is None:
            lo, hi = column.min().item(), column.max().item()
            pad = 0.1 * max(hi - lo, 1e-3)
            lim = (lo - pad, hi + pad)
        lo, hi = float(lim[0]), float(lim[1])
        if not lo < hi:
            raise ValueError(f"plot_decision_boundaries(): empty window {lim}")
        limits.append((lo, hi))
    (x0, x1), (y0, y1) = limits
    xs = torch.linspace(x0, x1, resolution)
    ys = torch.linspace(y0, y1, resolution)
    gx, gy = torch.meshgrid(xs, ys, indexing="xy")                # (res, res), rows = y
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)  # (res * res, 2)

    with style():
        if axes is None:
            width, height = panel_size
            fig, axes = plt.subplots(1, len(models), figsize=(width * len(models), height),
                                     squeeze=False)
        axes = list(np.ravel(np.asarray(axes, dtype=object)))
        if len(axes) < len(models):
            raise ValueError(f"plot_decision_boundaries(): {len(models)} models but only "
                             f"{len(axes)} axes")
        fig = axes[0].figure
        for k, (ax, (title, model)) in enumerate(zip(axes, models.items())):
            p = next(model.parameters(), None)
            with torch.no_grad(), eval_mode(model):
                logits = model(points.to(p.device if p is not None else "cpu",
                                         p.dtype if p is not None else torch.float32))
            logits = logits.detach().to("cpu", torch.float64)
            if logits.dim() != 2 or logits.shape[0] != len(points):
                raise ValueError(f"plot_decision_boundaries(): {title!r} should return "
                                 f"(N, classes) logits, got {tuple(logits.shape)}")
            if logits.shape[1] == 1:                                  # one logit: its sign
                logits = torch.cat([torch.zeros_like(logits), logits], dim=1)
            classes = max(logits.shape[1], int(y.max()) + 1)
            predicted = logits.argmax(dim=1).reshape(resolution, resolution).numpy()
            tints = [1 - (1 - np.array(to_rgb(PALETTE[c % 7]))) * 0.3 for c in range(classes)]
            ax.imshow(predicted, origin="lower", extent=(x0, x1, y0, y1), aspect="auto",
                      cmap=ListedColormap(tints), vmin=-0.5, vmax=classes - 0.5,
                      interpolation="nearest")
            pairs = [1] if logits.shape[1] == 2 else range(logits.shape[1])
            for c in pairs:                      # boundary of class c: its logit = best other
                others = torch.cat([logits[:, :c], logits[:, c + 1:]], dim=1).max(dim=1).values
                margin = (logits[:, c] - others).reshape(resolution, resolution).numpy()
                if margin.min() < 0 < margin.max():
                    ax.contour(xs.numpy(), ys.numpy(), margin, levels=[0.0],
                               colors=PALETTE[7], linewidths=1.8)
            for c in torch.unique(y).tolist():
                pts = x[y == c]
                ax.scatter(pts[:, 0], pts[:, 1], s=12, marker=MARKERS[c % len(MARKERS)],
                           color=PALETTE[c % 7], edgecolors="white", linewidths=0.4,
                           label=f"class {c}")
            if k == 0:
                ax.legend(loc="upper right", frameon=True)
            ax.set(xlabel="$x_1$", ylabel="$x_2$", xlim=(x0, x1), ylim=(y0, y1))
            ax.set_title(str(title))
            ax.grid(False)
        fig.tight_layout()
    return fig
