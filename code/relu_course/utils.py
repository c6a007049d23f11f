"""Device selection and seeding (the two lines every chapter's setup cell runs), and small
helpers the other modules share."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from ._validation import check_seed

__all__ = ["DEVICE_ENV_VAR", "get_device", "set_seed", "format_values", "eval_mode"]

#: Set this environment variable (``cpu``, ``cuda``, ``cuda:1``, ``mps``) to override the choice.
DEVICE_ENV_VAR = "RELU_COURSE_DEVICE"


def _mps_available() -> bool:
    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def get_device(preferred: str | torch.device | None = None) -> torch.device:
    """Return the device to compute on: CUDA if present, else Apple's MPS, else the CPU.

    An explicit ``preferred`` device, or else the environment variable
    ``RELU_COURSE_DEVICE``, overrides the automatic choice.

    Raises:
        ValueError: if the requested device is not a valid device string or is not available
            on this machine.

    Example:
        >>> get_device("cpu")
        device(type='cpu')
    """
    requested = preferred if preferred is not None else os.environ.get(DEVICE_ENV_VAR, "")
    if isinstance(requested, torch.device):
        requested = str(requested)
    if not isinstance(requested, str):
        raise TypeError(
            f"get_device() expects a device string or torch.device, got {type(requested).__name__}"
        )
    requested = requested.strip()
    if not requested:
        if torch.cuda.is_available():
            return torch.device("cuda")
        if _mps_available():
            return torch.device("mps")
        return torch.device("cpu")

    source = "get_device()" if preferred is not None else f"${DEVICE_ENV_VAR}"
    try:
        device = torch.device(requested)
    except (RuntimeError, ValueError) as exc:
        raise ValueError(
            f"{source}: {requested!r} is not a device; use 'cpu', 'cuda', 'cuda:N' or 'mps'"
        ) from exc
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"{source}: {requested!r} requested but CUDA is not available")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(
                f"{source}: {requested!r} requested but only {torch.cuda.device_count()} "
                f"CUDA device(s) exist"
            )
    elif device.type == "mps":
        if not _mps_available():
            raise ValueError(f"{source}: {requested!r} requested but MPS is not available")
    elif device.type != "cpu":
        raise ValueError(f"{source}: unsupported device type {device.type!r}; use cpu, cuda or mps")
    return device


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU).

    Example:
        >>> set_seed(0); a = torch.rand(2)
        >>> set_seed(0); torch.equal(a, torch.rand(2))
        True
    """
    seed = check_seed("set_seed", seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)          # also seeds every CUDA device


def format_values(values, spec: str = ".4g") -> str:
    """Format numbers (a tensor, array or sequence) as ``[a, b, c]`` with a fixed format, for
    printing in notebooks without raw tensor reprs.

    Example:
        >>> format_values(torch.tensor([0.0, -0.0, 0.5, float("nan")]))
        '[0, -0, 0.5, nan]'
    """
    if isinstance(values, torch.Tensor):
        values = values.detach().cpu().reshape(-1).tolist()
    elif isinstance(values, np.ndarray):
        values = values.reshape(-1).tolist()
    return "[" + ", ".join(format(float(v), spec) for v in values) + "]"


@contextmanager
def eval_mode(module: torch.nn.Module) -> Iterator[torch.nn.Module]:
    """Context manager: ``module`` in evaluation mode (dropout off, batch norm using its running
    statistics), and back in the mode it was in afterwards -- also when the block raises.

    Example:
        >>> net = torch.nn.Sequential(torch.nn.Dropout(0.5))
        >>> with eval_mode(net):
        ...     net.training
        False
        >>> net.training
        True
    """
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"eval_mode() expects an nn.Module, got {type(module).__name__}")
    was_training = module.training
    module.eval()
    try:
        yield module
    finally:
        module.train(was_training)
