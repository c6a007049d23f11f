"""The notation page, ``chapters/notation.md``: one meaning per symbol, every Greek letter,
calligraphic letter and special operator of the book's math listed, each "first appears" link
pointing to a chapter whose math uses the symbol, and every chapter linking to the page.

Math is compared as LaTeX *tokens* (macros, single letters and digits, other characters;
``\\text{...}``-like groups and control symbols such as ``\\,`` as one token; braces and
spaces dropped), so ``\\mathbb{E}`` and ``\\mathbb E`` are the same symbol and ``x`` does not
match inside ``\\max``.

``NOTATION_CHAPTERS`` (an environment variable) points the tests at another copy of
``chapters/``, e.g. one with a pending patch applied.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = Path(os.environ.get("NOTATION_CHAPTERS", ROOT / "chapters"))
PAGE = CHAPTERS / "notation.md"

MATH = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$", re.S)
TOKEN = re.compile(r"\\(?:text|mathrm|operatorname|texttt|begin|end)\s*\{[^{}]*\}"  # one token
                   r"|\\[A-Za-z]+|\\[^A-Za-z\s]|[A-Za-z0-9]|[^\s{}]")
GREEK = set("""alpha beta gamma delta epsilon varepsilon zeta eta theta vartheta iota kappa
lambda mu nu xi pi varpi rho varrho sigma varsigma tau upsilon phi varphi chi psi omega
Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega ell""".split())
#: Operators whose meaning a reader must be told (arithmetic and \log, \max, ... are not).
OPERATORS = {"odot", "nabla", "partial", "top", "otimes", "circ"}
ROW = re.compile(r"^\|\s*(\$[^|]+\$)\s*\|\s*([^|]+?)\s*\|\s*([^|]+?)\s*\|\s*$", re.M)
CHAPTER_LINK = re.compile(r"^\[ch (\d+)\]\(((\d\d)-[\w-]+\.ipynb)\)$")


def tokens(latex: str) -> tuple[str, ...]:
    return tuple(re.sub(r"\s+", "", t) for t in TOKEN.findall(latex))


def markdown(path: Path) -> str:
    """The markdown a reader sees: a notebook's markdown cells, or a .md file, without code
    spans (whose dollar signs are not math)."""
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        text = "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    else:
        text = path.read_text(encoding="utf-8")
    return re.sub(r"`[^`\n]*`", "", text)


def math_spans(text: str) -> list[tuple[str, ...]]:
    return [tokens(m.group(1) if m.group(1) is not None else m.group(2))
            for m in MATH.finditer(text)]


def special(toks: tuple[str, ...]) -> set[str]:
    """The Greek letters, calligraphic and blackboard letters and operators in a span."""
    found = set()
    for i, tok in enumerate(toks):
        name = tok[1:]
        if name in GREEK or name in OPERATORS:
            found.add(tok)
        elif name in ("mathcal", "mathbb", "mathscr") and i + 1 < len(toks):
            found.add(tok + " " + toks[i + 1])
    return found


def uses(spans: list[tuple[str, ...]], symbol: tuple[str, ...]) -> bool:
    n = len(symbol)
    return any(span[i:i + n] == symbol for span in spans for i in range(len(span) - n + 1))


def rows() -> list[tuple[str, str, str]]:
    """(symbol, meaning, first-appears cell) of every table row of the page."""
    return ROW.findall(PAGE.read_text(encoding="utf-8"))


def chapter_pages() -> list[Path]:
    """Every page with math the book shows, except the notation page itself."""
    pages = sorted(CHAPTERS.glob("*.ipynb")) + sorted(CHAPTERS.glob("*.md"))
    return [p for p in pages if p.name != PAGE.name]


NOTEBOOKS = sorted(CHAPTERS.glob("[0-9][0-9]-*.ipynb"))


def test_the_page_lists_symbols():
    text = PAGE.read_text(encoding="utf-8")
    assert text.startswith("(notation)=\n# Notation"), "label and title first"
    assert len(rows()) >= 60, f"only {len(rows())} rows parsed; is the table format broken?"


def test_every_symbol_is_listed_once():
    seen = {}
    for symbol, meaning, _ in rows():
        key = tokens(symbol.strip("$"))
        assert key not in seen, f"{symbol} is listed twice: {seen[key]!r} and {meaning!r}"
        seen[key] = meaning


def test_every_special_symbol_of_the_book_is_on_the_page():
    listed = set().union(*(special(tokens(s.strip("$"))) for s, _, _ in rows()))
    for path in chapter_pages():
        used = set().union(set(), *(special(span) for span in math_spans(markdown(path))))
        missing = used - listed
        assert not missing, f"{path.name} uses {sorted(missing)}, not on the notation page"


def test_first_appearance_links_point_to_chapters_that_use_the_symbol():
    for symbol, _, where in rows():
        link = CHAPTER_LINK.match(where)
        assert link, f"{symbol}: 'first appears' must be a link [ch N](NN-name.ipynb): {where!r}"
        number, name, prefix = link.groups()
        assert int(number) == int(prefix), f"{symbol}: link text ch {number} but file {name}"
        path = CHAPTERS / name
        assert path.exists(), f"{symbol}: {name} does not exist"
        assert uses(math_spans(markdown(path)), tokens(symbol.strip("$"))), (
            f"{symbol}: {name} does not use it in its math")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_links_the_notation_page(path):
    assert markdown(path).count("](notation.md)") == 1, (
        f"{path.name}: link the notation page once, where the chapter's symbols first appear")
