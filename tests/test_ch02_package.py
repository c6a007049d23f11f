"""What chapter 2 ("The birth of ReLU") added to relu_course: ``train.epochs_to_reach``,
``train.sweep_learning_rates`` and ``plotting.plot_timeline``."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from relu_course import data as D
from relu_course import models
from relu_course import plotting as P
from relu_course.exercises import ch02
from relu_course.training import History, TrainConfig, epochs_to_reach, sweep_learning_rates

# ---- epochs_to_reach ----------------------------------------------------------------------------


def test_epochs_to_reach_counts_from_one_and_includes_the_threshold():
    assert epochs_to_reach([0.9, 0.5, 0.25, 0.1], 0.25) == 3          # <= is enough
    assert epochs_to_reach([0.2], 0.25) == 1
    assert epochs_to_reach([0.9, 0.5], 0.25) is None
    assert epochs_to_reach([], 0.25) is None


def test_epochs_to_reach_upwards_for_accuracies():
    acc = [0.1, 0.6, 0.95, 0.9, 0.99]
    assert epochs_to_reach(acc, 0.95, below=False) == 3
    assert epochs_to_reach(acc, 0.99, below=False) == 5
    assert epochs_to_reach(acc, 0.999, below=False) is None
    # the same list read downwards: the first value <= 0.5 is the very first
    assert epochs_to_reach(acc, 0.5) == 1


def test_epochs_to_reach_accepts_arrays_and_tensors_and_skips_nan():
    values = [math.nan, 0.8, 0.3]
    assert epochs_to_reach(values, 0.5) == 3
    assert epochs_to_reach(np.array(values), 0.5) == 3
    assert epochs_to_reach(torch.tensor(values), 0.5) == 3
    assert epochs_to_reach(np.array([0.7, 0.2], dtype=np.float32), 0.25) == 2
    assert epochs_to_reach((v for v in [0.9, 0.1]), 0.5) == 2          # any iterable
    assert epochs_to_reach([math.inf, -math.inf], 0.0) == 2


def test_epochs_to_reach_with_a_history():
    history = History(train_loss=[2.0, 1.0, 0.5], train_accuracy=[0.3, 0.7, 0.96])
    assert epochs_to_reach(history.train_loss, 1.0) == 2
    assert epochs_to_reach(history.train_accuracy, 0.95, below=False) == 3


@pytest.mark.parametrize("values, threshold, below, error", [
    ("0.1 0.2", 0.5, True, TypeError),
    (0.3, 0.5, True, TypeError),
    ([0.3, "x"], 0.5, True, TypeError),
    ([True, 0.2], 0.5, True, TypeError),
    ([0.3], "0.5", True, TypeError),
    ([0.3], math.nan, True, ValueError),
    ([0.3], 0.5, 1, TypeError),
    (np.zeros((2, 2)), 0.5, True, ValueError),
    (torch.zeros(2, 2), 0.5, True, ValueError),
])
def test_epochs_to_reach_rejects_bad_arguments(values, threshold, below, error):
    with pytest.raises(error, match="epochs_to_reach"):
        epochs_to_reach(values, threshold, below=below)


# ---- sweep_learning_rates -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def xor():
    return D.load("xor", n_samples=200, seed=0)


def make_net():
    return models.mlp(2, [16], 2)


def test_sweep_shape_order_and_early_stop(xor):
    config = TrainConfig(epochs=40, lr=1.0, batch_size=100)
    runs = sweep_learning_rates(make_net, xor, [0.1, 0.03], [2, 0, 1], config,
                                target_accuracy=0.9)
    assert list(runs) == [0.1, 0.03]                                 # the grid's order
    for histories in runs.values():
        assert len(histories) == 3
        for h in histories:
            assert isinstance(h, History)
            # it stopped at the first epoch that reached the target, not later
            assert h.train_accuracy[-1] >= 0.9
            assert epochs_to_reach(h.train_accuracy, 0.9, below=False) == h.epochs
            assert h.epochs < 40
    # a smaller learning rate needs at least as many epochs here (Adam, same seeds)
    assert sum(h.epochs for h in runs[0.03]) >= sum(h.epochs for h in runs[0.1])


def test_sweep_is_repeatable_and_seeds_the_model(xor):
    config = TrainConfig(epochs=3, batch_size=None)
    initial = []

    def make():
        net = make_net()
        initial.append(net[1].weight.detach().clone())
        return net

    a = sweep_learning_rates(make, xor, [0.01, 0.02], [0, 1], config)
    b = sweep_learning_rates(make_net, xor, [0.01, 0.02], [0, 1], config)
    assert [[h.train_loss for h in hs] for hs in a.values()] == \
        [[h.train_loss for h in hs] for hs in b.values()]
    # the initial weights depend on the seed only, not on the learning rate
    assert torch.equal(initial[0], initial[2]) and torch.equal(initial[1], initial[3])
    assert not torch.equal(initial[0], initial[1])
    # each run used its own learning rate: different rates, different losses
    assert a[0.01][0].train_loss != a[0.02][0].train_loss


def test_sweep_uses_the_config_except_lr_and_seed(xor):
    config = TrainConfig(epochs=4, lr=123.0, seed=99, optimizer="sgd", momentum=0.5,
                         batch_size=None)
    (history,) = sweep_learning_rates(make_net, xor, [0.1], [3], config)[0.1]
    torch.manual_seed(3)
    from relu_course import set_seed
    from relu_course.training import fit
    set_seed(3)
    expected = fit(make_net(), xor, TrainConfig(epochs=4, lr=0.1, seed=3, optimizer="sgd",
                                                momentum=0.5, batch_size=None))
    assert history.train_loss == expected.train_loss


def test_sweep_patience_gives_up_on_a_stalled_run(xor):
    config = TrainConfig(epochs=8, optimizer="sgd", batch_size=None)
    (stalled,) = sweep_learning_rates(make_net, xor, [1e-12], [0], config, patience=3,
                                      target_accuracy=0.99)[1e-12]
    # the accuracy never changes, so it stops after 1 + 3 epochs without a new best
    assert stalled.epochs == 4
    assert epochs_to_reach(stalled.train_accuracy, 0.99, below=False) is None
    (full,) = sweep_learning_rates(make_net, xor, [1e-12], [0], config)[1e-12]
    assert full.epochs == 8


def test_sweep_marks_diverged_runs_as_none(xor):
    config = TrainConfig(epochs=20, optimizer="sgd", batch_size=None)
    runs = sweep_learning_rates(make_net, xor, [1e10, 0.1], [0], config)
    assert runs[1e10] == [None]
    assert isinstance(runs[0.1][0], History)


@pytest.mark.parametrize("args, kwargs, error", [
    (("not callable", [0.1], [0]), {}, TypeError),
    ((models.mlp(2, [4], 2), [0.1], [0]), {}, TypeError),
    ((make_net, [], [0]), {}, ValueError),
    ((make_net, [0.1], []), {}, ValueError),
    ((make_net, 0.1, [0]), {}, TypeError),
    ((make_net, "0.1", [0]), {}, TypeError),
    ((make_net, [0.1, 0.1], [0]), {}, ValueError),
    ((make_net, [-0.1], [0]), {}, ValueError),
    ((make_net, [0.1], [-1]), {}, ValueError),
    ((make_net, [0.1], [0.5]), {}, TypeError),
    ((make_net, [0.1], [0]), {"target_accuracy": 1.5}, ValueError),
    ((make_net, [0.1], [0]), {"target_accuracy": 0.0}, ValueError),
    ((make_net, [0.1], [0]), {"patience": 0}, ValueError),
    ((make_net, [0.1], [0]), {"config": "fast"}, TypeError),
    ((lambda: "a model", [0.1], [0]), {}, TypeError),
])
def test_sweep_rejects_bad_arguments(xor, args, kwargs, error):
    make, rates, seeds = args
    with pytest.raises(error, match="sweep_learning_rates"):
        sweep_learning_rates(make, xor, rates, seeds, **kwargs)


def test_sweep_needs_a_dataset():
    with pytest.raises(TypeError, match="Dataset"):
        sweep_learning_rates(make_net, (torch.zeros(4, 2), torch.zeros(4)), [0.1], [0])


# ---- plot_timeline ------------------------------------------------------------------------------

EVENTS = [
    (2010, "Nair & Hinton name the rectified linear unit", "naming"),
    (1969, "Fukushima: analog threshold elements", "precursor"),
    (1941, "Householder: a rectifying ramp", "precursor"),
    (2012, "Krizhevsky et al.: AlexNet", "naming"),
    (2016, "Clevert et al.: ELU", "variant"),
    (2016, "Hendrycks & Gimpel: GELU", "variant"),
]


@pytest.mark.usefixtures("rc_unchanged")
def test_timeline_rows_labels_and_markers():
    fig = P.plot_timeline(EVENTS)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    # sorted by year, earliest first; equal years keep their order
    assert texts == ["1941  Householder: a rectifying ramp",
                     "1969  Fukushima: analog threshold elements",
                     "2010  Nair & Hinton name the rectified linear unit",
                     "2012  Krizhevsky et al.: AlexNet",
                     "2016  Clevert et al.: ELU",
                     "2016  Hendrycks & Gimpel: GELU"]
    markers = [line for line in ax.lines if len(line.get_xdata()) == 1]
    assert [line.get_xdata()[0] for line in markers] == [1941, 1969, 2010, 2012, 2016, 2016]
    rows = [line.get_ydata()[0] for line in markers]
    assert rows == sorted(rows, reverse=True) and len(set(rows)) == 6  # one row each, top down
    # one colour and one marker shape per kind, in order of first appearance
    kinds = ["precursor", "precursor", "naming", "naming", "variant", "variant"]
    style = {}
    for kind, line in zip(kinds, markers):
        style.setdefault(kind, set()).add((line.get_color(), line.get_marker()))
    assert all(len(s) == 1 for s in style.values())
    assert len({next(iter(s)) for s in style.values()}) == 3
    assert style["naming"] == {(P.PALETTE[0], P.MARKERS[0])}   # first kind in the data
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["naming", "precursor", "variant"]


@pytest.mark.usefixtures("rc_unchanged")
def test_timeline_labels_stay_inside_and_do_not_overlap():
    events = EVENTS + [(1980, "Fukushima: the Neocognitron", "precursor"),
                       (2024, "a late event whose label must go to the left", "variant")]
    fig = P.plot_timeline(events, highlight=(2010, 2012, "named"))
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    for t, box in zip(ax.texts, boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, t.get_text()
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, t.get_text()
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (ax.texts[i].get_text(),
                                                     ax.texts[j].get_text())
    legend = ax.get_legend().get_window_extent(renderer)
    assert not any(legend.overlaps(box) for box in boxes)
    side = {t.get_text()[:4]: t.get_horizontalalignment() for t in ax.texts}
    assert side["1941"] == side["1969"] == "left"            # written to the right
    assert side["2024"] == side["2012"] == "right"           # written to the left


@pytest.mark.usefixtures("rc_unchanged")
def test_timeline_accepts_mappings_an_axis_and_a_highlight():
    fig, ax = P.subplots(figsize=(6, 3))
    events = [{"year": 2011, "label": "deep rectifier networks"},
              {"year": 2013, "label": "leaky ReLU", "kind": "variant"}]
    out = P.plot_timeline(events, ax=ax, highlight=(2010, 2012), legend_loc=None,
                          title="two events")
    assert out is fig and ax.get_title() == "two events"
    assert ax.get_legend() is None
    assert len(ax.patches) == 1                                  # the shaded band
    band = ax.patches[0].get_extents()
    left, right = ax.transData.transform([(2010, 0), (2012, 0)])[:, 0]
    assert band.x0 == pytest.approx(left) and band.x1 == pytest.approx(right)
    lo, hi = ax.get_xlim()
    assert lo < 2010 and hi > 2013


@pytest.mark.parametrize("events, kwargs, error", [
    ([], {}, ValueError),
    ("1969 Fukushima", {}, TypeError),
    ({"year": 1969, "label": "x"}, {}, TypeError),
    ([(1969,)], {}, TypeError),
    ([("1969", "Fukushima", "p")], {}, TypeError),
    ([(True, "Fukushima", "p")], {}, TypeError),
    ([(math.nan, "Fukushima", "p")], {}, ValueError),
    ([(1969, "", "p")], {}, ValueError),
    ([(1969, "Fukushima", 3)], {}, ValueError),
    ([{"label": "no year"}], {}, ValueError),
    ([(1969, "Fukushima", "p")], {"highlight": (2012, 2010)}, ValueError),
    ([(1969, "Fukushima", "p")], {"highlight": 2010}, TypeError),
])
def test_timeline_rejects_bad_events(events, kwargs, error):
    with pytest.raises(error, match="plot_timeline"):
        P.plot_timeline(events, **kwargs)


# ---- the chapter's exercise checks accept the reference answers and reject wrong ones ------------

def test_exercise_checks_are_exported():
    import relu_course.exercises as E
    for name in ch02.__all__:
        assert getattr(E, name) is getattr(ch02, name)


def _stepped(x, n, step=1.0):
    centres = (torch.arange(1, n + 1, dtype=x.dtype) - 0.5) * step
    return step * torch.sigmoid(x.unsqueeze(-1) - centres).sum(-1)


def test_check_stepped_sigmoid_sum():
    result = ch02.check_stepped_sigmoid_sum(_stepped)
    assert result.passed and "0.0106" in result.message and "0.0026" in result.message

    def stub(x, n, step=1.0):
        raise NotImplementedError

    assert ch02.check_stepped_sigmoid_sum(stub).status == "not attempted"
    from_zero = ch02.check_stepped_sigmoid_sum(
        lambda x, n, step=1.0: step * torch.sigmoid(
            x.unsqueeze(-1) - (torch.arange(n, dtype=x.dtype) - 0.5) * step).sum(-1))
    assert not from_zero.passed and "i = 1, ..., n" in from_zero.message
    no_half = ch02.check_stepped_sigmoid_sum(
        lambda x, n, step=1.0: step * torch.sigmoid(
            x.unsqueeze(-1) - torch.arange(1, n + 1, dtype=x.dtype) * step).sum(-1))
    assert not no_half.passed and "half a step" in no_half.message
    no_width = ch02.check_stepped_sigmoid_sum(lambda x, n, step=1.0: _stepped(x, n, step) / step)
    assert not no_width.passed and "multiply the sum by the step" in no_width.message
    two_args = ch02.check_stepped_sigmoid_sum(lambda x, n: _stepped(x, n))
    assert not two_args.passed and "TypeError" in two_args.message
    softplus = ch02.check_stepped_sigmoid_sum(
        lambda x, n, step=1.0: torch.nn.functional.softplus(x))
    assert not softplus.passed and "stepped_sigmoid_sum(" in softplus.message
    flat = ch02.check_stepped_sigmoid_sum(lambda x, n, step=1.0: _stepped(x, n, step).sum())
    assert not flat.passed and "shape" in flat.message

    def in_place(x, n, step=1.0):
        out = _stepped(x, n, step)
        x.zero_()
        return out

    assert "in place" in ch02.check_stepped_sigmoid_sum(in_place).message


def _nrelu(x, generator):
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype)
    return torch.relu(x + noise * torch.sigmoid(x).sqrt())


def test_check_noisy_relu():
    assert ch02.check_noisy_relu_nair_hinton(_nrelu).passed
    std_not_var = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: torch.relu(x + torch.randn(x.shape, generator=g, dtype=x.dtype)
                                * torch.sigmoid(x)))
    assert not std_not_var.passed and "standard deviation" in std_not_var.message
    unit = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: torch.relu(x + torch.randn(x.shape, generator=g, dtype=x.dtype)))
    assert not unit.passed and "not 1" in unit.message
    unclipped = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: x + torch.randn(x.shape, generator=g, dtype=x.dtype))
    assert not unclipped.passed and "negative" in unclipped.message
    global_rng = ch02.check_noisy_relu_nair_hinton(
        lambda x, g: torch.relu(x + torch.randn(x.shape, dtype=x.dtype)
                                * torch.sigmoid(x).sqrt()))
    assert not global_rng.passed and "generator" in global_rng.message
    assert not ch02.check_noisy_relu_nair_hinton(lambda x, g: torch.relu(x)).passed


def test_check_first_epoch_at_target():
    def reference(errors, target):
        for epoch, e in enumerate(errors, start=1):
            if e <= target:
                return epoch
        return None

    assert ch02.check_first_epoch_at_target(reference).passed
    assert ch02.check_first_epoch_at_target(
        lambda errors, target: epochs_to_reach(errors, target)).passed
    zero_based = ch02.check_first_epoch_at_target(
        lambda errors, target: (reference(errors, target) or 0) - 1 if errors else None)
    assert not zero_based.passed and "count from 1" in zero_based.message
    strict = ch02.check_first_epoch_at_target(
        lambda errors, target: next((i + 1 for i, e in enumerate(errors) if e < target), None))
    assert not strict.passed and "<=" in strict.message
    last = ch02.check_first_epoch_at_target(
        lambda errors, target: max((i + 1 for i, e in enumerate(errors) if e <= target),
                                   default=None))
    assert not last.passed and "first" in last.message
    minus_one = ch02.check_first_epoch_at_target(
        lambda errors, target: reference(errors, target) or -1)
    assert not minus_one.passed and "None" in minus_one.message
