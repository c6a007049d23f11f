r"""A timeline of dated events.

* :func:`plot_timeline` -- Draw dated events on a time axis, one row per event, the earliest at
  the top.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .theme import MARKERS, PALETTE, _figure_and_axes, style

__all__ = ["plot_timeline"]


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
        fig, ax = _figure_and_axes(ax, figsize=(width, 0.32 * n + 1.1))
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
