"""Contributor tool: execute the chapter notebooks and report how long each one takes.

    python tools/notebooks.py execute [NOTEBOOK ...]   run in place, storing fresh outputs
    python tools/notebooks.py time [NOTEBOOK ...]      run without writing; print the times
    python tools/notebooks.py claims [NOTEBOOK ...]    run without writing under other seeds
                                                       and numerics; report failing checks

With no notebook given, every ``chapters/*.ipynb`` is used. Run it with the course's
environment (``.venv/bin/python``): the kernel is this Python, exactly as nbval's
``--nbval-current-env`` does in the test suite. Budgets: 30 s per notebook, 5 min in all.

``execute`` and ``time`` run in the *canonical execution mode*
(:data:`relu_course.utils.CANONICAL_ENV`: one thread, pinned numerical kernels, the CPU, the
default base seed), the mode in which the stored outputs are computed and compared. ``claims``
runs each notebook under every setting of :data:`CLAIMS_SETTINGS` (other base seeds, the
machine's own numerics, ATen's scalar kernels): there the printed numbers differ, and only the
checks must hold.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from relu_course.utils import CANONICAL_ENV, SEED_ENV_VAR

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ROOT / "chapters"
BUDGET_PER_NOTEBOOK = 30.0
BUDGET_TOTAL = 300.0

#: The claims pass: each setting's variables are added to the machine's own environment, with
#: the canonical mode's removed, so that the numerics are the ones a learner gets by default.
CLAIMS_SETTINGS = {
    "seed-1000": {SEED_ENV_VAR: "1000"},
    "seed-2000": {SEED_ENV_VAR: "2000"},
    "scalar-kernels": {SEED_ENV_VAR: "0", "ATEN_CPU_CAPABILITY": "default"},
}


def canonical_env() -> dict[str, str]:
    """This process's environment in the canonical execution mode, with the default seed."""
    env = {k: v for k, v in os.environ.items() if k != SEED_ENV_VAR}
    return env | CANONICAL_ENV


def claims_env(setting: dict[str, str]) -> dict[str, str]:
    """This process's environment for one setting of the claims pass (a value of
    :data:`CLAIMS_SETTINGS`): the machine's own numerics, with the setting's variables added."""
    env = {k: v for k, v in os.environ.items() if k not in CANONICAL_ENV and k != SEED_ENV_VAR}
    return env | setting


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


class CellFailed(Exception):
    """A cell of a notebook raised; the message names the notebook, the cell and the error."""


def execute(path: Path, write: bool, env: dict[str, str] | None = None, *,
            keep_going: bool = False) -> tuple[float, float]:
    """Execute ``path`` top to bottom in a fresh kernel started with ``env`` (by default the
    canonical execution mode's, :func:`canonical_env`). A cell that raises raises here too
    (:class:`CellFailed`, naming the cell and the error); with ``keep_going`` the remaining
    cells run too, and the error names every cell that raised.

    Returns ``(wall seconds, kernel CPU seconds)``. The CPU time (user + system, summed over the
    kernel's threads) hardly depends on other load on the machine, so it is the better guide on
    a busy machine; with ``OMP_NUM_THREADS=1`` it approximates the wall time on an idle one.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CPU_PROBE))
    client = NotebookClient(nb, km=_this_python_kernel(), timeout=600, record_timing=False,
                            resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    client.allow_errors = keep_going
    try:
        client.execute(env=canonical_env() if env is None else env)
    except CellExecutionError:
        pass
    finally:
        if client.km.has_kernel:                    # the client leaves a kernel it did not create
            client.km.shutdown_kernel(now=True)
    failures = [f"cell {index}: {output.ename}: {output.evalue}"
                for index, cell in enumerate(nb.cells)
                for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if failures:
        raise CellFailed(f"{path.name} " + "; ".join(failures))
    seconds = time.perf_counter() - start
    probe = nb.cells.pop()
    text = "".join(o.get("text", "") for o in probe.outputs)
    cpu = float(text.split("KERNEL-CPU")[1]) if "KERNEL-CPU" in text else float("nan")
    if write:
        nbformat.write(nb, path)
    return seconds, cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("execute", "time", "claims"))
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--setting", action="append", choices=tuple(CLAIMS_SETTINGS),
                        help="claims: run only this setting (repeatable; default: all)")
    parser.add_argument("--seed", action="append", type=int, default=[],
                        help="claims: also run with this base seed and the machine's numerics")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or chapter_notebooks()
    if args.command == "claims":
        settings = {name: CLAIMS_SETTINGS[name] for name in args.setting or
                    ([] if args.seed else CLAIMS_SETTINGS)}
        settings |= {f"seed-{seed}": {SEED_ENV_VAR: str(seed)} for seed in args.seed}
        return claims(paths, settings)
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


def claims(paths: list[Path], settings: dict[str, dict[str, str]]) -> int:
    """Run every notebook under every setting; print which failed, and where."""
    failed = 0
    for name, setting in settings.items():
        for path in paths:
            try:
                seconds, _ = execute(path, write=False, env=claims_env(setting), keep_going=True)
                print(f"{name:<16} {path.name:<44} ok ({seconds:.1f} s)", flush=True)
            except CellFailed as exc:
                failed += 1
                print(f"{name:<16} FAILED {exc}", flush=True)
    print(f"{failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
