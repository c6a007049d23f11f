"""relu_course.activations.functional against torch.nn.functional: values, gradients, layouts, errors."""

from __future__ import annotations

import inspect
import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from torch.autograd import gradcheck, gradgradcheck
from torch.func import grad, vmap

from relu_course.activations import functional as F
from relu_course.activations.registry import DERIVATIVES, FUNCTIONS


def randn(*shape, seed=0, dtype=torch.float32, scale=3.0):
    gen = torch.Generator().manual_seed(seed)
    return (scale * torch.randn(shape, generator=gen, dtype=torch.float64)).to(dtype)


def away_from_kinks(case, x, margin=0.1):
    """Move float64 inputs at least ``margin`` away from 0 (and from softplus' threshold,
    adding points just on either side of it)."""
    def push(t, at):
        d = t - at
        return torch.where(d.abs() < margin, at + d + torch.copysign(torch.full_like(d, margin), d), t)

    x = push(x, 0.0)
    if case.name == "softplus":
        edge = case.kwargs.get("threshold", 20.0) / case.kwargs.get("beta", 1.0)
        x = torch.cat([push(x.flatten(), edge),
                       torch.tensor([edge - 0.5, edge - 0.2, edge + 0.2, edge + 1.0], dtype=x.dtype)])
    return x


# ---------------------------------------------------------------------------------------------
# Values and gradients
# ---------------------------------------------------------------------------------------------

def test_random_inputs_match_torch(case, dtype, helpers):
    x = randn(5, 13, seed=1, dtype=dtype)
    x[0, :3] = 0.0                                       # the kink, in every dtype
    grad_out = randn(5, 13, seed=2, dtype=dtype, scale=1.0)
    out, g = helpers.check_parity(case, x, grad_out)
    assert out.shape == g.shape == x.shape


def test_special_inputs_match_torch(case, dtype, helpers):
    x = helpers.special_input(dtype)
    helpers.check_parity(case, x)


def test_gradient_at_exactly_zero(case, dtype, helpers):
    x = torch.tensor([0.0, -0.0], dtype=dtype)
    _, g = helpers.value_and_grad(case.ours, x, torch.ones_like(x))
    _, ref = helpers.value_and_grad(case.torch, x, torch.ones_like(x))
    expected = torch.full((2,), case.grad_at_zero, dtype=torch.float64).to(dtype)
    torch.testing.assert_close(g, expected)
    torch.testing.assert_close(g, ref)


# torch's exact GELU returns +0 or -0 at -0 depending on which float32 kernel the machine runs
# (seen: +0 on one x86 machine, -0 on another, same torch release); ours is the IEEE product
# -0 * Phi(-0) = -0 everywhere, so only the value, not the sign, is compared with torch there.
KERNEL_DEPENDENT_ZERO_SIGN = {"gelu"}


def test_sign_of_zero_output_matches_torch(case, dtype):
    x = torch.tensor([-0.0, 0.0], dtype=dtype)
    ours, theirs = case.ours(x), case.torch(x)
    if case.id in KERNEL_DEPENDENT_ZERO_SIGN:
        assert ours.tolist() == theirs.tolist() == [0.0, 0.0]
        assert torch.signbit(ours).tolist() == [True, False]
    else:
        assert torch.equal(torch.signbit(ours), torch.signbit(theirs))


@pytest.mark.parametrize("case_id", ["relu", "leaky_relu", "leaky_relu-0.2", "prelu", "elu",
                                     "elu-0.5", "selu"])
def test_negative_zero_stays_negative(case_id, cases, dtype):
    out = cases[case_id].ours(torch.tensor([-0.0, 0.0], dtype=dtype))
    assert out.tolist() == [0.0, 0.0]
    assert torch.signbit(out).tolist() == [True, False]


def test_relu_of_negative_zero_is_negative_zero():
    out = F.relu(torch.tensor(-0.0))
    assert out.item() == 0.0 and torch.signbit(out)


def test_relu_at_nan_passes_the_gradient():
    x = torch.tensor([math.nan], requires_grad=True)
    out = F.relu(x)
    out.backward(torch.tensor([3.0]))
    assert torch.isnan(out).all()
    assert x.grad.tolist() == [3.0]


@pytest.mark.parametrize("approximate", ["none", "tanh"])
def test_gelu_at_positive_infinity_is_infinity(approximate, dtype):
    # Our documented choice for every dtype; torch returns nan in float32 and below for
    # approximate="none" (that is why +inf is excluded from the exact-gelu parity checks).
    out = F.gelu(torch.tensor([math.inf], dtype=dtype), approximate=approximate)
    assert out.dtype == dtype
    assert out.item() == math.inf


@pytest.mark.parametrize("name, value", [
    ("relu", 0.0), ("leaky_relu", 0.01), ("elu", 1.0), ("selu", 1.7580993408473766),
    ("gelu", 0.5), ("silu", 0.5), ("mish", 0.6), ("softplus", 0.5), ("sigmoid", 0.25),
    ("tanh", 1.0),
])
def test_derivative_at_zero_has_the_textbook_value(name, value):
    x = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    FUNCTIONS[name](x).sum().backward()
    assert x.grad.item() == pytest.approx(value, rel=1e-12)


def test_float16_values_everywhere(case, helpers):
    # Every float16 number (all 65,536 bit patterns), forward and backward.
    x = torch.arange(-32768, 32768, dtype=torch.int32).to(torch.int16).view(torch.float16)
    gen = torch.Generator().manual_seed(3)
    grad_out = torch.empty(x.shape).uniform_(-2, 2, generator=gen).to(torch.float16)
    helpers.check_parity(case, x, grad_out)


# ---------------------------------------------------------------------------------------------
# Shapes, layouts, and the input left alone
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("shape", [(), (0,), (0, 3), (7,), (2, 3, 4, 5)], ids=str)
def test_shapes(case, shape, helpers):
    x = randn(*shape, seed=4)
    out, g = helpers.check_parity(case, x, randn(*shape, seed=5))
    assert out.shape == g.shape == torch.Size(shape)


@pytest.mark.parametrize("layout", ["transposed", "strided", "channel-slice"])
def test_non_contiguous_inputs(case, layout, helpers):
    base = randn(6, 8, 10, seed=6)
    x = {"transposed": base.transpose(0, 2), "strided": base[::2, 1::3, ::4],
         "channel-slice": base[:, 2:5]}[layout]
    assert not x.is_contiguous()
    helpers.check_parity(case, x)
    assert case.ours(x).stride() == case.torch(x).stride()


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (2, 1, 4, 5), (3, 4, 1, 1)], ids=str)
def test_channels_last(case, dtype, shape, helpers):
    x = randn(*shape, seed=7, dtype=dtype).contiguous(memory_format=torch.channels_last)
    out, _ = helpers.check_parity(case, x)
    ref = case.torch(x)
    assert out.is_contiguous(memory_format=torch.channels_last) == \
        ref.is_contiguous(memory_format=torch.channels_last)
    assert out.stride() == ref.stride()


@pytest.mark.parametrize("layout", ["channels_last", "transposed"])
def test_gradient_keeps_the_input_layout_like_torch(case, layout):
    base = randn(2, 3, 4, 5, seed=30)
    x = base.contiguous(memory_format=torch.channels_last) if layout == "channels_last" \
        else base.transpose(1, 3)
    grad_out = torch.ones_like(x)                        # same layout as x
    ours = torch.autograd.grad(case.ours(x.requires_grad_(True)), x, grad_out)[0]
    ref = torch.autograd.grad(case.torch(x), x, grad_out)[0]
    assert ours.stride() == ref.stride() == x.stride()


def test_input_is_never_modified(case, dtype):
    x = randn(4, 6, seed=8, dtype=dtype)
    x[0, 0], x[0, 1] = 0.0, -0.0
    x.requires_grad_(True)
    before = x.detach().clone()
    grad_out = randn(4, 6, seed=9, dtype=dtype)
    grad_before = grad_out.clone()
    case.ours(x).backward(grad_out)
    assert torch.equal(x.detach(), before)
    assert torch.equal(torch.signbit(x.detach()), torch.signbit(before))
    assert torch.equal(grad_out, grad_before)
    assert x.grad is not None and x.grad.dtype == dtype


@pytest.mark.parametrize("dtype", [torch.uint8, torch.int8, torch.int16, torch.int32, torch.int64])
def test_relu_accepts_integer_tensors(dtype):
    x = torch.tensor([-5, -1, 0, 1, 7], dtype=torch.int64).to(dtype)
    out = F.relu(x)
    assert out.dtype == dtype
    assert torch.equal(out, torch.relu(x))


# ---------------------------------------------------------------------------------------------
# PReLU: shared and per-channel weights, gradients for both arguments
# ---------------------------------------------------------------------------------------------

def prelu_weight(kind: str, dtype) -> torch.Tensor:
    return {"shared": torch.tensor([0.25]), "scalar": torch.tensor(-0.3),
            "per-channel": torch.tensor([0.1, -0.2, 0.75])}[kind].to(dtype)


def prelu_value_and_grads(fn, x, w, grad_out):
    x = x.detach().clone().requires_grad_(True)
    w = w.detach().clone().requires_grad_(True)
    out = fn(x, w)
    gx, gw = torch.autograd.grad(out, (x, w), grad_out)
    return out.detach(), gx, gw


@pytest.mark.parametrize("shape", [(4, 3), (2, 3, 5), (2, 3, 4, 4)], ids=str)
@pytest.mark.parametrize("kind", ["shared", "scalar", "per-channel"])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64], ids=["float32", "float64"])
def test_prelu_matches_torch(shape, kind, dtype, helpers):
    x = randn(*shape, seed=10, dtype=dtype)
    x.view(-1)[:2] = 0.0
    w = prelu_weight(kind, dtype)
    grad_out = randn(*shape, seed=11, dtype=dtype)
    ours = prelu_value_and_grads(F.prelu, x, w, grad_out)
    ref = prelu_value_and_grads(TF.prelu, x, w, grad_out)
    for a, b in zip(ours, ref):
        helpers.assert_same(a, b)
    assert ours[2].shape == w.shape


@pytest.mark.parametrize("kind", ["shared", "per-channel"])
def test_prelu_every_dtype(kind, dtype, helpers):
    x = randn(2, 3, 4, seed=12, dtype=dtype)
    w = prelu_weight(kind, dtype)
    grad_out = randn(2, 3, 4, seed=13, dtype=dtype)
    ours = prelu_value_and_grads(F.prelu, x, w, grad_out)
    ref = prelu_value_and_grads(TF.prelu, x, w, grad_out)
    helpers.assert_same(ours[0], ref[0])
    helpers.assert_same(ours[1], ref[1])
    # The weight's gradient is a sum over many elements: compare in the dtype's precision
    # against an exact float64 sum (torch and we may round the partial sums differently).
    exact = prelu_value_and_grads(TF.prelu, x.double(), w.double(), grad_out.double())[2]
    assert ours[2].dtype == dtype
    torch.testing.assert_close(ours[2], exact.to(dtype))


@pytest.mark.parametrize("x, w", [
    (torch.tensor([-2.0, -0.5, 0.0, 3.0]), torch.tensor([0.25])),
    (torch.tensor([-2.0, 3.0]), torch.tensor(0.4)),
    (torch.tensor(-1.5), torch.tensor([0.2])),
    (torch.tensor(-1.5), torch.tensor(0.2)),
    (torch.tensor(2.5), torch.tensor(0.2)),
    (torch.zeros(0, 3), torch.tensor([0.1, 0.2, 0.3])),
], ids=["1d-shared", "1d-scalar", "0d-shared", "0d-scalar", "0d-positive", "empty-per-channel"])
def test_prelu_small_inputs(x, w, helpers):
    grad_out = torch.full_like(x, 1.5)
    ours = prelu_value_and_grads(F.prelu, x, w, grad_out)
    ref = prelu_value_and_grads(TF.prelu, x, w, grad_out)
    for a, b in zip(ours, ref):
        helpers.assert_same(a, b)


def test_prelu_per_channel_channels_last(helpers):
    x = randn(2, 3, 4, 5, seed=14).contiguous(memory_format=torch.channels_last)
    w = prelu_weight("per-channel", torch.float32)
    grad_out = randn(2, 3, 4, 5, seed=15)
    ours = prelu_value_and_grads(F.prelu, x, w, grad_out)
    ref = prelu_value_and_grads(TF.prelu, x, w, grad_out)
    for a, b in zip(ours, ref):
        helpers.assert_same(a, b)
    assert ours[0].stride() == ref[0].stride()


def test_prelu_weight_and_input_are_not_modified():
    x = randn(2, 3, 4, seed=16).requires_grad_(True)
    w = prelu_weight("per-channel", torch.float32).requires_grad_(True)
    x0, w0 = x.detach().clone(), w.detach().clone()
    F.prelu(x, w).sum().backward()
    assert torch.equal(x.detach(), x0) and torch.equal(w.detach(), w0)


# ---------------------------------------------------------------------------------------------
# gradcheck / gradgradcheck, vmap and torch.func.grad
# ---------------------------------------------------------------------------------------------

def test_gradcheck_and_gradgradcheck(case):
    x = away_from_kinks(case, randn(3, 4, seed=17, dtype=torch.float64, scale=2.0))
    x.requires_grad_(True)
    assert gradcheck(case.ours, (x,))
    assert gradgradcheck(case.ours, (x,))


@pytest.mark.parametrize("kind", ["shared", "scalar", "per-channel"])
def test_prelu_gradcheck_input_and_weight(kind):
    x = randn(2, 3, 4, seed=18, dtype=torch.float64, scale=2.0)
    x = torch.where(x.abs() < 0.1, x + 0.2, x).requires_grad_(True)
    w = prelu_weight(kind, torch.float64).requires_grad_(True)
    assert gradcheck(F.prelu, (x, w))
    assert gradgradcheck(F.prelu, (x, w))


def test_vmap_and_grad(case):
    x = randn(4, 5, seed=19)
    torch.testing.assert_close(vmap(case.ours)(x), case.torch(x), equal_nan=True)

    def summed(fn):
        return lambda t: fn(t).sum()

    torch.testing.assert_close(vmap(grad(summed(case.ours)))(x),
                               vmap(grad(summed(case.torch)))(x))
    for value in (-1.3, 0.0, 2.1):
        t = torch.tensor(value)
        torch.testing.assert_close(grad(case.ours)(t), grad(case.torch)(t))


def test_vmap_prelu_with_batched_weights():
    x = randn(4, 2, 3, seed=20)
    w = torch.rand(4, 3, generator=torch.Generator().manual_seed(21))
    torch.testing.assert_close(vmap(F.prelu)(x, w), vmap(TF.prelu)(x, w))
    ours = vmap(grad(lambda a, b: F.prelu(a, b).sum(), argnums=(0, 1)))(x, w)
    ref = vmap(grad(lambda a, b: TF.prelu(a, b).sum(), argnums=(0, 1)))(x, w)
    for a, b in zip(ours, ref):
        torch.testing.assert_close(a, b)


# ---------------------------------------------------------------------------------------------
# The derivative functions
# ---------------------------------------------------------------------------------------------

def test_derivatives_cover_every_function():
    assert list(DERIVATIVES) == list(FUNCTIONS)
    for name, fn in DERIVATIVES.items():
        assert fn is getattr(F, f"{name}_derivative")
        assert FUNCTIONS[name] is getattr(F, name)
    with pytest.raises(TypeError):
        FUNCTIONS["relu"] = F.gelu                     # read-only mappings
    with pytest.raises(TypeError):
        DERIVATIVES["relu"] = F.gelu_derivative


def test_derivative_equals_autograd(case, dtype, helpers):
    x = randn(3, 7, seed=22, dtype=dtype)
    x[0, :4] = torch.tensor([0.0, -0.0, 1e-3, -1e-3])
    d = case.derivative(x)
    _, g = helpers.value_and_grad(case.ours, x, torch.ones_like(x))
    _, ref = helpers.value_and_grad(case.torch, x, torch.ones_like(x))
    assert d.dtype == dtype and d.shape == x.shape
    torch.testing.assert_close(d, g)
    torch.testing.assert_close(d, ref, **helpers.grad_tolerance(case, dtype))
    expected_at_zero = torch.full((2,), case.grad_at_zero, dtype=torch.float64).to(dtype)
    torch.testing.assert_close(d[0, :2], expected_at_zero)


def test_derivative_under_no_grad_and_inference_mode(case):
    x = randn(3, 4, seed=37)
    expected = case.derivative(x)
    with torch.no_grad():
        torch.testing.assert_close(case.derivative(x), expected, rtol=0, atol=0)
    with torch.inference_mode():
        d = case.derivative(x)
        torch.testing.assert_close(d, expected, rtol=0, atol=0)
        torch.testing.assert_close(case.derivative(x.clone()), expected, rtol=0, atol=0)
    assert not d.requires_grad


@pytest.mark.parametrize("shape", [(), (0, 2)], ids=str)
def test_derivative_of_0d_and_empty(case, shape):
    x = torch.zeros(shape)
    d = case.derivative(x)
    assert d.shape == x.shape and d.dtype == x.dtype
    if x.numel():
        assert d.item() == pytest.approx(case.grad_at_zero)


def test_prelu_derivative_per_channel():
    x = randn(2, 3, 4, seed=23)
    x[0, :, 0] = 0.0
    w = prelu_weight("per-channel", torch.float32)
    xg = x.clone().requires_grad_(True)
    F.prelu(xg, w).sum().backward()
    torch.testing.assert_close(F.prelu_derivative(x, w), xg.grad)


# ---------------------------------------------------------------------------------------------
# The autograd.Function classes: the modern pattern, and a backward of our own
# ---------------------------------------------------------------------------------------------

FUNCTION_CLASSES = [name for name in F.__all__ if name.endswith("Function")]


def test_every_function_class_is_listed():
    assert len(FUNCTION_CLASSES) == 11                 # ten activations and ReLUKink


@pytest.mark.parametrize("cls_name", FUNCTION_CLASSES)
def test_function_class_structure(cls_name):
    cls = getattr(F, cls_name)
    assert issubclass(cls, torch.autograd.Function)
    for method in ("forward", "setup_context", "backward"):
        assert method in vars(cls), f"{cls_name} does not define {method}"
        assert isinstance(vars(cls)[method], staticmethod)
    assert cls.generate_vmap_rule is True
    assert next(iter(inspect.signature(cls.forward).parameters)) != "ctx"
    assert list(inspect.signature(cls.setup_context).parameters) == ["ctx", "inputs", "output"]
    assert next(iter(inspect.signature(cls.backward).parameters)) == "ctx"


def test_backward_is_our_function(case):
    x = randn(5, seed=24).requires_grad_(True)
    assert type(case.ours(x).grad_fn).__name__ == f"{case.function_class}Backward"


def test_does_not_call_the_torch_op_of_the_same_name(case, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError(f"called torch's own {case.name}")

    for namespace in (torch, torch.nn.functional, torch.special):
        if hasattr(namespace, case.name):
            monkeypatch.setattr(namespace, case.name, forbidden)
    x = randn(6, seed=25, dtype=torch.float64).requires_grad_(True)
    case.ours(x).sum().backward()
    assert x.grad is not None


# ---------------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------------

def call(name: str, x, derivative: bool = False, **kwargs):
    fn = DERIVATIVES[name] if derivative else FUNCTIONS[name]
    if name == "prelu":
        kwargs.setdefault("weight", torch.tensor([0.25]))
    return fn(x, **kwargs)


def fn_label(name: str, derivative: bool) -> str:
    return f"{name}_derivative()" if derivative else f"{name}()"


ALL_NAMES = list(FUNCTIONS)


@pytest.mark.parametrize("derivative", [False, True], ids=["function", "derivative"])
@pytest.mark.parametrize("bad", [[1.0, -2.0], 1.5, np.array([1.0, -2.0])],
                         ids=["list", "float", "ndarray"])
@pytest.mark.parametrize("name", ALL_NAMES)
def test_non_tensor_input_raises_type_error(name, bad, derivative):
    with pytest.raises(TypeError, match=re.escape(fn_label(name, derivative))):
        call(name, bad, derivative)


@pytest.mark.parametrize("derivative", [False, True], ids=["function", "derivative"])
@pytest.mark.parametrize("name", ALL_NAMES)
def test_integer_input_raises_type_error_except_relu(name, derivative):
    x = torch.tensor([-1, 0, 2])
    if name == "relu" and not derivative:
        assert torch.equal(call(name, x), torch.tensor([0, 0, 2]))
        return
    with pytest.raises(TypeError, match=re.escape(fn_label(name, derivative))):
        call(name, x, derivative)


@pytest.mark.parametrize("derivative", [False, True], ids=["function", "derivative"])
@pytest.mark.parametrize("dtype", [torch.complex64, torch.bool], ids=["complex64", "bool"])
@pytest.mark.parametrize("name", ALL_NAMES)
def test_complex_and_bool_inputs_raise_type_error(name, dtype, derivative):
    x = torch.ones(3, dtype=dtype)
    with pytest.raises(TypeError, match=re.escape(fn_label(name, derivative))):
        call(name, x, derivative)


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "elu", "selu", "silu", "mish"])
def test_inplace_is_rejected(name):
    x = torch.tensor([-1.0, 2.0])
    with pytest.raises(ValueError, match="inplace"):
        FUNCTIONS[name](x, inplace=True)
    with pytest.raises(TypeError, match="inplace"):
        FUNCTIONS[name](x, inplace="no")
    assert torch.equal(x, torch.tensor([-1.0, 2.0]))
    torch.testing.assert_close(FUNCTIONS[name](x, inplace=False), FUNCTIONS[name](x))


X = torch.tensor([-1.0, 0.0, 2.0])


@pytest.mark.parametrize("derivative", [False, True], ids=["function", "derivative"])
@pytest.mark.parametrize("name, kwargs, error", [
    ("softplus", {"beta": 0.0}, ValueError),
    ("softplus", {"beta": -1.0}, ValueError),
    ("softplus", {"beta": math.nan}, ValueError),
    ("softplus", {"beta": math.inf}, ValueError),
    ("softplus", {"beta": "2"}, TypeError),
    ("softplus", {"threshold": math.nan}, ValueError),
    ("softplus", {"threshold": None}, TypeError),
    ("gelu", {"approximate": "foo"}, ValueError),
    ("gelu", {"approximate": "Tanh"}, ValueError),
    ("gelu", {"approximate": 1}, TypeError),
    ("gelu", {"approximate": None}, TypeError),
    ("leaky_relu", {"negative_slope": "0.1"}, TypeError),
    ("leaky_relu", {"negative_slope": True}, TypeError),
    ("leaky_relu", {"negative_slope": math.nan}, ValueError),
    ("leaky_relu", {"negative_slope": math.inf}, ValueError),
    ("elu", {"alpha": "1"}, TypeError),
    ("elu", {"alpha": torch.tensor(1.0)}, TypeError),
    ("elu", {"alpha": math.nan}, ValueError),
    ("elu", {"alpha": -math.inf}, ValueError),
], ids=lambda v: repr(v) if not isinstance(v, type) else v.__name__)
def test_bad_hyper_parameters(name, kwargs, error, derivative):
    param = next(iter(kwargs))
    with pytest.raises(error, match=re.escape(fn_label(name, derivative)) + f".*{param}"):
        call(name, X, derivative, **kwargs)


@pytest.mark.parametrize("derivative", [False, True], ids=["function", "derivative"])
@pytest.mark.parametrize("x, w, error", [
    (torch.randn(2, 3), torch.ones(2), ValueError),                 # neither 1 nor 3 slopes
    (torch.randn(2, 3, 4), torch.ones(4), ValueError),              # matches the wrong dim
    (torch.randn(2, 3), torch.ones(0), ValueError),
    (torch.randn(2, 3), torch.ones(1, 3), ValueError),              # 2-d weight
    (torch.randn(2, 3), torch.ones(1, 1), ValueError),
    (torch.randn(2, 3), torch.ones(3, dtype=torch.float64), TypeError),
    (torch.randn(2, 3).half(), torch.ones(1), TypeError),
    (torch.randn(2, 3), torch.ones(3, dtype=torch.int64), TypeError),
    (torch.randn(2, 3), [0.25], TypeError),
    (torch.randn(3), torch.ones(3), ValueError),                    # 1-d input: one channel
    (torch.tensor(1.0), torch.ones(2), ValueError),                 # 0-d input, many slopes
    (torch.randn(2, 3), torch.ones(1, device="meta"), ValueError),  # another device
], ids=["2-for-3", "wrong-dim", "empty", "2d", "2d-single", "f64-weight", "f16-input",
        "int-weight", "list", "1d-input", "0d-input", "meta-device"])
def test_prelu_bad_weight(x, w, error, derivative):
    fn = F.prelu_derivative if derivative else F.prelu
    with pytest.raises(error, match=re.escape(fn_label("prelu", derivative))):
        fn(x, w)


# ---------------------------------------------------------------------------------------------
# CUDA (skipped on machines without a GPU)
# ---------------------------------------------------------------------------------------------

@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("dtype", [torch.float32, torch.float16], ids=["float32", "float16"])
@pytest.mark.parametrize("inputs", ["random", "special"])
def test_cuda_matches_cpu_and_torch(case, dtype, inputs, helpers):
    x = randn(6, 11, seed=26, dtype=dtype) if inputs == "random" else helpers.special_input(dtype)
    grad_out = randn(*x.shape, seed=27, dtype=dtype, scale=1.0)
    cpu = helpers.value_and_grad(case.ours, x, grad_out)
    gpu = helpers.value_and_grad(case.ours, x.cuda(), grad_out.cuda())
    ref = helpers.value_and_grad(case.torch, x.cuda(), grad_out.cuda())
    masks = (helpers.value_mask(case, x), helpers.grad_mask(case, x))
    tolerances = ({}, helpers.grad_tolerance(case, dtype))
    for ours_gpu, ours_cpu, torch_gpu, mask, tol in zip(gpu, cpu, ref, masks, tolerances):
        assert ours_gpu.device.type == "cuda" and ours_gpu.dtype == dtype
        helpers.assert_same(ours_gpu.cpu(), ours_cpu, mask)
        helpers.assert_same(ours_gpu, torch_gpu, mask.cuda(), **tol)


@pytest.mark.cuda
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
@pytest.mark.parametrize("kind", ["shared", "per-channel"])
def test_cuda_prelu(kind, helpers):
    x = randn(2, 3, 4, 5, seed=28).cuda()
    w = prelu_weight(kind, torch.float32).cuda()
    grad_out = randn(2, 3, 4, 5, seed=29).cuda()
    ours = prelu_value_and_grads(F.prelu, x, w, grad_out)
    ref = prelu_value_and_grads(TF.prelu, x, w, grad_out)
    for a, b in zip(ours, ref):
        helpers.assert_same(a, b)


def test_relu_backward_selects_like_torch_even_for_infinite_gradients():
    # The backward selects the incoming gradient (torch.where), as torch's threshold_backward:
    # an infinite or NaN gradient at an inactive unit gives 0, not 0 * inf = nan.
    x = torch.tensor([-1.0, 0.0, 2.0, -3.0, math.nan], requires_grad=True)
    grad_out = torch.tensor([math.inf, math.nan, 3.0, -math.inf, math.inf])
    (ours,) = torch.autograd.grad(F.relu(x), x, grad_out)
    (ref,) = torch.autograd.grad(torch.relu(x), x, grad_out)
    assert ref.tolist() == [0.0, 0.0, 3.0, 0.0, math.inf]
    assert ours.tolist() == ref.tolist()


# ---------------------------------------------------------------------------------------------
# Forward-mode AD: every Function's jvp against torch's own function
# ---------------------------------------------------------------------------------------------

def test_jvp_matches_torch(case):
    from torch.func import jvp

    x = away_from_kinks(case, randn(3, 4, seed=31, dtype=torch.float64, scale=2.0))
    tangent = randn(*x.shape, seed=32, dtype=torch.float64, scale=1.0)
    out, out_t = jvp(case.ours, (x,), (tangent,))
    ref, ref_t = jvp(case.torch, (x,), (tangent,))
    torch.testing.assert_close(out, ref, rtol=1e-12, atol=1e-15)
    torch.testing.assert_close(out_t, ref_t, rtol=1e-12, atol=1e-15)


def test_forward_ad_dual_tensors_match_torch(case):
    import torch.autograd.forward_ad as fwAD

    x = away_from_kinks(case, randn(2, 5, seed=33, dtype=torch.float64, scale=2.0))
    tangent = randn(*x.shape, seed=34, dtype=torch.float64, scale=1.0)
    results = []
    for fn in (case.ours, case.torch):
        with fwAD.dual_level():
            out = fn(fwAD.make_dual(x, tangent))
            results.append(fwAD.unpack_dual(out).tangent)
    torch.testing.assert_close(results[0], results[1], rtol=1e-12, atol=1e-15)


def test_jvp_at_the_kink_and_in_half_precision(case):
    from torch.func import jvp

    # Forward mode at exactly +-0 makes torch's choice (the same as the backward's), and
    # bfloat16 tangents are computed in float32 and rounded once: compared with the float64
    # result rounded to bfloat16 (torch's bfloat16 jvp rounds some intermediate results).
    x = torch.tensor([0.0, -0.0, -1.5, 2.0])
    tangent = torch.tensor([1.0, -2.0, 0.5, 3.0])
    for dtype in (torch.float32, torch.bfloat16):
        _, ours = jvp(case.ours, (x.to(dtype),), (tangent.to(dtype),))
        _, ref = jvp(case.torch, (x.double(),), (tangent.double(),))
        if case.name in ("sigmoid", "tanh"):
            # these save their rounded output, as torch does: 1 - t^2 then inherits its error
            _, ref = jvp(case.torch, (x.to(dtype),), (tangent.to(dtype),))
        assert ours.dtype == dtype
        if case.name == "prelu":
            # torch's own prelu jvp takes slope 1 at x = +-0 while its backward takes the
            # weight; ours takes the weight in both, consistent with the backward.
            assert ours[:2].tolist() == [0.25 * 1.0, 0.25 * -2.0]
            ours, ref = ours[2:], ref[2:]
        torch.testing.assert_close(ours, ref.to(dtype))


@pytest.mark.parametrize("kind", ["shared", "per-channel"])
def test_prelu_jvp_for_input_and_weight(kind):
    from torch.func import jvp

    x = randn(2, 3, 4, seed=35, dtype=torch.float64, scale=2.0)
    x = torch.where(x.abs() < 0.1, x + 0.2, x)
    w = prelu_weight(kind, torch.float64)
    tx = randn(2, 3, 4, seed=36, dtype=torch.float64)
    tw = torch.linspace(-1, 1, w.numel(), dtype=torch.float64).reshape(w.shape)
    for tangents in ((tx, tw), (tx, torch.zeros_like(tw)), (torch.zeros_like(tx), tw)):
        ours = jvp(F.prelu, (x, w), tangents)
        ref = jvp(TF.prelu, (x, w), tangents)
        for a, b in zip(ours, ref):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-15)


def test_relu_kink_jvp_uses_the_chosen_slope():
    from torch.func import jvp

    x = torch.tensor([-1.0, 0.0, 2.0, math.nan])
    _, t = jvp(lambda v: F.relu_kink(v, 0.5), (x,), (torch.full((4,), 2.0),))
    assert t.tolist() == [0.0, 1.0, 2.0, 2.0]


def test_vmap_gives_the_same_gradients_bit_for_bit():
    # One formula for every route: per-row gradients under vmap equal the whole-batch ones.
    from torch.func import grad, vmap

    x = torch.randn(4, 6, generator=torch.Generator().manual_seed(5))
    for fn in (F.relu, lambda t: F.leaky_relu(t, 0.1), F.elu, F.gelu, F.sigmoid):
        per_row = vmap(grad(lambda row, fn=fn: fn(row).sum()))(x)
        (whole,) = torch.autograd.grad(fn(x.requires_grad_(True)).sum(), x)
        x = x.detach()
        torch.testing.assert_close(per_row, whole, rtol=0, atol=0)


# ---------------------------------------------------------------------------------------------
# relu_kink: ReLU with a chosen derivative at 0
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("s", [0.0, 0.5, 1.0, 2.0])
def test_relu_kink_values_are_relu_and_gradient_at_zero_is_s(s):
    x = torch.tensor([-3.0, -1e-30, -0.0, 0.0, 1e-30, 2.0, math.inf, -math.inf, math.nan],
                     requires_grad=True)
    out = F.relu_kink(x, s)
    ref = torch.relu(x.detach())
    assert torch.equal(out.detach().isnan(), ref.isnan())
    assert torch.equal(torch.nan_to_num(out.detach()), torch.nan_to_num(ref))
    assert torch.equal(torch.signbit(out.detach()), torch.signbit(ref))     # relu(-0.0) = -0.0
    (grad,) = torch.autograd.grad(out.sum(), x)
    assert grad.tolist() == [0.0, 0.0, s, s, 1.0, 1.0, 1.0, 0.0, 1.0]         # NaN passes


def test_relu_kink_with_zero_matches_torch_relu_gradient_exactly():
    gen = torch.Generator().manual_seed(0)
    x = torch.cat([torch.randn(50, generator=gen), torch.zeros(5)])
    g_out = torch.randn(55, generator=gen)
    a = x.clone().requires_grad_(True)
    b = x.clone().requires_grad_(True)
    F.relu_kink(a, 0.0).backward(g_out)
    torch.relu(b).backward(g_out)
    assert torch.equal(a.grad, b.grad)


def test_relu_kink_gradcheck_away_from_zero_and_half_precision():
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(40, dtype=torch.float64, generator=gen)
    x = x[x.abs() > 1e-3].requires_grad_(True)
    assert gradcheck(lambda t: F.relu_kink(t, 1.0), (x,), eps=1e-6, atol=1e-8)
    for dtype in (torch.float16, torch.bfloat16):
        h = torch.tensor([-1.0, 0.0, 1.0], dtype=dtype, requires_grad=True)
        out = F.relu_kink(h, 0.5)
        out.sum().backward()
        assert out.dtype == dtype and h.grad.dtype == dtype
        assert h.grad.tolist() == [0.0, 0.5, 1.0]


def test_relu_kink_works_under_vmap():
    from torch.func import grad, vmap

    g = vmap(grad(lambda t: F.relu_kink(t, 1.0).sum()))(torch.tensor([[0.0, -1.0], [2.0, 0.0]]))
    assert g.tolist() == [[1.0, 0.0], [1.0, 1.0]]
