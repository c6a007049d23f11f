"""The shape of a chapter for learners (see ``tools/shape.py``): a core of bounded length with
a box stating its reading time, deep dives marked as such, checks in their own collapsed cells,
short teaching cells, and the key mechanisms shown in the text as the package defines them."""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from pathlib import Path

import pytest
import shape

NOTEBOOKS = sorted(shape.CHAPTERS.glob("*.ipynb"))
ids = {"ids": lambda p: p.name}

#: The mechanisms a chapter must show in its text, as the package defines them: chapter number
#: and a short description (the cells' ``same_source_as`` metadata names the object).
KEY_CODE = {
    "01": "a minimal training loop",
    "03": "the readable ReLU autograd.Function",
    "05": "He initialisation",
    "06": "the dead-unit measurement",
    "10": "the residual block",
    "13": "a gated feed-forward block",
}


def chapter(path: Path) -> dict:
    return shape.load(path)


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_core_is_short(path):
    nb = chapter(path)
    words = shape.core_words(nb)
    assert words <= shape.CORE_WORDS_MAX, (
        f"{path.name}: the core has {words} words of prose, over {shape.CORE_WORDS_MAX}; "
        f"move depth into a 'Deep dive:' section")


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_box_states_the_computed_reading_time(path):
    nb = chapter(path)
    title = shape.source(nb["cells"][0]).split("\n")
    assert title[0].startswith("# ")
    box = [line for line in title if line.startswith(">")]
    assert box and shape.BOX_FIRST_LINE.match(box[0]), (
        f"{path.name}: the title cell needs the box, starting '> **Core: about N minutes**'")
    assert box[0].startswith(shape.box_line(nb)), (
        f"{path.name}: the box is stale; run python tools/shape.py box")
    text = "\n".join(box)
    assert "**Prerequisites:**" in text, f"{path.name}: the box names the prerequisites"
    assert "**Deep dives:**" in text, f"{path.name}: the box says where the deep dives are"
    for title_, _, _ in shape.deep_dive_sections(nb):
        assert title_ in text, f"{path.name}: the box does not list the deep dive {title_!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_deep_dives_are_tagged(path):
    nb = chapter(path)
    inside = shape.in_deep_dive(nb)
    for i, cell in enumerate(nb["cells"]):
        tagged = "deep-dive" in shape.tags(cell)
        where = f"{path.name} cell {i}: {shape.source(cell)[:80]!r}"
        if i in inside:
            assert tagged, f"{where} is in a deep dive but not tagged deep-dive"
        else:
            assert not tagged, f"{where} is tagged deep-dive outside a 'Deep dive:' section"


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_asserts_live_in_check_cells(path):
    for i, cell in enumerate(chapter(path)["cells"]):
        if cell["cell_type"] == "code" and shape.has_assert(cell):
            assert shape.is_check(cell), (
                f"{path.name} cell {i}: an assert in a teaching cell; move the checks into "
                f"the next cell, tagged check (python tools/shape.py split-checks)")


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_check_cells_are_collapsed_everywhere(path):
    checks = [c for c in chapter(path)["cells"] if shape.is_check(c)]
    assert checks, f"{path.name}: a chapter's claims need check cells"
    for cell in checks:
        meta, text = cell["metadata"], shape.source(cell)
        assert cell["cell_type"] == "code"
        assert "hide-input" in meta["tags"], "check cells are collapsed on the website"
        assert meta.get("jupyter", {}).get("source_hidden") is True, "... and in Jupyter"
        assert meta.get("cellView") == "form" and text.startswith("# @title"), "... and in Colab"
        assert shape.has_assert(cell) or "rc.exercises." in text, (
            f"{path.name}: a check cell that checks nothing:\n{text[:200]}")


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_teaching_cells_are_short(path):
    for cell in shape.teaching_cells(chapter(path)):
        n = len(shape.source(cell).split("\n"))
        assert n <= shape.TEACHING_LINES_MAX, (
            f"{path.name}: a teaching cell of {n} lines (at most {shape.TEACHING_LINES_MAX}); "
            f"split it into steps with prose between them:\n{shape.source(cell)[:200]}")


# ---- the key code, in the text --------------------------------------------------------------

def package_source(qualified: str) -> str:
    """The source of a package object, without its docstrings (the chapter's prose explains)."""
    module_name, _, attribute = qualified.rpartition(".")
    obj = getattr(importlib.import_module(module_name), attribute)
    text = textwrap.dedent(inspect.getsource(obj))
    tree = ast.parse(text)
    drop = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
                    isinstance(first.value.value, str):
                drop.update(range(first.lineno - 1, first.end_lineno))
    lines = [line for i, line in enumerate(text.split("\n")) if i not in drop]
    return "\n".join(lines).strip()


def cell_code(cell: dict) -> str:
    """A cell's code without the comment lines that open it."""
    lines = shape.source(cell).split("\n")
    while lines and (lines[0].startswith("#") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines).strip()


def key_code_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"]
            if c.get("metadata", {}).get("relu_course", {}).get("same_source_as")]


@pytest.mark.parametrize("path", NOTEBOOKS, **ids)
def test_key_code_is_the_package_code(path):
    nb = chapter(path)
    cells = key_code_cells(nb)
    if path.name[:2] in KEY_CODE:
        assert cells, f"{path.name}: show {KEY_CODE[path.name[:2]]} in the text"
        teaching = [id(c) for c in shape.teaching_cells(nb)]
        assert any(id(c) in teaching for c in cells), (
            f"{path.name}: the key code belongs in the core, in a teaching cell")
    for cell in cells:
        name = cell["metadata"]["relu_course"]["same_source_as"]
        assert cell_code(cell) == package_source(name), (
            f"{path.name}: the cell showing {name} differs from the package's source")


def test_package_source_drops_docstrings_only():
    text = package_source("relu_course.activations.functional.ReLUFunction")
    assert text.startswith("class ReLUFunction(") and '"""' not in text
    assert re.search(r"def backward\(", text)


def test_instructor_guide_states_each_core_reading_time():
    """The guide's table of times repeats each chapter's computed core time; it must agree."""
    guide = (shape.CHAPTERS / "instructor-guide.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d+)\. [^|]+\| (\d+) min \|", guide, flags=re.M))
    for path in NOTEBOOKS:
        number = str(int(path.name[:2]))
        assert rows.get(number) == str(shape.reading_minutes(chapter(path))), (
            f"instructor guide: chapter {number}'s core time differs from its box")
