r"""Schematic diagrams for the chapters, drawn by code: boxes, circles, arrows and text only (no
data files, no randomness), so that every build draws exactly the same picture.

* :data:`ALT_TEXT` -- for each diagram, the one or two sentences a screen reader says instead.
* :data:`DIAGRAMS` -- the diagrams' names, each mapped to the function that draws it.
* :func:`draw` -- Draw the diagram called ``name``.
* :func:`draw_unit` -- One unit: inputs, weights, the weighted sum plus bias, the activation.
* :func:`draw_mlp` -- A multilayer perceptron: layers of units, ``phi`` applied after each
  hidden layer's linear map.
* :func:`draw_backward_pass` -- Backpropagation as a product of one factor per hidden layer,
  :math:`\delta_l = \Lambda_l W_{l+1}^\top \delta_{l+1}` (chapter 5's notation).
* :func:`draw_residual_blocks` -- Where the ReLUs sit in the original residual block (He et al.,
  2016) and in the pre-activation block (He et al., "Identity mappings", 2016).
* :func:`draw_gated_ffn` -- A plain feed-forward block :math:`W_2\,\phi(W_1 x)` beside a gated
  one, :math:`W_2\,(\phi(W x) \odot V x)` (Shazeer, 2020).
* :func:`draw_dead_unit` -- A live and a dead ReLU unit in a 2-D input plane: the dead unit's
  line :math:`w \cdot x + b = 0` leaves every data point on its inactive side.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from .._validation import check_int
from .theme import MARKERS, PALETTE, style

__all__ = ["ALT_TEXT", "DIAGRAMS", "draw", "draw_unit", "draw_mlp", "draw_backward_pass",
           "draw_residual_blocks", "draw_gated_ffn", "draw_dead_unit"]

# Colours by role (Okabe-Ito): inputs and outputs, linear maps, activations, other operations.
_IO, _LINEAR, _ACT, _OP = PALETTE[5], PALETTE[0], PALETTE[1], PALETTE[2]
_FONT = 11


# ---- drawing helpers -----------------------------------------------------------------------

def _canvas(figsize, xlim, ylim, title=None):
    """A figure with one frameless axis whose data units are the drawing's coordinates."""
    fig, ax = plt.subplots(figsize=figsize)
    ax.set(xlim=xlim, ylim=ylim)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=12)
    return fig, ax


def _box(ax, x, y, text, color, width=1.0, height=0.55, fontsize=_FONT, fill=0.18):
    """A rounded box centred at ``(x, y)`` with ``text`` in it; returns its half-width."""
    ax.add_patch(FancyBboxPatch((x - width / 2, y - height / 2), width, height,
                                boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=_tint(color, fill), edgecolor=color, linewidth=1.8))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)
    return width / 2


def _circle(ax, x, y, text, color, radius=0.3, fontsize=_FONT, fill=0.18):
    """A circle centred at ``(x, y)`` with ``text`` in it."""
    ax.add_patch(Circle((x, y), radius, facecolor=_tint(color, fill), edgecolor=color,
                        linewidth=1.8))
    ax.text(x, y, text, ha="center", va="center", fontsize=fontsize)


def _arrow(ax, start, end, color="0.25", style_="-|>", connection="arc3", lw=1.5):
    """An arrow from ``start`` to ``end`` (points in data coordinates)."""
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle=style_, mutation_scale=14,
                                 color=color, linewidth=lw, connectionstyle=connection,
                                 shrinkA=0, shrinkB=0))


def _tint(color, amount):
    """``color`` mixed with white: ``amount`` of the colour, the rest white."""
    rgb = np.array([int(color[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    return tuple(1 - amount * (1 - rgb))


def _row(ax, items, y, gap):
    """Boxes and circles left to right, joined by arrows. ``items`` are ``(kind, x, text,
    color, width)`` with kind ``"box"``, ``"circle"`` or ``"text"``; returns their half-widths."""
    halves = []
    for kind, x, text, color, width in items:
        if kind == "box":
            halves.append(_box(ax, x, y, text, color, width=width))
        elif kind == "circle":
            _circle(ax, x, y, text, color, radius=width / 2)
            halves.append(width / 2)
        else:
            ax.text(x, y, text, ha="center", va="center", fontsize=_FONT)
            halves.append(width / 2)
    for (_, x0, *_), h0, (_, x1, *_), h1 in zip(items, halves, items[1:], halves[1:]):
        _arrow(ax, (x0 + h0 + gap, y), (x1 - h1 - gap, y))
    return halves


# ---- the diagrams ---------------------------------------------------------------------------

def draw_unit():
    r"""One unit: inputs, weights, the weighted sum plus bias, the activation.

    Three inputs :math:`x_i` reach the sum along arrows labelled with their weights :math:`w_i`;
    the sum adds the bias :math:`b` and gives the pre-activation :math:`z`; the activation
    function :math:`\phi` turns it into the output :math:`h = \phi(z)`.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = draw_unit()
        >>> "$w_1$" in [t.get_text() for t in fig.axes[0].texts]
        True
        >>> plt.close(fig)
    """
    with style():
        fig, ax = _canvas((7.0, 3.3), (-0.6, 9.4), (-0.9, 3.4),
                          "One unit: a weighted sum, then an activation function")
        ys = (2.6, 1.3, 0.0)
        for i, y in enumerate(ys, start=1):
            _circle(ax, 0.0, y, f"$x_{i}$", _IO)
            _arrow(ax, (0.33, y), (3.05, 1.3 + 0.22 * (y - 1.3) / 1.3))
            mid = 1.3 + 0.55 * (y - 1.3)
            ax.text(1.45, mid + (0.2 if y >= 1.3 else -0.2), f"$w_{i}$", ha="center",
                    va="bottom" if y >= 1.3 else "top", fontsize=_FONT, color=_LINEAR)
        _circle(ax, 3.5, 1.3, r"$\Sigma$", _LINEAR, radius=0.42, fontsize=14)
        ax.text(3.5, 2.05, "$+\\,b$", ha="center", fontsize=_FONT, color=_LINEAR)
        _arrow(ax, (3.95, 1.3), (5.2, 1.3))
        ax.text(4.55, 1.45, "$z$", ha="center", va="bottom", fontsize=_FONT)
        _box(ax, 5.8, 1.3, r"$\phi$", _ACT, width=1.1, height=0.8, fontsize=14)
        _arrow(ax, (6.4, 1.3), (7.6, 1.3))
        ax.text(8.35, 1.3, r"$h = \phi(z)$", ha="center", va="center", fontsize=_FONT)
        ax.text(4.4, -0.65, r"$z = w_1 x_1 + w_2 x_2 + w_3 x_3 + b = \mathbf{w}\cdot"
                r"\mathbf{x} + b$", ha="center", va="center", fontsize=_FONT)
        ax.text(0.0, 3.15, "inputs", ha="center", fontsize=10, color="0.3")
        ax.text(3.5, 0.55, "weighted sum", ha="center", va="top", fontsize=10, color="0.3")
        ax.text(5.8, 0.65, "activation", ha="center", va="top", fontsize=10, color="0.3")
        fig.tight_layout()
    return fig


def draw_mlp():
    r"""A multilayer perceptron: layers of units, :math:`\phi` applied after each hidden layer's
    linear map.

    Three inputs, two hidden layers of four units and two outputs; every unit of a layer reads
    every value of the layer below. Each hidden layer computes :math:`h_l = \phi(W_l h_{l-1} +
    b_l)`; the output layer is linear (its values are the logits).

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = draw_mlp()
        >>> sum(t.get_text() == r"$\phi$" for t in fig.axes[0].texts)
        8
        >>> plt.close(fig)
    """
    sizes, xs = (3, 4, 4, 2), (0.0, 2.6, 5.2, 7.8)
    colors = (_IO, _ACT, _ACT, _IO)
    with style():
        fig, ax = _canvas((7.0, 3.6), (-1.2, 9.0), (-1.55, 2.6),
                          "A multilayer perceptron with two hidden layers")
        positions = [[(x, 1.2 + 0.75 * (n - 1) / 2 - 0.75 * k) for k in range(n)]
                     for x, n in zip(xs, sizes)]
        for below, above in zip(positions, positions[1:]):
            for p in below:
                for q in above:
                    ax.plot([p[0], q[0]], [p[1], q[1]], color="0.6", linewidth=0.8, zorder=1)
        for layer, (points, color) in enumerate(zip(positions, colors)):
            for k, (x, y) in enumerate(points):
                text = {0: f"$x_{k + 1}$", 3: f"$y_{k + 1}$"}.get(layer, r"$\phi$")
                _circle(ax, x, y, text, color, radius=0.28, fill=0.25)
        labels = ("input $\\mathbf{x}$",
                  "hidden layer 1\n$\\mathbf{h}_1 = \\phi(W_1 \\mathbf{x} + \\mathbf{b}_1)$",
                  "hidden layer 2\n$\\mathbf{h}_2 = \\phi(W_2 \\mathbf{h}_1 + \\mathbf{b}_2)$",
                  "output (logits)\n$W_3 \\mathbf{h}_2 + \\mathbf{b}_3$")
        for x, label in zip(xs, labels):
            ax.text(x, -1.1, label, ha="center", va="center", fontsize=10)
        fig.tight_layout()
    return fig


def draw_backward_pass(hidden_layers: int = 3):
    r"""Backpropagation as a product of one factor per hidden layer (chapter 5's notation).

    The top row is the forward pass, :math:`z_l = W_l h_{l-1} + b_l` and :math:`h_l =
    \phi(z_l)` for :math:`l = 1, \dots, D`, then the logits :math:`z_{D+1}` and the loss
    :math:`L`. The bottom row carries :math:`\delta_l = \partial L / \partial z_l` back:
    each step multiplies by :math:`\Lambda_l W_{l+1}^\top`, with :math:`\Lambda_l =
    \mathrm{diag}(\phi'(z_l))`, so :math:`\delta_1` is a product of :math:`D` such factors.

    Args:
        hidden_layers: the number :math:`D` of hidden layers drawn, 1 to 5.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = draw_backward_pass(3)
        >>> factors = [t.get_text() for t in fig.axes[0].texts
        ...            if t.get_text().startswith("$\\times")]
        >>> factors[0], len(factors)
        ('$\\times \\Lambda_{1} W_{2}^\\top$', 3)
        >>> plt.close(fig)
    """
    L = check_int("draw_backward_pass", "hidden_layers", hidden_layers, ge=1, le=5)
    step = 2.1
    xs = [step * k for k in range(L + 3)]        # h_0, then z_1 .. z_{L+1}, then the loss
    top, bottom = 2.4, 0.6
    width = xs[-1] + 1.2
    with style():
        fig, ax = _canvas((max(6.0, 1.45 * (L + 3)), 3.9), (-0.9, width), (-1.1, 3.55),
                          f"The backward pass: one factor per hidden layer ($D = {L}$)")
        ax.text(-0.85, top + 0.5, "forward", fontsize=10, color="0.3", va="bottom")
        ax.text(-0.85, bottom, "backward", fontsize=10, color="0.3", va="center")
        _box(ax, xs[0], top, "$h_0 = x$", _IO, width=1.2)
        for k in range(1, L + 2):
            text = f"$z_{{{k}}}, h_{{{k}}}$" if k <= L else f"$z_{{{k}}}$"
            _box(ax, xs[k], top, text, _ACT if k <= L else _IO, width=1.25)
            _arrow(ax, (xs[k - 1] + 0.63, top), (xs[k] - 0.65, top))
            ax.text((xs[k - 1] + xs[k]) / 2, top + 0.12, f"$W_{{{k}}}$", ha="center",
                    va="bottom", fontsize=10, color=_LINEAR)
        _box(ax, xs[-1], top, "$L$", _OP, width=0.8)
        _arrow(ax, (xs[-2] + 0.65, top), (xs[-1] - 0.42, top))
        _arrow(ax, (xs[-1], top - 0.3), (xs[-2] + 0.45, bottom + 0.3), color=_OP)
        ax.text(xs[-1] - 0.2, (top + bottom) / 2 - 0.15,
                f"$\\partial L / \\partial z_{{{L + 1}}}$", ha="left",
                va="center", fontsize=10, color=_OP)
        for k in range(1, L + 2):
            _box(ax, xs[k], bottom, f"$\\delta_{{{k}}}$", _OP, width=0.9)
        for k in range(1, L + 1):
            _arrow(ax, (xs[k + 1] - 0.47, bottom), (xs[k] + 0.47, bottom), color=_OP)
            ax.text((xs[k] + xs[k + 1]) / 2, bottom + 0.14,
                    f"$\\times \\Lambda_{{{k}}} W_{{{k + 1}}}^\\top$", ha="center", va="bottom",
                    fontsize=10)
        factors = r"\,".join(f"\\Lambda_{{{k}}} W_{{{k + 1}}}^\\top" for k in range(1, L + 1))
        ax.text(width / 2 - 0.5, -0.6, f"$\\delta_1 = {factors}\\,\\delta_{{{L + 1}}}$"
                r"$,\quad \Lambda_l = \mathrm{diag}(\phi'(z_l))$", ha="center", va="center",
                fontsize=_FONT)
        fig.tight_layout()
    return fig


def draw_residual_blocks():
    r"""Where the ReLUs sit in the original residual block and in the pre-activation block.

    Top: He et al.'s original block, :math:`y = \mathrm{ReLU}(x + \mathcal{F}(x))` with the
    branch conv--BN--ReLU--conv--BN and a ReLU after the addition. Bottom: the pre-activation
    block of He et al.'s "Identity mappings" paper, BN--ReLU--conv--BN--ReLU--conv, added to
    the shortcut with nothing after the addition, :math:`y = x + \mathcal{F}'(x)` (its branch
    :math:`\mathcal{F}'` differs from the original's). ReLUs are
    orange; the shortcut is the arc over each branch.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = draw_residual_blocks()
        >>> sum(t.get_text() == "ReLU" for t in fig.axes[0].texts)
        4
        >>> plt.close(fig)
    """
    conv1, conv2 = ("conv\n$W_1$", _LINEAR), ("conv\n$W_2$", _LINEAR)
    bn1, bn2, relu = ("BN$_1$", _OP), ("BN$_2$", _OP), ("ReLU", _ACT)
    rows = {"original block (post-activation)": [conv1, bn1, relu, conv2, bn2, "+", relu],
            "pre-activation block": [bn1, relu, conv1, bn2, relu, conv2, "+"]}
    step, bw = 1.05, 0.8
    with style():
        fig, ax = _canvas((7.4, 4.0), (-0.6, 9.7), (-0.15, 4.55),
                          "Where the ReLU sits in a residual block")
        for r, (label, parts) in enumerate(rows.items()):
            y = 3.15 - 2.55 * r
            ax.text(-0.5, y + 0.95, label, fontsize=_FONT, fontweight="bold", va="bottom")
            items = [("text", 0.0, "$x$", None, 0.4)]
            for k, part in enumerate(parts, start=1):
                if part == "+":
                    items.append(("circle", k * step, "$+$", "#000000", 0.5))
                else:
                    items.append(("box", k * step, part[0], part[1], bw))
            end = (len(parts) + 1) * step
            items.append(("text", end, "$y$", None, 0.4))
            _row(ax, items, y, gap=0.05)
            add = parts.index("+") + 1
            ax.add_patch(FancyArrowPatch((0.1, y + 0.18), (add * step - 0.05, y + 0.3),
                                         connectionstyle="arc,angleA=90,angleB=90,armA=32,"
                                         "armB=25,rad=8", arrowstyle="-|>", mutation_scale=14,
                                         color="0.25", linewidth=1.5, shrinkA=0, shrinkB=0))
            ax.text(add * step * 0.7, y + 0.78, "shortcut: $x$", ha="center", va="bottom",
                    fontsize=10, color="0.3")
            note = ("$y = \\mathrm{ReLU}(x + \\mathcal{F}(x))$: the sum is rectified" if r == 0
                    else "$y = x + \\mathcal{F}\\,'(x)$: nothing acts on the sum (another "
                    "branch, $\\mathcal{F}\\,'$)")
            ax.text(4.5, y - 0.6, note, ha="center", va="top", fontsize=10)
        fig.tight_layout()
    return fig


def draw_gated_ffn():
    r"""A plain feed-forward block beside a gated one (chapter 13's notation).

    Top: :math:`W_2\,\phi(W_1 x)`. Bottom: :math:`W_2\,(\phi(W x) \odot V x)` -- two
    parallel projections of the same input, one through the activation, multiplied entry by
    entry, then the down-projection. ReGLU, GEGLU and SwiGLU take :math:`\phi` = ReLU, GELU and
    SiLU. Biases are left out, as in the chapter.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = draw_gated_ffn()
        >>> r"$\odot$" in [t.get_text() for t in fig.axes[0].texts]
        True
        >>> plt.close(fig)
    """
    with style():
        fig, ax = _canvas((7.2, 4.3), (-0.7, 9.3), (-0.95, 5.0),
                          "Plain and gated feed-forward blocks")
        y = 3.9
        ax.text(-0.6, y + 0.55, r"plain: $W_2\,\phi(W_1 x)$", fontsize=_FONT,
                fontweight="bold", va="bottom")
        _row(ax, [("text", 0.0, r"$x \in \mathbb{R}^d$", None, 1.0),
                  ("box", 2.2, "$W_1$", _LINEAR, 0.9), ("box", 4.0, r"$\phi$", _ACT, 0.9),
                  ("box", 6.2, "$W_2$", _LINEAR, 0.9),
                  ("text", 8.2, r"$\mathbb{R}^d$", None, 0.6)], y, gap=0.08)
        ax.text(5.1, y + 0.35, r"$\mathbb{R}^{d_\mathrm{ff}}$", ha="center", fontsize=10, color="0.3")
        # the gated block: x splits into W (then phi) and V, joined by the product
        yg, up, down = 1.45, 2.25, 0.65
        ax.text(-0.6, up + 0.6, r"gated: $W_2\,(\phi(W x) \odot V x)$", fontsize=_FONT,
                fontweight="bold", va="bottom")
        ax.text(0.0, yg, r"$x \in \mathbb{R}^d$", ha="center", va="center", fontsize=_FONT)
        _box(ax, 2.2, up, "$W$", _LINEAR, width=0.9)
        _box(ax, 2.2, down, "$V$", _LINEAR, width=0.9)
        _box(ax, 4.0, up, r"$\phi$", _ACT, width=0.9)
        _arrow(ax, (0.55, yg + 0.1), (1.7, up), connection="arc3,rad=-0.15")
        _arrow(ax, (0.55, yg - 0.1), (1.7, down), connection="arc3,rad=0.15")
        _arrow(ax, (2.7, up), (3.5, up))
        _circle(ax, 5.1, yg, r"$\odot$", "#000000", radius=0.28, fontsize=13)
        _arrow(ax, (4.5, up), (4.9, yg + 0.22), connection="arc3,rad=-0.2")
        _arrow(ax, (2.7, down), (4.85, yg - 0.17), connection="arc3,rad=0.15")
        _box(ax, 6.2, yg, "$W_2$", _LINEAR, width=0.9)
        _arrow(ax, (5.42, yg), (5.7, yg))
        _arrow(ax, (6.7, yg), (7.85, yg))
        ax.text(8.2, yg, r"$\mathbb{R}^d$", ha="center", va="center", fontsize=_FONT)
        ax.text(4.3, -0.45, "$\\odot$: entry-by-entry product of two vectors in "
                "$\\mathbb{R}^{d_\\mathrm{ff}}$\nReGLU, GEGLU, SwiGLU: $\\phi$ = ReLU, GELU, SiLU",
                ha="center", va="center", fontsize=10, color="0.3")
        fig.tight_layout()
    return fig


def _disc_points(n: int = 60, radius: float = 1.2) -> np.ndarray:
    """``n`` points spread evenly over a disc (a sunflower pattern: no randomness)."""
    k = np.arange(n) + 0.5
    r = radius * np.sqrt(k / n)
    theta = k * np.pi * (3 - np.sqrt(5))                      # the golden angle
    return np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)   # (n, 2)


def draw_dead_unit():
    r"""A live and a dead ReLU unit in a 2-D input plane.

    Each panel shows the same 60 inputs and a unit's line :math:`w \cdot x + b = 0`, its
    active side (:math:`z > 0`) shaded and :math:`w` drawn as an arrow pointing into it. The live
    unit's line crosses the data: some inputs switch it on and pass a gradient. The dead unit
    has the same :math:`w` and a very negative :math:`b`: every input lies on the inactive side,
    so its output and its gradient are zero for all of them.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = draw_dead_unit()
        >>> [ax.get_title() for ax in fig.axes]
        ['live unit: 18 of 60 inputs active', 'dead unit: 0 of 60 inputs active']
        >>> plt.close(fig)
    """
    points = _disc_points()
    w = np.array([1.0, 0.5])
    units = {"live unit": -0.4, "dead unit": -1.9}
    lim = (-1.8, 2.8)
    grid = np.linspace(lim[0], lim[1], 201)
    gx, gy = np.meshgrid(grid, grid)
    with style():
        fig, axes = plt.subplots(1, 2, figsize=(7.4, 4.3), sharey=True)
        for ax, (name, b) in zip(axes, units.items()):
            z = points @ w + b                                   # (60,) pre-activations
            on = z > 0
            ax.contourf(gx, gy, w[0] * gx + w[1] * gy + b, levels=[0, 100],
                        colors=[_tint(_ACT, 0.2)])
            ax.plot(grid, -(w[0] * grid + b) / w[1], color=_ACT, linewidth=2,
                    label=r"$w \cdot x + b = 0$")
            ax.plot(*points[~on].T, linestyle="none", marker=MARKERS[0], markersize=5,
                    color=_LINEAR, label="inactive: output 0, gradient 0")
            ax.plot(*points[on].T, linestyle="none", marker=MARKERS[1], markersize=5,
                    color=_ACT, label="active: gradient flows")
            foot = -b * w / (w @ w)                              # the line's closest point
            ax.annotate("", foot + 0.7 * w / np.linalg.norm(w), foot,
                        arrowprops=dict(arrowstyle="-|>", color="0.2", linewidth=1.5))
            ax.text(*(foot + 0.75 * w / np.linalg.norm(w) + np.array([0.05, 0.05])), "$w$",
                    fontsize=_FONT)
            ax.text(lim[1] - 0.1, lim[0] + 0.15, "$z > 0$", ha="right", fontsize=10,
                    color=_ACT)
            ax.set(xlim=lim, ylim=lim, xlabel="$x_1$", aspect="equal")
            ax.set_title(f"{name}: {on.sum()} of {len(points)} inputs active", fontsize=10)
            ax.grid(False)
        axes[0].set_ylabel("$x_2$")
        fig.legend(*axes[0].get_legend_handles_labels(), loc="lower center", ncol=3,
                   fontsize=9)
        fig.suptitle("A live and a dead ReLU unit", fontsize=12)
        fig.tight_layout(rect=(0, 0.1, 1, 1))
    return fig


#: The diagrams' names, each mapped to the function that draws it.
DIAGRAMS = {
    "unit": draw_unit,
    "mlp": draw_mlp,
    "backward_pass": draw_backward_pass,
    "residual_blocks": draw_residual_blocks,
    "gated_ffn": draw_gated_ffn,
    "dead_unit": draw_dead_unit,
}


#: For each diagram, the one or two sentences a screen reader says instead of the picture.
ALT_TEXT = {
    "unit": "A diagram of one unit: three inputs x1, x2, x3 feed a summation node along arrows "
            "labelled with the weights w1, w2, w3; the node adds the bias b and passes the "
            "pre-activation z to a box labelled phi, whose output is h = phi(z).",
    "mlp": "A diagram of a multilayer perceptron: three input nodes, two hidden layers of four "
           "nodes each marked phi, and two output nodes, with every node connected to every "
           "node of the next layer. Labels say each hidden layer computes phi of a weight "
           "matrix times the layer below plus a bias, and the output layer is linear.",
    "backward_pass": "A diagram of a network with three hidden layers: a forward row from the "
                     "input through z1 to z4 and the loss, and a backward row in which delta4 "
                     "passes to delta1, each step multiplying by Lambda_l times the transposed next "
                     "weight matrix. The caption formula writes delta1 as the product of the "
                     "three factors times delta4.",
    "residual_blocks": "Two rows of boxes. The original residual block runs conv, BN, ReLU, "
                       "conv, BN, then adds the shortcut x and applies a ReLU to the sum; the "
                       "pre-activation block runs BN, ReLU, conv, BN, ReLU, conv and adds the "
                       "shortcut with nothing after the sum.",
    "gated_ffn": "Two block diagrams. The plain block maps x through W1, phi and W2; the gated "
                 "block sends x through two parallel projections, W followed by phi and V, "
                 "multiplies them entry by entry and applies W2.",
    "dead_unit": "Two scatter plots of the same 60 points in a disc. On the left a unit's line "
                 "cuts through the points, so some are on its shaded active side; on the right "
                 "the line lies outside the disc and every point is on the inactive side, "
                 "where the output and the gradient are zero.",
}


def draw(name: str):
    """Draw the diagram called ``name`` (a key of :data:`DIAGRAMS`) and return its figure.

    Example:
        >>> fig = draw("unit"); fig.axes[0].get_title()
        'One unit: a weighted sum, then an activation function'
        >>> plt.close(fig)
    """
    if not isinstance(name, str) or name not in DIAGRAMS:
        raise ValueError(f"draw(): unknown diagram {name!r}; choose one of "
                         f"{', '.join(DIAGRAMS)}")
    return DIAGRAMS[name]()
