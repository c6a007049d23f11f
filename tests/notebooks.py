"""Contributor tool: execute the chapter notebooks and report how long each one takes.

    python tests/notebooks.py execute [NOTEBOOK ...]   run in place, storing fresh outputs
    python tests/notebooks.py time [NOTEBOOK ...]      run without writing; print the times

With no notebook given, every ``chapters/*.ipynb`` is used. Run it with the course's
environment (``.venv/bin/python``): the kernel is this Python, exactly as nbval's
``--nbval-current-env`` does in the test suite. Budgets: 30 s per notebook, 5 min in all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
BUDGET_PER_NOTEBOOK = 30.0
BUDGET_TOTAL = 300.0


def chapter_notebooks() -> list[Path]:
    """Every notebook under ``chapters/``, sorted by name (which is the outline's order)."""
    return sorted(p for p in CHAPTERS.glob("*.ipynb"))


def _this_python_kernel():
    """A kernel manager whose kernel is this interpreter, whatever kernel specs exist."""
    from ipykernel.kernelspec import get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec, KernelSpecManager
    from jupyter_client.manager import KernelManager

    class ThisPython(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return KernelSpec(resource_dir="", **get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=ThisPython())


def execute(path: Path, write: bool) -> float:
    """Execute ``path`` top to bottom in a fresh kernel; return the seconds it took."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, km=_this_python_kernel(), timeout=600, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    if write:
        nbformat.write(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("execute", "time"))
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or chapter_notebooks()
    total, over = 0.0, []
    for path in paths:
        seconds = execute(path, write=args.command == "execute")
        total += seconds
        flag = "  OVER BUDGET" if seconds > BUDGET_PER_NOTEBOOK else ""
        if flag:
            over.append(path.name)
        print(f"{path.name:<40} {seconds:6.1f} s{flag}")
    print(f"{'total':<40} {total:6.1f} s{'  OVER BUDGET' if total > BUDGET_TOTAL else ''}")
    return 1 if over or total > BUDGET_TOTAL else 0


if __name__ == "__main__":
    sys.exit(main())
