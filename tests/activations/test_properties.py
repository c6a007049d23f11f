"""Property-based tests (Hypothesis): torch parity on arbitrary inputs, and ReLU's algebra."""

from __future__ import annotations

import math

import numpy as np
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

from relu_course.activations import functional as F

#: Fast and reproducible: a fixed sequence of examples, no example database.
FAST = settings(max_examples=60, deadline=None, derandomize=True, database=None)

DTYPES = st.sampled_from([torch.float16, torch.bfloat16, torch.float32, torch.float64])
SHAPES = array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)
#: Any float64, including nan, +-inf, +-0.0, subnormals and the extremes; the cast to the
#: test's dtype rounds them (overflowing to inf in float16) exactly as it would for torch.
ANY_FLOAT = st.floats(allow_nan=True, allow_infinity=True, allow_subnormal=True)
FINITE = st.floats(min_value=-6e4, max_value=6e4)           # finite in every dtype


@st.composite
def tensors(draw, elements=ANY_FLOAT, dtype=None, shape=None):
    dtype = draw(DTYPES) if dtype is None else dtype
    shape = draw(SHAPES) if shape is None else shape
    values = draw(arrays(np.float64, shape, elements=elements))
    return torch.from_numpy(values).to(dtype)


@st.composite
def input_and_grad(draw):
    x = draw(tensors())
    grad_out = draw(tensors(elements=st.floats(-10, 10), dtype=x.dtype, shape=tuple(x.shape)))
    return x, grad_out


@FAST
@given(data=input_and_grad())
def test_forward_and_backward_match_torch(case, helpers, data):
    x, grad_out = data
    helpers.check_parity(case, x, grad_out)


@FAST
@given(x=tensors())
def test_relu_is_idempotent(x):
    once = F.relu(x)
    twice = F.relu(once)
    torch.testing.assert_close(twice, once, rtol=0, atol=0, equal_nan=True)
    assert torch.equal(torch.signbit(twice), torch.signbit(once))


@FAST
@given(x=tensors(elements=FINITE), c=st.floats(min_value=0.0, max_value=1e3))
def test_relu_is_positively_homogeneous(x, c):
    # relu(c x) == c relu(x) for c >= 0 (finite x: 0 * inf would be nan on one side only).
    torch.testing.assert_close(F.relu(c * x), c * F.relu(x))


@FAST
@given(x=tensors(elements=FINITE), c=st.floats(min_value=0.0, max_value=1e3))
def test_relu_homogeneity_of_the_gradient(x, c):
    # For c > 0 the gradient pattern is unchanged by the scaling (relu' is 0-homogeneous).
    if c == 0:
        return
    g1 = F.relu_derivative(x)
    g2 = F.relu_derivative(c * x)
    mask = (c * x != 0) | (x == 0)              # ignore inputs that c * x rounds to 0
    assert torch.equal(g1[mask], g2[mask])


@FAST
@given(x=tensors())
def test_leaky_relu_with_zero_slope_is_relu(x):
    leaky, leaky_grad = _value_and_unit_grad(lambda t: F.leaky_relu(t, 0.0), x)
    relu, relu_grad = _value_and_unit_grad(F.relu, x)
    # Two inputs where "slope 0" and relu differ, in torch as well, so not compared here:
    # leaky_relu(-inf, 0) = -inf * 0 = nan, and at nan leaky_relu's gradient takes the
    # x <= 0 branch (0) while relu passes the gradient through (1).
    neg_inf, nan = x == -math.inf, torch.isnan(x)
    torch.testing.assert_close(leaky[~neg_inf], relu[~neg_inf], equal_nan=True)
    torch.testing.assert_close(leaky_grad[~nan], relu_grad[~nan])
    ref, ref_grad = _value_and_unit_grad(lambda t: torch.nn.functional.leaky_relu(t, 0.0), x)
    torch.testing.assert_close(leaky, ref, equal_nan=True)
    torch.testing.assert_close(leaky_grad, ref_grad, equal_nan=True)
    assert torch.isnan(leaky[neg_inf]).all()


def _value_and_unit_grad(fn, x):
    x = x.detach().clone().requires_grad_(True)
    out = fn(x)
    (g,) = torch.autograd.grad(out, x, torch.ones_like(out))
    return out.detach(), g


@FAST
@given(alpha=st.floats(min_value=0.01, max_value=10.0),
       eps=st.floats(min_value=1e-300, max_value=1e-3))
def test_elu_is_continuous_at_zero(alpha, eps):
    # Both one-sided limits are elu(0) = 0: |elu(+-eps)| <= max(1, alpha) * eps.
    x = torch.tensor([-eps, 0.0, eps], dtype=torch.float64)
    left, at_zero, right = F.elu(x, alpha).tolist()
    assert at_zero == 0.0
    assert right == eps
    assert -alpha * eps <= left <= 0.0            # |alpha (e^-eps - 1)| <= alpha eps


@FAST
@given(x=tensors(elements=FINITE, dtype=torch.float64))
def test_sigmoid_symmetry_and_softplus_identity(x):
    torch.testing.assert_close(F.sigmoid(x) + F.sigmoid(-x), torch.ones_like(x))
    torch.testing.assert_close(F.tanh(-x), -F.tanh(x), rtol=0, atol=0)
    # softplus(x) - softplus(-x) = x (away from the threshold, where softplus returns x).
    small = x[x.abs() < 15]
    torch.testing.assert_close(F.softplus(small) - F.softplus(-small), small)


@FAST
@given(x=tensors(elements=FINITE), slope=st.floats(-2.0, 2.0), alpha=st.floats(0.0, 5.0))
def test_hyper_parameters_match_torch(x, slope, alpha, helpers):
    tnf = torch.nn.functional
    torch.testing.assert_close(F.leaky_relu(x, slope), tnf.leaky_relu(x, slope))
    torch.testing.assert_close(F.elu(x, alpha), tnf.elu(x, alpha))
    torch.testing.assert_close(F.elu_derivative(x, alpha),
                               helpers.value_and_grad(lambda t: tnf.elu(t, alpha), x,
                                                      torch.ones_like(x))[1])
    torch.testing.assert_close(F.leaky_relu_derivative(x, slope),
                               helpers.value_and_grad(lambda t: tnf.leaky_relu(t, slope), x,
                                                      torch.ones_like(x))[1])


@FAST
@given(x=tensors(elements=FINITE), beta=st.floats(0.1, 10.0), threshold=st.floats(-5.0, 30.0))
def test_softplus_hyper_parameters_match_torch(x, beta, threshold, helpers):
    def ours(t):
        return F.softplus(t, beta, threshold)

    def ref(t):
        return torch.nn.functional.softplus(t, beta, threshold)

    grad_out = torch.ones_like(x)
    for a, b in zip(helpers.value_and_grad(ours, x, grad_out),
                    helpers.value_and_grad(ref, x, grad_out)):
        torch.testing.assert_close(a, b)
