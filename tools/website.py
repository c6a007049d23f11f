"""Build the book and check it in a real browser, as a reader sees it.

Used by ``tests/test_website.py`` (against the real book) and ``tests/test_website_checks.py``
(against small broken pages, to show that every check can fail). The browser is Debian's
Chromium (``/usr/bin/chromium``, or ``$CHROMIUM``) driven by Playwright; nothing is downloaded.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]

#: Text that only appears on a page when a MyST role or directive was not parsed.
RAW_MYST = ("```{", ":::{", "{cite:p}`", "{cite:t}`", "{term}`", "{ref}`", "{doc}`",
            "{numref}`", "{eval-rst}", "{glossary}", "{bibliography}", "{figure}", "{admonition}")

#: Chromium flags for a headless run that stays off the network.
CHROMIUM_ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run")


def chromium_path() -> str | None:
    """The Chromium executable to use, or ``None`` if there is none."""
    candidate = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    return candidate if Path(candidate).exists() else None


def mathjax_dir() -> Path:
    """The MathJax that the site serves (the ``sphinx-mathjax-offline`` package's copy)."""
    import importlib

    package = importlib.import_module("sphinx-mathjax-offline")
    return Path(package.__file__).parent / "static" / "mathjax"


def build_book(output: Path) -> tuple[subprocess.CompletedProcess, Path]:
    """Build the book from the committed notebook outputs with ``-W -n --keep-going``."""
    jb = Path(sys.executable).with_name("jupyter-book")
    result = subprocess.run(
        [str(jb), "build", str(ROOT), "-W", "-n", "--keep-going", "--path-output", str(output)],
        capture_output=True, text=True, timeout=900, check=False)
    return result, output / "_build" / "html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output clean
        pass


@contextmanager
def serve(directory: Path):
    """Serve ``directory`` over HTTP on a free local port; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser():
    """A headless Chromium (Playwright); yields the browser object."""
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        raise RuntimeError("no Chromium found: install Debian's `chromium` or set $CHROMIUM")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, args=list(CHROMIUM_ARGS[1:]))
        try:
            yield b
        finally:
            b.close()


@dataclass
class PageReport:
    """What a browser saw on one page."""

    url: str
    problems: list[str] = field(default_factory=list)
    images: int = 0                     # images that loaded
    alts: list[str] = field(default_factory=list)   # their alt texts
    output_images: int = 0              # of which inside notebook output cells
    links: list[str] = field(default_factory=list)
    colab_links: list[str] = field(default_factory=list)
    math: int = 0                       # formulas MathJax rendered
    external_requests: list[str] = field(default_factory=list)
    check_cells: int = 0                # code cells tagged check
    checks_shown: int = 0               # of which the code is visible without a click
    deep_dive_cells: int = 0            # code cells tagged deep-dive
    deep_dive_labelled: int = 0         # of which carry the "deep dive" label
    setup_cell_shown: bool | None = None  # the chapter's setup code visible without a click


_PAGE_SCRIPT = """() => {
  const imgs = Array.from(document.querySelectorAll('img'));
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                     .map(i => i.getAttribute('src'));
  const loaded = imgs.filter(i => i.complete && i.naturalWidth > 0);
  const alts = loaded.map(i => i.getAttribute('alt') || '');
  const outputImages = loaded.filter(i => i.closest('.cell_output, .output')).length;
  const errors = Array.from(document.querySelectorAll(
      '.output.traceback, .output.stderr, .cell_output .stderr, .output .traceback'))
      .map(e => e.innerText.slice(0, 200));
  const outputText = Array.from(document.querySelectorAll('.cell_output, .output'))
      .map(e => e.innerText).join('\\n');
  const body = document.body.cloneNode(true);
  body.querySelectorAll('pre, code, script, style, .highlight').forEach(e => e.remove());
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href);
  const mathSpans = Array.from(document.querySelectorAll('.math'));
  const rendered = document.querySelectorAll('mjx-container').length;
  const rawMath = mathSpans.filter(e => e.querySelector('mjx-container') === null)
      .map(e => e.textContent.trim().slice(0, 80));
  const mathErrors = Array.from(document.querySelectorAll('mjx-merror'))
      .map(e => e.textContent.slice(0, 80));
  const checks = Array.from(document.querySelectorAll('div.cell.tag_check'));
  const checksShown = checks.filter(c => {
      const input = c.querySelector('.cell_input');
      return input !== null && input.checkVisibility();
  }).length;
  const deep = Array.from(document.querySelectorAll('div.cell.tag_deep-dive'));
  const labelled = deep.filter(c => getComputedStyle(c, '::before').content
      .includes('deep dive')).length;
  const first = document.querySelector('div.cell');
  const setup = first && first.textContent.includes('Setup, the same in every chapter')
      ? first.querySelector('.cell_input') : null;
  const setupShown = setup === null ? null : setup.checkVisibility();
  return {broken, loaded: loaded.length, alts, setupShown, outputImages, errors, outputText,
          text: body.innerText, links, rendered, rawMath, mathErrors,
          checks: checks.length, checksShown,
          deep: deep.length, labelled};
}"""


#: Waits until MathJax (if the page loads it) has typeset the page.
_MATHJAX_READY = """async () => {
  for (let i = 0; i < 200 && window.MathJax && !window.MathJax.startup; i++) {
    await new Promise(r => setTimeout(r, 50));
  }
  if (window.MathJax && window.MathJax.startup) { await window.MathJax.startup.promise; }
}"""


def wait_for_math(page) -> None:
    """Wait until MathJax (if the page loads it) has typeset the page."""
    page.evaluate(_MATHJAX_READY)


def offline(page, base_url: str) -> list[str]:
    """Cut ``page`` off the network: every request outside ``base_url`` (the local server) is
    aborted, as on a machine with no network. Returns the list the blocked URLs go to."""
    blocked: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)
    return blocked


def inspect_page(page, url: str) -> PageReport:
    """Open ``url`` in ``page`` and collect what a reader would notice: with the page cut off
    the network (:func:`offline`), anything it needs from elsewhere shows as a problem, and
    math must have been rendered by the site's own MathJax."""
    base = url[:url.index("/", url.index("//") + 2) + 1]
    blocked = offline(page, base)
    response = page.goto(url, wait_until="load")
    report = PageReport(url)
    if response is None or response.status != 200:
        report.problems.append(f"HTTP status {None if response is None else response.status}")
        return report
    page.wait_for_load_state("networkidle")
    wait_for_math(page)
    page.wait_for_timeout(600)          # the quizzes typeset their math 500 ms after load
    seen = page.evaluate(_PAGE_SCRIPT)
    page.unroute("**/*")
    report.external_requests = list(blocked)
    for target in blocked:
        report.problems.append(f"requested a resource from the network: {target}")
    report.images = seen["loaded"]
    report.alts = seen["alts"]
    report.output_images = seen["outputImages"]
    report.links = seen["links"]
    report.math = seen["rendered"]
    for text in seen["rawMath"]:
        report.problems.append(f"math not rendered (raw TeX shown): {text!r}")
    for text in seen["mathErrors"]:
        report.problems.append(f"math rendered with an error: {text!r}")
    for delimiter in ("\\(", "\\["):
        if delimiter in seen["text"]:
            where = seen["text"].index(delimiter)
            snippet = seen["text"][max(0, where - 40):where + 40].replace("\n", " ")
            report.problems.append(f"raw math delimiter {delimiter} in the text: {snippet!r}")
    report.setup_cell_shown = seen["setupShown"]
    report.check_cells, report.checks_shown = seen["checks"], seen["checksShown"]
    report.deep_dive_cells, report.deep_dive_labelled = seen["deep"], seen["labelled"]
    report.colab_links = [h for h in seen["links"]
                          if h.startswith("https://colab.research.google.com/")]
    for src in seen["broken"]:
        report.problems.append(f"image did not load: {src}")
    for text in seen["errors"]:
        report.problems.append(f"error output shown: {text!r}")
    if "Traceback (most recent call last)" in seen["outputText"]:
        report.problems.append("a traceback is shown in a cell output")
    for marker in RAW_MYST:
        if marker in seen["text"]:
            where = seen["text"].index(marker)
            snippet = seen["text"][max(0, where - 40):where + 40].replace("\n", " ")
            report.problems.append(f"raw MyST markup visible: {snippet!r}")
    return report


def _ids(html: str) -> set[str]:
    return set(re.findall(r"""\bid=["']([^"']+)["']""", html))


def broken_internal_links(reports: list[PageReport], base_url: str, root: Path) -> list[str]:
    """Links from the pages to files of the site that do not exist, or to anchors missing
    from their target page."""
    problems, cache = [], {}
    for report in reports:
        for href in report.links:
            if not href.startswith(base_url):
                continue
            parts = urlsplit(href)
            rel = unquote(parts.path)[len(urlsplit(base_url).path):]
            target = root / rel
            if target.is_dir():
                target = target / "index.html"
            if not target.exists():
                problems.append(f"{report.url}: link to missing {rel}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in cache:
                    cache[target] = _ids(target.read_text(encoding="utf-8", errors="replace"))
                if unquote(parts.fragment) not in cache[target]:
                    problems.append(f"{report.url}: link to missing anchor #{parts.fragment} "
                                    f"in {rel}")
    return sorted(set(problems))


def search_results(page, base_url: str, word: str, timeout_ms: int = 20000) -> list[str]:
    """Run the site's own search for ``word``; return the result links (absolute URLs)."""
    page.goto(urljoin(base_url, f"search.html?q={word}"), wait_until="load")
    try:
        page.wait_for_selector("#search-results li a, ul.search li a", timeout=timeout_ms)
    except Exception:  # noqa: BLE001 -- no results within the time: report none
        return []
    return page.eval_on_selector_all("#search-results li a, ul.search li a",
                                     "els => els.map(e => e.href)")


def visible_search_boxes(page) -> int:
    """How many search fields or search buttons a reader sees on the page."""
    return page.evaluate("""() => Array.from(document.querySelectorAll(
        '.search-button__button, input[type=search], .bd-search, #searchbox input'))
        .filter(e => e.checkVisibility()).length""")


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 when it fits)."""
    return page.evaluate("() => Math.max(0, document.documentElement.scrollWidth"
                         " - window.innerWidth)")
