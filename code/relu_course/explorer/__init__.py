r"""An interactive activation explorer that needs no kernel.

:func:`explorer` returns an :class:`Explorer`, whose HTML (``_repr_html_``) is one
self-contained fragment: a plot of an activation :math:`\phi` and its derivative on
:math:`[-4, 4]` (:math:`[-4, 8]` for ReLU6, to show its cap), a menu of activations, sliders
for their parameters, and four readouts --
:math:`\phi(0)`, :math:`\phi'(0)`, and for a standard-normal input :math:`X` the fraction
*zeroed*, :math:`P(\phi(X) = 0)`, and the fraction *saturated*,
:math:`P(|\phi'(X)| <` :data:`SATURATION_THRESHOLD` :math:`)`. Everything runs in the browser
(inline SVG, CSS and JavaScript; nothing is loaded from elsewhere), so the same output works on
the course's website, in Jupyter and in Colab, with or without a running kernel.

The menu lists :data:`EXPLORER_ACTIVATIONS`: the registry's activations with a fixed shape
(the learnable ones are left out), with each one's label and slider ranges from
:data:`SLIDERS`; defaults and chapters come from :mod:`relu_course.activations.registry`.

The Python side computes what the page shows, for tests: :func:`normal_fractions` (the same
deterministic quadrature as the page's script) and :func:`evaluate` (:math:`\phi` and
:math:`\phi'` at given points, from the registry's functions and derivatives).
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping, Sequence
from importlib import resources
from types import MappingProxyType

import torch

from .._validation import check_real
from ..activations import functional as _F
from ..activations import registry as _registry

__all__ = ["Explorer", "explorer", "normal_fractions", "evaluate", "EXPLORER_ACTIVATIONS",
           "SLIDERS", "SATURATION_THRESHOLD", "QUADRATURE"]

#: A unit is *saturated* at an input where its slope is below this in size, so that it passes
#: back less than 1/20 of the gradient that reaches it (two such layers: less than 1/400).
SATURATION_THRESHOLD = 0.05

#: The quadrature for standard-normal fractions, shared with the page's script. It takes the
#: midpoints of ``cells`` equal cells on ``[-limit, limit]``, weighted by the normal density and
#: normalised. A cell edge sits at 0, so ReLU's zeroed fraction is exactly 1/2.
QUADRATURE = MappingProxyType({"limit": 6.0, "cells": 2400})

# name: (label, {parameter: (low, high, step)}) -- what the registry does not hold (the chapter
# that covers each activation comes from the registry).
_UI = {
    "relu": ("ReLU", {}),
    "leaky_relu": ("Leaky ReLU", {"negative_slope": (0.0, 0.5, 0.01)}),
    "prelu": ("PReLU", {"weight": (-0.5, 1.0, 0.05)}),
    "elu": ("ELU", {"alpha": (0.1, 3.0, 0.1)}),
    "selu": ("SELU", {}),
    "gelu": ("GELU", {}),
    "silu": ("SiLU (swish)", {}),
    "mish": ("Mish", {}),
    "softplus": ("Softplus", {"beta": (0.25, 10.0, 0.25)}),
    "sigmoid": ("Sigmoid", {}),
    "tanh": ("Tanh", {}),
    "relu6": ("ReLU6", {}),
    "hard_swish": ("Hard-swish", {}),
    "squared_relu": ("Squared ReLU", {}),
}

# The plotted interval, where [-4, 4] would hide the shape (ReLU6's cap at 6).
_X_RANGE = {"relu6": (-4.0, 8.0)}

#: The activations the explorer offers, in the registry's order.
EXPLORER_ACTIVATIONS: tuple[str, ...] = tuple(n for n in _registry.ACTIVATIONS if n in _UI)

#: Slider ranges ``(low, high, step)`` of each activation's parameters, by name.
SLIDERS: Mapping[str, Mapping[str, tuple[float, float, float]]] = MappingProxyType(
    {n: MappingProxyType(_UI[n][1]) for n in EXPLORER_ACTIVATIONS})

# Parameters whose registry default is None (PReLU's weight is learned; 0.25 is its start).
_INITIAL = {("prelu", "weight"): 0.25}


def _default(name: str, param: str) -> float:
    value = _registry.ACTIVATIONS[name].params.get(param)
    return float(_INITIAL.get((name, param), value))


def _key(fn_name: str, name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{fn_name}() expects `name` to be a str, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = _registry.ALIASES.get(key, key)
    if key not in EXPLORER_ACTIVATIONS:
        raise ValueError(f"{fn_name}(): unknown activation {name!r}; valid names are "
                         f"{', '.join(EXPLORER_ACTIVATIONS)}")
    return key


def _params(fn_name: str, name: str, params: Mapping[str, object]) -> dict[str, float]:
    """The slider parameters of ``name``: defaults, overridden by ``params`` (checked)."""
    sliders = SLIDERS[name]
    unknown = sorted(set(params) - set(sliders))
    if unknown:
        allowed = ", ".join(sliders) or "none"
        raise TypeError(f"{fn_name}(): {name} has no parameter {', '.join(unknown)} "
                        f"(its parameters: {allowed})")
    values = {}
    for param, (low, high, _) in sliders.items():
        value = params.get(param, _default(name, param))
        values[param] = check_real(fn_name, param, value, ge=low, le=high)
    return values


def _torch_kwargs(name: str, values: Mapping[str, float]) -> dict[str, object]:
    kwargs = dict(values)
    if name == "prelu":
        kwargs["weight"] = torch.tensor([values["weight"]], dtype=torch.float64)
    return kwargs


def _phi_and_slope(name: str, x: torch.Tensor, values: Mapping[str, float]):
    entry = _registry.ACTIVATIONS[name]
    kwargs = _torch_kwargs(name, values)
    with torch.no_grad():
        phi = entry.function(x, **kwargs)
    if entry.derivative is not None:
        with torch.no_grad():
            slope = entry.derivative(x, **kwargs)
    else:                                                # the variants: autograd
        with torch.enable_grad():
            leaf = x.detach().clone().requires_grad_(True)
            (slope,) = torch.autograd.grad(entry.function(leaf, **kwargs).sum(), leaf)
    return phi.detach(), slope.detach()


def evaluate(name: str, x: Sequence[float], **params) -> tuple[list[float], list[float]]:
    r""":math:`\phi(x)` and :math:`\phi'(x)` of an explorer activation at the points ``x``
    (float64; derivatives as the course's code computes them, e.g. 0 for ReLU at 0).

    Args:
        name: one of :data:`EXPLORER_ACTIVATIONS` (or an alias).
        x: the points.
        **params: slider parameters (e.g. ``negative_slope=0.1``); defaults otherwise.

    Example:
        >>> evaluate("leaky_relu", [-2.0, 0.0, 1.0], negative_slope=0.1)
        ([-0.2, 0.0, 1.0], [0.1, 0.1, 1.0])
    """
    key = _key("evaluate", name)
    values = _params("evaluate", key, params)
    points = torch.as_tensor([float(v) for v in x], dtype=torch.float64)
    phi, slope = _phi_and_slope(key, points, values)
    return phi.tolist(), slope.tolist()


def normal_fractions(name: str, **params) -> dict[str, float]:
    r"""For :math:`X \sim N(0, 1)`: the fraction *zeroed*, :math:`P(\phi(X) = 0)`, and the
    fraction *saturated*, :math:`P(|\phi'(X)| < 0.05)` (:data:`SATURATION_THRESHOLD`), by the
    quadrature :data:`QUADRATURE` -- the same as the explorer's script, so the page's numbers
    can be checked against these.

    Args:
        name: one of :data:`EXPLORER_ACTIVATIONS` (or an alias).
        **params: slider parameters (e.g. ``alpha=2.0`` for ELU); defaults otherwise.

    Example:
        >>> f = normal_fractions("relu")
        >>> round(f["zeroed"], 6), round(f["saturated"], 6)
        (0.5, 0.5)
        >>> normal_fractions("leaky_relu", negative_slope=0.1)["zeroed"]
        0.0
    """
    key = _key("normal_fractions", name)
    values = _params("normal_fractions", key, params)
    limit, cells = QUADRATURE["limit"], QUADRATURE["cells"]
    h = 2 * limit / cells
    mid = -limit + (torch.arange(cells, dtype=torch.float64) + 0.5) * h
    weight = torch.exp(-0.5 * mid * mid)
    total = float(weight.sum())
    phi, slope = _phi_and_slope(key, mid, values)
    zeroed = float(weight[phi == 0].sum()) / total
    saturated = float(weight[slope.abs() < SATURATION_THRESHOLD].sum()) / total
    return {"zeroed": zeroed, "saturated": saturated}


def _spec() -> dict:
    """What the script needs, as JSON: activations, labels, chapters, sliders, constants."""
    activations = []
    for name in EXPLORER_ACTIVATIONS:
        label, sliders = _UI[name]
        chapter = _registry.ACTIVATIONS[name].chapter
        activations.append({
            "name": name, "label": label, "chapter": chapter,
            "x_range": list(_X_RANGE.get(name, (-4.0, 4.0))),
            "params": [{"name": p, "min": lo, "max": hi, "step": st,
                        "value": _default(name, p)} for p, (lo, hi, st) in sliders.items()],
            "fixed": {p: v for p, v in _registry.ACTIVATIONS[name].params.items()
                      if p not in sliders and isinstance(v, (int, float))},
        })
    return {"activations": activations, "saturation": SATURATION_THRESHOLD,
            "quadrature": dict(QUADRATURE),
            "selu": {"scale": _F.SELU_SCALE, "alpha": _F.SELU_ALPHA}}


def _asset(name: str) -> str:
    return (resources.files(__name__) / name).read_text(encoding="utf-8")


def _json_for_script(value) -> str:
    text = json.dumps(value, sort_keys=True, separators=(",", ":"))
    return text.replace("</", "<\\/")


class Explorer:
    """The explorer for one starting activation; shown as HTML by Jupyter, Colab and the
    course's website (see :func:`explorer`).

    Attributes:
        name: the activation shown first.

    Example:
        >>> Explorer("elu")
        Explorer('elu')
    """

    def __init__(self, name: str = "relu"):
        self.name = _key("Explorer", name)

    def __repr__(self) -> str:
        return f"Explorer({self.name!r})"

    def _repr_html_(self) -> str:
        spec = _spec()
        options = "".join(
            f'<option value="{a["name"]}"'
            f'{" selected" if a["name"] == self.name else ""}>'
            f'{html.escape(a["label"])} (chapter {a["chapter"]})</option>'
            for a in spec["activations"])
        percent = f"{SATURATION_THRESHOLD:g}"
        return (
            f'<div class="relu-explorer" data-initial="{self.name}">'
            f"<style>{_asset('explorer.css')}</style>"
            '<div class="rx-controls">'
            '<label class="rx-pick">Activation '
            f'<select class="rx-select">{options}</select></label>'
            '<div class="rx-sliders"></div></div>'
            '<p class="rx-formula" aria-live="polite"></p>'
            '<svg class="rx-plot" viewBox="0 0 420 280" role="img" '
            'aria-label="The activation and its derivative">'
            "<title>The activation and its derivative</title></svg>"
            '<dl class="rx-readouts">'
            '<div><dt>&#966;(0)</dt><dd class="rx-phi0" data-value="">&#8211;</dd></div>'
            "<div><dt>&#966;&#8242;(0)</dt>"
            '<dd class="rx-dphi0" data-value="">&#8211;</dd></div>'
            '<div><dt>zeroed</dt><dd class="rx-zeroed" data-value="">&#8211;</dd></div>'
            '<div><dt>saturated</dt>'
            '<dd class="rx-saturated" data-value="">&#8211;</dd></div></dl>'
            '<p class="rx-note">For an input <i>X</i> drawn from a standard normal '
            "distribution: <b>zeroed</b> is the chance that &#966;(<i>X</i>) is exactly 0 "
            "(the unit is silent), <b>saturated</b> the chance that |&#966;&#8242;(<i>X</i>)| "
            f"&lt; {percent}: the unit passes back less than 1/20 of the gradient. For ReLU "
            "these are its zeroed inputs (slope exactly 0); for the sigmoid and tanh, their "
            "flat tails -- and the sigmoid passes back at most 1/4 even at its centre, a "
            "loss this fraction does not count. "
            "&#966;&#8242;(0) is the value PyTorch uses at a kink.</p>"
            '<p class="rx-nojs">This explorer runs in your browser: on the website it works '
            "as it is; in Jupyter or Colab, run the cell.</p>"
            f"<script>{_asset('explorer.js').replace('/*SPEC*/null', _json_for_script(spec))}"
            "</script></div>")


def explorer(name: str = "relu") -> Explorer:
    """An interactive explorer of the activations, starting with ``name``; display it (the
    last line of a cell) to see it. It needs no kernel once shown.

    Args:
        name: the activation shown first, one of :data:`EXPLORER_ACTIVATIONS` (or an alias
            such as ``"swish"``).

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).

    Example:
        >>> explorer("elu")
        Explorer('elu')
        >>> explorer("elu")._repr_html_().startswith('<div class="relu-explorer"')
        True
    """
    return Explorer(name)

