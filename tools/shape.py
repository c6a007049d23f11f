"""Contributor tool: the shape of a chapter -- its core, its deep dives, its check cells and the
box at its top that states the core's reading time.

    python tools/shape.py report [NOTEBOOK ...]        core words, deep-dive words, long cells
    python tools/shape.py box [NOTEBOOK ...]           recompute the reading time in each box
    python tools/shape.py split-checks NOTEBOOK ...    move top-level asserts into check cells

With no notebook given, every ``chapters/*.ipynb`` is used. ``tests/test_chapter_shape.py``
enforces what this module measures, with the same functions.

The parts of a chapter:

- The **core** runs from the title to the ``## Self-check quiz`` / ``## Exercises`` heading
  (whichever comes first), less its deep dives. Its prose is at most :data:`CORE_WORDS_MAX`
  words.
- A **deep dive** is a section whose heading starts with ``Deep dive:`` (at any level); it ends
  at the next heading of the same or a higher level. Every cell in it is tagged ``deep-dive``,
  and only those cells are.
- A **teaching cell** is a code cell of the core that is not a check: at most
  :data:`TEACHING_LINES_MAX` lines. No code cell outside the check cells holds an ``assert``.
- A **check cell** follows the cell whose claim it checks: tagged ``check`` and ``hide-input``
  (collapsed on the website), ``source_hidden`` (collapsed in Jupyter) and ``cellView: form``
  with a ``# @title`` first line (collapsed in Colab).
- The **box** is the blockquote right under the title. Its first line states the core's reading
  time, computed by :func:`reading_minutes` from the core's words and code lines; the test
  recomputes it, so the number cannot go stale.
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"

CORE_WORDS_MAX = 2000
TEACHING_LINES_MAX = 25
#: Reading speed for technical prose, and the pace of reading and running code.
WORDS_PER_MINUTE = 200
CODE_LINES_PER_MINUTE = 10

END_OF_CORE = re.compile(r"^## (Self-check quiz|Exercises)\b")
HEADING = re.compile(r"^(#{1,6}) +(.*)$")
DEEP_DIVE = re.compile(r"^Deep dive: ")
CHECK_TITLE = "# @title Check the claims above"
BOX_FIRST_LINE = re.compile(
    r"^> \*\*Core: about (\d+) minutes\*\* \(([\d,]+) words to read, ([\d,]+) lines of code "
    r"to run\)")


def load(path: Path) -> dict:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def save(nb: dict, path: Path) -> None:
    """Write a notebook as the course stores them, its cells' ids numbered in order."""
    width = max(2, len(str(len(nb["cells"]) - 1)))
    for i, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{i:0{width}d}"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(nb, f, indent=1, ensure_ascii=False)
        f.write("\n")


def source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def tags(cell: dict) -> list[str]:
    return cell.get("metadata", {}).get("tags", [])


def _set_source(cell: dict, text: str) -> None:
    lines = text.split("\n")
    cell["source"] = [line + "\n" for line in lines[:-1]] + [lines[-1]]


# ---- the parts of a chapter -----------------------------------------------------------------

def end_of_core(nb: dict) -> int:
    """Index of the first cell after the core: the quiz's or the exercises' heading."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "markdown" and END_OF_CORE.match(source(cell)):
            return i
    raise ValueError("no '## Self-check quiz' or '## Exercises' heading")


def first_heading(cell: dict) -> tuple[int, str] | None:
    """``(level, text)`` of the heading that opens a markdown cell, or None."""
    if cell["cell_type"] != "markdown":
        return None
    match = HEADING.match(source(cell).lstrip("\n").split("\n", 1)[0])
    return (len(match.group(1)), match.group(2).strip()) if match else None


def deep_dive_sections(nb: dict) -> list[tuple[str, int, int]]:
    """``(title, first cell, end cell)`` of every deep-dive section, by its heading."""
    sections, open_ = [], None
    for i, cell in enumerate(nb["cells"]):
        heading = first_heading(cell)
        if heading is None:
            continue
        level, text = heading
        if open_ is not None and level <= open_[1]:
            sections.append((open_[0], open_[2], i))
            open_ = None
        if open_ is None and DEEP_DIVE.match(text):
            open_ = (DEEP_DIVE.sub("", text), level, i)
    if open_ is not None:
        sections.append((open_[0], open_[2], len(nb["cells"])))
    return sections


def in_deep_dive(nb: dict) -> set[int]:
    """Indices of the cells inside deep-dive sections."""
    return {i for _, start, end in deep_dive_sections(nb) for i in range(start, end)}


def core_cells(nb: dict) -> list[dict]:
    """The core's cells: title to the quiz/exercises, less the deep dives."""
    deep = in_deep_dive(nb)
    return [c for i, c in enumerate(nb["cells"][:end_of_core(nb)]) if i not in deep]


def _prose(cell: dict) -> str:
    """A markdown cell's text without the box (its blockquote under the title)."""
    return "\n".join(line for line in source(cell).split("\n") if not line.startswith(">"))


def words(text: str) -> int:
    return len(text.split())


def core_words(nb: dict) -> int:
    return sum(words(_prose(c)) for c in core_cells(nb) if c["cell_type"] == "markdown")


def deep_dive_words(nb: dict) -> int:
    deep = in_deep_dive(nb)
    return sum(words(source(c)) for i, c in enumerate(nb["cells"])
               if i in deep and c["cell_type"] == "markdown")


def is_check(cell: dict) -> bool:
    return "check" in tags(cell)


def teaching_cells(nb: dict) -> list[dict]:
    """The core's code cells that teach: everything but the check cells."""
    return [c for c in core_cells(nb) if c["cell_type"] == "code" and not is_check(c)]


def code_lines(cell: dict) -> int:
    return sum(1 for line in source(cell).split("\n") if line.strip())


def core_code_lines(nb: dict) -> int:
    return sum(code_lines(c) for c in teaching_cells(nb))


def reading_minutes(nb: dict) -> int:
    """Minutes to study the core: its prose at :data:`WORDS_PER_MINUTE` and its teaching
    cells' non-blank lines at :data:`CODE_LINES_PER_MINUTE`, rounded up to 5 minutes."""
    minutes = core_words(nb) / WORDS_PER_MINUTE + core_code_lines(nb) / CODE_LINES_PER_MINUTE
    return 5 * math.ceil(minutes / 5)


def box_line(nb: dict) -> str:
    return (f"> **Core: about {reading_minutes(nb)} minutes** ({core_words(nb):,} words to read, "
            f"{core_code_lines(nb):,} lines of code to run)")


def has_assert(cell: dict) -> bool:
    try:
        tree = ast.parse(source(cell))
    except SyntaxError:
        return "assert " in source(cell)
    return any(isinstance(node, ast.Assert) for node in ast.walk(tree))


# ---- updating the box -----------------------------------------------------------------------

def update_box(nb: dict) -> bool:
    """Rewrite the box's first line with the computed numbers; True if it changed."""
    title = nb["cells"][0]
    lines = source(title).split("\n")
    for i, line in enumerate(lines):
        if BOX_FIRST_LINE.match(line):
            rest = BOX_FIRST_LINE.sub("", line)
            new = box_line(nb) + rest
            if new != line:
                lines[i] = new
                _set_source(title, "\n".join(lines))
                return True
            return False
    raise ValueError("the title cell has no box line: '> **Core: about N minutes** (...)'")


# ---- moving asserts into check cells --------------------------------------------------------

def _is_check_statement(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assert):
        return True
    if isinstance(node, (ast.For, ast.If, ast.With)):
        body = node.body + getattr(node, "orelse", [])
        return all(_is_check_statement(n) or isinstance(n, (ast.Pass, ast.Continue))
                   for n in body)
    return False


def _stored_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)
            and isinstance(n.ctx, (ast.Store, ast.Del))}


def _loaded_names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def split_checks(cell: dict) -> tuple[dict, dict] | str:
    """Split a code cell into a teaching cell and a check cell holding its top-level checks
    (asserts, and loops or ifs made only of asserts), with the comment lines right above them.
    Returns the two cells, or a reason why the cell needs a person's hand."""
    text = source(cell)
    lines = text.split("\n")
    tree = ast.parse(text)
    body = tree.body
    checks = [n for n in body if _is_check_statement(n)]
    if any(isinstance(n, ast.Assert) for s in body if s not in checks for n in ast.walk(s)):
        return "an assert inside other code"
    for k, node in enumerate(body):
        if node in checks:
            later = set().union(*[_stored_names(n) for n in body[k + 1:] if n not in checks])
            if _loaded_names(node) & later:
                return "a check reads a name that later code changes"
    rest = [n for n in body if n not in checks]
    if rest and isinstance(rest[-1], ast.Expr) and body[-1] is not rest[-1] and not (
            isinstance(rest[-1].value, ast.Call)
            and getattr(rest[-1].value.func, "id", "") == "print"):
        return "the teaching cell would end in an expression that displays"
    moved = set()
    for node in checks:
        first = node.lineno - 1
        while first > 0 and lines[first - 1].strip().startswith("#"):
            first -= 1
        moved.update(range(first, node.end_lineno))
    teach = "\n".join(line for i, line in enumerate(lines) if i not in moved)
    teach = re.sub(r"\n{3,}", "\n\n", teach).strip("\n")
    check = "\n".join(lines[i] for i in sorted(moved)).strip("\n")
    check_cell = {
        "cell_type": "code", "execution_count": None,
        "metadata": {"cellView": "form", "jupyter": {"source_hidden": True},
                     "tags": ["check", "hide-input"]},
        "outputs": [], "source": []}
    _set_source(check_cell, CHECK_TITLE + "\n" + check)
    if not rest:
        return "only checks"
    new = dict(cell)
    _set_source(new, teach)
    return new, check_cell


def make_check_cell(cell: dict) -> None:
    """Turn a cell of checks only into a check cell, in place."""
    meta = cell.setdefault("metadata", {})
    meta["cellView"] = "form"
    meta.setdefault("jupyter", {})["source_hidden"] = True
    meta["tags"] = [t for t in tags(cell) if t not in ("check", "hide-input")] + [
        "check", "hide-input"]
    text = source(cell)
    if not text.startswith("# @title"):
        _set_source(cell, CHECK_TITLE + "\n" + text)


def split_all_checks(nb: dict) -> list[str]:
    """Split every cell with asserts; return what needs a person's hand."""
    cells, manual = [], []
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code" or not has_assert(cell) or is_check(cell):
            cells.append(cell)
            continue
        result = split_checks(cell)
        if result == "only checks":
            make_check_cell(cell)
            cells.append(cell)
        elif isinstance(result, str):
            manual.append(f"cell {i}: {result}")
            cells.append(cell)
        else:
            deep = "deep-dive" in tags(cell)
            if deep:
                result[1]["metadata"]["tags"].append("deep-dive")
            cells.extend(result)
    nb["cells"] = cells
    return manual


# ---- the command line -----------------------------------------------------------------------

def report(path: Path) -> str:
    nb = load(path)
    long = [c for c in teaching_cells(nb) if len(source(c).split("\n")) > TEACHING_LINES_MAX]
    asserts = [c for c in nb["cells"] if c["cell_type"] == "code" and has_assert(c)
               and not is_check(c)]
    return (f"{path.name:<46} core {core_words(nb):>5} words, {core_code_lines(nb):>4} code lines,"
            f" {reading_minutes(nb):>3} min; deep dives {deep_dive_words(nb):>5} words; "
            f"long teaching cells {len(long)}; cells with asserts {len(asserts)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("report", "box", "split-checks"))
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or sorted(CHAPTERS.glob("*.ipynb"))
    total = 0
    for path in paths:
        if args.command == "report":
            print(report(path))
            total += reading_minutes(load(path))
        elif args.command == "box":
            nb = load(path)
            if update_box(nb):
                save(nb, path)
                print(f"{path.name}: box updated")
        else:
            nb = load(path)
            manual = split_all_checks(nb)
            save(nb, path)
            for line in manual:
                print(f"{path.name}: {line}")
    if args.command == "report":
        print(f"core path: {total} minutes ({total / 60:.1f} hours) of reading and running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
