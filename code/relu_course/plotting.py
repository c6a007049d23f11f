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
from .utils import eval_mode

__all__ = ["PALETTE", "MARKERS", "STYLE", "style", "subplots", "plot_activations",
           "plot_linear_regions", "plot_histories", "plot_distributions",
           "plot_curves", "plot_decision_boundaries", "plot_timeline",
           "plot_layer_profile", "plot_seed_band", "plot_prelu_slopes", "plot_spread",
           "MONITOR_LABELS", "plot_training_monitors", "plot_spectrograms",
           "plot_measured_and_predicted", "plot_trajectories", "plot_seed_points",
           "plot_intervals"]

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

    Example:
        >>> import matplotlib.pyplot as plt
        >>> with style():
        ...     fig, ax = plt.subplots()
        >>> ax.spines["top"].get_visible()
        False
    """
    saved = {key: plt.rcParams[key] for key in STYLE}
    plt.rcParams.update(STYLE)
    try:
        yield
    finally:
        plt.rcParams.update(saved)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs):
    """``plt.subplots`` in the course style, for figures that combine several of the plots below
    (pass each axis as ``ax=``). Returns ``(figure, axes)`` like matplotlib.

    Example:
        >>> fig, axes = subplots(1, 2, figsize=(6, 2.5)); len(axes)
        2
    """
    with style():
        return plt.subplots(nrows, ncols, **kwargs)


def _finish(fig, ax, xlabel: str, ylabel: str | None, title: str | None) -> None:
    """Label the axes (``None`` leaves a label alone), add the legend, tighten the layout."""
    ax.set(xlabel=xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    if title is not None:
        ax.set_title(title)
    ax.legend(loc="best")
    fig.tight_layout()


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

    Example:
        >>> from relu_course.diagnostics import linear_region_grid
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

    Example:
        >>> from relu_course.train import History
        >>> fig = plot_histories({"relu": History(train_loss=[1.0, 0.5]), "tanh": History(train_loss=[1.0, 0.8])})
        >>> len(fig.axes[0].lines)
        2
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


def _sample_values(name: str, values) -> np.ndarray:
    """A named sample as a flat float64 array, checked to be non-empty and finite."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().numpy()
    try:
        arr = np.asarray(values, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"plot_distributions(): sample {name!r} is not numeric "
                        f"({type(values).__name__})") from exc
    if arr.size == 0:
        raise ValueError(f"plot_distributions(): sample {name!r} is empty")
    if not np.isfinite(arr).all():
        raise ValueError(f"plot_distributions(): sample {name!r} holds NaN or infinite values")
    return arr


def plot_distributions(samples: Mapping[str, object], *, bins: int = 40,
                       value_range: tuple[float, float] | None = None,
                       threshold: float | None = None, xlabel: str = "value",
                       ylabel: str = "share of values", log: bool = False,
                       title: str | None = None):
    r"""Histograms of several named samples, one panel each, with the same bins.

    Each bar is the *share* of the sample's values that fall in the bin (the bars of a panel
    add up to 1), so samples of different sizes compare directly -- e.g. the derivative values
    :math:`\phi'(z)` of the units of a ReLU, a sigmoid and a tanh network
    (:func:`relu_course.diagnostics.activation_derivatives`).

    Args:
        samples: ``{name: values}``; values are tensors, arrays or sequences of finite numbers
            (flattened).
        bins: number of equal-width bins.
        value_range: ``(low, high)`` of the bins; by default the smallest and largest value
            over all samples.
        threshold: if given, a dashed vertical line there, and each panel's title states the
            share of its values strictly below it.
        xlabel, ylabel: the axis labels.
        log: a logarithmic vertical axis (to see small shares next to a tall bar).
        title: a title over all panels.

    Returns the matplotlib figure.

    Example:
        >>> fig = plot_distributions({"a": [0.0, 0.0, 1.0], "b": torch.arange(10) / 10},
        ...                          threshold=0.5)
        >>> [ax.get_title() for ax in fig.axes]
        ['a (67% below 0.5)', 'b (50% below 0.5)']
    """
    if not isinstance(samples, Mapping) or not samples:
        raise TypeError("plot_distributions() expects a non-empty mapping {name: values}")
    if isinstance(bins, bool) or not isinstance(bins, (int, np.integer)):
        raise TypeError(f"plot_distributions(): `bins` must be an int, got {type(bins).__name__}")
    if bins < 1:
        raise ValueError(f"plot_distributions(): `bins` must be >= 1, got {bins}")
    if threshold is not None:
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float, np.floating)):
            raise TypeError(f"plot_distributions(): `threshold` must be a number, "
                            f"got {type(threshold).__name__}")
        if not np.isfinite(threshold):
            raise ValueError(f"plot_distributions(): `threshold` must be finite, got {threshold}")
    arrays = {str(name): _sample_values(str(name), v) for name, v in samples.items()}
    if value_range is None:
        low = min(float(a.min()) for a in arrays.values())
        high = max(float(a.max()) for a in arrays.values())
    else:
        low, high = (float(v) for v in value_range)
        if not (np.isfinite(low) and np.isfinite(high) and low < high):
            raise ValueError(f"plot_distributions(): empty or invalid value_range {value_range}")
    if low == high:                                   # every value equal: a unit-wide window
        low, high = low - 0.5, high + 0.5
    edges = np.linspace(low, high, bins + 1)
    with style():
        n = len(arrays)
        fig, axes = plt.subplots(1, n, figsize=(3.0 * n + 0.6, 3.0), sharey=True, squeeze=False)
        for i, (ax, (name, a)) in enumerate(zip(axes[0], arrays.items())):
            ax.hist(np.clip(a, low, high), bins=edges, weights=np.full(a.size, 1.0 / a.size),
                    color=PALETTE[i % len(PALETTE)], edgecolor="white", linewidth=0.5)
            label = name
            if threshold is not None:
                share = float((a < threshold).mean())
                ax.axvline(float(threshold), color="0.25", linestyle="--", linewidth=1.2)
                label += f" ({share:.0%} below {threshold:g})"
            ax.set(title=label, xlabel=xlabel)
            if log:
                ax.set_yscale("log")
        axes[0][0].set_ylabel(ylabel)
        if title:
            fig.suptitle(title)
        fig.tight_layout()
    return fig


# ---- curves on one x grid, and decision regions (chapter 1) -------------------------------------

#: Line styles paired with the palette in :func:`plot_curves`.
_LINESTYLES = ("-", "--", "-.", ":")


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
    if isinstance(out, torch.Tensor):
        values = out.detach().to("cpu", torch.float64).numpy().reshape(-1)
    else:
        try:
            values = np.asarray(out, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"plot_curves(): curve {label!r} is neither a callable nor an array "
                            f"of numbers (got {type(curve).__name__})") from None
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
    ``relu_course.functional.FUNCTIONS`` (a step function, say), for a target curve and the
    networks that approximate it, or for any measured values on a common grid.

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
        grid = torch.as_tensor(np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x,
                                          dtype=float)).reshape(-1)
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
        if ax is None:
            fig, ax = plt.subplots(figsize=(4.8, 3.2))
        else:
            fig = ax.figure
        for i, (label, y) in enumerate(values.items()):
            shown = _curve(xn, y, jump=break_jumps) if break_jumps is not None else y
            style_kw = dict(color=PALETTE[i % len(PALETTE)],
                            linestyle=_LINESTYLES[i % len(_LINESTYLES)])
            if markers:
                style_kw.update(marker=MARKERS[i % len(MARKERS)], markersize=5,
                                markevery=((i * every) // n, every))
            ax.plot(xn, shown, label=label, **style_kw)
        for j, (label, pts) in enumerate((scatter or {}).items()):
            try:
                xs, ys = (np.asarray(t.detach().cpu() if isinstance(t, torch.Tensor) else t,
                                     dtype=float).reshape(-1) for t in pts)
            except (TypeError, ValueError):
                raise TypeError(f"plot_curves(): scatter {label!r} must be a pair (xs, ys) "
                                f"of numbers") from None
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


def _points_and_labels(data) -> tuple[torch.Tensor, torch.Tensor]:
    """``(x, y)`` on the CPU from a Dataset (its training part) or a pair."""
    from .data import Dataset

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
        data: a :class:`relu_course.data.Dataset` (its training points are drawn) or a pair
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


# ---- a timeline of dated events (chapter 2) -----------------------------------------------------

def _timeline_events(events) -> list[tuple[float, str, str]]:
    """``(year, label, kind)`` triples from tuples or mappings, checked."""
    if isinstance(events, (str, bytes, Mapping)) or not hasattr(events, "__iter__"):
        raise TypeError("plot_timeline() expects a list of events, each (year, label, kind) "
                        "or {'year': ..., 'label': ..., 'kind': ...}")
    result = []
    for i, event in enumerate(events):
        if isinstance(event, Mapping):
            missing = [k for k in ("year", "label") if k not in event]
            if missing:
                raise ValueError(f"plot_timeline(): event {i} lacks {', '.join(missing)}")
            year, label, kind = event["year"], event["label"], event.get("kind", "event")
        elif isinstance(event, (tuple, list)) and len(event) in (2, 3):
            year, label, kind = (*event, "event") if len(event) == 2 else event
        else:
            raise TypeError(f"plot_timeline(): event {i} should be (year, label, kind) or a "
                            f"mapping, got {event!r}")
        if isinstance(year, bool) or not isinstance(year, (int, float, np.integer, np.floating)):
            raise TypeError(f"plot_timeline(): event {i} has a non-numeric year {year!r}")
        if not np.isfinite(year):
            raise ValueError(f"plot_timeline(): event {i} has a non-finite year {year!r}")
        if not isinstance(label, str) or not label.strip():
            raise ValueError(f"plot_timeline(): event {i} needs a non-empty text label")
        if not isinstance(kind, str) or not kind.strip():
            raise ValueError(f"plot_timeline(): event {i} needs a non-empty text kind")
        result.append((float(year), label.strip(), kind.strip()))
    if not result:
        raise ValueError("plot_timeline() needs at least one event")
    return result


def plot_timeline(events, *, ax=None, title: str | None = None, highlight=None,
                  legend_loc: str | None = "lower left", width: float = 7.6):
    r"""Draw dated events on a time axis, one row per event, the earliest at the top.

    Each event is a marker at its year and the text ``"year  label"`` beside it. Events of the
    same *kind* share a colour and a marker shape (the palette's order, kinds in the order
    they first appear in ``events``) and a legend names the kinds. Every label has a row of
    its own, so no two labels overlap; it is written on the side of its marker with more
    room (a label too long even for that side sticks out of the axes: shorten it or widen
    the figure). Rows are evenly spaced while the time axis stays linear, so long gaps
    between events remain visible.

    Args:
        events: the data: a list of ``(year, label, kind)`` tuples (or ``(year, label)``), or
            of mappings with keys ``"year"``, ``"label"`` and optionally ``"kind"``. Events are
            sorted by year; equal years keep their order.
        ax: an axis to draw on (default: a new figure sized to the number of events).
        title: a title over the plot.
        highlight: ``(start, end)`` or ``(start, end, text)``: a shaded band of years, with
            the text at the top of the plot.
        legend_loc: a matplotlib legend location, or ``None`` for no legend.
        width: the width in inches of a new figure.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_timeline([(2010, "Nair & Hinton name the ReLU", "name"),
        ...                      (1969, "Fukushima's analog threshold elements", "precursor")])
        >>> [t.get_text() for t in fig.axes[0].texts]
        ["1969  Fukushima's analog threshold elements", '2010  Nair & Hinton name the ReLU']
    """
    given = _timeline_events(events)
    kinds = list(dict.fromkeys(kind for _, _, kind in given))          # in the caller's order
    items = sorted(given, key=lambda e: e[0])                          # stable for equal years
    band = None
    if highlight is not None:
        if not isinstance(highlight, (tuple, list)) or len(highlight) not in (2, 3):
            raise TypeError("plot_timeline(): `highlight` should be (start, end) or "
                            "(start, end, text)")
        start, end = (float(v) for v in highlight[:2])
        if not (np.isfinite(start) and np.isfinite(end) and start < end):
            raise ValueError(f"plot_timeline(): `highlight` needs start < end, got {highlight}")
        band = (start, end, str(highlight[2]) if len(highlight) == 3 else "")
    n = len(items)
    years = [year for year, _, _ in items]
    lo = min(years + ([band[0]] if band else []))
    hi = max(years + ([band[1]] if band else []))
    pad = max(2.0, 0.04 * (hi - lo))
    xlim = (lo - pad, hi + pad)
    top = n - 0.5 + (0.9 if band and band[2] else 0.0)                  # room for the band text
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(width, 0.32 * n + 1.1))
        else:
            fig = ax.figure
        if band:
            ax.axvspan(band[0], band[1], color=PALETTE[4], alpha=0.18, linewidth=0, zorder=0)
            if band[2]:
                ax.text((band[0] + band[1]) / 2, top - 0.1, band[2], ha="center", va="top",
                        fontsize=9, color="0.2")
        for row, (year, label, kind) in enumerate(items):
            y = n - 1 - row
            k = kinds.index(kind)
            ax.plot([year], [y], linestyle="none", marker=MARKERS[k % len(MARKERS)],
                    markersize=8, color=PALETTE[k % len(PALETTE)], zorder=3)
            right = (xlim[1] - year) >= (year - xlim[0])
            shown = f"{year:g}  {label}"
            ax.annotate(shown, (year, y), xytext=(8 if right else -8, 0),
                        textcoords="offset points", ha="left" if right else "right",
                        va="center", fontsize=9)
        for k, kind in enumerate(kinds):                 # legend entries, one per kind
            ax.plot([], [], linestyle="none", marker=MARKERS[k % len(MARKERS)], markersize=8,
                    color=PALETTE[k % len(PALETTE)], label=kind)
        ax.set(xlim=xlim, ylim=(-0.7, top), xlabel="year")
        ax.set_yticks([])
        ax.spines["left"].set_visible(False)
        ax.grid(True, axis="x")
        ax.grid(False, axis="y")
        if legend_loc is not None:
            ax.legend(loc=legend_loc, frameon=True, framealpha=0.9)
        if title:
            ax.set_title(title)
        fig.tight_layout()
    return fig


def _profile_values(label: str, values) -> np.ndarray:
    """One entry of :func:`plot_layer_profile` as a 1-D float64 array of finite numbers."""
    if isinstance(values, Mapping):
        values = list(values.values())
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().numpy()
    if isinstance(values, (str, bytes)):
        raise TypeError(f"plot_layer_profile(): {label!r} must hold numbers, got a string")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"plot_layer_profile(): {label!r} must be a sequence of numbers (or "
                        f"a dict of them, such as gradient_norms returns)") from None
    if array.ndim != 1 or array.size == 0:
        raise ValueError(f"plot_layer_profile(): {label!r} must be a non-empty 1-D sequence, "
                         f"one value per layer; got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"plot_layer_profile(): {label!r} holds NaN or infinite values")
    return array


def plot_layer_profile(profiles: Mapping[str, object], *, log: bool = True, ax=None,
                       title: str | None = None, xlabel: str = "layer",
                       ylabel: str | None = None):
    r"""Plot a per-layer quantity of several networks against the layer index, one line per
    network: gradient norms, the mean square of the pre-activations, a share of zeros, ...

    Layer :math:`l = 1, 2, \dots, L` is on the horizontal axis (the input side on the left).
    Each line has its own colour (the colour-blind-safe palette), line style and marker, so
    the networks can be told apart in greyscale too. With ``log=True`` (the default) the
    vertical axis is logarithmic, so a quantity that shrinks or grows by a constant factor per
    layer, :math:`v_l \approx v_1\, r^{\,l-1}`, is a straight line of slope :math:`\log r`.

    Args:
        profiles: ``{label: values}``, one value per layer, first layer first: a list, a 1-D
            array or tensor, or a dict whose values are in layer order (such as
            :func:`relu_course.diagnostics.gradient_norms` returns). Networks may have
            different depths.
        log: use a logarithmic vertical axis (every value must then be positive).
        ax: an axis to draw on (default: a new figure).
        title, xlabel, ylabel: labels.

    Returns:
        The matplotlib figure.

    Raises:
        TypeError, ValueError: for an empty mapping, a profile that is not a non-empty 1-D
            sequence of finite numbers, or a value :math:`\le 0` on a logarithmic axis.

    Example:
        >>> fig = plot_layer_profile({"halves": [1, 0.5, 0.25, 0.125], "constant": [1, 1, 1, 1]},
        ...                          ylabel="signal")
        >>> [line.get_label() for line in fig.axes[0].get_lines()], fig.axes[0].get_yscale()
        (['halves', 'constant'], 'log')
    """
    if not isinstance(profiles, Mapping) or not profiles:
        raise ValueError("plot_layer_profile() expects a non-empty mapping {label: per-layer "
                         "values}")
    if not isinstance(log, bool):
        raise TypeError(f"plot_layer_profile() expects `log` to be a bool, got {type(log).__name__}")
    values = {str(label): _profile_values(str(label), v) for label, v in profiles.items()}
    if log:
        for label, v in values.items():
            if (v <= 0).any():
                raise ValueError(f"plot_layer_profile(): {label!r} has values <= 0, which a "
                                 f"logarithmic axis cannot show; pass log=False")
    from matplotlib.ticker import MaxNLocator

    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.6, 3.4))
        else:
            fig = ax.figure
        for i, (label, v) in enumerate(values.items()):
            layers = np.arange(1, v.size + 1)
            every = max(1, v.size // 12)
            ax.plot(layers, v, label=label, color=PALETTE[i % len(PALETTE)],
                    linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                    marker=MARKERS[i % len(MARKERS)], markersize=5,
                    markevery=(i % every, every))
        if log:
            ax.set_yscale("log")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _finish(fig, ax, xlabel, ylabel, title)
    return fig


# ---- results over several runs, and training monitors (chapter 11) --------------------------

def _spread_values(label: str, x, values) -> tuple[np.ndarray, np.ndarray]:
    """One entry of :func:`plot_spread` as ``(x, values)``; values 2-D (runs, points)."""
    def array(name, v):
        if isinstance(v, torch.Tensor):
            v = v.detach().cpu().double().numpy()
        if isinstance(v, (str, bytes)):
            raise TypeError(f"plot_spread(): {label!r}: `{name}` must hold numbers")
        try:
            return np.asarray(v, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"plot_spread(): {label!r}: `{name}` must be an array of "
                            f"numbers") from None

    xs, vs = array("x", x), array("values", values)
    if xs.ndim != 1 or xs.size == 0 or not np.isfinite(xs).all():
        raise ValueError(f"plot_spread(): {label!r}: x must be a non-empty 1-D array of finite "
                         f"numbers, got shape {xs.shape}")
    if vs.ndim == 1:
        vs = vs[None, :]
    if vs.ndim != 2 or vs.shape[1] != xs.size:
        raise ValueError(f"plot_spread(): {label!r}: values must have shape ({xs.size},) or "
                         f"(runs, {xs.size}), one column per x; got {vs.shape}")
    if np.isinf(vs).any():
        raise ValueError(f"plot_spread(): {label!r} holds infinite values (use NaN for a "
                         f"missing run, e.g. one that diverged)")
    return xs, vs


def plot_spread(curves: Mapping[str, tuple], *, center: str = "median", band=(0.1, 0.9),
                ax=None, log_x: bool = False, log_y: bool = False, title: str | None = None,
                xlabel: str = "$x$", ylabel: str | None = None):
    r"""Plot results of several runs (seeds, random networks) against a common variable: for
    each curve a central line and a shaded band showing how much the runs differ.

    For each :math:`x`, the line is the median (or mean) over the runs and the band spans the
    quantiles ``band`` -- by default the 10th to the 90th percentile -- or, with
    ``band="range"``, the smallest to the largest run. NaN marks a missing run (one that
    diverged, say) and is left out; where every run is NaN the line has a gap. A curve given
    as one row of values is drawn as a plain dashed line (a theoretical prediction, say).
    Curves differ by colour (the colour-blind-safe palette), line style and marker.

    Args:
        curves: ``{label: (x, values)}`` with ``x`` of shape ``(P,)`` and ``values`` of shape
            ``(runs, P)`` -- one row per run -- or ``(P,)`` for a single line.
        center: ``"median"`` or ``"mean"``.
        band: ``(low, high)`` quantiles in [0, 1], ``"range"`` (min to max), or ``None``.
        ax: an axis to draw on (default: a new figure).
        log_x, log_y: logarithmic axes (the values shown there must be positive).
        title, xlabel, ylabel: labels.

    Returns:
        The matplotlib figure.

    Raises:
        TypeError, ValueError: for an empty mapping, mismatched shapes, infinite values,
            an unknown ``center`` or ``band``, or values :math:`\le 0` on a logarithmic axis.

    Example:
        >>> runs = np.array([[1.0, 2.0, 4.0], [1.0, 3.0, 9.0], [1.0, 2.5, 6.0]])   # 3 runs
        >>> fig = plot_spread({"measured": ([1, 2, 3], runs),
        ...                    "theory": ([1, 2, 3], [1.0, 2.5, 6.25])}, band="range")
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['measured', 'theory']
        >>> fig.axes[0].get_lines()[0].get_ydata().tolist()           # the medians
        [1.0, 2.5, 6.0]
    """
    if not isinstance(curves, Mapping) or not curves:
        raise ValueError("plot_spread() expects a non-empty mapping {label: (x, values)}")
    if center not in ("median", "mean"):
        raise ValueError(f"plot_spread(): center must be 'median' or 'mean', got {center!r}")
    if band is not None and not (isinstance(band, str) and band == "range"):
        try:
            low_q, high_q = (float(q) for q in band)
        except (TypeError, ValueError):
            raise TypeError(f"plot_spread(): band must be (low, high) quantiles, 'range' or "
                            f"None, got {band!r}") from None
        if not 0.0 <= low_q <= high_q <= 1.0:
            raise ValueError(f"plot_spread(): band quantiles must satisfy 0 <= low <= high "
                             f"<= 1, got {band!r}")
    for name, flag in (("log_x", log_x), ("log_y", log_y)):
        if not isinstance(flag, bool):
            raise TypeError(f"plot_spread(): `{name}` must be a bool, got {type(flag).__name__}")
    data = {}
    for label, entry in curves.items():
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            raise TypeError(f"plot_spread(): {label!r} must be a pair (x, values)")
        data[str(label)] = _spread_values(str(label), *entry)
    for label, (xs, vs) in data.items():
        if log_x and (xs <= 0).any():
            raise ValueError(f"plot_spread(): {label!r} has x <= 0 on a logarithmic axis")
        if log_y and (vs[~np.isnan(vs)] <= 0).any():
            raise ValueError(f"plot_spread(): {label!r} has values <= 0 on a logarithmic "
                             f"axis; pass log_y=False")
    import warnings

    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(4.8, 3.2))
        else:
            fig = ax.figure
        for i, (label, (xs, vs)) in enumerate(data.items()):
            colour = PALETTE[i % len(PALETTE)]
            every = max(1, xs.size // 10)
            with warnings.catch_warnings():               # all-NaN columns give NaN: a gap
                warnings.simplefilter("ignore", RuntimeWarning)
                if vs.shape[0] == 1:
                    ax.plot(xs, vs[0], label=label, color=colour, linestyle="--",
                            marker=MARKERS[i % len(MARKERS)], markersize=5,
                            markevery=(i % every, every))
                    continue
                mid = np.nanmedian(vs, axis=0) if center == "median" else np.nanmean(vs, axis=0)
                ax.plot(xs, mid, label=label, color=colour,
                        linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                        marker=MARKERS[i % len(MARKERS)], markersize=5,
                        markevery=(i % every, every))
                if band is not None:
                    if isinstance(band, str):
                        low, high = np.nanmin(vs, axis=0), np.nanmax(vs, axis=0)
                    else:
                        low = np.nanquantile(vs, low_q, axis=0)
                        high = np.nanquantile(vs, high_q, axis=0)
                    ax.fill_between(xs, low, high, color=colour, alpha=0.18, linewidth=0)
        if log_x:
            ax.set_xscale("log")
        elif all(np.all(xs == np.round(xs)) for xs, _ in data.values()):
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # layers, epochs
        if log_y:
            ax.set_yscale("log")
        _finish(fig, ax, xlabel, ylabel, title)
    return fig


#: Axis labels for the measurements of :class:`relu_course.diagnostics.TrainingMonitor`.
MONITOR_LABELS = {
    "dead": "dead units (share)",
    "total_dead": "dead units, all layers",
    "zero_fraction": "share of zero outputs",
    "mean": "mean output",
    "std": "std of outputs",
    "grad_to_weight": r"$\|\nabla_W L\| \,/\, \|W\|$",
}


def plot_training_monitors(monitors: Mapping[str, object],
                           keys=("dead", "grad_to_weight", "std"), *,
                           log_keys=("grad_to_weight",), figsize=None):
    r"""Compare training runs watched by :class:`relu_course.diagnostics.TrainingMonitor`:
    one column per run, one row per measurement, one line per layer, against the epoch.

    Rows share their vertical axis, so the runs compare at a glance. Per-layer lines are
    labelled in order from the input side: ``layer 1, 2, ...`` for the activation layers
    (``dead``, ``zero_fraction``, ``mean``, ``std``) and ``W1, W2, ...`` for the weight
    matrices (``grad_to_weight``); ``total_dead`` is one line over all layers. On the
    logarithmic rows (``log_keys``) a value of exactly 0 -- a layer whose gradient vanished
    completely -- cannot be drawn and leaves a gap.

    Args:
        monitors: ``{label: monitor}``, each a ``TrainingMonitor`` with at least one record
            (``grad_to_weight`` needs monitors built with targets ``y``).
        keys: the measurements to show, from ``TrainingMonitor.KEYS``.
        log_keys: the rows drawn on a logarithmic axis.
        figsize: the figure size (default: about 3.6 x 2.2 inches per panel).

    Returns:
        The matplotlib figure.

    Example:
        >>> from relu_course.diagnostics import TrainingMonitor
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> x, y = torch.randn(32, 2), torch.randint(0, 2, (32,))
        >>> monitor = TrainingMonitor(x, y)
        >>> monitor(0, mlp(2, [8, 8], 2))
        >>> fig = plot_training_monitors({"run": monitor}, keys=("dead", "grad_to_weight"))
        >>> len(fig.axes), [line.get_label() for line in fig.axes[1].get_lines()]
        (2, ['W1', 'W2', 'W3'])
    """
    from .diagnostics import TrainingMonitor

    if not isinstance(monitors, Mapping) or not monitors:
        raise ValueError("plot_training_monitors() expects a non-empty mapping "
                         "{label: TrainingMonitor}")
    for label, m in monitors.items():
        if not isinstance(m, TrainingMonitor):
            raise TypeError(f"plot_training_monitors(): {label!r} is a {type(m).__name__}, "
                            f"not a relu_course.diagnostics.TrainingMonitor")
        if not m.records:
            raise ValueError(f"plot_training_monitors(): monitor {label!r} has no records "
                             f"(call it once before training: monitor(0, model))")
    if isinstance(keys, str):
        keys = (keys,)
    keys = tuple(keys)
    if not keys:
        raise ValueError("plot_training_monitors() needs at least one key")
    for key in keys:
        if key not in TrainingMonitor.KEYS:
            raise ValueError(f"plot_training_monitors(): unknown key {key!r}; choose from "
                             f"{', '.join(TrainingMonitor.KEYS)}")
        for label, m in monitors.items():
            if any(key not in r for r in m.records):
                raise ValueError(f"plot_training_monitors(): monitor {label!r} has no "
                                 f"{key!r} records (grad_to_weight needs targets y)")
    log_keys = (log_keys,) if isinstance(log_keys, str) else tuple(log_keys or ())
    rows, cols = len(keys), len(monitors)
    if figsize is None:
        figsize = (3.6 * cols + 0.8, 2.2 * rows + 0.5)
    with style():
        fig, axes = plt.subplots(rows, cols, figsize=figsize, sharex=True, sharey="row",
                                 squeeze=False)
        for c, (label, m) in enumerate(monitors.items()):
            epochs = np.asarray(m.epochs, dtype=float)
            for r, key in enumerate(keys):
                ax = axes[r][c]
                if key == "total_dead":
                    series = {"all layers": m.series(key)}
                else:
                    prefix = "W" if key == "grad_to_weight" else "layer "
                    series = {f"{prefix}{i}": m.series(key, layer)
                              for i, layer in enumerate(m.records[0][key], start=1)}
                for i, (name, values) in enumerate(series.items()):
                    v = np.asarray(values, dtype=float)
                    if key in log_keys:
                        v = np.where(v > 0, v, np.nan)
                    ax.plot(epochs, v, label=name, color=PALETTE[i % len(PALETTE)],
                            linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                            marker=MARKERS[i % len(MARKERS)], markersize=4)
                if key in log_keys:
                    ax.set_yscale("log")
                if r == 0:
                    ax.set_title(str(label))
                if c == 0:
                    ax.set_ylabel(MONITOR_LABELS[key])
                if r == rows - 1:
                    ax.set_xlabel("epoch")
                if c == cols - 1:
                    ax.legend(loc="center left", bbox_to_anchor=(1.02, 0.5), fontsize=8)
        fig.tight_layout()
    return fig


# ---- a quantity over epochs, several seeds per setting (chapter 6) --------------------------

def _seed_runs(label: str, values) -> np.ndarray:
    """One entry of :func:`plot_seed_band` as a 2-D float64 array ``(runs, points)``."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().numpy()
    if isinstance(values, (str, bytes)):
        raise TypeError(f"plot_seed_band(): {label!r} must hold numbers, got a string")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"plot_seed_band(): {label!r} must be a 2-D array of numbers, one row "
                        f"per run (seed), all rows of equal length") from None
    if array.ndim == 1:
        array = array[None, :]                          # a single run
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"plot_seed_band(): {label!r} must be a non-empty 2-D array "
                         f"(runs, points); got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"plot_seed_band(): {label!r} holds NaN or infinite values")
    return array


def plot_seed_band(runs: Mapping[str, object], x=None, *, ax=None, title: str | None = None,
                   xlabel: str = "epoch", ylabel: str | None = None,
                   ylim: tuple[float, float] | None = None, show_runs: bool = False,
                   legend: str | None = "best"):
    r"""Plot a quantity measured over several runs (seeds) per setting: for each setting the
    mean over runs as a line, and the range from the smallest to the largest run as a shaded
    band.

    With :math:`v_{s,t}` the value of run :math:`s` at point :math:`t`, the line is
    :math:`\bar v_t = \frac{1}{S}\sum_s v_{s,t}` and the band spans
    :math:`[\min_s v_{s,t},\ \max_s v_{s,t}]`, so a reader sees at once whether two settings
    differ by more than the seed-to-seed spread. Each setting has its own colour (the
    colour-blind-safe palette), line style and marker, so the plot also reads in greyscale.

    Args:
        runs: ``{label: values}`` where values is a 2-D array-like of shape
            ``(runs, points)``: one row per seed (a 1-D sequence counts as one run). Rows
            of one setting must have equal length; settings may differ in length.
        x: the shared horizontal positions (default ``0, 1, 2, ...``), at least as many as the
            longest setting has points.
        ax: an axis to draw on (default: a new figure).
        title, xlabel, ylabel: labels.
        ylim: limits of the vertical axis.
        show_runs: also draw every run as a thin line.
        legend: a matplotlib legend location (``"best"``, ``"upper right"``, ...), or
            ``None`` for no legend (e.g. on all but one panel of a figure).

    Returns:
        The matplotlib figure.

    Raises:
        TypeError, ValueError: for an empty mapping, values that are not a non-empty 2-D array
            of finite numbers, or too few ``x`` positions.

    Example:
        >>> fig = plot_seed_band({"relu": [[0.1, 0.5, 0.6], [0.0, 0.3, 0.4]],
        ...                       "leaky": [[0.1, 0.2, 0.1], [0.0, 0.1, 0.0]]},
        ...                      ylabel="dead fraction")
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['relu (mean of 2)', 'leaky (mean of 2)']
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("plot_seed_band() expects a non-empty mapping {label: (runs, points) "
                         "values}")
    if not isinstance(show_runs, bool):
        raise TypeError(f"plot_seed_band() expects `show_runs` to be a bool, "
                        f"got {type(show_runs).__name__}")
    if legend is not None and not isinstance(legend, str):
        raise TypeError(f"plot_seed_band() expects `legend` to be a location string or None, "
                        f"got {type(legend).__name__}")
    arrays = {str(label): _seed_runs(str(label), v) for label, v in runs.items()}
    longest = max(a.shape[1] for a in arrays.values())
    if x is None:
        xs = np.arange(longest, dtype=float)
    else:
        try:
            xs = np.asarray(x.detach().cpu() if isinstance(x, torch.Tensor) else x,
                            dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError("plot_seed_band() expects `x` to be a sequence of numbers") from None
        if xs.size < longest:
            raise ValueError(f"plot_seed_band(): {longest} points per run but only {xs.size} "
                             f"x positions")
    if ylim is not None:
        lo, hi = (float(v) for v in ylim)
        if not lo < hi:
            raise ValueError(f"plot_seed_band(): empty ylim {ylim}")
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.6, 3.4))
        else:
            fig = ax.figure
        for i, (label, a) in enumerate(arrays.items()):
            colour = PALETTE[i % len(PALETTE)]
            t = xs[:a.shape[1]]
            every = max(1, a.shape[1] // 8)
            if show_runs:
                for row in a:
                    ax.plot(t, row, color=colour, linewidth=0.7, alpha=0.5)
            ax.fill_between(t, a.min(axis=0), a.max(axis=0), color=colour, alpha=0.18,
                            linewidth=0)
            ax.plot(t, a.mean(axis=0), color=colour, linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                    marker=MARKERS[i % len(MARKERS)], markersize=5,
                    markevery=((i * every) // max(1, len(arrays)) % every, every),
                    label=f"{label} (mean of {a.shape[0]})")
        if ylim is not None:
            ax.set_ylim(lo, hi)
        _finish(fig, ax, xlabel, ylabel, title)
        if legend is None:
            ax.get_legend().remove()
        elif legend != "best":
            ax.legend(loc=legend)
    return fig


def _slope_runs(label: str, runs) -> list[list[np.ndarray]]:
    """One entry of :func:`plot_prelu_slopes` as runs x layers of 1-D float arrays."""
    def as_layers(run, k):
        layers = list(run.values()) if isinstance(run, Mapping) else run
        if isinstance(layers, (str, bytes, torch.Tensor, np.ndarray)) or \
                not hasattr(layers, "__len__"):
            raise TypeError(f"plot_prelu_slopes(): run {k} of {label!r} must be a dict "
                            f"{{layer: slopes}} or a list of per-layer slopes")
        out = []
        for slopes in layers:
            if isinstance(slopes, torch.Tensor):
                slopes = slopes.detach().cpu().double().numpy()
            try:
                arr = np.asarray(slopes, dtype=float).reshape(-1)
            except (TypeError, ValueError):
                raise TypeError(f"plot_prelu_slopes(): run {k} of {label!r} holds a layer "
                                f"that is not numeric") from None
            if arr.size == 0 or not np.isfinite(arr).all():
                raise ValueError(f"plot_prelu_slopes(): run {k} of {label!r} has an empty or "
                                 f"non-finite layer")
            out.append(arr)
        if not out:
            raise ValueError(f"plot_prelu_slopes(): run {k} of {label!r} has no layers")
        return out

    if isinstance(runs, Mapping):                          # a single run
        runs = [runs]
    if isinstance(runs, (str, bytes)) or not hasattr(runs, "__len__") or len(runs) == 0:
        raise ValueError(f"plot_prelu_slopes(): {label!r} must be a non-empty list of runs")
    result = [as_layers(run, k) for k, run in enumerate(runs)]
    if len({len(r) for r in result}) != 1:
        raise ValueError(f"plot_prelu_slopes(): the runs of {label!r} have different numbers "
                         f"of layers")
    return result


def plot_prelu_slopes(runs: Mapping[str, object], *, init: float | None = 0.25, ax=None,
                      title: str | None = None, xlabel: str = "PReLU layer",
                      ylabel: str = "learned slope $a$"):
    r"""Plot learned PReLU slopes layer by layer, for one or more training set-ups.

    For each set-up (one colour and marker shape each, side by side within a layer) every
    slope of every run is a small faint point -- one per channel for channel-wise PReLU -- and
    a large marker shows the layer's mean: the average over runs of each run's mean slope in
    that layer, with a bar from the lowest to the highest run mean (the spread between random
    seeds). The means of a set-up are joined across layers by a line. A dotted horizontal line
    marks the initial value.

    Args:
        runs: ``{label: runs}``; ``runs`` is a list with one entry per training run (seed),
            each a dict ``{layer name: slopes}`` as :func:`relu_course.diagnostics.prelu_slopes`
            returns, or a list of per-layer slopes (1-D tensors, arrays or lists). A single dict
            counts as one run. All runs of a label need the same number of layers.
        init: the slopes' initial value to mark (``None`` for no line).
        ax: an axis to draw on (default: a new figure).
        title, xlabel, ylabel: labels.

    Returns:
        The matplotlib figure.

    Raises:
        TypeError, ValueError: for an empty mapping, a run that is not a dict or list of
            per-layer slopes, empty or non-finite slopes, or runs of different depths.

    Example:
        >>> seeds = [{"conv1": [0.4, 0.6], "conv2": [0.2, 0.3, 0.1]},
        ...          {"conv1": [0.5, 0.5], "conv2": [0.3, 0.2, 0.2]}]
        >>> fig = plot_prelu_slopes({"channel-wise": seeds})
        >>> [round(float(y), 3) for y in fig.axes[0].get_lines()[0].get_ydata()]  # layer means
        [0.5, 0.217]
    """
    if not isinstance(runs, Mapping) or not runs:
        raise ValueError("plot_prelu_slopes() expects a non-empty mapping {label: runs}")
    if init is not None:
        from ._validation import check_real

        init = check_real("plot_prelu_slopes", "init", init)
    data = {str(label): _slope_runs(str(label), r) for label, r in runs.items()}
    from matplotlib.ticker import MaxNLocator

    k = len(data)
    width = 0.6                                       # of the unit gap between two layers
    jitter = np.random.default_rng(0)
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.6, 3.4))
        else:
            fig = ax.figure
        for i, (label, seeds) in enumerate(data.items()):
            colour, marker = PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)]
            depth = len(seeds[0])
            offset = -width / 2 + (i + 0.5) * width / k
            layers = np.arange(1, depth + 1) + offset
            run_means = np.array([[layer.mean() for layer in run] for run in seeds])  # (runs, L)
            mean = run_means.mean(axis=0)
            below, above = mean - run_means.min(axis=0), run_means.max(axis=0) - mean
            ax.errorbar(layers, mean, yerr=[below, above], color=colour, marker=marker,
                        markersize=7, capsize=3, linestyle=_LINESTYLES[i % len(_LINESTYLES)],
                        label=label, zorder=3)
            for layer_index in range(depth):
                values = np.concatenate([run[layer_index] for run in seeds])
                spread = 0.35 * width / k
                xs = layers[layer_index] + jitter.uniform(-spread, spread, values.size)
                ax.scatter(xs, values, s=10, marker=marker, color=colour, alpha=0.3,
                           linewidths=0, zorder=2)
        if init is not None:
            ax.axhline(init, color="0.35", linestyle=":", linewidth=1.2,
                       label=f"initial value {init:g}")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        _finish(fig, ax, xlabel, ylabel, title)
    return fig


# ---- spectrograms (chapter 10) ------------------------------------------------------------------

def plot_spectrograms(spectrograms: Mapping[str, object], *, sample_rate: float | None = None,
                      hop_length: int | None = None, n_fft: int | None = None,
                      title: str | None = None, panel_size=(2.6, 2.5)):
    r"""Show several spectrograms side by side, one panel each, on a shared colour scale.

    Each spectrogram is a 2-D array ``(frequency bins, frames)`` such as
    :func:`relu_course.use_cases.log_spectrogram` returns; low frequencies are at the bottom
    and time runs to the right. With ``sample_rate``, ``hop_length`` and ``n_fft`` the axes
    are labelled in seconds (frame :math:`\tau` at :math:`\tau \cdot \text{hop} /
    \text{rate}`) and hertz (bin :math:`f` at :math:`f \cdot \text{rate} / n_{fft}`);
    otherwise in frames and bins. The colour map (cividis) is readable with colour-vision
    deficiencies and in greyscale: brighter is louder.

    Args:
        spectrograms: ``{title: values}``, each a 2-D tensor or array of finite numbers.
        sample_rate, hop_length, n_fft: give all three to label the axes in physical units.
        title: a title over all panels.
        panel_size: ``(width, height)`` of one panel in inches.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_spectrograms({"a": torch.rand(33, 20), "b": torch.rand(33, 20)},
        ...                         sample_rate=4000, hop_length=32, n_fft=64)
        >>> [ax.get_title() for ax in fig.axes[:2]], fig.axes[0].get_ylabel()
        (['a', 'b'], 'frequency (Hz)')
    """
    if not isinstance(spectrograms, Mapping) or not spectrograms:
        raise ValueError("plot_spectrograms() expects a non-empty mapping {title: 2-D values}")
    units = (sample_rate, hop_length, n_fft)
    physical = all(u is not None for u in units)
    if any(u is not None for u in units) and not physical:
        raise ValueError("plot_spectrograms(): give sample_rate, hop_length and n_fft together "
                         "(or none of them)")
    if physical:
        for name, value in zip(("sample_rate", "hop_length", "n_fft"), units):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                                 np.floating)):
                raise TypeError(f"plot_spectrograms(): `{name}` must be a number, "
                                f"got {type(value).__name__}")
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"plot_spectrograms(): `{name}` must be > 0, got {value}")
    arrays = {}
    for label, values in spectrograms.items():
        if isinstance(values, torch.Tensor):
            values = values.detach().cpu().double().numpy()
        try:
            array = np.asarray(values, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"plot_spectrograms(): {label!r} is not an array of numbers") from None
        if array.ndim != 2 or 0 in array.shape:
            raise ValueError(f"plot_spectrograms(): {label!r} must be 2-D (bins, frames), "
                             f"got shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"plot_spectrograms(): {label!r} holds NaN or infinite values")
        arrays[str(label)] = array
    low = min(a.min() for a in arrays.values())
    high = max(a.max() for a in arrays.values())
    if low == high:
        high = low + 1.0
    with style():
        n = len(arrays)
        width, height = panel_size
        fig, axes = plt.subplots(1, n, figsize=(width * n + 0.9, height), squeeze=False,
                                 sharey=True)
        image = None
        for ax, (label, a) in zip(axes[0], arrays.items()):
            bins, frames = a.shape
            if physical:
                extent = (-0.5 * hop_length / sample_rate, (frames - 0.5) * hop_length / sample_rate,
                          -0.5 * sample_rate / n_fft, (bins - 0.5) * sample_rate / n_fft)
            else:
                extent = (-0.5, frames - 0.5, -0.5, bins - 0.5)
            image = ax.imshow(a, origin="lower", aspect="auto", extent=extent, cmap="cividis",
                              vmin=low, vmax=high, interpolation="nearest")
            ax.set_title(label)
            ax.set_xlabel("time (s)" if physical else "frame")
            ax.grid(False)
        axes[0][0].set_ylabel("frequency (Hz)" if physical else "frequency bin")
        fig.colorbar(image, ax=list(axes[0]), fraction=0.025, pad=0.02)
        if title:
            fig.suptitle(title)
    return fig


# ---- measurements against a prediction, and optimisation paths (chapter 12) -------------------

def _xy_values(fn_name: str, label: str, name: str, values, size: int | None = None):
    """A 1-D float array of finite numbers (``size`` of them if given), or a clear error."""
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().double().numpy()
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{fn_name}(): {label!r}: `{name}` must hold numbers")
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{fn_name}(): {label!r}: `{name}` must be an array of numbers") from None
    if array.ndim != 1 or array.size == 0 or not np.isfinite(array).all():
        raise ValueError(f"{fn_name}(): {label!r}: `{name}` must be a non-empty 1-D array of "
                         f"finite numbers, got shape {array.shape}")
    if size is not None and array.size != size:
        raise ValueError(f"{fn_name}(): {label!r}: `{name}` has {array.size} values for "
                         f"{size} x values")
    return array


def plot_measured_and_predicted(x, measured: Mapping[str, object],
                                predicted: Mapping[str, object] | None = None, *, ax=None,
                                log: bool = False, title: str | None = None,
                                xlabel: str = "$x$", ylabel: str | None = None,
                                predicted_label: str = "predicted"):
    r"""Plot measured values and the prediction for each of them, in matching colours.

    Each key of ``measured`` is one series: a solid line with markers in its own colour of the
    colour-blind-safe palette and its own marker shape. The entry of ``predicted`` with the
    same key (a bound, a formula) is drawn as a thin dashed line in the same colour, so that
    each measurement sits next to its prediction; one legend entry explains the dashes.

    Args:
        x: the common horizontal values, shape ``(P,)``.
        measured: ``{label: values}``, ``P`` values each.
        predicted: ``{label: values}`` with keys among those of ``measured`` (optional).
        ax: an axis to draw on (default: a new figure).
        log: a logarithmic vertical axis.
        title, xlabel, ylabel: labels.
        predicted_label: the legend text for the dashed lines.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_measured_and_predicted([1, 2, 3], {"a": [0.1, 0.2, 0.3]},
        ...                                   {"a": [0.1, 0.25, 0.35]}, predicted_label="bound")
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['a', '_a (predicted)', 'bound']
    """
    if not isinstance(measured, Mapping) or not measured:
        raise ValueError("plot_measured_and_predicted() expects a non-empty mapping "
                         "{label: values} of measurements")
    predicted = {} if predicted is None else predicted
    if not isinstance(predicted, Mapping):
        raise TypeError("plot_measured_and_predicted() expects `predicted` to be a mapping "
                        "{label: values} or None")
    unknown = [k for k in predicted if k not in measured]
    if unknown:
        raise ValueError(f"plot_measured_and_predicted(): predictions {unknown} have no "
                         f"measurement of the same name")
    xs = _xy_values("plot_measured_and_predicted", "x", "x", x)
    series = {str(k): _xy_values("plot_measured_and_predicted", str(k), "values", v, xs.size)
              for k, v in measured.items()}
    lines = {str(k): _xy_values("plot_measured_and_predicted", str(k), "predicted", v, xs.size)
             for k, v in predicted.items()}
    if log and any((v <= 0).any() for v in [*series.values(), *lines.values()]):
        raise ValueError("plot_measured_and_predicted(): values <= 0 cannot be shown on a "
                         "logarithmic axis; pass log=False")
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.2, 3.4))
        else:
            fig = ax.figure
        every = max(1, xs.size // 12)
        for i, (label, values) in enumerate(series.items()):
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(xs, values, label=label, color=colour, marker=MARKERS[i % len(MARKERS)],
                    markersize=5, markevery=(i % every, every))
            if label in lines:
                ax.plot(xs, lines[label], label=f"_{label} (predicted)", color=colour,
                        linestyle="--", linewidth=1.2)
        if lines:
            ax.plot([], [], color="0.35", linestyle="--", linewidth=1.2, label=predicted_label)
        if log:
            ax.set_yscale("log")
        _finish(fig, ax, xlabel, ylabel, title)
    return fig


def plot_trajectories(paths: Mapping[str, object], *, target=None, ax=None,
                      title: str | None = None, xlabel: str = "$w_1$",
                      ylabel: str = "$w_2$"):
    r"""Draw optimisation paths in a plane: the successive points :math:`(w_1, w_2)` of each
    path joined by a line, with a marker at every point, a circle at the start and, if
    ``target`` is given, a star at the optimum.

    Paths differ by colour (the colour-blind-safe palette), line style and marker shape. Use it
    with :func:`relu_course.train.linear_regression_path` for a two-weight unit: a path that
    can only move up-and-right or down-and-left zig-zags towards an optimum that lies
    down-and-right.

    Args:
        paths: ``{label: points}`` with points of shape ``(T, 2)`` (a tensor or array).
        target: the optimum ``(w_1, w_2)``, or ``None``.
        ax: an axis to draw on (default: a new, square figure).
        title, xlabel, ylabel: labels.

    Returns:
        The matplotlib figure.

    Example:
        >>> path = torch.tensor([[0.0, 0.0], [0.5, 0.5], [0.5, -0.5], [1.0, -1.0]])
        >>> fig = plot_trajectories({"SGD": path}, target=(1.0, -1.0))
        >>> [line.get_label() for line in fig.axes[0].get_lines()]
        ['SGD', 'optimum']
    """
    if not isinstance(paths, Mapping) or not paths:
        raise ValueError("plot_trajectories() expects a non-empty mapping {label: points}")
    arrays = {}
    for label, points in paths.items():
        if isinstance(points, torch.Tensor):
            points = points.detach().cpu().double().numpy()
        try:
            arr = np.asarray(points, dtype=float)
        except (TypeError, ValueError):
            raise TypeError(f"plot_trajectories(): {label!r} must be an array of points") from None
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
            raise ValueError(f"plot_trajectories(): {label!r} must have shape (T, 2), got "
                             f"{arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"plot_trajectories(): {label!r} holds NaN or infinite values")
        arrays[str(label)] = arr
    if target is not None:
        target = _xy_values("plot_trajectories", "target", "target", target, 2)
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(4.4, 4.0))
        else:
            fig = ax.figure
        for i, (label, arr) in enumerate(arrays.items()):
            colour = PALETTE[i % len(PALETTE)]
            ax.plot(arr[:, 0], arr[:, 1], label=label, color=colour,
                    linestyle=_LINESTYLES[i % len(_LINESTYLES)], linewidth=1.2,
                    marker=MARKERS[i % len(MARKERS)], markersize=3)
            ax.scatter(arr[:1, 0], arr[:1, 1], s=60, facecolors="none", edgecolors=colour,
                       linewidths=1.5, zorder=3)
        if target is not None:
            ax.plot([target[0]], [target[1]], linestyle="none", marker="*", markersize=14,
                    color=PALETTE[7], label="optimum", zorder=4)
        ax.set_aspect("equal", adjustable="datalim")
        _finish(fig, ax, xlabel, ylabel, title)
    return fig


# ---- results of several seeds per category (chapter 13) -----------------------------------------

def plot_seed_points(results: Mapping[str, object], *, reference: str | None = None, ax=None,
                     title: str | None = None, xlabel: str = "value",
                     seed_labels=None):
    r"""A dot plot of repeated measurements per category: one row per category (e.g. one
    activation function), one marker per run (e.g. per seed), and a vertical bar at the
    row's mean -- so the spread between seeds is seen next to the differences between rows.

    Runs are told apart by marker shape (the legend names them), rows by colour and by their
    label, so the plot also reads in greyscale.

    Args:
        results: ``{category: values}``, each a sequence (or 1-D tensor/array) of finite
            numbers, one per run; rows may hold different numbers of runs.
        reference: a category whose mean is drawn as a dashed vertical line through all rows.
        ax: an axis to draw on (default: a new figure).
        title, xlabel: labels.
        seed_labels: legend labels of the runs (default ``"seed 0"``, ``"seed 1"``, ...).

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_seed_points({"relu": [2.90, 2.93], "gelu": [2.95, 2.97]},
        ...                        reference="relu", xlabel="loss")
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['relu', 'gelu']
    """
    if not isinstance(results, Mapping) or not results:
        raise ValueError("plot_seed_points() expects a non-empty mapping {category: values}")
    rows = {}
    for label, values in results.items():
        if isinstance(values, torch.Tensor):
            values = values.detach().cpu().double().numpy()
        try:
            arr = np.asarray(values, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"plot_seed_points(): {label!r} must be a sequence of numbers") from None
        if arr.size == 0 or not np.isfinite(arr).all():
            raise ValueError(f"plot_seed_points(): {label!r} must hold finite numbers, got {arr}")
        rows[str(label)] = arr
    if reference is not None and str(reference) not in rows:
        raise ValueError(f"plot_seed_points(): reference {reference!r} is not a category")
    runs = max(a.size for a in rows.values())
    if seed_labels is None:
        seed_labels = [f"seed {i}" for i in range(runs)]
    seed_labels = [str(s) for s in seed_labels]
    if len(seed_labels) < runs:
        raise ValueError(f"plot_seed_points(): {len(seed_labels)} seed labels for {runs} runs")
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.6, 0.42 * len(rows) + 1.3))
        else:
            fig = ax.figure
        colours = [c for c in PALETTE if c != "#F0E442"]     # yellow is faint for markers
        for i, arr in enumerate(rows.values()):
            colour = colours[i % len(colours)]
            ax.plot([arr.mean()] * 2, [i - 0.3, i + 0.3], color=colour, linewidth=2.5,
                    label="mean" if i == 0 else None)
            for j, v in enumerate(arr):
                ax.plot([v], [i], linestyle="none", marker=MARKERS[j % len(MARKERS)],
                        markersize=6, markerfacecolor="none", markeredgecolor=colour,
                        markeredgewidth=1.3)
        for j in range(runs):                          # legend entries for the markers
            ax.plot([], [], linestyle="none", marker=MARKERS[j % len(MARKERS)], markersize=6,
                    markerfacecolor="none", markeredgecolor="0.3", label=seed_labels[j])
        if reference is not None:
            ax.axvline(rows[str(reference)].mean(), color="0.35", linestyle="--", linewidth=1.0,
                       label=f"{reference} mean")
        ax.set_yticks(range(len(rows)), list(rows))
        ax.set_ylim(len(rows) - 0.5, -0.5)                     # first category on top
        ax.grid(axis="y", visible=False)
        ax.set(xlabel=xlabel)
        if title is not None:
            ax.set_title(title)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5))
        fig.tight_layout()
    return fig


# ---- means with confidence intervals (chapter 9) ----------------------------------------------

def plot_intervals(samples: Mapping[str, object], *, confidence: float = 0.95,
                   reference: str | None = None, ax=None, title: str | None = None,
                   xlabel: str = "value", show_values: bool = True):
    r"""Means with confidence intervals, one row per name: a dot at the mean of the name's
    values and a line across its :math:`t`-interval
    :math:`\bar x \pm t_{(1+c)/2,\,n-1}\, s/\sqrt n` (:func:`relu_course.stats.mean_ci`),
    with the individual values as small hollow markers.

    With ``reference``, that row's interval is drawn as a shaded band across all rows, and
    rows whose interval does not overlap it get a filled square instead of a dot -- so the
    differences that the seeds cannot explain stand out (overlapping intervals are not proof
    of no difference; see :func:`relu_course.stats.paired_t_test`). Marker shapes and the
    legend carry the meaning, so the plot reads in greyscale too.

    Args:
        samples: ``{name: values}``, at least 2 finite values per name (e.g. the test
            accuracies of 5 seeds); rows appear in this order, top to bottom.
        confidence: the interval's level (default 0.95).
        reference: a name to compare the others with.
        ax: an axis to draw on (default: a new figure).
        title, xlabel: labels.
        show_values: draw the individual values.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_intervals({"relu": [0.95, 0.96, 0.94], "sigmoid": [0.90, 0.91, 0.89]},
        ...                      reference="relu", xlabel="test accuracy")
        >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
        ['relu', 'sigmoid']
    """
    from .stats import mean_ci

    if not isinstance(samples, Mapping) or not samples:
        raise ValueError("plot_intervals() expects a non-empty mapping {name: values}")
    if not isinstance(show_values, bool):
        raise TypeError("plot_intervals() expects `show_values` to be a bool")
    values = {}
    for name, v in samples.items():
        if isinstance(v, torch.Tensor):
            v = v.detach().cpu().double().numpy()
        try:
            arr = np.asarray(v, dtype=float).reshape(-1)
        except (TypeError, ValueError):
            raise TypeError(f"plot_intervals(): {name!r} must be a sequence of numbers") from None
        values[str(name)] = arr
    intervals = {}
    for name, arr in values.items():
        try:
            intervals[name] = mean_ci(arr, confidence)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"plot_intervals(): {name!r}: {exc}") from None
    if reference is not None and str(reference) not in intervals:
        raise ValueError(f"plot_intervals(): reference {reference!r} is not one of the names")
    ref = intervals[str(reference)] if reference is not None else None
    with style():
        if ax is None:
            fig, ax = plt.subplots(figsize=(5.2, 0.36 * len(values) + 1.2))
        else:
            fig = ax.figure
        if ref is not None:
            ax.axvspan(ref.low, ref.high, color=PALETTE[4], alpha=0.2, linewidth=0,
                       label=f"{reference}'s interval")
        labelled = set()
        for row, (name, ci) in enumerate(intervals.items()):
            apart = ref is not None and not ci.overlaps(ref)
            kind = "apart" if apart else "mean"
            colour = PALETTE[1] if apart else PALETTE[0]
            ax.plot([ci.low, ci.high], [row, row], color=colour, linewidth=2.0,
                    solid_capstyle="butt")
            for end in (ci.low, ci.high):
                ax.plot([end, end], [row - 0.15, row + 0.15], color=colour, linewidth=1.5)
            label = None
            if kind not in labelled:
                labelled.add(kind)
                label = (f"mean, {confidence:.0%} interval" if kind == "mean" else
                         f"interval apart from {reference}'s")
            ax.plot([ci.mean], [row], linestyle="none", marker="s" if apart else "o",
                    markersize=7, color=colour, label=label, zorder=3)
            if show_values:
                size = values[name].size
                offsets = np.linspace(-0.22, 0.22, size)
                ax.plot(values[name], row + offsets, linestyle="none", marker="o",
                        markersize=3.5, markerfacecolor="none", markeredgecolor="0.45",
                        markeredgewidth=0.8, label=None if "values" in labelled else "runs")
                labelled.add("values")
        ax.set_yticks(range(len(intervals)), list(intervals))
        ax.set_ylim(len(intervals) - 0.5, -0.5)                 # the first name on top
        ax.grid(axis="y", visible=False)
        ax.set(xlabel=xlabel)
        if title is not None:
            ax.set_title(title)
        ax.legend(loc="lower left", fontsize=8, frameon=True, framealpha=0.9)
        fig.tight_layout()
    return fig
