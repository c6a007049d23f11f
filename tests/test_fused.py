"""The variants of the from-scratch activations that ``torch.compile`` fuses (``bench.fused``).

Under the compiler, ``relu_course.functional`` switches to formulations without boolean masks
and, for exact GELU in float32, to a normal CDF from one exponential (Abramowitz & Stegun
7.1.26). The helpers are plain torch code and are checked here directly; the compiled
functions are checked against the eager ones and against torch, values and gradients,
including the special inputs (zeros of both signs, subnormals, infinities, NaN).
"""

import math
import shutil

import pytest
import torch

from relu_course.activations import functional as F
from relu_course.performance import bench

SPECIAL = [-math.inf, -3.0, -1.0, -1e-45, -0.0, 0.0, 1e-45, 1e-38, 0.5, 3.0, math.inf, math.nan]


def _special(dtype=torch.float32) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    return torch.cat([torch.tensor(SPECIAL, dtype=dtype),
                      torch.randn(500, generator=gen, dtype=dtype) * 3])


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_step_is_the_float_indicator_of_positive_inputs(dtype):
    tiny = torch.finfo(dtype).smallest_normal * torch.finfo(dtype).eps   # smallest subnormal
    x = torch.tensor([-math.inf, -1.0, -tiny, -0.0, 0.0, tiny, 1.0, math.inf, math.nan],
                     dtype=dtype)
    expected = torch.tensor([0, 0, 0, 0, 0, 1, 1, 1, 0], dtype=dtype)
    step = F._step(x)
    assert step.dtype == dtype
    assert torch.equal(step, expected)
    # ReLU's compiled backward: fmin(saturated output, 1) -- 0 at 0, 1 above, 1 for NaN
    out = x.clamp_min(0)
    mask = torch.fmin(F._saturate(out), torch.ones((), dtype=dtype))
    assert torch.equal(mask, torch.tensor([0, 0, 0, 0, 0, 1, 1, 1, 1], dtype=dtype))


def test_normal_cdf_from_one_exponential_is_accurate_in_float32():
    x = torch.linspace(-12, 12, 240_001, dtype=torch.float64)
    cdf, pdf = F._normal_cdf_pdf_fused(x.float())
    exact_cdf = 0.5 * torch.erfc(-x / math.sqrt(2.0))
    exact_pdf = torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    assert (cdf.double() - exact_cdf).abs().max() < 3e-7       # about 2 float32 ulps of 1
    assert (pdf.double() - exact_pdf).abs().max() < 1e-7
    assert torch.all(cdf[1:] >= cdf[:-1])                       # still a CDF: non-decreasing
    assert 0 <= cdf[0] < 1e-32 and cdf[-1] == 1                # Phi(-12) is about 1.8e-33


@pytest.mark.parametrize("dtype, bound", [(torch.float32, 1e-6), (torch.float64, 5e-14)])
def test_expm1_for_compiled_code_is_relatively_accurate_near_zero(dtype, bound):
    y = torch.cat([-torch.logspace(-30, 1.5, 4001, dtype=torch.float64), torch.zeros(1),
                   torch.logspace(-30, 1.5, 4001, dtype=torch.float64)])
    approx = F._expm1_fused(y.to(dtype)).double()
    exact = torch.expm1(y.to(dtype).double())
    relative = (approx - exact).abs() / exact.abs().clamp_min(1e-300)
    assert relative.max() < bound
    naive = (torch.exp(y.to(dtype)) - 1).double()                   # what it replaces
    assert ((naive - exact).abs() / exact.abs().clamp_min(1e-300)).max() > 1e3 * bound


@pytest.fixture(scope="module")
def compiler():
    pytest.importorskip("torch._inductor")
    if shutil.which("c++") is None and shutil.which("g++") is None:
        pytest.skip("torch.compile needs a C++ compiler on the CPU")
    try:                                    # the toolchain itself (compiler, Python headers)
        torch.compile(lambda t: t + 1, dynamic=False)(torch.zeros(4))
    except Exception as error:              # any failure here means no working toolchain
        pytest.skip(f"torch.compile does not work here: {type(error).__name__}")


def _value_and_grad(fn, x, *args):
    leaf = x.detach().clone().requires_grad_(True)
    y = fn(leaf, *args)
    grad_out = torch.linspace(-1, 1, y.numel(), dtype=y.dtype).reshape(y.shape)
    (g,) = torch.autograd.grad(y, leaf, grad_out)
    return y.detach(), g


EXACT = {"relu", "leaky_relu", "prelu"}       # selections and products by 1 or the slope


@pytest.mark.parametrize("name", list(bench.BUILTINS))
def test_fused_matches_eager_and_torch(compiler, name):
    x = _special()
    args = bench._extra_args(name, x)
    y, g = _value_and_grad(bench.fused(name), x, *args)
    y_eager, g_eager = _value_and_grad(F.FUNCTIONS[name], x, *args)
    y_torch, g_torch = _value_and_grad(bench.BUILTINS[name], x, *args)
    finite = torch.isfinite(x)
    if name in EXACT:
        # equal values (a zero may differ in sign), NaN where torch has NaN
        torch.testing.assert_close(y, y_torch, rtol=0, atol=0, equal_nan=True)
        torch.testing.assert_close(g, g_torch, rtol=0, atol=0, equal_nan=True)
    else:
        # GELU's fused CDF is within 1.5e-7 of the exact one, so its values are within
        # |x| * 1.5e-7: below one float32 ulp of the result for |x| >= 1, hence the atol.
        atol = 2e-6 if name == "gelu" else 5e-7
        torch.testing.assert_close(y[finite], y_torch[finite], rtol=2e-6, atol=atol)
        torch.testing.assert_close(g[finite], g_torch[finite], rtol=2e-6, atol=atol)
        torch.testing.assert_close(y[finite], y_eager[finite], rtol=2e-6, atol=atol)
        torch.testing.assert_close(g[finite], g_eager[finite], rtol=2e-6, atol=atol)
    # NaN in, NaN out (at +-inf the builtins themselves differ: torch's gelu(inf) is NaN)
    assert torch.isnan(y[torch.isnan(x)]).all()
    assert not torch.isnan(y[finite]).any()


@pytest.mark.parametrize("name", ["tanh", "elu", "selu", "silu", "sigmoid", "gelu", "mish"])
def test_fused_smooth_functions_are_relatively_accurate_near_zero(compiler, name):
    x = torch.tensor([-0.3, -0.1, -1e-2, -1e-4, -1e-6, 1e-6, 1e-4, 1e-2, 0.1, 0.3])
    y = bench.fused(name)(x).double()
    exact = bench.BUILTINS[name](x.double())
    assert ((y - exact).abs() / exact.abs()).max() < 1e-6       # a few float32 ulps


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "prelu", "softplus"])
def test_fused_mask_free_backward_keeps_torchs_choices(compiler, name):
    # At the kink and for NaN inputs the derivative is a choice; the mask-free formulas make
    # torch's: relu'(0) = 0 and a NaN passes the gradient; leaky/prelu use the slope at 0 and
    # for NaN; softplus is exactly linear above the threshold.
    x = torch.tensor([-2.0, -0.0, 0.0, 2.0, 25.0, math.nan])
    args = bench._extra_args(name, x)
    _, g = _value_and_grad(bench.fused(name), x, *args)
    _, g_torch = _value_and_grad(bench.BUILTINS[name], x, *args)
    torch.testing.assert_close(g, g_torch, rtol=0, atol=0, equal_nan=True)


def test_fused_prelu_learns_per_channel_slopes_like_torch(compiler):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(8, 3, 5, generator=gen)
    w = torch.tensor([0.25, -0.5, 1.5])
    results = []
    for fn in (bench.fused("prelu"), torch.nn.functional.prelu):
        xl, wl = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
        y = fn(xl, wl)
        gx, gw = torch.autograd.grad(y, (xl, wl), torch.cos(y.detach()))
        results.append((y.detach(), gx, gw))
    for ours, theirs in zip(*results):
        torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-6)


def test_fused_gelu_in_float64_keeps_the_exact_erf(compiler):
    x = _special(torch.float64)[torch.isfinite(_special(torch.float64))]
    y, g = _value_and_grad(bench.fused("gelu"), x)
    y_torch, g_torch = _value_and_grad(torch.nn.functional.gelu, x)
    torch.testing.assert_close(y, y_torch, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(g, g_torch, rtol=1e-12, atol=1e-15)
