r"""Honest comparisons of training runs: means with confidence intervals, paired tests and
rankings over random seeds.

A network's test accuracy is a random variable: it changes with the seed that draws the
initial weights and the order of the minibatches. To compare two activation functions, train
each several times and summarise the runs (Student, 1908; any statistics textbook):

* :func:`mean_ci` -- the mean of :math:`n` runs and a confidence interval from Student's
  :math:`t` distribution, :math:`\bar x \pm t_{(1+c)/2,\,n-1}\, s/\sqrt n` (an
  :class:`Interval`);
* :func:`paired_t_test` -- whether two settings differ, when run :math:`i` of both used the
  same seed (same initial weights and minibatches): a test on the per-seed differences (a
  :class:`PairedTest`);
* :func:`holm_adjust` -- p-values corrected for making several comparisons at once (Holm,
  1979);
* :func:`rank_by_seed` -- the ranking that each single seed would have reported;
* :func:`t_cdf`, :func:`t_quantile` -- Student's :math:`t` distribution, computed here (the
  course does not depend on SciPy) from the regularised incomplete beta function.

Everything works on plain numbers (lists, NumPy arrays or 1-D tensors) and returns floats.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist

from .._validation import check_real

__all__ = ["t_cdf", "t_quantile", "Interval", "mean_ci", "PairedTest", "paired_t_test",
           "holm_adjust", "rank_by_seed"]


def _values(fn_name: str, values, name: str = "values", minimum: int = 1) -> list[float]:
    """``values`` as a list of finite floats (from a list, a 1-D array or a 1-D tensor)."""
    if hasattr(values, "detach"):                                  # a torch tensor
        values = values.detach().cpu()
    if hasattr(values, "ndim") and hasattr(values, "tolist"):      # tensor or NumPy array
        if values.ndim != 1:
            raise ValueError(f"{fn_name}() expects `{name}` to be 1-D, got shape "
                             f"{tuple(values.shape)}")
        values = values.tolist()
    if isinstance(values, (str, bytes, Mapping)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{fn_name}() expects `{name}` to be a sequence of numbers, "
                        f"got {type(values).__name__}")
    result = []
    for v in values:
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{fn_name}() expects `{name}` to hold real numbers, got {v!r}")
        if not math.isfinite(v):
            raise ValueError(f"{fn_name}() expects `{name}` to hold finite numbers, got {v}")
        result.append(float(v))
    if len(result) < minimum:
        raise ValueError(f"{fn_name}() needs at least {minimum} value(s) in `{name}`, "
                         f"got {len(result)}")
    return result


#: Above this many degrees of freedom, the t distribution is computed from the normal one.
_LARGE_DF = 1e7


def _check_df(fn_name: str, df) -> float:
    df = check_real(fn_name, "df", df, gt=0)
    return df


def _log_gamma_ratio(big: float, small: float) -> float:
    r""":math:`\log\Gamma(\text{big} + \text{small}) - \log\Gamma(\text{big})`, without the
    cancellation that subtracting two huge ``lgamma`` values causes when ``big`` is large
    (Stirling's series, accurate to about 1e-15 for ``big`` > 100)."""
    if big <= 100.0:
        return math.lgamma(big + small) - math.lgamma(big)
    z = big + small
    # (z - 1/2) log z - z - [(big - 1/2) log big - big], rearranged to avoid cancellation
    main = (big - 0.5) * math.log1p(small / big) + small * math.log(z) - small
    series = (1 / (12 * z) - 1 / (12 * big)) - (1 / (360 * z ** 3) - 1 / (360 * big ** 3))
    return main + series


def _incomplete_beta(a: float, b: float, x: float, y: float) -> float:
    r"""The regularised incomplete beta function :math:`I_x(a, b)` for :math:`0 \le x \le 1`,
    given ``y`` :math:`= 1 - x` computed accurately, by its continued fraction (modified
    Lentz's method), as in *Numerical Recipes*."""
    if x <= 0.0:
        return 0.0
    if y <= 0.0:
        return 1.0
    if x > (a + 1.0) / (a + b + 2.0):                   # the fraction converges fast below
        return 1.0 - _incomplete_beta(b, a, y, x)
    big, small = max(a, b), min(a, b)
    log_beta = _log_gamma_ratio(big, small) - math.lgamma(small)     # -log B(a, b)
    log_front = log_beta + a * math.log(x) + b * math.log(y)
    tiny = 1e-300
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < 1e-15:
            break
    return math.exp(log_front) * fraction / a


def t_cdf(t: float, df: float) -> float:
    r"""The cumulative distribution function of Student's :math:`t` with ``df`` degrees of
    freedom:

    .. math::
        P(T \le t) = 1 - \tfrac12\, I_{\nu/(\nu + t^2)}\!\left(\tfrac{\nu}{2}, \tfrac12\right)
        \quad (t \ge 0), \qquad P(T \le -t) = 1 - P(T \le t),

    with :math:`I` the regularised incomplete beta function and :math:`\nu` = ``df``.

    Args:
        t: the point (a finite real number).
        df: degrees of freedom, > 0 (need not be an integer).

    Example:
        >>> round(t_cdf(0.0, 4), 6), round(t_cdf(2.776445, 4), 6)
        (0.5, 0.975)
    """
    t = check_real("t_cdf", "t", t)
    df = _check_df("t_cdf", df)
    if df > _LARGE_DF:                   # the normal limit plus its 1/df correction
        normal = NormalDist()
        return normal.cdf(t) - normal.pdf(t) * (t ** 3 + t) / (4.0 * df)
    denominator = df + t * t
    tail = 0.5 * _incomplete_beta(df / 2.0, 0.5, df / denominator, t * t / denominator)
    # tail = P(T > |t|)
    return 1.0 - tail if t >= 0 else tail


def t_quantile(p: float, df: float) -> float:
    r"""The quantile of Student's :math:`t` distribution: the :math:`t` with
    :math:`P(T \le t) = p`, found by bisection on :func:`t_cdf` (to about 12 digits).

    ``t_quantile(0.975, n - 1)`` is the factor of a two-sided 95% confidence interval from
    :math:`n` values: 12.71 for :math:`n = 2`, 2.776 for :math:`n = 5`, 2.262 for
    :math:`n = 10`, tending to the normal distribution's 1.960.

    Args:
        p: a probability, strictly between 0 and 1.
        df: degrees of freedom, > 0.

    Example:
        >>> round(t_quantile(0.975, 4), 4), round(t_quantile(0.975, 1e9), 4)
        (2.7764, 1.96)
    """
    p = check_real("t_quantile", "p", p, gt=0, lt=1)
    df = _check_df("t_quantile", df)
    if p == 0.5:
        return 0.0
    if p < 0.5:
        return -t_quantile(1.0 - p, df)
    if df > _LARGE_DF:                   # Cornish-Fisher expansion around the normal quantile
        z = NormalDist().inv_cdf(p)
        return z + (z ** 3 + z) / (4.0 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96.0 * df ** 2)
    high = 1.0
    while t_cdf(high, df) < p:                    # bracket the quantile
        high *= 2.0
    low = 0.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if t_cdf(mid, df) < p:
            low = mid
        else:
            high = mid
        if high - low <= 1e-13 * max(1.0, high):
            break
    return 0.5 * (low + high)


def _check_confidence(fn_name: str, confidence) -> float:
    return check_real(fn_name, "confidence", confidence, gt=0, lt=1)


@dataclass(frozen=True)
class Interval:
    """A mean and its confidence interval, from :func:`mean_ci`.

    Attributes:
        mean: the sample mean :math:`\\bar x`.
        low, high: the ends of the interval.
        std: the sample standard deviation :math:`s` (divisor :math:`n - 1`).
        n: the number of values.
        confidence: the confidence level, e.g. 0.95.

    Example:
        >>> a = Interval(mean=0.95, low=0.94, high=0.96, std=0.008, n=5, confidence=0.95)
        >>> round(a.half_width, 3), a.overlaps(Interval(0.97, 0.955, 0.985, 0.01, 5, 0.95))
        (0.01, True)
    """

    mean: float
    low: float
    high: float
    std: float
    n: int
    confidence: float

    @property
    def half_width(self) -> float:
        """Half the width of the interval, the "plus or minus" part."""
        return (self.high - self.low) / 2.0

    def overlaps(self, other: Interval) -> bool:
        """Whether the two intervals share at least one point."""
        if not isinstance(other, Interval):
            raise TypeError(f"Interval.overlaps() expects an Interval, got {type(other).__name__}")
        return self.low <= other.high and other.low <= self.high

    def __str__(self) -> str:
        return f"{self.mean:.3f} ± {self.half_width:.3f}"


def mean_ci(values, confidence: float = 0.95) -> Interval:
    r"""The mean of ``values`` and its two-sided confidence interval from Student's :math:`t`:

    .. math::
        \bar x \pm t_{(1 + c)/2,\; n - 1}\, \frac{s}{\sqrt n}, \qquad
        s^2 = \frac{1}{n - 1} \sum_{i=1}^{n} (x_i - \bar x)^2 .

    It assumes the values are independent draws from one (roughly normal) distribution, such
    as the test accuracies of :math:`n` training runs that differ only in their seed. With few
    runs the :math:`t` factor is large (2.78 for 5 runs, against 1.96 for a normal
    distribution): a small sample says little about its own spread.

    Args:
        values: at least 2 finite numbers (a list, a 1-D array or a 1-D tensor).
        confidence: the level :math:`c`, strictly between 0 and 1 (default 0.95).

    Returns:
        An :class:`Interval`.

    Example:
        >>> ci = mean_ci([0.95, 0.96, 0.94, 0.97, 0.95])
        >>> round(ci.mean, 3), round(ci.half_width, 4)
        (0.954, 0.0142)
    """
    xs = _values("mean_ci", values, minimum=2)
    confidence = _check_confidence("mean_ci", confidence)
    n = len(xs)
    mean = math.fsum(xs) / n
    std = math.sqrt(math.fsum((x - mean) ** 2 for x in xs) / (n - 1))
    half = t_quantile((1.0 + confidence) / 2.0, n - 1) * std / math.sqrt(n)
    return Interval(mean=mean, low=mean - half, high=mean + half, std=std, n=n,
                    confidence=confidence)


@dataclass(frozen=True)
class PairedTest:
    """The result of :func:`paired_t_test`.

    Attributes:
        mean_difference: the mean of the per-pair differences :math:`a_i - b_i`.
        low, high: the confidence interval of the mean difference.
        t: the statistic :math:`\\bar d / (s_d / \\sqrt n)`.
        df: degrees of freedom, :math:`n - 1`.
        p_value: two-sided p-value: the probability of a :math:`|t|` at least this large if
            the two settings did not differ on average.

    Example:
        >>> PairedTest(0.01, 0.0, 0.02, 2.8, 4, 0.049).p_value < 0.05
        True
    """

    mean_difference: float
    low: float
    high: float
    t: float
    df: int
    p_value: float


def paired_t_test(a, b, confidence: float = 0.95) -> PairedTest:
    r"""Student's paired :math:`t`-test of whether ``a`` and ``b`` differ on average.

    Use it when :math:`a_i` and :math:`b_i` were measured under the same conditions -- e.g.
    two activation functions trained from the same seed (same initial weights, same
    minibatches). It works on the differences :math:`d_i = a_i - b_i`:

    .. math::
        t = \frac{\bar d}{s_d / \sqrt n}, \qquad p = 2\,P(T_{n-1} \ge |t|),

    and gives the confidence interval :math:`\bar d \pm t_{(1+c)/2,\,n-1}\, s_d/\sqrt n`.
    Pairing removes the variation that both settings share, so it can detect a difference that
    two overlapping confidence intervals would hide. When every difference is the same, the
    test is degenerate: ``p_value`` is 1 if that difference is 0 and 0 otherwise.

    Args:
        a, b: paired measurements, at least 2 each, in the same order.
        confidence: the level of the interval (default 0.95).

    Returns:
        A :class:`PairedTest`.

    Example:
        >>> result = paired_t_test([0.96, 0.95, 0.97, 0.96, 0.95],
        ...                        [0.95, 0.94, 0.95, 0.95, 0.95])
        >>> round(result.mean_difference, 3), round(result.t, 2), round(result.p_value, 3)
        (0.01, 3.16, 0.034)
    """
    xs = _values("paired_t_test", a, "a", minimum=2)
    ys = _values("paired_t_test", b, "b", minimum=2)
    if len(xs) != len(ys):
        raise ValueError(f"paired_t_test(): a has {len(xs)} values but b has {len(ys)}; "
                         f"the measurements must come in pairs")
    confidence = _check_confidence("paired_t_test", confidence)
    d = [x - y for x, y in zip(xs, ys)]
    n = len(d)
    mean = math.fsum(d) / n
    sd = math.sqrt(math.fsum((v - mean) ** 2 for v in d) / (n - 1))
    if sd == 0.0:
        t = 0.0 if mean == 0.0 else math.copysign(math.inf, mean)
        p = 1.0 if mean == 0.0 else 0.0
        return PairedTest(mean, mean, mean, t, n - 1, p)
    se = sd / math.sqrt(n)
    t = mean / se
    p = min(1.0, 2.0 * (1.0 - t_cdf(abs(t), n - 1)))
    half = t_quantile((1.0 + confidence) / 2.0, n - 1) * se
    return PairedTest(mean, mean - half, mean + half, t, n - 1, p)


def holm_adjust(p_values) -> list[float]:
    r"""Holm's step-down adjustment of p-values for :math:`m` simultaneous tests (Holm, 1979).

    Sort the p-values, :math:`p_{(1)} \le \dots \le p_{(m)}`; the adjusted value of the
    :math:`k`-th smallest is :math:`\max_{j \le k} \min\bigl(1, (m - j + 1)\, p_{(j)}\bigr)`.
    Calling a difference significant when its adjusted p-value is below :math:`\alpha` keeps
    the chance of *any* false alarm among the :math:`m` comparisons below :math:`\alpha`:
    compare nine activations with the best one at :math:`\alpha = 0.05` without correction,
    and a false alarm somewhere becomes likely.

    Args:
        p_values: p-values in :math:`[0, 1]`, in any order.

    Returns:
        The adjusted p-values, in the order given.

    Example:
        >>> holm_adjust([0.01, 0.04, 0.03])
        [0.03, 0.06, 0.06]
    """
    ps = _values("holm_adjust", p_values, "p_values")
    if any(not 0.0 <= p <= 1.0 for p in ps):
        raise ValueError("holm_adjust() expects p-values between 0 and 1")
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    adjusted = [0.0] * m
    running = 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * ps[i]))
        adjusted[i] = running
    return adjusted


def rank_by_seed(scores: Mapping[str, object], *, higher_is_better: bool = True) -> list[list[str]]:
    """The ranking each seed would report on its own: for seed ``i``, the names sorted by
    their ``i``-th score, best first (ties keep the mapping's order).

    Args:
        scores: ``{name: scores}``, one score per seed, every name with the same number of
            seeds (e.g. test accuracies, seed ``i`` in position ``i``).
        higher_is_better: ``False`` for a loss or an error rate.

    Returns:
        One list of names per seed.

    Example:
        >>> rank_by_seed({"relu": [0.95, 0.97], "gelu": [0.96, 0.96], "tanh": [0.94, 0.95]})
        [['gelu', 'relu', 'tanh'], ['relu', 'gelu', 'tanh']]
    """
    if not isinstance(scores, Mapping) or not scores:
        raise TypeError("rank_by_seed() expects a non-empty mapping {name: scores per seed}")
    if not isinstance(higher_is_better, bool):
        raise TypeError("rank_by_seed() expects `higher_is_better` to be a bool")
    table = {str(name): _values("rank_by_seed", v, f"scores[{name!r}]")
             for name, v in scores.items()}
    lengths = {len(v) for v in table.values()}
    if len(lengths) != 1:
        raise ValueError(f"rank_by_seed(): every name needs the same number of seeds, got "
                         f"{sorted(lengths)}")
    names = list(table)
    sign = -1.0 if higher_is_better else 1.0
    return [sorted(names, key=lambda name: sign * table[name][i])
            for i in range(lengths.pop())]
