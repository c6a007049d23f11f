"""Exercise checks for chapter 4, "Advantages of ReLU"."""

from __future__ import annotations

import math

import numpy as np
import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_leaky_two_lines", "check_sparse_relu_layer", "check_effective_gbps"]


def _leaky_reference(x: np.ndarray, slope: float, grad_out: np.ndarray):
    """torch's leaky ReLU and its gradient (autograd), in float64."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.leaky_relu(t, negative_slope=slope)
    y.backward(torch.tensor(grad_out, dtype=torch.float64))
    return y.detach().numpy(), t.grad.numpy()


@exercise("Exercise 4.1 (leaky ReLU in two lines)")
def check_leaky_two_lines(tally, leaky_forward, leaky_backward) -> str:
    """Check NumPy functions ``leaky_forward(x, slope)`` and
    ``leaky_backward(grad_out, x, slope)`` against ``torch.nn.functional.leaky_relu`` and its
    autograd gradient, including inputs exactly 0 (where torch's derivative is ``slope``).

    Example:
        >>> check_leaky_two_lines(lambda x, a: np.where(x > 0, x, a * x),
        ...                       lambda g, x, a: g * np.where(x > 0, 1.0, a)).passed
        True
    """
    rng = np.random.default_rng(4)
    cases = [(np.array([-3.0, -0.5, 0.0, 0.5, 2.0]), 0.01),
             (rng.normal(size=(4, 3)), 0.2),
             (np.concatenate([rng.normal(size=6), [0.0, -0.0]]), 0.1)]
    for x, slope in cases:
        grad_out = rng.normal(size=x.shape)
        want_y, want_g = _leaky_reference(x, slope, grad_out)
        x_copy, g_copy = x.copy(), grad_out.copy()
        y = np.asarray(call(leaky_forward, "leaky_forward", x_copy, slope))
        if y.shape != x.shape or not np.allclose(y, want_y, rtol=1e-12, atol=0.0):
            raise Failure(f"leaky_forward({show(x)}, {slope}) returned {show(y)}; "
                          f"expected {show(want_y)}")
        tally.ok()
        g = np.asarray(call(leaky_backward, "leaky_backward", g_copy, x_copy, slope))
        if not (np.array_equal(x_copy, x) and np.array_equal(g_copy, grad_out)):
            raise Failure("your functions modified an argument in place; return new arrays "
                          "instead")
        if g.shape != x.shape or not np.allclose(g, want_g, rtol=1e-12, atol=0.0):
            hint = ""
            at_zero = x == 0
            if at_zero.any() and np.allclose(g[~at_zero], want_g[~at_zero]):
                hint = (f" -- only the entries where x = 0 differ: torch's derivative there "
                        f"is the slope {slope}, so test x > 0, not x >= 0")
            raise Failure(f"leaky_backward(grad_out, {show(x)}, {slope}) returned {show(g)}; "
                          f"expected {show(want_g)}{hint}")
        tally.ok()
    return "Two lines, like ReLU: one select in the forward, one in the backward."


@exercise("Exercise 4.2 (skipping the zeros)")
def check_sparse_relu_layer(tally, sparse_layer) -> str:
    """Check ``sparse_layer(h, W) -> (y, multiplications)``: ``y = W @ h`` computed from the
    non-zero entries of ``h`` only, and the number of scalar multiplications that takes,
    ``W.shape[0] * (number of non-zero entries of h)``.

    Example:
        >>> def sparse_layer(h, W):
        ...     active = np.flatnonzero(h)
        ...     return W[:, active] @ h[active], W.shape[0] * active.size
        >>> check_sparse_relu_layer(sparse_layer).passed
        True
    """
    rng = np.random.default_rng(11)
    cases = []
    for d_in, d_out, zeros in [(10, 4, 0.7), (32, 8, 0.5), (6, 3, 0.0), (5, 2, 1.0)]:
        h = np.maximum(rng.normal(size=d_in), 0.0)          # a ReLU output
        h[rng.random(d_in) < zeros] = 0.0
        if zeros == 0.0:
            h = np.abs(h) + 0.1                              # every unit active
        cases.append((h, rng.normal(size=(d_out, d_in))))
    for h, W in cases:
        got = call(sparse_layer, "sparse_layer", h.copy(), W.copy())
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"sparse_layer should return a pair (y, multiplications), got "
                          f"{type(got).__name__}")
        y, mults = np.asarray(got[0], dtype=np.float64), got[1]
        nnz = int(np.count_nonzero(h))
        where = f"for h with {nnz} of {h.size} entries non-zero and W of shape {W.shape}"
        if y.shape != (W.shape[0],) or not np.allclose(y, W @ h, rtol=1e-10, atol=1e-12):
            raise Failure(f"{where}: y = {show(y)}, but W @ h = {show(W @ h)}")
        tally.ok()
        if isinstance(mults, bool) or not isinstance(mults, (int, np.integer)):
            raise Failure(f"{where}: the number of multiplications should be an int, got "
                          f"{mults!r}")
        expected = W.shape[0] * nnz
        if mults != expected:
            hint = ""
            if mults == W.size:
                hint = " -- that is every entry of W: multiply only the columns where h != 0"
            elif mults == nnz:
                hint = " -- each non-zero input is multiplied by a whole column of W"
            raise Failure(f"{where}: you counted {mults} multiplications; skipping the zeros "
                          f"needs {W.shape[0]} x {nnz} = {expected}{hint}")
        tally.ok()
    return "A layer after a ReLU with a share s of zeros needs only (1 - s) of the work."


@exercise("Exercise 4.3 (effective bandwidth)")
def check_effective_gbps(tally, effective_gbps) -> str:
    """Check ``effective_gbps(numel, itemsize, seconds)``: the bytes an elementwise
    activation's forward + backward moves at least (5 passes of ``numel`` values of
    ``itemsize`` bytes), divided by the time, in GB/s (10**9 bytes per second).

    Example:
        >>> check_effective_gbps(lambda n, s, t: 5 * n * s / t / 1e9).passed
        True
    """
    cases = [(1_000_000, 4, 1e-3), (2**20, 2, 5e-4), (10, 8, 1e-6), (3 * 2**24, 4, 0.02)]
    for numel, itemsize, seconds in cases:
        got = call(effective_gbps, "effective_gbps", numel, itemsize, seconds)
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise Failure(f"effective_gbps({numel}, {itemsize}, {seconds}) returned "
                          f"{got!r}; expected a number") from None
        expected = 5 * numel * itemsize / seconds / 1e9
        if not math.isclose(got, expected, rel_tol=1e-9):
            ratio = got / expected if expected else float("nan")
            hints = {0.4: " -- that counts the forward pass only (2 passes); the backward "
                          "adds 3 more",
                     0.6: " -- that counts the backward pass only; add the forward's 2 passes",
                     0.2: " -- count 5 passes over the data (forward 2, backward 3)",
                     1e9 / 2**30: " -- a GB here is 10**9 bytes, not 2**30",
                     1e-3: " -- `seconds` is in seconds; no conversion to milliseconds needed",
                     1e9: " -- divide by 1e9 to turn bytes per second into GB/s"}
            hint = next((h for r, h in hints.items() if math.isclose(ratio, r, rel_tol=1e-6)),
                        "")
            raise Failure(f"effective_gbps({numel}, {itemsize}, {seconds}) returned {got:.6g}; "
                          f"expected {expected:.6g}{hint}")
        tally.ok()
    return "5 n s bytes / t: the yardstick for any elementwise kernel."
