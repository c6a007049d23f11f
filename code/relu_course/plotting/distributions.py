r"""Distributions and per-layer profiles: histograms, layer profiles, seed points, means with
confidence intervals, measurements against a prediction.

* :func:`plot_distributions` -- Histograms of several named samples, one panel each, with the
  same bins.
* :func:`plot_layer_profile` -- Plot a per-layer quantity of several networks against the layer
  index, one line per network: gradient norms
* :func:`plot_seed_points` -- A dot plot of repeated measurements per category: one row per
  category (e.g.
* :func:`plot_intervals` -- Means with confidence intervals, one row per name
* :func:`plot_measured_and_predicted` -- Plot measured values and the prediction for each of
  them, in matching colours.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from .._validation import as_float_array
from .theme import _LINESTYLES, MARKERS, PALETTE, _figure_and_axes, _finish, style

__all__ = ["plot_distributions", "plot_layer_profile", "plot_seed_points", "plot_intervals",
           "plot_measured_and_predicted"]


def _sample_values(name: str, values) -> np.ndarray:
    """A named sample as a flat float64 array, checked to be non-empty and finite."""
    arr = as_float_array("plot_distributions", f"sample {name!r}", values).reshape(-1)
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
    (:func:`relu_course.analysis.gradients.activation_derivatives`).

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


def _profile_values(label: str, values) -> np.ndarray:
    """One entry of :func:`plot_layer_profile` as a 1-D float64 array of finite numbers."""
    if isinstance(values, Mapping):
        values = list(values.values())
    array = as_float_array("plot_layer_profile", f"{label!r} (a sequence or dict of numbers)",
                           values)
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
            :func:`relu_course.analysis.gradients.gradient_norms` returns). Networks may have
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
        fig, ax = _figure_and_axes(ax, figsize=(5.6, 3.4))
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


def _xy_values(fn_name: str, label: str, name: str, values, size: int | None = None):
    """A 1-D float array of finite numbers (``size`` of them if given), or a clear error."""
    array = as_float_array(fn_name, f"{label!r}: `{name}`", values)
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
        fig, ax = _figure_and_axes(ax, figsize=(5.2, 3.4))
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
        arr = as_float_array("plot_seed_points", repr(label), values).reshape(-1)
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


def plot_intervals(samples: Mapping[str, object], *, confidence: float = 0.95,
                   reference: str | None = None, ax=None, title: str | None = None,
                   xlabel: str = "value", show_values: bool = True):
    r"""Means with confidence intervals, one row per name: a dot at the mean of the name's
    values and a line across its :math:`t`-interval
    :math:`\bar x \pm t_{(1+c)/2,\,n-1}\, s/\sqrt n` (:func:`relu_course.analysis.stats.mean_ci`),
    with the individual values as small hollow markers.

    With ``reference``, that row's interval is drawn as a shaded band across all rows, and
    rows whose interval does not overlap it get a filled square instead of a dot -- so the
    differences that the seeds cannot explain stand out (overlapping intervals are not proof
    of no difference; see :func:`relu_course.analysis.stats.paired_t_test`). Marker shapes and the
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
    from ..analysis.stats import mean_ci

    if not isinstance(samples, Mapping) or not samples:
        raise ValueError("plot_intervals() expects a non-empty mapping {name: values}")
    if not isinstance(show_values, bool):
        raise TypeError("plot_intervals() expects `show_values` to be a bool")
    values = {}
    for name, v in samples.items():
        values[str(name)] = as_float_array("plot_intervals", repr(name), v).reshape(-1)
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
