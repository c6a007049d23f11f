"""Contributor tool: the cheat sheet page, ``chapters/cheat-sheet.md``, generated from the
activation registry (``relu_course.activations.registry.cheat_sheet()``).

    python tools/cheatsheet.py write     regenerate the page from the registry
    python tools/cheatsheet.py check     exit 1 if the committed page is out of date

The page is one table, one row per registry entry, so it cannot drift from the code:
``tests/test_cheat_sheet.py`` checks that the committed page equals :func:`render` of the
registry's rows, and checks the rows' facts against torch and the chapters.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
PAGE = CHAPTERS / "cheat-sheet.md"

#: The table's columns: (header, key of the legend below the table).
COLUMNS = ("Activation", r"$\phi(x)$", r"$\phi'(x)$", "Range", "At 0, mathematically",
           r"PyTorch at 0: $\phi(0)$; $\phi'(0)$", "PyTorch module, defaults",
           "Initialisation gain", "Cost", "When to use", "Ch.")

INTRO = """\
# Cheat sheet

Every activation of the course in one table. This page is generated from the package's
activation registry, `relu_course.activations.registry`, so it says what the code does; do not
edit it by hand. After changing the registry, regenerate it with
`python tools/cheatsheet.py write` (a test fails while the page and the registry disagree).
Printed, it fits one landscape A4 page.
"""

LEGEND = """\
**Reading the columns.**
*At 0, mathematically*: $\\phi(0)$, and whether $\\phi$ is differentiable at 0 (where it is
not, the subgradients or one-sided slopes).
*PyTorch at 0*: what PyTorch's module with its defaults returns at `0.0` in float32, and the
derivative autograd gives there (computed when the page is generated; "no builtin" where torch
has none).
*Initialisation gain*: `torch.nn.init.calculate_gain` for the name shown (with the default
slope, for the leaky rectifiers): the factor on the weights' standard deviation, which is
$\\text{gain}/\\sqrt{n_\\text{in}}$ in He's and LeCun's schemes (He initialisation is gain
$\\sqrt 2$) and $\\text{gain}\\cdot\\sqrt{2/(n_\\text{in} + n_\\text{out})}$ in Glorot's (Xavier).
"None in torch" where torch has no gain for the activation.
*Cost*: the number of tensor operations one forward plus backward pass of the course's
from-scratch version executes, each a full pass over the data, and in brackets how many of them
are exp, log, erf or tanh (`relu_course.performance.count_ops`, as in chapter 4): a count that
does not depend on the machine, not a time. PyTorch's builtins fuse each pass into one
kernel, and measured times depend on the machine (chapters 4 and 9).
*When to use*: the course's advice, from the chapter in the last column and chapter 14's
guide. $a$ is the negative slope,
$\\sigma$ the sigmoid, $\\Phi$ and $\\varphi$ the standard normal distribution function and
density, $\\mathbb{1}[\\cdot]$ 1 where the condition holds and 0 elsewhere.
"""


def _math(tex: str) -> str:
    # A "|" would end the table cell: write absolute values with \vert. A list such as
    # "x^2,\ x > 0" becomes one formula per item, so that a narrow column can wrap it.
    parts = tex.replace("|", r"\vert ").split(r",\ ")
    return ", ".join(f"${part}$" for part in parts)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    text = f"{value:.4g}"
    return "0" if text == "-0" else text


def chapter_file(number: int) -> str:
    """The file name of chapter ``number``, e.g. ``"09-comparing-activation-functions.ipynb"``."""
    matches = sorted(CHAPTERS.glob(f"{number:02d}-*.ipynb"))
    if len(matches) != 1:
        raise ValueError(f"chapter {number}: expected one chapters/{number:02d}-*.ipynb, "
                         f"found {len(matches)}")
    return matches[0].name


def _cells(row: Mapping[str, object]) -> list[str]:
    at_zero = row["at_zero"]
    if row["value_at_zero"] is not None:
        at_zero = f"$\\phi(0) = {_number(row['value_at_zero'])}$; {at_zero}"
    if row["torch_call"] is None:
        torch_at_zero, torch_call = "no builtin", "none"
    else:
        torch_at_zero = (f"${_number(row['torch_value_at_zero'])}$; "
                         f"${_number(row['torch_derivative_at_zero'])}$")
        torch_call = f"`{row['torch_call']}`"
    if row["gain"] is None:
        gain = "none in torch"
    else:
        name = row["gain_call"].removeprefix("calculate_gain(").removesuffix(")")
        gain = f"${_number(row['gain'])}$ (`{name}`)"
    if row["gain_note"]:
        gain += f"; {row['gain_note']}"
    cost = f"{row['ops']} ({row['exp_ops']} exp)"
    chapter = f"[{row['chapter']}]({chapter_file(row['chapter'])})"
    return [f"`{row['name']}`", _math(row["formula"]), _math(row["derivative_formula"]),
            _math(row["range"]), at_zero, torch_at_zero, torch_call, gain, cost,
            row["when"], chapter]


def render(rows: Sequence[Mapping[str, object]]) -> str:
    """The whole page (MyST Markdown) for the rows of ``cheat_sheet()``."""
    lines = [INTRO, ":::{div} cheat-sheet", "",
             "| " + " | ".join(COLUMNS) + " |",
             "|" + "---|" * len(COLUMNS)]
    for row in rows:
        cells = _cells(row)
        if any("\n" in c for c in cells):
            raise ValueError(f"{row['name']}: a table cell cannot hold a line break")
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", LEGEND.rstrip("\n"), ":::", ""]
    return "\n".join(lines)


def current() -> str:
    """The page as the registry gives it now."""
    from relu_course.activations.registry import cheat_sheet

    return render(cheat_sheet())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("write", "check"))
    args = parser.parse_args(argv)
    text = current()
    if args.command == "write":
        PAGE.write_text(text, encoding="utf-8")
        print(f"wrote {PAGE.relative_to(ROOT)}")
        return 0
    if PAGE.exists() and PAGE.read_text(encoding="utf-8") == text:
        print(f"{PAGE.relative_to(ROOT)} is up to date")
        return 0
    print(f"{PAGE.relative_to(ROOT)} is out of date: run python tools/cheatsheet.py write")
    return 1


if __name__ == "__main__":
    sys.exit(main())
