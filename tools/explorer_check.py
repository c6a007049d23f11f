"""Check the activation explorer (``relu_course.explorer``) in a real browser page.

:func:`exercise` drives an explorer already shown on a Playwright ``page`` -- a standalone page
(``tests/test_explorer.py``) or chapter 9 of the built website (the website test) -- and returns
the problems it found (an empty list when all is well):

(a) for every activation, at its default parameters and one other setting, the page's
    :math:`\\phi(x)` and :math:`\\phi'(x)` at points including 0 and negative ones equal the
    values the course's Python code computes (:func:`python_table`), and its ``erf`` equals
    Python's ``math.erf`` to within 1e-6;
(b) like a reader, it picks activations in the menu (Leaky ReLU, ELU, softplus, PReLU), moves
    a slider (sets the range input and dispatches ``input``), and checks that the plotted curve
    changes and matches Python at every sample, and that the four readouts equal
    ``normal_fractions`` and :math:`\\phi(0)`, :math:`\\phi'(0)` for the new value.
"""

from __future__ import annotations

import math

#: Points at which the page's formulas are compared with Python's (0 and negatives included).
POINTS = (-4.0, -3.0, -2.5, -1.0, -0.3, -1e-3, 0.0, 1e-3, 0.5, 1.0, 2.9, 3.0, 5.0, 7.0)
#: Where ``erf`` is compared with ``math.erf``.
ERF_POINTS = tuple(x / 4 for x in range(-28, 29))
#: Activation, parameter, new value: the sliders that (b) moves.
MOVES = (("leaky_relu", "negative_slope", 0.2), ("elu", "alpha", 2.0),
         ("softplus", "beta", 3.0), ("prelu", "weight", -0.25))
TOLERANCE = 1e-9


def python_table() -> dict:
    """What the page must show, computed by the course's Python code (the registry's functions
    and derivatives): for every activation and setting, phi and phi' at :data:`POINTS` and the
    normal fractions; plus ``math.erf`` at :data:`ERF_POINTS`."""
    from relu_course import explorer as ex

    cases = []
    for name in ex.EXPLORER_ACTIVATIONS:
        settings = [{}]
        for param, (low, high, step) in ex.SLIDERS[name].items():
            other = round(low + round((high - low) * 0.7 / step) * step, 10)
            settings.append({param: other})
        for params in settings:
            phi, dphi = ex.evaluate(name, POINTS, **params)
            cases.append({"name": name, "params": params, "phi": phi, "dphi": dphi,
                          **ex.normal_fractions(name, **params)})
    return {"points": list(POINTS), "cases": cases,
            "erf": [[x, math.erf(x)] for x in ERF_POINTS]}


def _close(a, b, tol=TOLERANCE) -> bool:
    return a is not None and abs(a - b) <= tol * max(1.0, abs(b))


def _compare_formulas(page, root, table) -> list[str]:
    problems = []
    seen = root.evaluate(
        """(root, table) => {
             const api = root.reluExplorer;
             if (!api) return null;
             return {
               cases: table.cases.map(c => ({
                 phi: table.points.map(x => api.phi(c.name, x, c.params)),
                 dphi: table.points.map(x => api.dphi(c.name, x, c.params)),
                 fr: api.fractions(c.name, c.params)})),
               erf: table.erf.map(p => api.erf(p[0])),
               names: api.spec.activations.map(a => a.name)};
           }""", table)
    if seen is None:
        return ["the explorer's script did not run (no reluExplorer on its container)"]
    names = sorted({c["name"] for c in table["cases"]})
    if sorted(seen["names"]) != names:
        problems.append(f"activations on the page {seen['names']} != Python's {names}")
    for case, got in zip(table["cases"], seen["cases"]):
        label = f"{case['name']}{case['params'] or ''}"
        for key in ("phi", "dphi"):
            for x, want, have in zip(table["points"], case[key], got[key]):
                if not _close(have, want):
                    problems.append(f"{label}: page {key}({x}) = {have}, Python {want}")
        for key in ("zeroed", "saturated"):
            if not _close(got["fr"][key], case[key]):
                problems.append(f"{label}: page {key} {got['fr'][key]}, Python {case[key]}")
    for (x, want), have in zip(table["erf"], seen["erf"]):
        if not _close(have, want, 1e-6):
            problems.append(f"erf({x}) = {have} on the page, {want} in Python")
    return problems


def _readouts(root) -> dict:
    return root.evaluate(
        """root => Object.fromEntries(['phi0', 'dphi0', 'zeroed', 'saturated'].map(k => {
             const node = root.querySelector('.rx-' + k);
             return [k, {value: Number(node.getAttribute('data-value')),
                         text: node.textContent}];
           }))""")


def _curve(root) -> dict:
    return root.evaluate(
        """root => {
             const svg = root.querySelector('svg.rx-plot');
             const path = cls => svg.querySelector('path.' + cls);
             return {x: svg.getAttribute('data-x').split(',').map(Number),
                     f: path('rx-f').getAttribute('data-y').split(',').map(Number),
                     d: path('rx-d').getAttribute('data-y').split(',').map(Number),
                     path: path('rx-f').getAttribute('d')};
           }""")


def _check_shown(root, name, params) -> list[str]:
    """The plot and readouts of ``root`` against Python for ``name`` at ``params``."""
    from relu_course import explorer as ex

    problems, label = [], f"{name}{params or ''}"
    curve = _curve(root)
    phi, dphi = ex.evaluate(name, curve["x"], **params)
    for key, want in (("f", phi), ("d", dphi)):
        bad = [x for x, have, w in zip(curve["x"], curve[key], want) if not _close(have, w)]
        if bad or len(curve[key]) != len(want):
            problems.append(f"{label}: plotted {key} differs from Python at x = {bad[:3]}")
    (f0,), (d0,) = ex.evaluate(name, [0.0], **params)
    expected = {"phi0": f0, "dphi0": d0, **ex.normal_fractions(name, **params)}
    for key, value in _readouts(root).items():
        if not _close(value["value"], expected[key]):
            problems.append(f"{label}: readout {key} = {value['value']} ({value['text']!r}),"
                            f" Python {expected[key]}")
    return problems


def exercise(page, table: dict | None = None, selector: str = ".relu-explorer") -> list[str]:
    """Check the first explorer matching ``selector`` on ``page`` (see the module's
    docstring); ``table`` is :func:`python_table` (computed here when not given)."""
    if table is None:
        table = python_table()
    root = page.query_selector(selector)
    if root is None:
        return [f"no explorer ({selector}) on the page"]
    problems = _compare_formulas(page, root, table)
    if problems and problems[0].startswith("the explorer's script"):
        return problems
    if not root.query_selector("svg.rx-plot[aria-label] title"):
        problems.append("the plot has no aria-label or title")
    from relu_course import explorer as ex

    first = root.evaluate("root => root.reluExplorer.state()")
    sliders = ex.SLIDERS.get(first["name"], {})
    problems += _check_shown(root, first["name"], {
        k: v for k, v in first["params"].items() if k in sliders})
    for name, param, value in MOVES:
        root.query_selector("select.rx-select").select_option(name)
        before = _curve(root)
        problems += _check_shown(root, name, {})
        moved = root.evaluate(
            """(root, [param, value]) => {
                 const input = root.querySelector(`input[data-param="${param}"]`);
                 if (!input) return null;
                 input.value = String(value);
                 input.dispatchEvent(new Event('input', {bubbles: true}));
                 return {value: Number(input.value),
                         shown: input.parentElement.querySelector('output').textContent};
               }""", [param, value])
        if moved is None:
            problems.append(f"{name}: no slider for {param}")
            continue
        if moved["value"] != value or float(moved["shown"]) != value:
            problems.append(f"{name}: slider {param} shows {moved}, not {value}")
        after = _curve(root)
        if after["path"] == before["path"] or after["f"] == before["f"]:
            problems.append(f"{name}: moving {param} to {value} did not change the plot")
        problems += _check_shown(root, name, {param: moved["value"]})
    return problems
