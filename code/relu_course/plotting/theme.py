r"""The course's figure style (Okabe & Ito's colour-blind-safe palette, markers) and the helpers
every plot uses. Styles are applied inside each function with a context manager: importing or
plotting never changes matplotlib's global settings.

* :data:`PALETTE`
* :data:`MARKERS`
* :data:`STYLE`
* :func:`style` -- Context manager applying :data:`STYLE` for the figures created inside it.
* :func:`subplots` -- ``plt.subplots`` in the course style, for figures that combine several of
  the plots below (pass each axis as ``ax=``).
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib.pyplot as plt
import numpy as np
import torch

__all__ = ["PALETTE", "MARKERS", "STYLE", "style", "subplots"]


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


def _figure_and_axes(ax, figsize: tuple[float, float]):
    """``(figure, axes)``: a new figure of ``figsize`` when ``ax`` is ``None``, else ``ax`` and
    its figure (call it inside ``with style():``)."""
    if ax is None:
        return plt.subplots(figsize=figsize)
    return ax.figure, ax


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


#: Line styles paired with the palette in :func:`~relu_course.plotting.curves.plot_curves`.
_LINESTYLES = ("-", "--", "-.", ":")
