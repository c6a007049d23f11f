"""Tests of the package code added for chapter 9, "Comparing activation functions":
relu_course.stats, train.fit_many, plotting.plot_intervals and the chapter's exercise checks."""

from __future__ import annotations

import copy
import math
import statistics

import numpy as np
import pytest
import torch
from torch import nn

from relu_course import exercises, models, plotting
from relu_course import training as train
from relu_course.analysis import stats
from relu_course.data import load
from relu_course.utils import set_seed

# ---- Student's t distribution -----------------------------------------------------------------

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


@pytest.mark.parametrize("call, error", [
    (lambda: stats.t_quantile(0.0, 3), ValueError),
    (lambda: stats.t_quantile(1.0, 3), ValueError),
    (lambda: stats.t_quantile(0.5, 0), ValueError),
    (lambda: stats.t_quantile(True, 3), TypeError),
    (lambda: stats.t_cdf(float("nan"), 3), ValueError),
    (lambda: stats.t_cdf(1.0, -2), ValueError),
    (lambda: stats.t_cdf("1", 2), TypeError),
])
def test_t_functions_validate_arguments(call, error):
    with pytest.raises(error):
        call()


# ---- means and confidence intervals -----------------------------------------------------------

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


@pytest.mark.parametrize("values, error", [
    ([0.9], ValueError), ([], ValueError), ([0.9, float("nan")], ValueError),
    ([0.9, True], TypeError), ("0.9, 0.8", TypeError), (np.ones((2, 2)), ValueError),
    ({"a": 1.0}, TypeError),
])
def test_mean_ci_rejects_bad_values(values, error):
    with pytest.raises(error):
        stats.mean_ci(values)


def test_mean_ci_rejects_a_bad_confidence():
    for confidence in (0.0, 1.0, 95):
        with pytest.raises(ValueError):
            stats.mean_ci([1.0, 2.0], confidence)


# ---- the paired t-test ------------------------------------------------------------------------

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


# ---- train.fit_many ---------------------------------------------------------------------------

@pytest.fixture(scope="module")
def digits():
    data = load("digits")
    # A smaller, quick copy: 300 training and 100 test images.
    return type(data)("digits", data.x_train[:300], data.y_train[:300], data.x_test[:100],
                      data.y_test[:100], 10)


def _same_start(build, names, seed=0):
    nets = []
    for name in names:
        set_seed(seed)
        nets.append(build(name))
    return nets


@pytest.mark.parametrize("arch", ["mlp", "cnn", "cnn2"])
def test_fit_many_trains_each_network_as_fit_would(digits, arch):
    # In float64, so that the comparison tests the training logic, not the rounding: the two
    # paths batch the same arithmetic differently (one stacked model against one at a time),
    # and in float32 two epochs of Adam amplify that rounding to about 1e-4 on some CPUs and
    # thread counts. In float64 they agree to about 1e-12.
    data = type(digits)("digits", digits.x_train.double(), digits.y_train,
                        digits.x_test.double(), digits.y_test, 10)
    build = {"mlp": lambda a: models.mlp(64, [16, 8], 10, a),
             "cnn": lambda a: models.small_cnn(1, 10, [3], a),
             "cnn2": lambda a: models.small_cnn(1, 10, [3, 4], a)}[arch]
    nets = [net.double() for net in _same_start(build, ["relu", "prelu", "tanh", "gelu"])]
    alone = [copy.deepcopy(n) for n in nets]
    config = train.TrainConfig(epochs=2, lr=0.01, batch_size=32, seed=3)
    histories = train.fit_many(nets, data, config)
    for net, twin, history in zip(nets, alone, histories):
        reference = train.fit(twin, data, config)
        for p, q in zip(net.parameters(), twin.parameters()):
            torch.testing.assert_close(p, q, rtol=1e-9, atol=1e-10)
        for key in ("train_loss", "test_loss"):
            assert getattr(history, key) == pytest.approx(getattr(reference, key), rel=1e-9)
        assert history.epochs == 2 and len(history.seconds_per_epoch) == 2
    assert len({tuple(h.seconds_per_epoch) for h in histories}) == 1
    # The PReLU slope (a parameter of the activation layer itself) was trained too.
    assert nets[1][2 if arch == "mlp" else 1].weight.item() != 0.25


def test_fit_many_metrics_without_training_evaluation(digits):
    nets = _same_start(lambda a: models.mlp(64, [16], 10, a), ["relu", "elu"])
    histories = train.fit_many(nets, digits, train.TrainConfig(epochs=3, seed=1),
                               evaluate_train=False)
    for net, h in zip(nets, histories):
        assert len(h.train_loss) == len(h.train_accuracy) == len(h.test_accuracy) == 3
        assert all(0.0 <= a <= 1.0 for a in h.train_accuracy)
        # The test metrics are measured on the final weights, as fit() does.
        assert h.test_accuracy[-1] == pytest.approx(
            train.evaluate(net, digits.x_test, digits.y_test)[1])
    evaluated = _same_start(lambda a: models.mlp(64, [16], 10, a), ["relu", "elu"])
    full = train.fit_many(evaluated, digits, train.TrainConfig(epochs=3, seed=1))
    assert full[0].train_accuracy[-1] == pytest.approx(
        train.evaluate(evaluated[0], digits.x_train, digits.y_train)[1])


def test_fit_many_with_a_single_network_and_identical_networks_agree(digits):
    a, b = _same_start(lambda name: models.mlp(64, [8], 10, name), ["silu", "silu"])
    ha, hb = train.fit_many([a, b], digits, train.TrainConfig(epochs=1))
    assert ha.test_loss == hb.test_loss
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)


def test_fit_many_reports_divergence_and_keeps_the_weights(digits):
    nets = _same_start(lambda a: models.mlp(64, [8], 10, a), ["relu", "tanh"])
    before = copy.deepcopy(nets[0])
    with pytest.raises(train.TrainingDiverged, match="network"):
        train.fit_many(nets, digits, train.TrainConfig(epochs=2, lr=1e30, optimizer="sgd"))
    changed = any(not torch.equal(p, q) for p, q in zip(nets[0].parameters(), before.parameters()))
    assert changed                                       # written back despite the error


def test_fit_many_validates_its_arguments(digits):
    mlp = lambda a="relu": models.mlp(64, [8], 10, a)    # noqa: E731
    config = train.TrainConfig(epochs=1)
    net = mlp()
    cases = [
        (lambda: train.fit_many(net, digits, config), TypeError, "list"),
        (lambda: train.fit_many([], digits, config), ValueError, "at least one"),
        (lambda: train.fit_many([net, net], digits, config), ValueError, "more than once"),
        (lambda: train.fit_many([nn.Linear(64, 10)], digits, config), TypeError, "Sequential"),
        (lambda: train.fit_many([mlp(), models.mlp(64, [8, 8], 10)], digits, config),
         ValueError, "numbers of layers"),
        (lambda: train.fit_many([mlp(), models.mlp(64, [9], 10)], digits, config),
         ValueError, "differ"),
        (lambda: train.fit_many([nn.Sequential(nn.Flatten(), nn.Linear(64, 8), nn.BatchNorm1d(8),
                                               nn.ReLU(), nn.Linear(8, 10))], digits, config),
         ValueError, "not supported"),
        (lambda: train.fit_many([nn.Sequential(nn.Flatten(), nn.ReLU(), nn.Linear(64, 10))],
                                digits, config), ValueError, "not supported"),
        (lambda: train.fit_many([nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())], digits,
                                config), ValueError, "flat"),
        (lambda: train.fit_many([mlp()], "digits", config), TypeError, "Dataset"),
        (lambda: train.fit_many([mlp()], digits, {"epochs": 1}), TypeError, "TrainConfig"),
        (lambda: train.fit_many([mlp()], digits, config, evaluate_train=1), TypeError, "bool"),
    ]
    for call, error, message in cases:
        with pytest.raises(error, match=message):
            call()


# ---- plotting.plot_intervals ------------------------------------------------------------------

def test_plot_intervals_marks_rows_apart_from_the_reference(rc_unchanged):
    samples = {"relu": [0.95, 0.96, 0.94, 0.955], "gelu": [0.951, 0.958, 0.947, 0.949],
               "sigmoid": torch.tensor([0.85, 0.86, 0.84, 0.855])}
    fig = plotting.plot_intervals(samples, reference="relu", xlabel="accuracy", title="t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["relu", "gelu", "sigmoid"]
    means = [line for line in ax.get_lines() if line.get_marker() in ("o", "s")
             and line.get_markersize() == 7]
    assert [line.get_marker() for line in means] == ["o", "o", "s"]
    assert means[2].get_xdata()[0] == pytest.approx(np.mean([0.85, 0.86, 0.84, 0.855]))
    labels = ax.get_legend_handles_labels()[1]
    assert "interval apart from relu's" in labels and "runs" in labels
    assert ax.get_xlabel() == "accuracy" and ax.get_title() == "t"
    # Without a reference nothing is marked apart; without values no run markers.
    fig = plotting.plot_intervals(samples, show_values=False)
    assert "runs" not in fig.axes[0].get_legend_handles_labels()[1]


@pytest.mark.parametrize("call, error", [
    (lambda: plotting.plot_intervals({}), ValueError),
    (lambda: plotting.plot_intervals({"a": [0.9]}), ValueError),
    (lambda: plotting.plot_intervals({"a": [0.9, float("inf")]}), ValueError),
    (lambda: plotting.plot_intervals({"a": ["x", "y"]}), TypeError),
    (lambda: plotting.plot_intervals({"a": [0.9, 0.8]}, reference="b"), ValueError),
    (lambda: plotting.plot_intervals({"a": [0.9, 0.8]}, show_values="yes"), TypeError),
])
def test_plot_intervals_validates(call, error):
    with pytest.raises(error):
        call()


# ---- the chapter's exercise checks ------------------------------------------------------------

def _stub(*args):
    raise NotImplementedError


def test_check_seed_t_interval():
    def good(values):
        n = len(values)
        return statistics.fmean(values), stats.t_quantile(0.975, n - 1) * statistics.stdev(values) / n ** 0.5

    assert exercises.check_seed_t_interval(good).passed
    assert exercises.check_seed_t_interval(_stub).status == "not attempted"
    normal = exercises.check_seed_t_interval(
        lambda v: (statistics.fmean(v), 1.96 * statistics.stdev(v) / len(v) ** 0.5))
    assert normal.status == "failed" and "1.96" in normal.message and "[0.951" in normal.message
    population = exercises.check_seed_t_interval(
        lambda v: (statistics.fmean(v),
                   stats.t_quantile(0.975, len(v) - 1) * statistics.pstdev(v) / len(v) ** 0.5))
    assert "n - 1" in population.message
    assert "pair" in exercises.check_seed_t_interval(lambda v: statistics.fmean(v)).message
    assert "mean" in exercises.check_seed_t_interval(lambda v: (0.0, 0.0)).message


def test_check_paired_seed_t_statistic():
    def good(a, b):
        d = [x - y for x, y in zip(a, b)]
        return statistics.fmean(d) / (statistics.stdev(d) / len(d) ** 0.5)

    def welch(a, b):
        n = len(a)
        return ((statistics.fmean(a) - statistics.fmean(b))
                / math.sqrt(statistics.variance(a) / n + statistics.variance(b) / n))

    assert exercises.check_paired_seed_t_statistic(good).passed
    assert "Welch" in exercises.check_paired_seed_t_statistic(welch).message
    assert "sign" in exercises.check_paired_seed_t_statistic(lambda a, b: -good(a, b)).message
    assert "number" in exercises.check_paired_seed_t_statistic(lambda a, b: "3").message


def test_check_seeds_needed_for_ci():
    def good(std, half):
        n = 2
        while stats.t_quantile(0.975, n - 1) * std / n ** 0.5 > half:
            n += 1
        return n

    def normal(std, half):
        n = 2
        while 1.96 * std / n ** 0.5 > half:
            n += 1
        return n

    assert exercises.check_seeds_needed_for_ci(good).passed
    failed = exercises.check_seeds_needed_for_ci(normal)
    assert failed.status == "failed" and "1.96" in failed.message
    assert "int" in exercises.check_seeds_needed_for_ci(lambda s, h: 5.0).message
    assert exercises.check_seeds_needed_for_ci(_stub).status == "not attempted"
