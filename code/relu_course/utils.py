"""Device selection, seeding and the canonical numerics (what every chapter's setup cell
runs), and small helpers the other modules share.

Every random choice in the course derives from one *base seed*: 0, or the integer in the
environment variable ``RELU_COURSE_SEED``. ``set_seed()`` seeds the generators with it,
``seeds(n)`` gives the seeds of an experiment that is repeated ``n`` times, and the package's
functions that draw random numbers use it when no seed is passed. Start Jupyter (or the tests)
with another value, ``RELU_COURSE_SEED=7 jupyter lab``, and every experiment reruns on fresh
seeds.

* :func:`get_device` -- the device to use (``RELU_COURSE_DEVICE``, :data:`DEVICE_ENV_VAR`,
  can force one);
* :func:`base_seed`, :func:`seeds`, :func:`set_seed` -- the base seed (:data:`SEED_ENV_VAR`)
  and the seeds derived from it;
* :func:`canonical_numerics` and :data:`CANONICAL_ENV` -- the execution mode of the stored
  outputs (:data:`NUMERICS_ENV_VAR`);
* :func:`format_values` -- numbers printed with one format; :func:`eval_mode` -- a model in
  evaluation mode for the length of a ``with`` block.
"""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import torch

from ._validation import check_int, check_seed

__all__ = ["DEVICE_ENV_VAR", "SEED_ENV_VAR", "NUMERICS_ENV_VAR", "CANONICAL_ENV", "get_device",
           "base_seed", "seeds", "set_seed", "canonical_numerics", "format_values", "eval_mode"]

#: Set this environment variable (``cpu``, ``cuda``, ``cuda:1``, ``mps``) to override the choice.
DEVICE_ENV_VAR = "RELU_COURSE_DEVICE"

#: The environment variable that holds the base seed (an integer >= 0; 0 when unset).
SEED_ENV_VAR = "RELU_COURSE_SEED"

#: ``canonical`` in this environment variable makes :func:`set_seed` pin the numerics.
NUMERICS_ENV_VAR = "RELU_COURSE_NUMERICS"

#: The environment of the *canonical execution mode*, in which the stored outputs of the
#: chapters were computed: one thread, the CPU, and numerical kernels that every x86-64
#: processor with AVX2 runs identically -- ATen's AVX2 kernels (not AVX-512 where the processor
#: has it) and MKL's branch for reproducible results on any x86-64 processor. These variables
#: are read when a process starts, so they must be set before Python is started (``tests/
#: notebooks.py`` and the test suite do that); :func:`set_seed` then switches off the two
#: libraries that choose their kernels by processor and have no such switch (oneDNN, NNPACK).
CANONICAL_ENV = {
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "ATEN_CPU_CAPABILITY": "avx2",
    "MKL_CBWR": "COMPATIBLE",
    DEVICE_ENV_VAR: "cpu",
    NUMERICS_ENV_VAR: "canonical",
}


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


def base_seed() -> int:
    """The base seed of every experiment: the integer in ``RELU_COURSE_SEED``, or 0.

    Raises:
        ValueError: if the variable is set but is not an integer in ``[0, 2**63)``.

    Example:
        >>> base_seed()        # RELU_COURSE_SEED is not set here
        0
    """
    text = os.environ.get(SEED_ENV_VAR, "").strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"{SEED_ENV_VAR}={text!r} is not an integer; "
                         f"set it to a seed such as 0 or 7, or unset it") from None
    return check_seed(f"base_seed() [{SEED_ENV_VAR}]", value)


def seeds(n: int) -> list[int]:
    """The ``n`` seeds of an experiment repeated ``n`` times: the base seed and the ``n - 1``
    integers after it.

    Example:
        >>> seeds(3)           # RELU_COURSE_SEED is not set here
        [0, 1, 2]
    """
    n = check_int("seeds", "n", n, ge=1)
    start = base_seed()
    return [check_seed("seeds", start + i) for i in range(n)]


def set_seed(seed: int | None = None) -> int:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and every GPU), and
    return the seed. Without an argument, use the base seed (:func:`relu_course.utils.base_seed`).

    In the canonical execution mode (``RELU_COURSE_NUMERICS=canonical``), also pin the
    numerics (:func:`relu_course.utils.canonical_numerics`).

    Example:
        >>> set_seed(0); a = torch.rand(2)
        0
        >>> set_seed(0); torch.equal(a, torch.rand(2))
        0
        True
    """
    seed = base_seed() if seed is None else check_seed("set_seed", seed)
    if os.environ.get(NUMERICS_ENV_VAR, "").strip() == "canonical":
        canonical_numerics()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)          # also seeds every CUDA device
    return seed


def canonical_numerics() -> None:
    """Pin this process's numerics to the canonical execution mode (see :data:`CANONICAL_ENV`):
    one thread, and no oneDNN or NNPACK (convolutions then run ATen's own kernels on MKL).

    Raises:
        RuntimeError: if the environment of the canonical mode was not set before Python
            started, or ATen could not use the kernels it names (a processor without AVX2).

    Example (not run here: it would change this process's settings)::

        $ env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 ATEN_CPU_CAPABILITY=avx2 MKL_CBWR=COMPATIBLE \\
              RELU_COURSE_DEVICE=cpu RELU_COURSE_NUMERICS=canonical python
        >>> import relu_course as rc
        >>> rc.set_seed(0)          # calls canonical_numerics()  # doctest: +SKIP
    """
    missing = {k: v for k, v in CANONICAL_ENV.items() if os.environ.get(k) != v}
    if missing:
        raise RuntimeError(
            "the canonical execution mode needs these environment variables set before Python "
            "starts: " + " ".join(f"{k}={v}" for k, v in missing.items()))
    capability = torch.backends.cpu.get_cpu_capability()
    if capability != "AVX2":
        raise RuntimeError(f"the canonical execution mode needs ATen's AVX2 kernels, but this "
                           f"machine runs {capability!r}; the stored outputs cannot be "
                           f"reproduced here (an x86-64 processor with AVX2 is needed)")
    torch.set_num_threads(1)
    torch.backends.mkldnn.enabled = False
    torch.backends.nnpack.set_flags(False)


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
