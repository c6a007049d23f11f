"""Argument checks shared by the package: clear errors instead of silent wrong answers."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

#: Floating-point dtypes the activation functions accept.
FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)
_FLOAT_NAMES = "float16, bfloat16, float32 or float64"


def check_tensor(fn_name: str, x, *, name: str = "input", allow_integer: bool = False) -> None:
    """Raise ``TypeError`` unless ``x`` is a tensor of a supported dtype."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(
            f"{fn_name}() expects `{name}` to be a torch.Tensor, got {type(x).__name__}; "
            f"wrap it with torch.as_tensor(...)"
        )
    if x.dtype in FLOAT_DTYPES:
        return
    if allow_integer and not x.is_floating_point() and not x.is_complex() and x.dtype != torch.bool:
        return
    expected = f"a {_FLOAT_NAMES} tensor"
    if allow_integer:
        expected += " (or an integer tensor)"
    hint = "; convert it with .float()" if not x.is_complex() else ""
    raise TypeError(f"{fn_name}() expects `{name}` to be {expected}, got dtype {x.dtype}{hint}")


def _bounds_text(ge, gt, le, lt) -> str:
    parts = [f"{op} {b}" for op, b in ((">=", ge), (">", gt), ("<=", le), ("<", lt)) if b is not None]
    return " and ".join(parts)


def _check_bounds(fn_name: str, name: str, value, ge, gt, le, lt) -> None:
    if ((ge is not None and not value >= ge) or (gt is not None and not value > gt)
            or (le is not None and not value <= le) or (lt is not None and not value < lt)):
        raise ValueError(f"{fn_name}() expects `{name}` to be {_bounds_text(ge, gt, le, lt)}, "
                         f"got {value}")


def check_real(fn_name: str, name: str, value, *, ge: float | None = None,
               gt: float | None = None, le: float | None = None,
               lt: float | None = None) -> float:
    """``value`` as a float, or a clear error: a ``TypeError`` if it is not a real number (bools
    are not), a ``ValueError`` if it is not finite or outside the bounds given (``ge``: >=,
    ``gt``: >, ``le``: <=, ``lt``: <).

    Example:
        >>> check_real("f", "rate", 1)
        1.0
        >>> check_real("f", "rate", 0.0, gt=0)
        Traceback (most recent call last):
        ...
        ValueError: f() expects `rate` to be > 0, got 0.0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{fn_name}() expects `{name}` to be a real number, got {type(value).__name__}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{fn_name}() expects `{name}` to be finite, got {value}")
    _check_bounds(fn_name, name, value, ge, gt, le, lt)
    return value


def check_inplace(fn_name: str, inplace) -> None:
    """The course's functions never modify their input: reject ``inplace=True`` loudly."""
    if not isinstance(inplace, bool):
        raise TypeError(f"{fn_name}() expects `inplace` to be a bool, got {type(inplace).__name__}")
    if inplace:
        raise ValueError(
            f"{fn_name}(): inplace=True is not supported; relu_course never modifies its input "
            f"(use the returned tensor instead)"
        )


def check_batch(fn_name: str, x, y) -> None:
    """Raise unless ``x`` is a float tensor and ``y`` a tensor with the same, non-zero number
    of examples (a batch of inputs and its targets)."""
    check_tensor(fn_name, x, name="x")
    if not isinstance(y, torch.Tensor):
        raise TypeError(f"{fn_name}() expects `y` to be a torch.Tensor, got {type(y).__name__}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"{fn_name}(): x and y need the same, non-zero number of examples "
                         f"(got {len(x)} and {len(y)})")


def check_int(fn_name: str, name: str, value, *, ge: int | None = None,
              le: int | None = None) -> int:
    """``value`` if it is an int (not a bool) within the bounds given (``ge``: >=, ``le``: <=),
    else a clear ``TypeError`` or ``ValueError``.

    Example:
        >>> check_int("f", "width", 0, ge=1)
        Traceback (most recent call last):
        ...
        ValueError: f() expects `width` to be >= 1, got 0
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fn_name}() expects `{name}` to be an int, got {type(value).__name__}")
    value = int(value)
    _check_bounds(fn_name, name, value, ge, None, le, None)
    return value


#: Seeds are integers in [0, 2**63): every generator the course uses accepts them.
MAX_SEED = 2**63 - 1


def seed_or_base(fn_name: str, seed) -> int:
    """``seed`` checked by :func:`check_seed`, or the base seed if it is ``None``."""
    from .utils import base_seed  # here, not at the top: utils imports this module

    return base_seed() if seed is None else check_seed(fn_name, seed)


def check_seed(fn_name: str, seed) -> int:
    """Return ``seed`` if it is an int in ``[0, 2**63)``, else raise
    ``TypeError``/``ValueError``."""
    seed = check_int(fn_name, "seed", seed, ge=0)
    if seed > MAX_SEED:
        raise ValueError(f"{fn_name}() expects `seed` <= 2**63 - 1, got {seed}")
    return seed


def as_float_array(fn_name: str, what: str, values) -> np.ndarray:
    """``values`` (a tensor on any device, a NumPy array, a list or a number) as a float64 NumPy
    array, or a ``TypeError`` that names ``what`` when they are not numbers (strings included).

    The one conversion the plots use for their data; shape and finiteness are the caller's
    checks.
    """
    if isinstance(values, torch.Tensor):
        return values.detach().to("cpu", torch.float64).numpy()
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{fn_name}(): {what} must hold numbers, got a string")
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"{fn_name}(): {what} must be an array of numbers, got "
                        f"{type(values).__name__}") from None
