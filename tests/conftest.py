"""Shared fixtures and helpers for the unit tests of ``relu_course``.

The activation functions are described once, as :class:`Case` objects: our function, its
``torch`` counterpart, the keyword arguments and the gradient torch returns at exactly 0.
Tests receive them through the session-scoped, parametrised ``case`` fixture.
"""

from __future__ import annotations

import math
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

from relu_course.activations import functional as F
from relu_course.activations.registry import DERIVATIVES, FUNCTIONS

# The tools (tools/notebooks.py, tools/website.py, tools/student_edition.py) are imported by
# the tests of the book: make them importable without installing them.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))

# Draw off-screen in this process. (Not through the MPLBACKEND environment variable: the
# notebook kernels that nbval starts would inherit it and stop showing figures inline.)
matplotlib.use("Agg")

FLOAT_DTYPES = (torch.float16, torch.bfloat16, torch.float32, torch.float64)

#: Inputs where activations are easy to get wrong. Tiled by ``special_input`` so that both
#: the vectorised body and the scalar tail of torch's CPU kernels are exercised.
SPECIAL_VALUES = (0.0, -0.0, math.nan, math.inf, -math.inf, 1e30, -1e30, 1e-30, -1e-30,
                  1e-42, -1e-42, 1e-6, -1e-6, 100.0, -100.0, 40.0, -40.0, 20.0, 19.99, 20.01,
                  2.5, 2.49, 2.51, 1.0, -1.0, 5.0, -5.0, 0.5, -0.5, 60000.0, -60000.0)


@dataclass(frozen=True)
class Case:
    """One activation with fixed hyper-parameters, and how torch computes the same thing."""

    id: str
    name: str                        # key of relu_course.activations.registry.FUNCTIONS
    torch_fn: object                 # torch's function with the same signature
    grad_at_zero: float              # torch's (and our) gradient at exactly 0
    function_class: str              # the autograd.Function behind it
    kwargs: dict = field(default_factory=dict)

    def _kwargs(self, x):
        # Tensor arguments (PReLU's weight) follow the input's dtype and device.
        return {k: v.to(x.dtype if x.is_floating_point() else v.dtype).to(x.device)
                if isinstance(v, torch.Tensor) else v for k, v in self.kwargs.items()}

    def ours(self, x):
        return FUNCTIONS[self.name](x, **self._kwargs(x))

    def torch(self, x):
        return self.torch_fn(x, **self._kwargs(x))

    def derivative(self, x):
        return DERIVATIVES[self.name](x, **self._kwargs(x))


CASES = {c.id: c for c in (
    Case("relu", "relu", TF.relu, 0.0, "ReLUFunction"),
    Case("leaky_relu", "leaky_relu", TF.leaky_relu, 0.01, "LeakyReLUFunction"),
    Case("leaky_relu-0.2", "leaky_relu", TF.leaky_relu, 0.2, "LeakyReLUFunction",
         {"negative_slope": 0.2}),
    Case("leaky_relu-neg", "leaky_relu", TF.leaky_relu, -0.5, "LeakyReLUFunction",
         {"negative_slope": -0.5}),
    Case("prelu", "prelu", TF.prelu, 0.25, "PReLUFunction", {"weight": torch.tensor([0.25])}),
    Case("elu", "elu", TF.elu, 1.0, "ELUFunction"),
    Case("elu-0.5", "elu", TF.elu, 0.5, "ELUFunction", {"alpha": 0.5}),
    Case("selu", "selu", TF.selu, F.SELU_SCALE * F.SELU_ALPHA, "ELUFunction"),
    Case("gelu", "gelu", TF.gelu, 0.5, "GELUFunction"),
    Case("gelu-tanh", "gelu", TF.gelu, 0.5, "GELUFunction", {"approximate": "tanh"}),
    Case("silu", "silu", TF.silu, 0.5, "SiLUFunction"),
    Case("mish", "mish", TF.mish, 0.6, "MishFunction"),
    Case("softplus", "softplus", TF.softplus, 0.5, "SoftplusFunction"),
    Case("softplus-b2-t5", "softplus", TF.softplus, 0.5, "SoftplusFunction",
         {"beta": 2.0, "threshold": 5.0}),
    Case("sigmoid", "sigmoid", torch.sigmoid, 0.25, "SigmoidFunction"),
    Case("tanh", "tanh", torch.tanh, 1.0, "TanhFunction"),
)}


@pytest.fixture(scope="session", params=list(CASES), ids=str)
def case(request) -> Case:
    return CASES[request.param]


@pytest.fixture(scope="session")
def cases() -> dict[str, Case]:
    return CASES


@pytest.fixture(scope="session", params=FLOAT_DTYPES, ids=lambda d: str(d).split(".")[-1])
def dtype(request) -> torch.dtype:
    return request.param


def special_input(dtype: torch.dtype, repeat: int = 3) -> torch.Tensor:
    return torch.tensor(SPECIAL_VALUES * repeat, dtype=torch.float64).to(dtype)


def value_mask(case: Case, x: torch.Tensor) -> torch.Tensor:
    """Positions where our value is *meant* to differ from torch's (excluded from parity)."""
    if case.name == "gelu" and case.kwargs.get("approximate", "none") == "none" \
            and x.dtype != torch.float64:
        # Intended deviation, documented in gelu's docstring: at +inf torch returns nan in
        # float32/float16/bfloat16 and we return inf (the limit). torch's kernel also
        # overflows to inf for finite x above about 1.7e38, where we return x itself.
        return x.double() > 1e38
    return torch.zeros_like(x, dtype=torch.bool)


def grad_mask(case: Case, x: torch.Tensor) -> torch.Tensor:
    """Positions where torch's own gradient is not well defined (excluded from parity)."""
    mask = value_mask(case, x)
    if case.name in ("elu", "selu"):
        # torch's CPU elu_backward gives nan at a nan input in its vectorised loop but the
        # upstream gradient in its scalar tail and on CUDA (it depends on the tensor's size),
        # so there is no single torch behaviour to match there.
        mask = mask | torch.isnan(x)
    return mask


def grad_tolerance(case: Case, dtype: torch.dtype) -> dict:
    """Tolerances for gradient parity: assert_close's defaults, with one documented exception."""
    if dtype == torch.float16 and case.name in ("sigmoid", "tanh"):
        # torch's CPU float16 sigmoid/tanh backward does its arithmetic in float16 (several
        # roundings, and 1 - t*t cancels); we compute in float32 and round once, like torch
        # does for bfloat16 and on CUDA. The two differ by a few float16 ulps.
        return {"rtol": 1.5e-2, "atol": 2e-3}
    return {}


def assert_same(actual, expected, mask=None, **tolerance) -> None:
    """``assert_close`` with nan == nan and the same dtype, shape and device, outside ``mask``."""
    assert actual.dtype == expected.dtype
    assert actual.shape == expected.shape
    assert actual.device == expected.device
    if mask is not None:
        actual, expected = actual[~mask], expected[~mask]
    torch.testing.assert_close(actual, expected, equal_nan=True, **tolerance)


def value_and_grad(fn, x: torch.Tensor, grad_out: torch.Tensor):
    """``fn(x)`` and the gradient of ``(fn(x) * grad_out).sum()`` with respect to ``x``."""
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    (grad,) = torch.autograd.grad(out, x, grad_out)
    return out.detach(), grad


def check_parity(case: Case, x: torch.Tensor, grad_out: torch.Tensor | None = None):
    """Assert that our forward and backward agree with torch's on ``x``; return ours."""
    if grad_out is None:
        grad_out = torch.linspace(-2.0, 2.0, x.numel(), dtype=torch.float64)
        grad_out = grad_out.reshape(x.shape).to(x.dtype)
    out, grad = value_and_grad(case.ours, x, grad_out)
    ref_out, ref_grad = value_and_grad(case.torch, x, grad_out)
    assert out.dtype == grad.dtype == x.dtype
    assert_same(out, ref_out, value_mask(case, x))
    assert_same(grad, ref_grad, grad_mask(case, x), **grad_tolerance(case, x.dtype))
    return out, grad


class Helpers:
    """What the test modules share, handed out by the ``helpers`` fixture."""

    FLOAT_DTYPES = FLOAT_DTYPES
    special_input = staticmethod(special_input)
    value_mask = staticmethod(value_mask)
    grad_mask = staticmethod(grad_mask)
    grad_tolerance = staticmethod(grad_tolerance)
    assert_same = staticmethod(assert_same)
    value_and_grad = staticmethod(value_and_grad)
    check_parity = staticmethod(check_parity)


@pytest.fixture(scope="session")
def helpers() -> type[Helpers]:
    return Helpers


@pytest.fixture
def rc_unchanged():
    """Fail the test if matplotlib's global rcParams differ after it."""
    before = dict(matplotlib.rcParams)
    yield
    after = dict(matplotlib.rcParams)
    assert [k for k in before if before[k] != after[k]] == []


@pytest.fixture(autouse=True)
def _isolate_global_state():
    """Each test leaves the global RNGs as it found them and closes the figures it opened."""
    torch_state = torch.get_rng_state()
    numpy_state = np.random.get_state()
    python_state = random.getstate()
    yield
    torch.set_rng_state(torch_state)
    np.random.set_state(numpy_state)
    random.setstate(python_state)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory):
    """The book built once per test session (``jupyter-book build -W -n``): ``(completed
    process, html directory)``. Shared by the build check and the browser test."""
    from website import build_book

    return build_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="module")
def xor():
    """200 XOR points (base seed 0), for the tests of the training helpers."""
    from relu_course.data import load

    return load("xor", n_samples=200, seed=0)


@pytest.fixture(scope="module")
def xor_data():
    """96 XOR points with the default seed."""
    from relu_course.data import load

    return load("xor", n_samples=96)
