"""Exercise checks for chapter 5, "The vanishing gradient problem"."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from ._core import Failure, call, exercise

__all__ = ["check_sigmoid_chain_gradient", "check_signal_preserving_std"]


def _as_real(value, what: str) -> float:
    """A learner's answer as a float: a Python/NumPy number or a one-element tensor/array."""
    one_element = ((isinstance(value, torch.Tensor) and value.numel() == 1)
                   or (isinstance(value, np.ndarray) and value.size == 1))
    if one_element:
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Failure(f"{what} returned {value!r} ({type(value).__name__}); expected a number")
    return float(value)


def _sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))


def _chain_terms(w, b, x0):
    """Pre-activations of the chain h_l = sigmoid(w_l h_{l-1} + b_l), from h_0 = x0."""
    h, zs = x0, []
    for wl, bl in zip(w, b):
        z = wl * h + bl
        zs.append(z)
        h = _sigmoid(z)
    return zs


def _chain_reference(w, b, x0) -> float:
    """dh_L/dx_0 by autograd, in float64."""
    x = torch.tensor(float(x0), dtype=torch.float64, requires_grad=True)
    h = x
    for wl, bl in zip(w, b):
        h = torch.sigmoid(wl * h + bl)
    (grad,) = torch.autograd.grad(h, x)
    return grad.item()


def _listed(values) -> str:
    return "[" + ", ".join(f"{v:g}" for v in values) + "]"


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-300)


@exercise("Exercise 5.1 (the chain rule through a sigmoid chain)")
def check_sigmoid_chain_gradient(tally, sigmoid_chain_gradient) -> str:
    r"""Check ``sigmoid_chain_gradient(w, b, x0)``: the derivative :math:`dh_L/dx_0` of a chain of
    one-unit layers :math:`h_l = \sigma(w_l h_{l-1} + b_l)`, :math:`h_0 = x_0`, computed with the
    chain rule, :math:`\prod_l w_l\,\sigma'(z_l)`. ``w`` and ``b`` are lists of floats of the
    same length :math:`L \ge 1`; ``x0`` is a float. Compared with autograd in float64.

    Example:
        >>> check_sigmoid_chain_gradient(lambda w, b, x0: 0.25 ** len(w)).status
        'failed'
    """
    rng = np.random.default_rng(5)
    cases = [
        ([1.0], [0.0], 0.0),                              # one layer at z = 0: 1/4
        ([1.0] * 10, [0.0] * 10, 0.0),                    # the 0.25**10 bound, not reached
        ([2.0, -3.0, 0.5], [0.1, -0.2, 0.3], 1.5),        # negative weights too
        ([4.0] * 5, [-2.0] * 5, 0.5),                     # z = 0 every time: factor exactly 1
        (rng.normal(0, 2, 30).tolist(), rng.normal(0, 1, 30).tolist(), 0.7),   # long chain
    ]
    for w, b, x0 in cases:
        args = (list(w), list(b), x0)
        got = call(sigmoid_chain_gradient, "sigmoid_chain_gradient", *args)
        if args[0] != list(w) or args[1] != list(b):
            raise Failure("sigmoid_chain_gradient modified its arguments `w` or `b`; "
                          "leave them as they are")
        shown = (f"w = {_listed(w)}, b = {_listed(b)}, x0 = {x0:g}"
                 if len(w) <= 10 else f"a chain of {len(w)} layers (random w, b), x0 = {x0}")
        value = _as_real(got, f"sigmoid_chain_gradient({shown})")
        expected = _chain_reference(w, b, x0)
        if _close(value, expected):
            tally.ok()
            continue
        zs = _chain_terms(w, b, x0)
        no_weights = math.prod(_sigmoid(z) * (1 - _sigmoid(z)) for z in zs)
        no_derivative = math.prod(wl * _sigmoid(z) for wl, z in zip(w, zs))
        hint = ""
        if _close(value, no_weights):
            hint = (" -- the weights are missing: each factor is dz_l/dh_{l-1} times "
                    "dh_l/dz_l = w_l * sigmoid'(z_l)")
        elif _close(value, no_derivative):
            hint = (" -- use the derivative sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)), "
                    "not sigmoid(z) itself")
        elif _close(value, -expected):
            hint = " -- the sign is wrong; check the negative weights"
        raise Failure(f"for {shown}: got {value:.6g}, expected {expected:.6g}{hint}")
    return ("dh_L/dx_0 is a product of L factors w_l sigmoid'(z_l): with w = 1 each is at most "
            "1/4, while w = 4 at z = 0 gives exactly 1 -- the weights matter as much as the "
            "activation.")


@exercise("Exercise 5.2 (an initialisation that preserves the signal)")
def check_signal_preserving_std(tally, signal_preserving_std) -> str:
    r"""Check ``signal_preserving_std(fan_in, negative_slope)``: the standard deviation of
    zero-mean weights that keeps the mean square of the pre-activations constant from layer to
    layer in a network of leaky ReLUs, :math:`\sqrt{2 / ((1 + a^2)\,n)}` (He et al., 2015).
    Then uses the learner's value in a 40-layer network and reports the signal's change.

    Example:
        >>> check_signal_preserving_std(lambda n, a: math.sqrt(1 / n)).status  # LeCun's
        'failed'
    """
    cases = [(64, 0.0), (100, 0.0), (256, 0.01), (50, 0.25), (10, 1.0), (300, 0.5)]
    for fan_in, a in cases:
        got = call(signal_preserving_std, "signal_preserving_std", fan_in, a)
        value = _as_real(got, f"signal_preserving_std({fan_in}, {a})")
        expected = math.sqrt(2.0 / ((1.0 + a * a) * fan_in))
        if math.isclose(value, expected, rel_tol=1e-6):
            tally.ok()
            continue
        hint = ""
        if math.isclose(value, expected ** 2, rel_tol=1e-6):
            hint = (" -- that is the variance; return its square root, the standard "
                    "deviation")
        elif math.isclose(value, math.sqrt(2.0 / fan_in), rel_tol=1e-6):
            hint = (" -- the negative side carries signal too: for a symmetric z, "
                    "E[f(z)^2] = (1 + a^2)/2 * E[z^2]")
        elif math.isclose(value, math.sqrt(1.0 / fan_in), rel_tol=1e-6):
            hint = (" -- that keeps the signal of a linear layer; the rectifier removes "
                    "part of its energy, which the weights must put back")
        raise Failure(f"signal_preserving_std({fan_in}, {a}) returned {value:.6g}; "
                      f"expected {expected:.6g}{hint}")

    # The learner's standard deviation in a deep network of leaky ReLUs (slope 0.25).
    gen = torch.Generator().manual_seed(0)
    width, depth, slope = 256, 40, 0.25
    std = _as_real(call(signal_preserving_std, "signal_preserving_std", width, slope),
                   f"signal_preserving_std({width}, {slope})")
    h = torch.randn(512, width, generator=gen, dtype=torch.float64)
    mean_squares = []
    for _ in range(depth):
        z = h @ (torch.randn(width, width, generator=gen, dtype=torch.float64) * std)
        mean_squares.append((z * z).mean().item())
        h = torch.nn.functional.leaky_relu(z, slope)
    ratio = mean_squares[-1] / mean_squares[0]
    if not 0.25 < ratio < 4.0:
        raise Failure(f"with your standard deviation the mean square changed by a factor "
                      f"{ratio:.3g} over {depth} layers of leaky ReLUs (slope {slope}); it "
                      f"should stay roughly constant")
    tally.ok()
    return (f"In a {depth}-layer leaky-ReLU network (slope {slope}) your initialisation keeps "
            f"the pre-activations' mean square within a factor {max(ratio, 1 / ratio):.2f} of "
            f"the first layer's.")
