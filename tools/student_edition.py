"""Instructor tool: write the student edition of the chapters -- solutions removed.

    python tools/student_edition.py [OUTPUT_DIR]        (default: _build/student)

For every ``chapters/*.ipynb`` it writes a copy in which

* hidden solution cells (code cells whose first line is ``# @title Solution``) are dropped,
  with the check cells right after them (they check the reference solution's results),
* conceptual solutions (``<details class="solution ...">...</details>`` in Markdown) are
  replaced by a one-line note,
* all outputs and execution counts are cleared (students run the notebooks themselves),

while the exercise stubs and the cells that call the automatic checks are kept, so the
student notebooks still run top to bottom: each check then reports ``[TO DO]``.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOLUTION_CELL = "# @title Solution"
DETAILS = re.compile(r'<details class="solution[^"]*">.*?</details>\n?', flags=re.S)
NOTE = "*(The solution is in the instructor edition.)*\n"


def _source(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def is_solution_cell(cell: dict) -> bool:
    return cell["cell_type"] == "code" and _source(cell).startswith(SOLUTION_CELL)


def is_check_cell(cell: dict) -> bool:
    return "check" in cell.get("metadata", {}).get("tags", [])


def student_notebook(nb: dict) -> dict:
    """Return a copy of the notebook ``nb`` (nbformat 4 JSON) without solutions or outputs."""
    out = copy.deepcopy(nb)
    cells, previous = [], None
    for cell in out["cells"]:
        follows_solution = previous is not None and is_solution_cell(previous)
        previous = cell
        if is_solution_cell(cell) or (follows_solution and is_check_cell(cell)):
            continue
        if cell["cell_type"] == "markdown":
            cell["source"] = DETAILS.sub(NOTE, _source(cell))
        elif cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
        cells.append(cell)
    out["cells"] = cells
    return out


def write_student_edition(output: Path, chapters: Path = ROOT / "chapters") -> list[Path]:
    """Write the student edition of every notebook in ``chapters`` to ``output``."""
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for path in sorted(chapters.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        target = output / path.name
        target.write_text(json.dumps(student_notebook(nb), indent=1, ensure_ascii=False) + "\n",
                          encoding="utf-8")
        written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=ROOT / "_build" / "student")
    args = parser.parse_args(argv)
    for path in write_student_edition(args.output):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
