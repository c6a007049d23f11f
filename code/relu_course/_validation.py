"""Argument checks shared by the package: clear errors instead of silent wrong answers."""

from __future__ import annotations

import math
import numbers

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


def check_real(fn_name: str, name: str, value, *, positive: bool = False) -> float:
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{fn_name}() expects `{name}` to be a real number, got {type(value).__name__}"
        )
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{fn_name}() expects `{name}` to be finite, got {value}")
    if positive and value <= 0:
        raise ValueError(f"{fn_name}() expects `{name}` to be > 0, got {value}")
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


def check_int(fn_name: str, name: str, value, *, minimum: int | None = None) -> int:
    """Return ``value`` if it is an int (not a bool) at least ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{fn_name}() expects `{name}` to be an int, got {type(value).__name__}")
    value = int(value)
    if minimum is not None and value < minimum:
        raise ValueError(f"{fn_name}() expects `{name}` to be >= {minimum}, got {value}")
    return value


#: Seeds are integers in [0, 2**63): every generator the course uses accepts them.
MAX_SEED = 2**63 - 1


def seed_or_base(fn_name: str, seed) -> int:
    """``seed`` checked by :func:`check_seed`, or the base seed if it is ``None``."""
    from .utils import base_seed  # here, not at the top: utils imports this module

    return base_seed() if seed is None else check_seed(fn_name, seed)


def check_seed(fn_name: str, seed) -> int:
    """Return ``seed`` if it is an int in ``[0, 2**63)``, else raise ``TypeError``/``ValueError``."""
    seed = check_int(fn_name, "seed", seed, minimum=0)
    if seed > MAX_SEED:
        raise ValueError(f"{fn_name}() expects `seed` <= 2**63 - 1, got {seed}")
    return seed
