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


#: Appended to a copy of the notebook: prints the kernel's own CPU time (all its threads).
_CPU_PROBE = ("import resource as _r; _u = _r.getrusage(_r.RUSAGE_SELF); "
              "print(f'KERNEL-CPU {_u.ru_utime + _u.ru_stime:.3f}')")


def execute(path: Path, write: bool) -> tuple[float, float]:
    """Execute ``path`` top to bottom in a fresh kernel.

    Returns ``(wall seconds, kernel CPU seconds)``. The CPU time (user + system, summed over the
    kernel's threads) hardly depends on other load on the machine, so it is the better guide on
    a busy machine; with ``OMP_NUM_THREADS=1`` it approximates the wall time on an idle one.
    """
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CPU_PROBE))
    client = NotebookClient(nb, km=_this_python_kernel(), timeout=600, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    probe = nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs)
    cpu = float(text.split("KERNEL-CPU")[1]) if "KERNEL-CPU" in text else float("nan")
    if write:
        nbformat.write(nb, path)
    return seconds, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("execute", "time"))
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or chapter_notebooks()
    total, total_cpu, over = 0.0, 0.0, []
    print(f"{'notebook':<44} {'wall':>8} {'kernel CPU':>11}")
    for path in paths:
        seconds, cpu = execute(path, write=args.command == "execute")
        total += seconds
        total_cpu += cpu
        flag = "  OVER BUDGET" if seconds > BUDGET_PER_NOTEBOOK else ""
        if flag:
            over.append(path.name)
        print(f"{path.name:<44} {seconds:6.1f} s {cpu:9.1f} s{flag}", flush=True)
    flag = "  OVER BUDGET" if total > BUDGET_TOTAL else ""
    print(f"{'total':<44} {total:6.1f} s {total_cpu:9.1f} s{flag}")
    return 1 if over or total > BUDGET_TOTAL else 0


if __name__ == "__main__":
    sys.exit(main())
