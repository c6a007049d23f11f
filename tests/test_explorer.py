"""The activation explorer (relu_course.explorer): its HTML, its numbers, and the page in a
real browser (headless Chromium), where a slider is moved and the plot and readouts are
checked against Python. Screenshots at a desktop and a phone width are saved to
``_build/test-artifacts/`` (or ``$RELU_COURSE_ARTIFACTS``).

Locally the browser test is skipped when Chromium or Playwright is missing; in CI
(``CI=true``) that is a failure, as in ``test_website.py``.
"""

from __future__ import annotations

import json
import math
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_book import ROOT

from relu_course import explorer as ex

IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(os.environ.get("RELU_COURSE_ARTIFACTS", ROOT / "_build" / "test-artifacts"))
CHAPTER_9 = ROOT / "chapters" / "09-comparing-activation-functions.ipynb"


class _Tags(HTMLParser):
    """Counts tags and checks that every opened element is closed, in order."""

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def __init__(self):
        super().__init__()
        self.stack, self.tags, self.errors = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(tag)


def _parse(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def test_the_html_is_one_self_contained_well_formed_fragment():
    fragment = ex.explorer("elu")._repr_html_()
    parsed = _parse(fragment)
    assert not parsed.errors and not parsed.stack, (parsed.errors, parsed.stack)
    names = [tag for tag, _ in parsed.tags]
    assert names[0] == "div" and fragment.endswith("</div>")
    assert names.count("script") == names.count("style") == names.count("svg") == 1
    assert names.count("select") == 1
    options = [attrs["value"] for tag, attrs in parsed.tags if tag == "option"]
    assert options == list(ex.EXPLORER_ACTIVATIONS)
    selected = [attrs["value"] for tag, attrs in parsed.tags
                if tag == "option" and "selected" in attrs]
    assert selected == ["elu"]
    # nothing loaded from elsewhere, no IPython, and the spec made it into the script
    assert not re.search(r"""(src|href)\s*=|https?://(?!www\.w3\.org/2000/svg)|@import""",
                         fragment)
    assert "IPython" not in fragment and "/*SPEC*/" not in fragment
    assert fragment.count("</script>") == 1
    assert 'aria-label="' in fragment and "<title>" in fragment


def test_the_html_is_deterministic():
    first, second = ex.explorer("elu"), ex.explorer("ELU")
    assert first._repr_html_() == second._repr_html_()
    assert repr(first) == repr(second) == "Explorer('elu')"
    assert ex.explorer("swish").name == "silu"
    assert ex.explorer()._repr_html_() != first._repr_html_()


@pytest.mark.parametrize("name", ["rational", "piecewise_linear", "relu_kink", "identity",
                                  "nonsense", ""])
def test_unknown_or_skipped_names_raise_a_clear_error(name):
    with pytest.raises(ValueError, match="valid names are relu, leaky_relu"):
        ex.explorer(name)


def test_bad_arguments_raise():
    with pytest.raises(TypeError, match="`name` to be a str"):
        ex.explorer(3)
    with pytest.raises(TypeError, match="has no parameter alpha"):
        ex.normal_fractions("relu", alpha=1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        ex.normal_fractions("leaky_relu", negative_slope=5.0)
    with pytest.raises(TypeError, match="real number"):
        ex.evaluate("elu", [0.0], alpha="1")


def test_the_spec_comes_from_the_registry():
    from relu_course.activations import registry

    spec = json.loads(re.search(r"var SPEC = (\{.*?\});\n",
                                ex.explorer()._repr_html_()).group(1).replace("<\\/", "</"))
    assert [a["name"] for a in spec["activations"]] == list(ex.EXPLORER_ACTIVATIONS)
    for a in spec["activations"]:
        entry = registry.ACTIVATIONS[a["name"]]
        for p in a["params"]:
            assert p["min"] <= p["value"] <= p["max"]
            if entry.params[p["name"]] is not None:
                assert p["value"] == entry.params[p["name"]]
    # and phi(0), phi'(0) at the defaults are the registry's facts
    for name in ex.EXPLORER_ACTIVATIONS:
        (f0,), (d0,) = ex.evaluate(name, [0.0])
        entry = registry.ACTIVATIONS[name]
        assert math.isclose(f0, entry.value_at_zero, abs_tol=1e-12), name
        assert math.isclose(d0, entry.derivative_at_zero, abs_tol=1e-12), name


def _normal_cdf(x):
    return 0.5 * math.erfc(-x / math.sqrt(2))


@pytest.mark.parametrize("name, zeroed, saturated", [
    ("relu", 0.5, 0.5),                      # zero and flat exactly on x <= 0
    ("relu6", 0.5, 0.5),                     # plus x > 6: mass below 1e-8
    ("squared_relu", 0.5, _normal_cdf(0.025)),   # slope 2x < 0.05 for x < 0.025
    ("leaky_relu", 0.0, 0.5),                # never zero, slope 0.01 on the left
    ("elu", 0.0, _normal_cdf(math.log(0.05))),   # slope e^x < 0.05
    ("sigmoid", 0.0, 2 * _normal_cdf(-2 * math.acosh(1 / (2 * math.sqrt(0.05))))),
    ("tanh", 0.0, 2 * _normal_cdf(-math.atanh(math.sqrt(0.95)))),
    ("hard_swish", _normal_cdf(-3), _normal_cdf(-3) + _normal_cdf(-1.35) - _normal_cdf(-1.65)),
])
def test_normal_fractions(name, zeroed, saturated):
    got = ex.normal_fractions(name)
    h = 2 * ex.QUADRATURE["limit"] / ex.QUADRATURE["cells"]
    # a threshold inside a cell misplaces at most half a cell of density <= 0.4 (x2 sides)
    assert got["zeroed"] == pytest.approx(zeroed, abs=max(1e-12, 0.4 * h))
    assert got["saturated"] == pytest.approx(saturated, abs=max(1e-12, 0.4 * h))


def test_normal_fractions_follow_the_parameters():
    assert ex.normal_fractions("leaky_relu", negative_slope=0.0)["zeroed"] == pytest.approx(0.5)
    assert ex.normal_fractions("leaky_relu", negative_slope=0.1)["saturated"] == 0.0
    assert (ex.normal_fractions("elu", alpha=3.0)["saturated"]
            < ex.normal_fractions("elu", alpha=0.5)["saturated"])
    assert ex.normal_fractions("prelu", weight=0.0) == ex.normal_fractions("relu")


def test_chapter_9_shows_the_current_explorer():
    # The page cannot drift from the package: the stored output is today's HTML.
    nb = json.loads(CHAPTER_9.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"
             and "explorer(" in "".join(c["source"])]
    assert len(cells) == 1
    html = [o["data"]["text/html"] for o in cells[0]["outputs"]
            if "text/html" in o.get("data", {})]
    assert len(html) == 1
    assert "".join(html[0]) == ex.explorer("elu")._repr_html_()


# ---- in a browser -------------------------------------------------------------------------

def _need_browser():
    from website import chromium_path

    missing = []
    if chromium_path() is None:
        missing.append("Chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("Playwright (pip install playwright)")
    if missing:
        message = "the browser test needs " + " and ".join(missing)
        if IN_CI:
            pytest.fail(message + "; .ci/run installs them")
        pytest.skip(message)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Activation explorer</title>
<style>body {{ margin: 0; padding: 16px; background: {background}; }}</style>
</head><body>
{fragment}
</body></html>
"""


@pytest.mark.slow
def test_the_explorer_in_a_browser(tmp_path):
    _need_browser()
    from explorer_check import exercise, python_table
    from website import browser, horizontal_overflow, serve

    (tmp_path / "index.html").write_text(
        PAGE.format(background="#ffffff", fragment=ex.explorer("elu")._repr_html_()),
        encoding="utf-8")
    (tmp_path / "dark.html").write_text(
        PAGE.format(background="#121212", fragment=ex.explorer("relu")._repr_html_()
                    + ex.explorer("gelu")._repr_html_()),
        encoding="utf-8")
    # a page whose ELU ignores alpha: the check must notice
    broken = ex.explorer("elu")._repr_html_().replace("p.alpha * Math.expm1(x)",
                                                       "Math.expm1(x)")
    assert broken != ex.explorer("elu")._repr_html_()
    (tmp_path / "broken.html").write_text(
        PAGE.format(background="#ffffff", fragment=broken), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    table = python_table()
    with serve(tmp_path) as base, browser() as chromium:
        blocked, errors = [], []

        def only_local(route):
            if route.request.url.startswith(base):
                route.continue_()
            else:
                blocked.append(route.request.url)
                route.abort()

        for name, viewport in (("desktop", {"width": 1280, "height": 900}),
                               ("phone", {"width": 390, "height": 844})):
            page = chromium.new_page(viewport=viewport)
            page.route("**/*", only_local)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: m.type == "error" and errors.append(m.text))
            page.goto(base + "index.html", wait_until="load")
            problems = exercise(page, table)
            assert not problems, "\n".join(problems[:20])
            # the reader's last move shows on the screenshot: ELU with alpha 2
            page.query_selector("select.rx-select").select_option("elu")
            page.evaluate("""() => {
                const input = document.querySelector('input[data-param="alpha"]');
                input.value = '2';
                input.dispatchEvent(new Event('input', {bubbles: true}));
            }""")
            assert horizontal_overflow(page) == 0, f"horizontal overflow at {viewport}"
            shot = ARTIFACTS / f"explorer-{name}.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 10_000
            page.goto(base + "dark.html", wait_until="load")
            assert horizontal_overflow(page) == 0
            # two explorers on one page work independently
            states = page.evaluate("""() => Array.from(
                document.querySelectorAll('.relu-explorer[data-ready="yes"]'),
                root => root.reluExplorer.state().name)""")
            assert states == ["relu", "gelu"]
            page.screenshot(path=str(ARTIFACTS / f"explorer-{name}-dark.png"), full_page=True)
            page.close()
        page = chromium.new_page()
        page.route("**/*", only_local)
        page.goto(base + "broken.html", wait_until="load")
        found = exercise(page, table)
        assert any(p.startswith("elu{'alpha'") and "phi(-1.0)" in p for p in found), found
        assert any("readout phi0" not in p and "plotted f differs" in p for p in found), found
        page.close()
        assert not errors, errors
        assert not blocked, blocked
