"""The browser checks of ``test_website.py`` can fail: each one, run on a small page with the
fault it looks for, reports it -- and reports nothing on a clean page."""

from __future__ import annotations

import base64
import os

import pytest
from website import (
    broken_internal_links,
    browser,
    chromium_path,
    inspect_page,
    mathjax_dir,
    serve,
    visible_search_boxes,
)

pytestmark = pytest.mark.slow

PNG = base64.b64decode(  # a 1x1 pixel
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=")


MATHJAX = "<script defer src='mathjax/tex-chtml.js'></script>"


def page_html(body: str) -> str:
    return f"<!doctype html><html><body><h1 id='top'>T</h1>{body}</body></html>"


@pytest.fixture(scope="module")
def fake_site(tmp_path_factory):
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        playwright_ok = False
    else:
        playwright_ok = True
    if chromium_path() is None or not playwright_ok:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI must run the browser checks (.ci/run installs Chromium)")
        pytest.skip("needs Chromium and Playwright")
    root = tmp_path_factory.mktemp("fake-site")
    (root / "img.png").write_bytes(PNG)
    (root / "mathjax").symlink_to(mathjax_dir(), target_is_directory=True)
    pages = {
        "clean.html": "<p>Fine. <a href='other.html#sec'>ok</a></p><img src='img.png'>"
                      "<span class='math'>\\(x^2\\)</span>" + MATHJAX,
        "other.html": "<h2 id='sec'>S</h2>",
        "broken-image.html": "<div class='cell_output'><img src='missing/figure.png'></div>",
        "traceback.html": "<div class='cell_output'><pre>Traceback (most recent call last):\n"
                          "  File ...\nValueError: boom</pre></div>",
        "stderr.html": "<div class='output stderr'>warning: something</div>",
        "raw-myst.html": "<p>As {cite:p}`he2015` showed</p><p>```{figure} x.png</p>",
        "bad-links.html": "<a href='nowhere.html'>x</a> <a href='other.html#nope'>y</a>",
        "raw-math.html": "<span class='math'>\\(x^2\\)</span>",           # no MathJax
        "bad-math.html": "<span class='math'>\\(x^1^2\\)</span>" + MATHJAX,
        "cdn.html": "<script src='https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js'>"
                    "</script><span class='math'>\\(x\\)</span>",
        "two-searches.html": "<input type='search'><form class='bd-search'><input></form>",
    }
    for name, body in pages.items():
        (root / name).write_text(page_html(body), encoding="utf-8")
    with serve(root) as base, browser() as chromium:
        page = chromium.new_page()
        reports = {name: inspect_page(page, base + name) for name in pages}
        searches = {}
        for name in ("clean.html", "two-searches.html"):
            page.goto(base + name)
            searches[name] = visible_search_boxes(page)
        yield base, root, reports, searches


def test_a_clean_page_passes(fake_site):
    base, root, reports, _ = fake_site
    assert reports["clean.html"].problems == []
    assert reports["clean.html"].images == 1 and reports["clean.html"].math == 1
    assert broken_internal_links([reports["clean.html"]], base, root) == []


def test_a_broken_figure_path_is_caught(fake_site):
    problems = fake_site[2]["broken-image.html"].problems
    assert any("image did not load: missing/figure.png" in p for p in problems)


def test_a_stored_traceback_and_error_output_are_caught(fake_site):
    assert any("traceback" in p for p in fake_site[2]["traceback.html"].problems)
    assert any("error output" in p for p in fake_site[2]["stderr.html"].problems)


def test_raw_myst_markup_is_caught(fake_site):
    problems = fake_site[2]["raw-myst.html"].problems
    assert any("{cite:p}`" in p for p in problems) and any("```{" in p for p in problems)


def test_missing_pages_and_anchors_are_caught(fake_site):
    base, root, reports, _ = fake_site
    problems = broken_internal_links([reports["bad-links.html"]], base, root)
    assert any("missing nowhere.html" in p for p in problems)
    assert any("missing anchor #nope" in p for p in problems)


def test_math_that_is_not_rendered_offline_is_caught(fake_site):
    problems = fake_site[2]["raw-math.html"].problems
    assert any("math not rendered" in p for p in problems)
    assert any("raw math delimiter" in p for p in problems)


def test_a_tex_error_is_caught(fake_site):
    report = fake_site[2]["bad-math.html"]
    assert report.math == 1 and any("math rendered with an error" in p for p in report.problems)


def test_a_request_to_the_network_is_caught_and_blocked(fake_site):
    report = fake_site[2]["cdn.html"]
    assert report.external_requests == ["https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js"]
    assert any("requested a resource from the network" in p for p in report.problems)
    assert any("math not rendered" in p for p in report.problems)     # the CDN never answered


def test_two_search_boxes_are_counted(fake_site):
    assert fake_site[3] == {"clean.html": 0, "two-searches.html": 2}
