"""Exercise checks for chapter 9, "Comparing activation functions"."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..analysis.stats import mean_ci, paired_t_test, t_quantile
from ._core import Failure, call, exercise, show

__all__ = ["check_seed_t_interval", "check_paired_seed_t_statistic", "check_seeds_needed_for_ci"]


def _number(name: str, value, args: str) -> float:
    """``value`` as a float, or a :class:`Failure` that says what came back instead."""
    if hasattr(value, "item") and getattr(value, "ndim", 0) == 0:
        value = value.item()                        # a 0-d tensor or NumPy scalar
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise Failure(f"{name}({args}) returned {value!r} ({type(value).__name__}); "
                      f"expected a number")
    if not math.isfinite(value):
        raise Failure(f"{name}({args}) returned {value}; expected a finite number")
    return float(value)


_ACCURACIES = [
    [0.951, 0.958, 0.944, 0.958, 0.962],
    [0.938, 0.949, 0.944, 0.949, 0.953],
    [0.90, 0.92],
    [0.5, 0.7, 0.6, 0.65, 0.55, 0.62, 0.58, 0.61, 0.66, 0.57],
    [0.97, 0.97, 0.96],
]


@exercise("Exercise 9.1 (a t-interval over seeds)")
def check_seed_t_interval(tally, t_interval) -> str:
    """Check ``t_interval(values) -> (mean, half_width)``: the 95% confidence interval of the
    mean of a few runs, :math:`\\bar x \\pm t_{0.975, n-1}\\, s / \\sqrt n`.

    Example:
        >>> import statistics
        >>> from relu_course.analysis.stats import t_quantile
        >>> def t_interval(values):
        ...     n = len(values)
        ...     half = t_quantile(0.975, n - 1) * statistics.stdev(values) / n ** 0.5
        ...     return statistics.fmean(values), half
        >>> check_seed_t_interval(t_interval).passed
        True
    """
    for values in _ACCURACIES:
        args = show(list(values))
        got = call(t_interval, "t_interval", list(values))
        if not isinstance(got, (tuple, list)) or len(got) != 2:
            raise Failure(f"t_interval({args}) should return a pair (mean, half_width), "
                          f"got {got!r}")
        mean, half = (_number("t_interval", v, args) for v in got)
        expected = mean_ci(values)
        if not math.isclose(mean, expected.mean, rel_tol=1e-9, abs_tol=1e-12):
            raise Failure(f"t_interval({args}) gave the mean {mean:.6f}; expected "
                          f"{expected.mean:.6f}")
        if not math.isclose(half, expected.half_width, rel_tol=1e-6, abs_tol=1e-12):
            n = len(values)
            s = float(np.std(values))
            hints = {
                1.959963984540054 * s * math.sqrt(n / (n - 1)) / math.sqrt(n):
                    "you used the normal factor 1.96; with few values use Student's t "
                    f"quantile, t_quantile(0.975, n - 1) = {t_quantile(0.975, n - 1):.3f} here",
                t_quantile(0.975, n - 1) * s / math.sqrt(n):
                    "divide by n - 1, not n, in the standard deviation (use the sample "
                    "standard deviation)",
                t_quantile(0.975, n) * expected.std / math.sqrt(n):
                    "the degrees of freedom are n - 1, not n",
                t_quantile(0.95, n - 1) * expected.std / math.sqrt(n):
                    "a two-sided 95% interval uses the 0.975 quantile, not 0.95",
                t_quantile(0.975, n - 1) * expected.std:
                    "divide the standard deviation by sqrt(n): the interval is for the mean",
            }
            hint = next((h for v, h in hints.items() if math.isclose(half, v, rel_tol=1e-3)),
                        "check the formula t_quantile(0.975, n - 1) * s / sqrt(n)")
            raise Failure(f"t_interval({args}) gave the half-width {half:.6f}; expected "
                          f"{expected.half_width:.6f} -- {hint}")
        tally.ok()
    return "With 5 seeds the t factor is 2.78, not 1.96: few runs say little about their spread."


_PAIRS = [
    ([0.953, 0.976, 0.958, 0.958, 0.964], [0.931, 0.951, 0.951, 0.933, 0.911]),
    ([0.933, 0.938, 0.953, 0.949, 0.947], [0.931, 0.940, 0.942, 0.956, 0.949]),
    ([1.0, 2.0, 4.0], [0.5, 1.0, 2.5]),
    ([0.2, 0.4, 0.1, 0.3, 0.5, 0.6], [0.3, 0.1, 0.2, 0.2, 0.4, 0.3]),
]


@exercise("Exercise 9.2 (the paired t statistic)")
def check_paired_seed_t_statistic(tally, paired_t) -> str:
    """Check ``paired_t(a, b)``: the statistic :math:`\\bar d / (s_d / \\sqrt n)` of the
    per-seed differences :math:`d_i = a_i - b_i`.

    Example:
        >>> import statistics
        >>> def paired_t(a, b):
        ...     d = [x - y for x, y in zip(a, b)]
        ...     return statistics.fmean(d) / (statistics.stdev(d) / len(d) ** 0.5)
        >>> check_paired_seed_t_statistic(paired_t).passed
        True
    """
    for a, b in _PAIRS:
        args = f"{show(a)}, {show(b)}"
        got = _number("paired_t", call(paired_t, "paired_t", list(a), list(b)), args)
        expected = paired_t_test(a, b).t
        if not math.isclose(got, expected, rel_tol=1e-6, abs_tol=1e-9):
            n = len(a)
            ma, mb = np.mean(a), np.mean(b)
            va, vb = np.var(a, ddof=1), np.var(b, ddof=1)
            welch = (ma - mb) / math.sqrt(va / n + vb / n)
            hint = ""
            if math.isclose(got, -expected, rel_tol=1e-6):
                hint = " -- the sign is flipped: use d = a - b"
            elif math.isclose(got, welch, rel_tol=1e-6):
                hint = (" -- that is the unpaired (Welch) statistic; pair the runs: work on the "
                        "differences a[i] - b[i]")
            elif math.isclose(got, expected * math.sqrt((n - 1) / n), rel_tol=1e-6):
                hint = " -- use the sample standard deviation of the differences (divide by n - 1)"
            raise Failure(f"paired_t({args}) returned {got:.5f}; expected {expected:.5f}{hint}")
        tally.ok()
    return ("Pairing removes what the two runs of a seed share, so a consistent small "
            "difference gives a large t.")


@exercise("Exercise 9.3 (how many seeds?)")
def check_seeds_needed_for_ci(tally, seeds_needed) -> str:
    """Check ``seeds_needed(std, half_width)``: the smallest :math:`n \\ge 2` with
    :math:`t_{0.975, n-1}\\, s / \\sqrt n \\le h`.

    Example:
        >>> from relu_course.analysis.stats import t_quantile
        >>> def seeds_needed(std, half_width):
        ...     n = 2
        ...     while t_quantile(0.975, n - 1) * std / n ** 0.5 > half_width:
        ...         n += 1
        ...     return n
        >>> check_seeds_needed_for_ci(seeds_needed).passed
        True
    """
    cases = [(0.01, 0.01), (0.01, 0.005), (0.008, 0.002), (0.02, 0.05), (1.0, 0.5), (0.3, 0.1)]
    for std, half in cases:
        args = f"{std}, {half}"
        got = call(seeds_needed, "seeds_needed", std, half)
        if isinstance(got, bool) or not isinstance(got, (int, np.integer)):
            raise Failure(f"seeds_needed({args}) returned {got!r} ({type(got).__name__}); "
                          f"expected an int")
        n = 2
        while t_quantile(0.975, n - 1) * std / math.sqrt(n) > half:
            n += 1
        if got != n:
            z = 2
            while 1.959963984540054 * std / math.sqrt(z) > half:
                z += 1
            hint = (" -- you used 1.96; the t factor grows as n shrinks" if got == z and z != n
                    else f" (with n = {got} the half-width would be "
                         f"{t_quantile(0.975, max(got, 2) - 1) * std / math.sqrt(max(got, 2)):.4g})")
            raise Failure(f"seeds_needed({args}) returned {got}; expected {n}{hint}")
        tally.ok()
    return "Halving the interval takes about four times as many seeds."
