r"""Training runs: histories, spreads over seeds, monitors, PReLU slopes and optimisation paths.

* :func:`plot_histories` -- Plot one metric of several :class:`relu_course.training.loop.History`
  objects against epochs.
* :func:`plot_spread` -- Plot results of several runs (seeds, random networks) against a common
  variable
* :data:`MONITOR_LABELS`
* :func:`plot_training_monitors` -- Compare training runs watched by
  :class:`relu_course.analysis.monitor.TrainingMonitor`: one column per run, one row per measurement
* :func:`plot_seed_band` -- Plot a quantity measured over several runs (seeds) per setting: for
  each setting the mean over runs as a line
* :func:`plot_prelu_slopes` -- Plot learned PReLU slopes layer by layer, for one or more
  training set-ups.
* :func:`plot_trajectories` -- Draw optimisation paths in a plane: the successive points
  :math:`(w_1, w_2)` of each path joined by a line
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import torch

from .._validation import as_float_array
from .distributions import _xy_values
from .theme import _LINESTYLES, MARKERS, PALETTE, _figure_and_axes, _finish, style

__all__ = ["plot_histories", "plot_spread", "MONITOR_LABELS", "plot_training_monitors",
           "plot_seed_band", "plot_prelu_slopes", "plot_trajectories"]


def plot_histories(histories: Mapping[str, object], metric: str = "train_loss", *, ax=None,
                   log: bool = False):
    """Plot one metric of several :class:`relu_course.training.loop.History` objects against epochs.

    Returns the matplotlib figure.

    Example:
        >>> from relu_course.training import History
        >>> fig = plot_histories({"relu": History(train_loss=[1.0, 0.5]),
        ...                       "tanh": History(train_loss=[1.0, 0.8])})
        >>> len(fig.axes[0].lines)
        2
    """
    if not histories:
        raise ValueError("plot_histories() needs at least one history")
    with style():
        fig, ax = _figure_and_axes(ax, figsize=(4.8, 3.2))
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


def _spread_values(label: str, x, values) -> tuple[np.ndarray, np.ndarray]:
    """One entry of :func:`plot_spread` as ``(x, values)``; values 2-D (runs, points)."""
    def array(name, v):
        return as_float_array("plot_spread", f"{label!r}: `{name}`", v)

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
        fig, ax = _figure_and_axes(ax, figsize=(4.8, 3.2))
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


#: Axis labels for the measurements of :class:`relu_course.analysis.monitor.TrainingMonitor`.
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
    r"""Compare training runs watched by :class:`relu_course.analysis.monitor.TrainingMonitor`:
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
        >>> from relu_course.analysis import TrainingMonitor
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> x, y = torch.randn(32, 2), torch.randint(0, 2, (32,))
        >>> monitor = TrainingMonitor(x, y)
        >>> monitor(0, mlp(2, [8, 8], 2))
        >>> fig = plot_training_monitors({"run": monitor}, keys=("dead", "grad_to_weight"))
        >>> len(fig.axes), [line.get_label() for line in fig.axes[1].get_lines()]
        (2, ['W1', 'W2', 'W3'])
    """
    from ..analysis.monitor import TrainingMonitor

    if not isinstance(monitors, Mapping) or not monitors:
        raise ValueError("plot_training_monitors() expects a non-empty mapping "
                         "{label: TrainingMonitor}")
    for label, m in monitors.items():
        if not isinstance(m, TrainingMonitor):
            raise TypeError(f"plot_training_monitors(): {label!r} is a {type(m).__name__}, "
                            f"not a relu_course.analysis.monitor.TrainingMonitor")
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


def _seed_runs(label: str, values) -> np.ndarray:
    """One entry of :func:`plot_seed_band` as a 2-D float64 array ``(runs, points)``."""
    array = as_float_array("plot_seed_band", f"{label!r} (one row of numbers per run, all rows "
                           f"of equal length)", values)
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
        fig, ax = _figure_and_axes(ax, figsize=(5.6, 3.4))
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
            arr = as_float_array("plot_prelu_slopes", f"each layer of run {k} of {label!r}",
                                 slopes).reshape(-1)
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
        runs: ``{label: runs}``; ``runs`` is a list with one entry per training run (seed), each
            a dict ``{layer name: slopes}`` as :func:`relu_course.analysis.monitor.prelu_slopes`
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
        from .._validation import check_real

        init = check_real("plot_prelu_slopes", "init", init)
    data = {str(label): _slope_runs(str(label), r) for label, r in runs.items()}
    from matplotlib.ticker import MaxNLocator

    k = len(data)
    width = 0.6                                       # of the unit gap between two layers
    jitter = np.random.default_rng(0)
    with style():
        fig, ax = _figure_and_axes(ax, figsize=(5.6, 3.4))
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


def plot_trajectories(paths: Mapping[str, object], *, target=None, ax=None,
                      title: str | None = None, xlabel: str = "$w_1$",
                      ylabel: str = "$w_2$"):
    r"""Draw optimisation paths in a plane: the successive points :math:`(w_1, w_2)` of each
    path joined by a line, with a marker at every point, a circle at the start and, if
    ``target`` is given, a star at the optimum.

    Paths differ by colour (the colour-blind-safe palette), line style and marker shape. Use it
    with :func:`relu_course.training.regression.linear_regression_path` for a two-weight unit: a
    path that can only move up-and-right or down-and-left zig-zags towards an optimum that lies
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
        arr = as_float_array("plot_trajectories", repr(label), points)
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
            raise ValueError(f"plot_trajectories(): {label!r} must have shape (T, 2), got "
                             f"{arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"plot_trajectories(): {label!r} holds NaN or infinite values")
        arrays[str(label)] = arr
    if target is not None:
        target = _xy_values("plot_trajectories", "target", "target", target, 2)
    with style():
        fig, ax = _figure_and_axes(ax, figsize=(4.4, 4.0))
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
