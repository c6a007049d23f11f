"""The student edition keeps stubs and checks, drops every solution, and still runs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import student_edition as se
from notebooks import chapter_notebooks, execute


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def text_of(nb: dict) -> str:
    return "\n".join(se._source(c) for c in nb["cells"])


@pytest.fixture(scope="module")
def edition(tmp_path_factory):
    out = tmp_path_factory.mktemp("student")
    written = se.write_student_edition(out)
    return {p.name: p for p in written}


def test_every_chapter_has_a_student_edition(edition):
    assert sorted(edition) == sorted(p.name for p in chapter_notebooks())


@pytest.mark.parametrize("original", chapter_notebooks(), ids=lambda p: p.name)
def test_no_solution_survives(original, edition):
    nb, student = load(original), load(edition[original.name])
    text = text_of(student)
    assert se.SOLUTION_CELL not in text
    assert '<details class="solution' not in text
    kept = {line.strip() for c in nb["cells"] if not se.is_solution_cell(c)
            for line in se._source(c).splitlines()}
    student_lines = {line.strip() for line in text.splitlines()}
    solutions = [c for c in nb["cells"] if se.is_solution_cell(c)]
    assert solutions, f"{original.name} has no coding solutions to remove"
    for cell in solutions:
        for line in se._source(cell).splitlines():
            line = line.strip()
            if line and line not in kept:          # lines unique to the solution
                assert line not in student_lines, f"solution line survived: {line}"
    for block in se.DETAILS.findall(text_of(nb)):
        body = re.sub(r"<[^>]+>", "", block).split("Solution", 1)[1].strip()
        assert body[:60] not in text, "a conceptual solution survived"


@pytest.mark.parametrize("original", chapter_notebooks(), ids=lambda p: p.name)
def test_stubs_checks_and_text_are_kept(original, edition):
    nb, student = load(original), load(edition[original.name])
    code = [se._source(c) for c in student["cells"] if c["cell_type"] == "code"]
    stubs = [s for s in code if "raise NotImplementedError" in s]
    checks = [s for s in code if s.startswith("rc.exercises.check_")]
    assert stubs and len(checks) == len(stubs)
    assert all(not c.get("outputs") for c in student["cells"] if c["cell_type"] == "code")
    headings = [line for c in nb["cells"] if c["cell_type"] == "markdown"
                for line in se._source(c).splitlines() if line.startswith("#")]
    assert all(h in text_of(student) for h in headings)


def test_student_notebook_function_is_pure():
    nb = {"cells": [{"cell_type": "code", "source": "# @title Solution\nx = 1", "outputs": [],
                     "execution_count": 3, "metadata": {}},
                    {"cell_type": "markdown", "metadata": {},
                     "source": 'Q?\n\n<details class="solution">\n\nA.\n\n</details>\n'}],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    student = se.student_notebook(nb)
    assert len(student["cells"]) == 1 and "A." not in student["cells"][0]["source"]
    assert len(nb["cells"]) == 2                                 # the input is untouched


def test_a_check_of_the_solution_goes_with_it_and_other_checks_stay():
    def code(source, tags=()):
        return {"cell_type": "code", "source": source, "outputs": [], "execution_count": 1,
                "metadata": {"tags": list(tags)}}

    nb = {"cells": [code("y = 2"), code("# @title Check\nassert y == 2", ["check"]),
                    code("# @title Solution\nx = 1"),
                    code("# @title Check\nassert x == 1", ["check"])],
          "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    kept = [c["source"] for c in se.student_notebook(nb)["cells"]]
    assert kept == ["y = 2", "# @title Check\nassert y == 2"]


@pytest.mark.slow
@pytest.mark.parametrize("original", chapter_notebooks(), ids=lambda p: p.name)
def test_student_notebooks_run_and_every_check_says_to_do(original, edition):
    path = edition[original.name]
    execute(path, write=True)
    student = load(path)
    for cell in student["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert all(o["output_type"] != "error" for o in cell["outputs"])
        if se._source(cell).startswith("rc.exercises.check_"):
            shown = "".join("".join(o.get("data", {}).get("text/plain", ""))
                            for o in cell["outputs"])
            assert shown.startswith("[TO DO]"), shown
