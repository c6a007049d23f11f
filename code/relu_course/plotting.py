"""One figure style for the whole course, and the plots the chapters share.

The palette is Okabe & Ito's colour-blind-safe set; classes are also told apart by marker
shape. Styles are applied with a context manager inside each function, so importing this
module or calling a plot never changes matplotlib's global settings.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.colors import ListedColormap, to_rgb
from torch import nn

from . import functional as F
from .diagnostics import RegionGrid

__all__ = ["PALETTE", "MARKERS", "STYLE", "style", "subplots", "plot_activations",
           "plot_linear_regions", "plot_histories"]

#: Okabe-Ito colours (colour-blind safe), in the order the course uses them.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
#: Marker shapes paired with the palette, so series differ by more than colour.
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")

#: Matplotlib settings applied (temporarily) by every plot in the package.
STYLE = {
    "figure.dpi": 100,
    "figure.figsize": (7.0, 3.2),
    "axes.prop_cycle": plt.cycler(color=PALETTE),
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "legend.frameon": False,
    "legend.fontsize": 9,
    "lines.linewidth": 2.0,
    "font.size": 10,
}


@contextmanager
def style():
    """Context manager applying :data:`STYLE` for the figures created inside it.

    Only the keys of :data:`STYLE` are set and restored: ``plt.rc_context`` would also restore
    settings that Jupyter's inline backend switches on the first time a figure is made (such as
    interactive mode), and later figures would then not be shown.
    """
    saved = {key: plt.rcParams[key] for key in STYLE}
    plt.rcParams.update(STYLE)
    try:
        yield
    finally:
        plt.rcParams.update(saved)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs):
    """``plt.subplots`` in the course style, for figures that combine several of the plots below
    (pass each axis as ``ax=``). Returns ``(figure, axes)`` like matplotlib."""
    with style():
        return plt.subplots(nrows, ncols, **kwargs)


def _curve(x: np.ndarray, y: np.ndarray, jump: float = 0.2) -> np.ndarray:
    """Break a plotted curve where it jumps (a NaN stops the line instead of a vertical edge)."""
    y = y.astype(float).copy()
    gaps = np.abs(np.diff(y)) > jump
    y[1:][gaps] = np.nan
    return y


def _label_value(value) -> str:
    if isinstance(value, torch.Tensor):
        value = value.item()
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def _curves(names) -> list[tuple[str, dict]]:
    if isinstance(names, str):
        names = [names]
    items = list(names.items()) if isinstance(names, Mapping) else list(names)
    spec = []
    for item in items:
        name, kwargs = (item, {}) if isinstance(item, str) else item
        if name not in F.FUNCTIONS:
            raise ValueError(f"plot_activations(): unknown activation {name!r}; "
                             f"valid: {', '.join(F.FUNCTIONS)}")
        kwargs = dict(kwargs)
        if name == "prelu":      # a slope to draw with: PyTorch's initial 0.25 unless given
            kwargs["weight"] = torch.as_tensor(kwargs.get("weight", 0.25),
                                               dtype=torch.float64).reshape(-1)
            if kwargs["weight"].numel() != 1:
                raise ValueError("plot_activations(): draw PReLU with a single slope")
        spec.append((name, kwargs))
    if not spec:
        raise ValueError("plot_activations() needs at least one activation name")
    return spec


def plot_activations(names, *, x_range=(-4.0, 4.0), derivatives: bool = True,
                     points: int = 801, title: str | None = None):
    """Plot activation functions (left) and their derivatives (right) from the package.

    ``names`` is a name from :data:`relu_course.functional.FUNCTIONS`, a list of names, a list
    of ``(name, keyword arguments)`` pairs (to draw one function with several settings) or a
    mapping ``{name: keyword arguments}``, e.g. ``{"leaky_relu": {"negative_slope": 0.1}}``.
    Where a derivative jumps at 0, the line is broken and a dot marks the value autograd
    returns at exactly 0.

    Returns the matplotlib figure.
    """
    spec = _curves(names)
    lo, hi = float(x_range[0]), float(x_range[1])
    if not lo < hi:
        raise ValueError(f"plot_activations(): empty x_range {x_range}")
    x = torch.linspace(lo, hi, points, dtype=torch.float64)
    if lo < 0 < hi:                                   # make sure x = 0 is sampled exactly
        x = torch.sort(torch.cat([x, torch.zeros(1, dtype=torch.float64)])).values
    zero = torch.zeros(1, dtype=torch.float64)
    xn = x.numpy()
    with style():
        ncols = 2 if derivatives else 1
        fig, axes = plt.subplots(1, ncols, figsize=(3.6 * ncols + 0.4, 3.2), squeeze=False)
        ax_f, ax_d = axes[0][0], (axes[0][1] if derivatives else None)
        for i, (name, kwargs) in enumerate(spec):
            colour, label = PALETTE[i % len(PALETTE)], name
            if kwargs:
                label += " (" + ", ".join(f"{k}={_label_value(v)}" for k, v in kwargs.items()) + ")"
            y = F.FUNCTIONS[name](x, **kwargs).numpy()
            ax_f.plot(xn, y, color=colour, label=label)
            if derivatives:
                d = F.DERIVATIVES[name](x, **kwargs).numpy()
                ax_d.plot(xn, _curve(xn, d), color=colour, label=label)
                left = F.DERIVATIVES[name](zero - 1e-6, **kwargs).item()
                right = F.DERIVATIVES[name](zero + 1e-6, **kwargs).item()
                if abs(right - left) > 1e-3:          # a jump at 0: show the chosen value
                    at0 = F.DERIVATIVES[name](zero, **kwargs).item()
                    ax_d.plot([0.0], [at0], "o", color=colour, markersize=6)
        ax_f.set(xlabel="$x$", ylabel="$f(x)$", title="activation")
        ax_f.axhline(0, color="0.5", linewidth=0.8)
        ax_f.legend(loc="upper left")
        if derivatives:
            ax_d.set(xlabel="$x$", ylabel="$f'(x)$", title="derivative (autograd's value)")
            ax_d.axhline(0, color="0.5", linewidth=0.8)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
    return fig


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
    :func:`relu_course.diagnostics.linear_region_grid`), their borders in dark grey and,
    optionally, the decision boundary of a 2-class ``model`` and labelled points ``data = (x, y)``.

    Returns the matplotlib figure.
    """
    if not isinstance(grid, RegionGrid):
        raise TypeError(f"plot_linear_regions() expects a RegionGrid, got {type(grid).__name__}")
    ids = grid.ids.numpy()
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(4.2, 4.0))
        else:
            fig = ax.figure
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


def plot_histories(histories: Mapping[str, object], metric: str = "train_loss", *, ax=None,
                   log: bool = False):
    """Plot one metric of several :class:`relu_course.train.History` objects against epochs.

    Returns the matplotlib figure.
    """
    if not histories:
        raise ValueError("plot_histories() needs at least one history")
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(4.8, 3.2))
        else:
            fig = ax.figure
        for i, (label, h) in enumerate(histories.items()):
            values = getattr(h, metric, None)
            if values is None:
                raise ValueError(f"plot_histories(): histories have no metric {metric!r}")
            ax.plot(range(1, len(values) + 1), values, label=label, color=PALETTE[i % len(PALETTE)],
                    marker=MARKERS[i % len(MARKERS)], markevery=max(1, len(values) // 8), markersize=5)
        ax.set(xlabel="epoch", ylabel=metric.replace("_", " "))
        if log:
            ax.set_yscale("log")
        ax.legend()
        fig.tight_layout()
    return fig
