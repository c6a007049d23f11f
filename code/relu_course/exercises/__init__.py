"""Automatic checks for the chapters' coding exercises.

Each ``check_*`` function takes the learner's function(s), runs them on chosen and random
inputs, and returns a :class:`CheckResult` whose text says what passed or, for the first
failure, what was wrong and for which input. A function that still raises
``NotImplementedError`` (the stub) is reported as "not attempted yet", not as an error.

Every chapter keeps its checks in its own module, ``chNN.py`` (``ch03`` for chapter 3), built
with the decorator :func:`exercise` from ``_core``; all of them are available here, e.g.
``relu_course.exercises.check_count_patterns``.

Convention for a chapter notebook: the exercise text, a stub cell, a cell calling the check,
then a hidden solution cell that ends by calling the same check -- the test suite runs those
solution cells, so a reference solution that stops passing fails CI.
"""

from __future__ import annotations

import importlib
import pkgutil

from ._core import CheckResult, Failure, Pending, call, exercise, show

__all__ = ["CheckResult", "Failure", "Pending", "call", "exercise", "show"]

# Re-export every chapter's checks (the modules named chNN).
for _info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if _info.name.startswith("ch"):
        _module = importlib.import_module(f".{_info.name}", __name__)
        for _name in _module.__all__:
            globals()[_name] = getattr(_module, _name)
            __all__.append(_name)
