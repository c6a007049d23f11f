r"""Activation functions and other curves on one x grid.

* :func:`plot_activations` -- Plot activation functions (left) and their derivatives (right)
  from the package.
* :func:`plot_curves` -- Plot named curves :math:`y = f(x)` on one grid of :math:`x` values.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch
from torch import nn

from .._validation import as_float_array
from ..activations.registry import DERIVATIVES, FUNCTIONS
from ..utils import eval_mode
from .theme import _LINESTYLES, MARKERS, PALETTE, _curve, _figure_and_axes, _finish, _label_value, style

__all__ = ["plot_activations", "plot_curves"]


def _curves(names) -> list[tuple[str, dict]]:
    if isinstance(names, str):
        names = [names]
    items = list(names.items()) if isinstance(names, Mapping) else list(names)
    spec = []
    for item in items:
        name, kwargs = (item, {}) if isinstance(item, str) else item
        if name not in FUNCTIONS:
            raise ValueError(f"plot_activations(): unknown activation {name!r}; "
                             f"valid: {', '.join(FUNCTIONS)}")
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

    ``names`` is a name from :data:`relu_course.activations.registry.FUNCTIONS`, a list of
    names, a list of ``(name, keyword arguments)`` pairs (to draw one function with several
    settings) or a mapping ``{name: keyword arguments}``, e.g.
    ``{"leaky_relu": {"negative_slope": 0.1}}``. Where a derivative jumps at 0, the line is broken and a dot
    marks the value autograd returns at exactly 0.

    Returns the matplotlib figure.

    Example:
        >>> fig = plot_activations(["relu", ("leaky_relu", {"negative_slope": 0.1})])
        >>> [ax.get_title() for ax in fig.axes]
        ['activation', "derivative (autograd's value)"]
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
            y = FUNCTIONS[name](x, **kwargs).numpy()
            ax_f.plot(xn, y, color=colour, label=label)
            if derivatives:
                d = DERIVATIVES[name](x, **kwargs).numpy()
                ax_d.plot(xn, _curve(xn, d), color=colour, label=label)
                left = DERIVATIVES[name](zero - 1e-6, **kwargs).item()
                right = DERIVATIVES[name](zero + 1e-6, **kwargs).item()
                if abs(right - left) > 1e-3:          # a jump at 0: show the chosen value
                    at0 = DERIVATIVES[name](zero, **kwargs).item()
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


def _values_on_grid(label: str, curve, x: torch.Tensor) -> np.ndarray:
    """Evaluate one entry of :func:`plot_curves` on the grid ``x`` (1-D float64)."""
    n = x.numel()
    if isinstance(curve, nn.Module):                   # a network with one input: (n, 1) -> (n, 1)
        p = next(curve.parameters(), None)
        dtype = p.dtype if p is not None else x.dtype
        device = p.device if p is not None else x.device
        with torch.no_grad(), eval_mode(curve):
            out = curve(x.to(device=device, dtype=dtype).reshape(n, 1))
    elif callable(curve):
        with torch.no_grad():
            out = curve(x)
    else:
        out = curve
    values = as_float_array("plot_curves", f"curve {label!r} (a callable or an array)",
                            out).reshape(-1)
    if values.size == 1:
        values = np.full(n, values[0])
    if values.size != n:
        raise ValueError(f"plot_curves(): curve {label!r} has {values.size} values for "
                         f"{n} x values")
    return values


def plot_curves(curves: Mapping[str, object], x=None, *, x_range=(-4.0, 4.0), num: int = 801,
                ax=None, title: str | None = None, xlabel: str = "$x$",
                ylabel: str | None = None, scatter: Mapping[str, tuple] | None = None,
                break_jumps: float | None = None, markers: bool = True):
    r"""Plot named curves :math:`y = f(x)` on one grid of :math:`x` values.

    Each curve is told apart by colour (the palette), line style and marker shape, so the plot
    also reads in greyscale. Use it for functions that are not in
    ``relu_course.activations.registry.FUNCTIONS`` (a step function, say), for a target curve
    and the networks that approximate it, or for any measured values on a common grid.

    Args:
        curves: ``{label: curve}`` where a curve is a callable applied to the grid (a 1-D
            float64 tensor), a network with one input and one output (an ``nn.Module``, called
            on the grid as a column of shape ``(N, 1)`` in its own dtype and device), or an
            array of values, one per grid point.
        x: the grid (1-D); by default ``num`` points spanning ``x_range``, with :math:`x = 0`
            included exactly when it lies inside.
        ax: an axis to draw on (default: a new figure).
        title, xlabel, ylabel: labels.
        scatter: ``{label: (xs, ys)}``: points to mark without lines (knots, data).
        break_jumps: break a line where two neighbouring values differ by more than this, so a
            discontinuity is not drawn as a vertical edge (default: never).
        markers: add each curve's marker at a few points.

    Returns:
        The matplotlib figure.

    Example:
        >>> from relu_course.activations import functional as F
        >>> step = lambda x: (x > 0).double()
        >>> fig = plot_curves({"step": step, "relu": F.relu}, x_range=(-2, 2), break_jumps=0.5)
        >>> [line.get_label() for line in fig.axes[0].get_lines()][:2]
        ['step', 'relu']
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("plot_curves() expects a non-empty mapping {label: curve}")
    if x is None:
        lo, hi = float(x_range[0]), float(x_range[1])
        if not lo < hi:
            raise ValueError(f"plot_curves(): empty x_range {x_range}")
        if isinstance(num, bool) or not isinstance(num, int) or num < 2:
            raise ValueError(f"plot_curves() expects `num` to be an int >= 2, got {num!r}")
        grid = torch.linspace(lo, hi, num, dtype=torch.float64)
        if lo < 0 < hi:                                   # sample x = 0 exactly
            grid = torch.sort(torch.cat([grid, torch.zeros(1, dtype=torch.float64)])).values
    else:
        grid = torch.as_tensor(as_float_array("plot_curves", "the grid `x`", x)).reshape(-1)
        if grid.numel() < 2:
            raise ValueError("plot_curves() expects a grid `x` of at least 2 points")
    if break_jumps is not None and not break_jumps > 0:
        raise ValueError(f"plot_curves() expects `break_jumps` > 0, got {break_jumps}")
    xn = grid.numpy()
    values = {str(label): _values_on_grid(str(label), curve, grid)
              for label, curve in curves.items()}
    n = len(values)
    every = max(1, len(xn) // 10)
    with style():
        fig, ax = _figure_and_axes(ax, figsize=(4.8, 3.2))
        for i, (label, y) in enumerate(values.items()):
            shown = _curve(xn, y, jump=break_jumps) if break_jumps is not None else y
            style_kw = dict(color=PALETTE[i % len(PALETTE)],
                            linestyle=_LINESTYLES[i % len(_LINESTYLES)])
            if markers:
                style_kw.update(marker=MARKERS[i % len(MARKERS)], markersize=5,
                                markevery=((i * every) // n, every))
            ax.plot(xn, shown, label=label, **style_kw)
        for j, (label, pts) in enumerate((scatter or {}).items()):
            if not isinstance(pts, (tuple, list)) or len(pts) != 2:
                raise TypeError(f"plot_curves(): scatter {label!r} must be a pair (xs, ys) "
                                f"of numbers")
            xs, ys = (as_float_array("plot_curves", f"scatter {label!r}", t).reshape(-1)
                      for t in pts)
            if xs.shape != ys.shape:
                raise ValueError(f"plot_curves(): scatter {label!r} has {xs.size} x values "
                                 f"and {ys.size} y values")
            ax.scatter(xs, ys, s=28, marker=MARKERS[(n + j) % len(MARKERS)], color=PALETTE[7],
                       zorder=3, label=str(label))
        everything = np.concatenate(list(values.values()))
        finite = everything[np.isfinite(everything)]
        if finite.size and finite.min() <= 0 <= finite.max():
            ax.axhline(0, color="0.5", linewidth=0.8)
        _finish(fig, ax, xlabel, ylabel, title)
    return fig
