"""The built website in a real browser (headless Chromium): what a reader sees.

Every page: images load, no error output or traceback is shown, no raw MyST markup is visible,
internal links and anchors resolve. Chapter pages: their figures are there, the Colab button
opens the right notebook, math markup is present. The search page finds a chapter by a word of
its text. Screenshots of the landing page and a chapter, on a desktop and a phone-sized
viewport, are saved to ``_build/test-artifacts/`` (or ``$RELU_COURSE_ARTIFACTS``).

Locally the test is skipped when Chromium or Playwright is missing; in CI (``CI=true``) that
is a failure, since ``.ci/run`` installs both.
"""

from __future__ import annotations

import json
import os
import re
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from website import (
    ROOT,
    broken_internal_links,
    browser,
    chromium_path,
    horizontal_overflow,
    inspect_page,
    offline,
    search_results,
    serve,
    visible_search_boxes,
    wait_for_math,
)

pytestmark = pytest.mark.slow

CHAPTERS = ROOT / "chapters"
NOTEBOOKS = sorted(CHAPTERS.glob("*.ipynb"))
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
IN_CI = os.environ.get("CI", "").lower() == "true"
ARTIFACTS = Path(os.environ.get("RELU_COURSE_ARTIFACTS", ROOT / "_build" / "test-artifacts"))


def _need_browser():
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


@pytest.fixture(scope="module")
def site(built_book):
    result, html = built_book
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    _need_browser()
    with serve(html) as base, browser() as chromium:
        yield SimpleNamespace(base=base, html=html, browser=chromium)


def _pages(html: Path) -> list[str]:
    skip = {"_static", "_sources", "_images", "_sphinx_design_static"}
    return sorted(p.relative_to(html).as_posix() for p in html.rglob("*.html")
                  if not skip & set(p.relative_to(html).parts))


@pytest.fixture(scope="module")
def reports(site):
    page = site.browser.new_page(viewport={"width": 1280, "height": 900})
    result = {rel: inspect_page(page, site.base + rel) for rel in _pages(site.html)}
    page.close()
    return result


def _figures(path: Path) -> int:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return sum(1 for c in nb["cells"] if c["cell_type"] == "code"
               for o in c.get("outputs", []) if "image/png" in o.get("data", {}))


def test_the_site_has_every_chapter_page(reports):
    for path in NOTEBOOKS:
        assert f"chapters/{path.stem}.html" in reports
    assert "index.html" in reports and "search.html" in reports


def test_every_page_renders_cleanly(reports):
    problems = [f"{rel}: {p}" for rel, r in reports.items() for p in r.problems]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_page_shows_its_figures_math_and_colab_link(reports, path):
    report = reports[f"chapters/{path.stem}.html"]
    assert report.output_images >= _figures(path), (
        f"{path.name}: {_figures(path)} figures in the notebook, {report.output_images} "
        f"loaded images in the page's outputs")
    repo = CONFIG["repository"]["url"].split("github.com/")[1]
    branch = CONFIG["repository"]["branch"]
    colab = f"https://colab.research.google.com/github/{repo}/blob/{branch}/chapters/{path.name}"
    assert colab in report.colab_links, f"no Colab launch link to {colab}"
    assert report.math > 0, "no rendered math on the page"
    alts = [c["metadata"]["mystnb"]["image"]["alt"]
            for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
            if c["metadata"].get("mystnb", {}).get("image", {}).get("alt")]
    missing = [alt[:60] for alt in alts if " ".join(alt.split()) not in
               {" ".join(a.split()) for a in report.alts}]
    assert not missing, f"figures whose alt text is not on the page: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_setup_and_checks_are_collapsed_and_deep_dives_marked(reports, path):
    cells = [c for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
             if c["cell_type"] == "code"]
    tagged = {tag: sum(tag in c["metadata"].get("tags", []) for c in cells)
              for tag in ("check", "deep-dive")}
    report = reports[f"chapters/{path.stem}.html"]
    assert report.setup_cell_shown is False, "the setup cell's code is not collapsed"
    assert report.check_cells == tagged["check"] > 0
    assert report.checks_shown == 0, "a check cell's code is shown without a click"
    assert report.deep_dive_cells == report.deep_dive_labelled == tagged["deep-dive"]


def test_internal_links_resolve(reports, site):
    problems = broken_internal_links(list(reports.values()), site.base, site.html)
    assert not problems, "\n".join(problems[:30])
    assert sum(len(r.links) for r in reports.values()) > 100          # the check saw links


def _distinctive_word(path: Path) -> str:
    """A long word of the chapter's prose that no other chapter uses."""
    def words(p):
        nb = json.loads(p.read_text(encoding="utf-8"))
        text = " ".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        return Counter(w.lower() for w in re.findall(r"\b[A-Za-z]{9,}\b", text))
    others = Counter()
    for p in NOTEBOOKS:
        if p != path:
            others.update(words(p))
    mine = words(path)
    candidates = [w for w, n in mine.most_common() if w not in others and n >= 2]
    assert candidates, f"{path.name}: no distinctive word"
    return candidates[0]


@pytest.mark.parametrize("stem", ["03-relu-explained", "05-the-vanishing-gradient-problem"])
def test_search_finds_a_chapter_by_a_word_of_its_text(site, stem):
    word = _distinctive_word(CHAPTERS / f"{stem}.ipynb")
    page = site.browser.new_page()
    links = search_results(page, site.base, word)
    page.close()
    assert any(f"chapters/{stem}.html" in link for link in links), (
        f"searching for {word!r} did not list {stem} (results: {links[:5]})")


@pytest.mark.parametrize("name, rel, viewport", [
    ("landing", "index.html", (1280, 900)),
    ("chapter", "chapters/03-relu-explained.html", (1280, 900)),
    ("chapter-mobile", "chapters/03-relu-explained.html", (390, 844)),
    ("landing-mobile", "index.html", (390, 844)),
])
def test_screenshots_and_narrow_viewport(site, name, rel, viewport):
    width, height = viewport
    page = site.browser.new_page(viewport={"width": width, "height": height})
    page.goto(site.base + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(shot))
    heading = page.locator("h1:visible").first
    box = heading.bounding_box()
    overflow = horizontal_overflow(page)
    searches = visible_search_boxes(page)
    page.close()
    assert shot.stat().st_size > 10_000, "the screenshot looks empty"
    assert box is not None and 0 <= box["x"] and box["x"] + box["width"] <= width + 1, (
        f"the page title is not inside the {width}px viewport: {box}")
    assert overflow <= 1, f"the page is {overflow}px wider than a {width}px screen"
    assert searches == 1, f"{searches} search boxes on the page at {width}px, not one"


def _open(site, rel: str, width: int = 1280, height: int = 900):
    """A page of the site, opened with the network cut off and its math rendered."""
    page = site.browser.new_page(viewport={"width": width, "height": height})
    blocked = offline(page, site.base)
    page.goto(site.base + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    wait_for_math(page)
    return page, blocked


def test_the_cheat_sheet_prints_on_one_landscape_page(site):
    page, blocked = _open(site, "chapters/cheat-sheet.html")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cheat-sheet.png"), full_page=True)
    pdf = page.pdf(path=str(ARTIFACTS / "cheat-sheet.pdf"), prefer_css_page_size=True,
                   print_background=True)
    page.close()
    assert not blocked
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    width, height = map(float, re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)", pdf)
                        .groups())
    assert pages == 1, f"the cheat sheet prints on {pages} pages"
    assert width > height, "the cheat sheet prints in portrait"


def test_the_explorer_works_on_the_website(site):
    # Chapter 9's stored output, as the website shows it: no kernel, no network.
    from explorer_check import exercise

    page, blocked = _open(site, "chapters/09-comparing-activation-functions.html")
    problems = exercise(page)
    explorer = page.locator(".relu-explorer").first
    explorer.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "site-explorer.png"))
    page.close()
    assert not blocked and not problems, "\n".join(blocked + problems)


@pytest.mark.parametrize("rel, name", [
    ("chapters/05-the-vanishing-gradient-problem.html", "backward_pass"),
    ("chapters/13-future-trends.html", "gated_ffn"),
])
def test_a_chapter_shows_its_diagram_with_alt_text(site, rel, name):
    from relu_course.plotting.diagrams import ALT_TEXT

    page, blocked = _open(site, rel)
    image = page.locator(f'img[alt="{ALT_TEXT[name]}"]')
    assert image.count() == 1, f"no image with the {name} diagram's alt text on {rel}"
    image.scroll_into_view_if_needed()
    loaded = image.evaluate("i => i.complete && i.naturalWidth > 300")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"diagram-{name}.png"))
    page.close()
    assert loaded and not blocked
