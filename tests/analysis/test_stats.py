"""Tests of relu_course.analysis.stats: Student's t distribution, mean confidence intervals,
interval overlaps, the paired t-test, Holm's adjustment and ranking by seed."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
import torch

from relu_course.analysis import stats

# Two-sided 95% factors t_{0.975, df} from standard tables (and R's qt()).
T_TABLE = {1: 12.706204736, 2: 4.302652730, 3: 3.182446305, 4: 2.776445105,
           9: 2.262157163, 30: 2.042272456, 100: 1.983971519}


@pytest.mark.parametrize("df, expected", sorted(T_TABLE.items()))
def test_t_quantile_matches_tables(df, expected):
    assert stats.t_quantile(0.975, df) == pytest.approx(expected, abs=2e-9)


def test_t_quantile_other_levels_and_limits():
    assert stats.t_quantile(0.995, 3) == pytest.approx(5.840909310, abs=1e-8)
    assert stats.t_quantile(0.6, 7) == pytest.approx(0.263166861, abs=1e-8)
    assert stats.t_quantile(0.5, 3) == 0.0
    assert stats.t_quantile(0.025, 4) == pytest.approx(-T_TABLE[4], abs=2e-9)
    assert stats.t_quantile(0.975, 1e9) == pytest.approx(1.959963985, abs=1e-7)
    # A non-integer df, against the density integrated numerically.
    nu, t = 2.5, stats.t_quantile(0.975, 2.5)
    x = np.linspace(0.0, t, 200_001)
    density = (math.gamma((nu + 1) / 2) / (math.sqrt(nu * math.pi) * math.gamma(nu / 2))
               * (1 + x * x / nu) ** (-(nu + 1) / 2))
    assert 0.5 + np.trapezoid(density, x) == pytest.approx(0.975, abs=1e-9)


def test_t_cdf_inverts_the_quantile_and_is_symmetric():
    for df in (1, 2, 5, 17.5, 200):
        for p in (0.01, 0.2, 0.5, 0.9, 0.999):
            assert stats.t_cdf(stats.t_quantile(p, df), df) == pytest.approx(p, abs=1e-10)
        for t in (0.3, 1.0, 4.0):
            assert stats.t_cdf(-t, df) == pytest.approx(1 - stats.t_cdf(t, df), abs=1e-14)
    assert stats.t_cdf(0.0, 3) == 0.5
    assert stats.t_cdf(1.0, 1) == pytest.approx(0.75, abs=1e-12)          # Cauchy: 1/2 + atan(1)/pi
    assert stats.t_cdf(1e6, 3) == pytest.approx(1.0, abs=1e-12)


def test_mean_ci_matches_the_formula():
    values = [0.951, 0.958, 0.944, 0.958, 0.962]
    ci = stats.mean_ci(values)
    mean, s = statistics.fmean(values), statistics.stdev(values)
    half = T_TABLE[4] * s / math.sqrt(5)
    assert ci.mean == pytest.approx(mean, abs=1e-15)
    assert ci.std == pytest.approx(s, rel=1e-12)
    assert (ci.low, ci.high) == (pytest.approx(mean - half, rel=1e-9),
                                 pytest.approx(mean + half, rel=1e-9))
    assert ci.half_width == pytest.approx(half, rel=1e-9)
    assert (ci.n, ci.confidence) == (5, 0.95)
    assert str(ci) == f"{mean:.3f} ± {half:.3f}"


def test_mean_ci_accepts_arrays_and_tensors_and_widens_with_confidence():
    values = [1.0, 2.0, 4.0, 3.0]
    a = stats.mean_ci(values)
    assert stats.mean_ci(np.array(values)) == a
    assert stats.mean_ci(torch.tensor(values, dtype=torch.float64)) == a
    assert stats.mean_ci(values, 0.99).half_width > a.half_width > stats.mean_ci(values, 0.5).half_width
    same = stats.mean_ci([0.9, 0.9, 0.9])
    assert same.low == same.high == pytest.approx(0.9)


def test_interval_coverage_is_about_95_percent():
    # Student's interval is exact for normal data: check coverage by simulation.
    rng = np.random.default_rng(0)
    samples = rng.normal(3.0, 2.0, size=(2000, 5))
    hits = 0
    for row in samples:
        ci = stats.mean_ci(row)
        hits += ci.low <= 3.0 <= ci.high
    assert 0.935 < hits / len(samples) < 0.965


def test_interval_overlaps():
    a = stats.Interval(0.95, 0.94, 0.96, 0.01, 5, 0.95)
    assert a.overlaps(stats.Interval(0.97, 0.96, 0.98, 0.01, 5, 0.95))      # touching
    assert not a.overlaps(stats.Interval(0.98, 0.965, 0.995, 0.01, 5, 0.95))
    with pytest.raises(TypeError):
        a.overlaps((0.9, 1.0))


def test_paired_t_test_matches_the_formula():
    a = [0.953, 0.976, 0.958, 0.958, 0.964]
    b = [0.931, 0.951, 0.951, 0.933, 0.911]
    d = [x - y for x, y in zip(a, b)]
    t = statistics.fmean(d) / (statistics.stdev(d) / math.sqrt(5))
    result = stats.paired_t_test(a, b)
    assert result.t == pytest.approx(t, rel=1e-12)
    assert result.df == 4
    assert result.mean_difference == pytest.approx(statistics.fmean(d), abs=1e-15)
    assert result.p_value == pytest.approx(2 * (1 - stats.t_cdf(t, 4)), rel=1e-12)
    assert 0.01 < result.p_value < 0.05                  # t = 3.55 with 4 df
    # The interval of the mean difference is the one-sample interval of the differences.
    ci = stats.mean_ci(d)
    assert (result.low, result.high) == (pytest.approx(ci.low), pytest.approx(ci.high))
    swapped = stats.paired_t_test(b, a)
    assert swapped.t == pytest.approx(-result.t) and swapped.p_value == pytest.approx(result.p_value)


def test_pairing_is_sharper_when_the_runs_share_variation():
    # Seeds shift both settings alike; the second is better by 0.01 in every seed.
    base = np.array([0.90, 0.95, 0.92, 0.97, 0.93])
    a, b = base + 0.01 + np.array([0.001, -0.001, 0.0, 0.001, -0.001]), base
    paired = stats.paired_t_test(a, b)
    assert paired.p_value < 0.001
    assert stats.mean_ci(a).overlaps(stats.mean_ci(b))   # the intervals cannot tell


def test_paired_t_test_degenerate_and_invalid_cases():
    same = stats.paired_t_test([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert (same.t, same.p_value, same.mean_difference) == (0.0, 1.0, 0.0)
    shifted = stats.paired_t_test([2.0, 3.0, 4.0], [1.0, 2.0, 3.0])
    assert shifted.t == math.inf and shifted.p_value == 0.0
    with pytest.raises(ValueError, match="pairs"):
        stats.paired_t_test([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError):
        stats.paired_t_test([1.0], [2.0])
    with pytest.raises(TypeError):
        stats.paired_t_test([1.0, "2"], [1.0, 2.0])


def test_holm_adjust():
    assert stats.holm_adjust([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert stats.holm_adjust([0.5]) == [0.5]
    assert stats.holm_adjust([0.2, 0.9, 0.01, 0.3]) == pytest.approx([0.6, 0.9, 0.04, 0.6])
    adjusted = stats.holm_adjust([0.6, 0.7, 0.9])
    assert max(adjusted) <= 1.0 and adjusted == [1.0, 1.0, 1.0]
    rng = np.random.default_rng(1)
    ps = rng.uniform(size=12)
    adj = stats.holm_adjust(ps)
    assert all(a >= p for a, p in zip(adj, ps))          # never smaller than the raw value
    order = np.argsort(ps)
    assert all(np.diff(np.array(adj)[order]) >= 0)       # monotone in the raw p-values
    for bad in ([], [1.2], [-0.1]):
        with pytest.raises(ValueError):
            stats.holm_adjust(bad)


def test_rank_by_seed():
    scores = {"relu": [0.95, 0.97, 0.90], "gelu": [0.96, 0.96, 0.90], "tanh": [0.94, 0.95, 0.93]}
    assert stats.rank_by_seed(scores) == [["gelu", "relu", "tanh"], ["relu", "gelu", "tanh"],
                                          ["tanh", "relu", "gelu"]]      # ties keep the order
    assert stats.rank_by_seed({"a": [1.0], "b": [0.5]}, higher_is_better=False) == [["b", "a"]]
    with pytest.raises(ValueError, match="same number"):
        stats.rank_by_seed({"a": [1.0, 2.0], "b": [1.0]})
    with pytest.raises(TypeError):
        stats.rank_by_seed({})
    with pytest.raises(TypeError):
        stats.rank_by_seed({"a": [1.0]}, higher_is_better=1)
