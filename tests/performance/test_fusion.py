"""relu_course.performance.fusion: the compiled fast path, checked against the readable
functions.

``relu_course.performance.fusion`` rewrites some formulas for ``torch.compile`` (no boolean
masks, an accurate expm1, a normal CDF from one exponential for exact GELU's float32 backward).
The helpers are plain torch code and are checked here directly; every compiled function is
checked against the readable eager one (``relu_course.activations.functional``) and against
torch, values and gradients, including the special inputs (zeros of both signs, subnormals,
infinities, NaN).

Tolerances, and why:

* relu, leaky_relu, prelu: exactly equal (selections, and products by exactly 1 or the
  slope), except the sign of a zero (the compiled ``max(-0, 0)`` is +0, and ``0 + (-0)`` is
  +0), and for non-finite incoming gradients: the fused ReLU backward multiplies by a 0/1
  step where the readable one selects, so ``inf`` at an inactive unit gives NaN there.
* the smooth functions: ``rtol=2e-6, atol=5e-7`` (a few float32 ulps): the compiler evaluates
  exp, tanh and erf with its own vectorised code, and ELU/SELU/tanh use ``_expm1_fused``.
* exact GELU: ``atol=2e-6``: its float32 backward uses a normal CDF within 1.5e-7 of the exact
  one, i.e. within ``|x| * 1.5e-7`` -- below one float32 ulp of the result for ``|x| >= 1``.
"""

import math
import shutil

import pytest
import torch

from relu_course.activations import functional as F
from relu_course.activations.registry import BUILTINS, FUNCTIONS
from relu_course.performance import bench, fusion

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
    step = fusion._step(x)
    assert step.dtype == dtype
    assert torch.equal(step, expected)
    # ReLU's compiled backward: fmin(saturated output, 1) -- 0 at 0, 1 above, 1 for NaN
    out = x.clamp_min(0)
    mask = torch.fmin(fusion._saturate(out), torch.ones((), dtype=dtype))
    assert torch.equal(mask, torch.tensor([0, 0, 0, 0, 0, 1, 1, 1, 1], dtype=dtype))


def test_normal_cdf_from_one_exponential_is_accurate_in_float32():
    x = torch.linspace(-12, 12, 240_001, dtype=torch.float64)
    cdf, pdf = fusion._normal_cdf_pdf_fused(x.float())
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
    approx = fusion._expm1_fused(y.to(dtype)).double()
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


def test_fused_covers_every_activation_with_the_eager_signature():
    import inspect

    assert list(fusion.FUSED) == list(FUNCTIONS)
    for name, fn in fusion.FUSED.items():
        assert inspect.signature(fn) == inspect.signature(FUNCTIONS[name]), name
    assert bench.fused is fusion.fused                   # the benchmark times these


@pytest.mark.parametrize("name", list(fusion.FUSED))
def test_fused_functions_compile_into_one_graph(compiler, name):
    # A graph break (e.g. from an autograd.Function that defines jvp) would run eagerly.
    x = torch.randn(64, requires_grad=True)
    explanation = torch._dynamo.explain(fusion.FUSED[name])(x, *bench._extra_args(name, x))
    assert explanation.graph_break_count == 0, explanation.break_reasons
    assert explanation.graph_count == 1


@pytest.mark.parametrize("name", list(BUILTINS))
def test_fused_matches_eager_and_torch(compiler, name):
    x = _special()
    args = bench._extra_args(name, x)
    y, g = _value_and_grad(fusion.fused(name), x, *args)
    y_eager, g_eager = _value_and_grad(FUNCTIONS[name], x, *args)
    y_torch, g_torch = _value_and_grad(BUILTINS[name], x, *args)
    finite = torch.isfinite(x)
    if name in EXACT:
        # exactly the readable version's and torch's values (only a zero's sign may differ:
        # the compiled max(x, 0) returns +0 at -0, and 0 + (-0) is +0)
        torch.testing.assert_close(y, y_eager, rtol=0, atol=0, equal_nan=True)
        torch.testing.assert_close(g, g_eager, rtol=0, atol=0, equal_nan=True)
        torch.testing.assert_close(y, y_torch, rtol=0, atol=0, equal_nan=True)
        torch.testing.assert_close(g, g_torch, rtol=0, atol=0, equal_nan=True)
    else:
        atol = 2e-6 if name == "gelu" else 5e-7               # see the module docstring
        torch.testing.assert_close(y[finite], y_eager[finite], rtol=2e-6, atol=atol)
        torch.testing.assert_close(g[finite], g_eager[finite], rtol=2e-6, atol=atol)
        torch.testing.assert_close(y[finite], y_torch[finite], rtol=2e-6, atol=atol)
        torch.testing.assert_close(g[finite], g_torch[finite], rtol=2e-6, atol=atol)
    # NaN in, NaN out (at +-inf the builtins themselves differ: torch's gelu(inf) is NaN)
    assert torch.isnan(y[torch.isnan(x)]).all()
    assert not torch.isnan(y[finite]).any()
    assert torch.equal(torch.isnan(y[finite]), torch.isnan(y_eager[finite]))


@pytest.mark.parametrize("approximate", ["none", "tanh"])
@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16])
def test_fused_gelu_modes_and_dtypes_match_eager(compiler, approximate, dtype):
    x = _special(dtype)
    finite = torch.isfinite(x)
    y, g = _value_and_grad(fusion.fused("gelu"), x, approximate)
    y_eager, g_eager = _value_and_grad(F.gelu, x, approximate)
    tolerance = {"rtol": 1e-12, "atol": 1e-15} if dtype == torch.float64 else {}
    torch.testing.assert_close(y[finite], y_eager[finite], **tolerance)
    torch.testing.assert_close(g[finite], g_eager[finite], **tolerance)


def test_fused_relu_multiplies_by_the_step_for_infinite_gradients(compiler):
    # The one stated difference from the readable ReLU: a product, not a selection.
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    (g,) = torch.autograd.grad(fusion.fused("relu")(x), x, torch.tensor([math.inf, 3.0]))
    (g_eager,) = torch.autograd.grad(F.relu(x), x, torch.tensor([math.inf, 3.0]))
    assert g_eager.tolist() == [0.0, 3.0]
    assert math.isnan(g[0].item()) and g[1].item() == 3.0


@pytest.mark.parametrize("name", ["tanh", "elu", "selu", "silu", "sigmoid", "gelu", "mish"])
def test_fused_smooth_functions_are_relatively_accurate_near_zero(compiler, name):
    x = torch.tensor([-0.3, -0.1, -1e-2, -1e-4, -1e-6, 1e-6, 1e-4, 1e-2, 0.1, 0.3])
    y = fusion.fused(name)(x).double()
    exact = BUILTINS[name](x.double())
    assert ((y - exact).abs() / exact.abs()).max() < 1e-6       # a few float32 ulps


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "prelu", "softplus"])
def test_fused_mask_free_backward_keeps_torchs_choices(compiler, name):
    # At the kink and for NaN inputs the derivative is a choice; the mask-free formulas make
    # torch's: relu'(0) = 0 and a NaN passes the gradient; leaky/prelu use the slope at 0 and
    # for NaN; softplus is exactly linear above the threshold.
    x = torch.tensor([-2.0, -0.0, 0.0, 2.0, 25.0, math.nan])
    args = bench._extra_args(name, x)
    _, g = _value_and_grad(fusion.fused(name), x, *args)
    _, g_torch = _value_and_grad(BUILTINS[name], x, *args)
    torch.testing.assert_close(g, g_torch, rtol=0, atol=0, equal_nan=True)


def test_fused_prelu_learns_per_channel_slopes_like_torch(compiler):
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(8, 3, 5, generator=gen)
    w = torch.tensor([0.25, -0.5, 1.5])
    results = []
    for fn in (fusion.fused("prelu"), torch.nn.functional.prelu):
        xl, wl = x.clone().requires_grad_(True), w.clone().requires_grad_(True)
        y = fn(xl, wl)
        gx, gw = torch.autograd.grad(y, (xl, wl), torch.cos(y.detach()))
        results.append((y.detach(), gx, gw))
    for ours, theirs in zip(*results):
        torch.testing.assert_close(ours, theirs, rtol=1e-6, atol=1e-6)


def test_fused_gelu_in_float64_keeps_the_exact_erf(compiler):
    x = _special(torch.float64)[torch.isfinite(_special(torch.float64))]
    y, g = _value_and_grad(fusion.fused("gelu"), x)
    y_torch, g_torch = _value_and_grad(torch.nn.functional.gelu, x)
    torch.testing.assert_close(y, y_torch, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(g, g_torch, rtol=1e-12, atol=1e-15)
