"""The machinery shared by every chapter's exercise checks (see the package's docstring)."""

from __future__ import annotations

import functools
import inspect
import textwrap
from dataclasses import dataclass, field

import numpy as np
import torch

__all__ = ["CheckResult", "Pending", "Failure", "exercise", "call", "show"]


@dataclass
class CheckResult:
    """Outcome of an exercise check; ``bool(result)`` is ``True`` when every check passed.

    Example:
        >>> result = CheckResult("Exercise 0.1", "passed", "all 3 checks passed.", 3)
        >>> bool(result), result
        (True, [PASSED] Exercise 0.1: all 3 checks passed.)
    """

    exercise: str
    status: str                     # "passed", "failed" or "not attempted"
    message: str
    checks_passed: int = 0
    details: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        mark = {"passed": "PASSED", "failed": "NOT YET", "not attempted": "TO DO"}[self.status]
        text = f"[{mark}] {self.exercise}: {self.message}"
        return textwrap.fill(text, width=76, subsequent_indent="    ", break_on_hyphens=False)


class Pending(Exception):
    """Raised by a check body when the learner's function is still the stub."""

    pass


class Failure(Exception):
    """Raised by a check body with a message saying what is wrong, for which input."""

    pass


class _Tally:
    def __init__(self):
        self.count = 0

    def ok(self):
        self.count += 1


def exercise(label: str):
    """Decorator: turn a check body that raises :class:`Pending`/:class:`Failure` into a
    :class:`CheckResult`. The body receives a tally first (call ``tally.ok()`` once per passed
    check) and returns a sentence to show on success.

    Example:
        >>> @exercise("Exercise 0.1 (doubling)")
        ... def check_double(tally, double):
        ...     for x in (0, 1, -2):
        ...         if call(double, "double", x) != 2 * x:
        ...             raise Failure(f"double({x}) should be {2 * x}")
        ...         tally.ok()
        ...     return "Well done."
        >>> check_double(lambda x: x + x)
        [PASSED] Exercise 0.1 (doubling): all 3 checks passed. Well done.
        >>> check_double(lambda x: x * x)
        [NOT YET] Exercise 0.1 (doubling): double(1) should be 2
        >>> inspect.signature(check_double)          # what help() shows: no tally
        <Signature (double) -> relu_course.exercises._core.CheckResult>
    """
    def decorate(body):
        @functools.wraps(body)
        def run(*args, **kwargs) -> CheckResult:
            tally = _Tally()
            try:
                summary = body(tally, *args, **kwargs)
            except Pending as exc:
                return CheckResult(label, "not attempted", str(exc), tally.count)
            except Failure as exc:
                return CheckResult(label, "failed", str(exc), tally.count)
            return CheckResult(label, "passed", f"all {tally.count} checks passed. {summary}".strip(),
                               tally.count)
        # help() and tab completion show what the learner passes: the body's parameters
        # without the tally, returning a CheckResult.
        signature = inspect.signature(body)
        run.__signature__ = signature.replace(parameters=list(signature.parameters.values())[1:],
                                              return_annotation=CheckResult)
        del run.__wrapped__                      # or inspect follows it back to the body
        return run
    return decorate


def show(value) -> str:
    """A short printable form of a value (arrays and tensors with 4 significant digits).

    Example:
        >>> show(np.array([0.5, 1.0]))
        '[0.5, 1. ]'
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return np.array2string(value, precision=4, separator=", ")
    return repr(value)


def call(fn, name: str, *args):
    """Call the learner's ``fn``; turn a stub or a crash into :class:`Pending`/:class:`Failure`.

    Example:
        >>> def stub(x):
        ...     raise NotImplementedError
        >>> try:
        ...     call(stub, "stub", 1)
        ... except Pending as exc:
        ...     print(str(exc)[:29])
        `stub` is not implemented yet
    """
    if not callable(fn):
        raise Failure(f"`{name}` should be a function, got {type(fn).__name__}")
    try:
        return fn(*args)
    except NotImplementedError:
        raise Pending(f"`{name}` is not implemented yet: replace `raise NotImplementedError` "
                       f"with your code, then run this cell again.") from None
    except Exception as exc:  # the learner's code failed: say where, not a traceback
        shown = ", ".join(show(a) for a in args)
        raise Failure(f"{name}({shown}) raised {type(exc).__name__}: {exc}") from None
