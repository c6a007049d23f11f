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
OPERATORS = {"odot", "nabla", "partial", "top", "otimes", "circ", "ast", "lVert", "lvert",
             "bmod", "binom"}
#: A named function or operator (``\\mathrm{BN}``, ``\\operatorname{diag}``) is one token.
NAMED = re.compile(r"^\\(?:mathrm|operatorname)\{([A-Za-z]+\d*)\}$")
#: Words set upright in math that are labels, not functions a reader looks up.
LABELS = {"output"}
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
    """The Greek letters, calligraphic and blackboard letters, operators and named functions
    in a span (``*`` counts as convolution)."""
    found = set()
    for i, tok in enumerate(toks):
        name = tok[1:]
        named = NAMED.match(tok)
        if named and named.group(1) not in LABELS:
            found.add(tok)
        elif tok == "*":
            found.add("\\ast")
        elif name in GREEK or name in OPERATORS:
            found.add(tok)
        elif name in ("mathcal", "mathbb", "mathscr") and i + 1 < len(toks):
            found.add(tok + " " + toks[i + 1])
    return found


def uses(spans: list[tuple[str, ...]], symbol: tuple[str, ...]) -> bool:
    """Whether a span holds the symbol. ``\\cdot`` in a symbol is a placeholder
    (``\\lVert\\cdot\\rVert``): the other tokens must then all be in one span; ``*`` and
    ``\\ast`` are the same."""
    spans = [tuple("\\ast" if t == "*" else t for t in span) for span in spans]
    symbol = tuple("\\ast" if t == "*" else t for t in symbol)
    if "\\cdot" in symbol and len(symbol) > 1:
        parts = set(symbol) - {"\\cdot"}
        return any(parts <= set(span) for span in spans)
    n = len(symbol)
    return any(span[i:i + n] == symbol for span in spans for i in range(len(span) - n + 1))


def names(path: Path, symbol: tuple[str, ...]) -> bool:
    """Whether a page uses a symbol in its math, or, for a named function such as
    ``\\mathrm{GELU}``, names it in its prose (a table may define it in words)."""
    text = markdown(path)
    if uses(math_spans(text), symbol):
        return True
    named = NAMED.match(symbol[0]) if symbol else None
    return bool(named) and re.search(rf"\b{named.group(1)}\b", MATH.sub(" ", text)) is not None


def defines(path: Path, symbol: tuple[str, ...]) -> bool:
    """Whether a page uses a symbol in its math or, for a named function, defines it in a
    table row that starts with its name and gives a formula (``| GELU | $x\\,\\Phi(x)$ |``)."""
    if uses(math_spans(markdown(path)), symbol):
        return True
    named = NAMED.match(symbol[0]) if symbol else None
    return bool(named) and re.search(rf"^\|\s*{named.group(1)}\b[^|]*\|[^|\n]*\$",
                                     markdown(path), re.M) is not None


LOCAL_HEADING = "## Letters defined where they are used"


def local_uses() -> set[tuple[tuple[str, ...], int]]:
    """(symbol, chapter) pairs the page's last section declares local: each of its list items
    names letters in math and the chapters, as links, where they have that local meaning."""
    text = PAGE.read_text(encoding="utf-8")
    assert LOCAL_HEADING in text, f"the page needs its section {LOCAL_HEADING!r}"
    found = set()
    for item in re.split(r"\n(?=- )", text.split(LOCAL_HEADING, 1)[1]):
        chapters = [int(n) for n in re.findall(r"\[ch (\d+)\]\(\d\d-[\w-]+\.ipynb\)", item)]
        for m in MATH.finditer(item):
            for chapter in chapters:
                found.add((tokens(m.group(2) or m.group(1)), chapter))
    return found


def base(symbol: tuple[str, ...]) -> tuple[str, ...]:
    """A symbol without its subscript, superscript, argument or the rest of a formula:
    ``T_{n-1}`` -> ``T``, ``x[\\cdot]`` -> ``x``, ``u = g^2`` -> ``u``."""
    for i, tok in enumerate(symbol):
        if tok in ("_", "^", "[", "(", "=", "+", "-", "\\,", "\\;"):
            return symbol[:i]
    return symbol


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
        if path not in NOTEBOOKS:  # a summary page may abbreviate (the cheat sheet's sp)
            used = {u for u in used if not NAMED.match(u)}
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
        assert names(path, tokens(symbol.strip("$"))), (
            f"{symbol}: {name} does not use it in its math")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_chapter_links_the_notation_page(path):
    assert markdown(path).count("](notation.md)") == 1, (
        f"{path.name}: link the notation page once, where the chapter's symbols first appear")


def test_first_appearance_is_the_first_chapter_that_uses_the_symbol():
    """No chapter before the linked one uses a listed symbol in its math (or defines a named
    function in a table), unless the page's last section declares that chapter's use local."""
    local = {(base(symbol), number) for symbol, number in local_uses()}
    for symbol, _, where in rows():
        key = tokens(symbol.strip("$"))
        first = int(CHAPTER_LINK.match(where).group(1))
        for path in NOTEBOOKS:
            number = int(path.name[:2])
            if number >= first:
                break
            assert (key, number) in local or not defines(path, key), (
                f"{symbol}: first appears in {path.name}, not in ch {first} "
                f"(or list it there as a local letter)")


def test_local_letters_name_chapters_that_use_them():
    assert local_uses(), "the last section names no local letter with its chapter"
    for symbol, number in local_uses():
        path = next((p for p in NOTEBOOKS if int(p.name[:2]) == number), None)
        assert path is not None, f"local letter {symbol}: no chapter {number}"
        assert uses(math_spans(markdown(path)), symbol), (
            f"local letter {''.join(symbol)}: {path.name} does not use it")
