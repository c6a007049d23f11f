"""Exercise checks for chapter 4, "Advantages of ReLU"."""

from __future__ import annotations

import math

import numpy as np
import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_relu_backward_from_bits", "check_sparse_relu_layer", "check_effective_gbps"]


def _relu_grad_reference(y: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """torch.relu's autograd gradient at inputs whose ReLU outputs are ``y``, in float64."""
    t = torch.tensor(y, dtype=torch.float64, requires_grad=True)
    torch.relu(t).backward(torch.tensor(grad_out, dtype=torch.float64))
    return t.grad.numpy()


@exercise("Exercise 4.1 (ReLU's backward from one bit per value)")
def check_relu_backward_from_bits(tally, pack_mask, backward_from_bits) -> str:
    """Check NumPy functions ``pack_mask(y)``, which keeps one bit per value of a ReLU output
    ``y`` (a ``uint8`` array of ``ceil(y.size / 8)`` bytes), and
    ``backward_from_bits(grad_out, packed)``, which returns ``dL/dx`` from that mask alone.
    The gradient must equal ``torch.relu``'s (``relu'(0) = 0``).

    Example:
        >>> check_relu_backward_from_bits(
        ...     lambda y: np.packbits(y > 0),
        ...     lambda g, p: g * np.unpackbits(p, count=g.size).reshape(g.shape)).passed
        True
    """
    rng = np.random.default_rng(8)
    shapes = [(5,), (64,), (13, 7), (3, 4, 5)]
    for shape in shapes:
        y = np.maximum(rng.normal(size=shape), 0.0)          # a ReLU output
        y.reshape(-1)[:2] = 0.0                              # some exact zeros for sure
        grad_out = rng.normal(size=shape)
        y_copy, g_copy = y.copy(), grad_out.copy()
        packed = call(pack_mask, "pack_mask", y_copy)
        if not isinstance(packed, np.ndarray) or packed.dtype != np.uint8:
            kind = packed.dtype if isinstance(packed, np.ndarray) else type(packed).__name__
            raise Failure(f"pack_mask returned {kind}; expected a uint8 array (np.packbits)")
        want_bytes = -(-y.size // 8)
        if packed.size != want_bytes:
            hint = (" -- that is one byte per value: pack eight values into each byte"
                    if packed.size == y.size else "")
            raise Failure(f"for {y.size} values pack_mask kept {packed.size} bytes; one bit "
                          f"per value needs {want_bytes}{hint}")
        tally.ok()
        got = call(backward_from_bits, "backward_from_bits", g_copy, packed.copy())
        if not (np.array_equal(y_copy, y) and np.array_equal(g_copy, grad_out)):
            raise Failure("your functions modified an argument in place; return new arrays "
                          "instead")
        got = np.asarray(got)
        want = _relu_grad_reference(y, grad_out)
        if got.shape != want.shape:
            raise Failure(f"backward_from_bits returned shape {got.shape}; expected "
                          f"{want.shape}, the shape of grad_out (reshape the unpacked bits)")
        if not np.allclose(got, want, rtol=1e-12, atol=0.0):
            raise Failure(f"for y = {show(y.reshape(-1)[:8])}... the gradient differs from "
                          f"torch.relu's: got {show(got.reshape(-1)[:8])}..., expected "
                          f"{show(want.reshape(-1)[:8])}...")
        tally.ok()
    return ("One bit per value is all ReLU's backward needs: 32 times less than a float32 "
            "output.")


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
