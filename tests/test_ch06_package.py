"""Package additions for chapter 6 ("Leaky ReLU"): diagnostics.never_positive_units,
diagnostics.unit_preactivation_gradients, diagnostics.effective_negative_slopes,
train.fit_seeds_monitored, plotting.plot_seed_band and the chapter's exercise checks."""

from __future__ import annotations

import math
from functools import partial

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from relu_course import analysis as Dg
from relu_course import exercises as E
from relu_course import models, set_seed
from relu_course import plotting as P
from relu_course import training as T
from relu_course.activations import functional as F
from relu_course.activations import modules as M
from relu_course.data import load


def one_layer(activation: nn.Module, biases) -> nn.Sequential:
    """2 inputs -> len(biases) hidden units (weights 1, 0 for unit 0 ...) -> 2 logits."""
    set_seed(0)
    net = nn.Sequential(nn.Linear(2, len(biases)), activation, nn.Linear(len(biases), 2))
    with torch.no_grad():
        net[0].bias.copy_(torch.tensor(biases, dtype=torch.float32))
    return net


def batch(n=64, seed=0):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, 2, generator=gen), torch.randint(0, 2, (n,), generator=gen)


def hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


# ---------------------------------------------------------------------------------------------
# diagnostics.never_positive_units
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", [M.ReLU(), M.LeakyReLU(0.1), nn.LeakyReLU(0.3), M.ELU()])
def test_never_positive_units_flags_units_with_negative_preactivations(activation):
    net = one_layer(activation, [-100.0, 100.0, -100.0, 0.0])
    x, _ = batch()
    mask = Dg.never_positive_units(net, x)["1"]
    assert mask.dtype == torch.bool and mask.shape == (4,)
    assert mask[:3].tolist() == [True, False, True]
    assert hook_count(net) == 0


def test_never_positive_units_agrees_with_dead_unit_fraction():
    set_seed(1)
    for name in ("relu", "leaky_relu"):
        net = models.mlp(2, [16, 16], 2, name)
        with torch.no_grad():
            net[1].bias.sub_(1.5)                       # kill some units
        x, _ = batch(128)
        masks = Dg.never_positive_units(net, x)
        fractions = Dg.dead_unit_fraction(net, x)
        assert list(masks) == list(fractions)
        for layer, mask in masks.items():
            assert mask.float().mean().item() == pytest.approx(fractions[layer])
        assert any(m.any() for m in masks.values())


def test_never_positive_units_uses_the_preactivation_not_the_output():
    # With a negative slope, the output is positive where z < 0: the unit still counts as
    # never positive, because the test is on z.
    net = one_layer(M.LeakyReLU(-0.5), [-100.0, 100.0])
    x, _ = batch()
    assert Dg.never_positive_units(net, x)["1"].tolist() == [True, False]
    assert Dg.dead_unit_fraction(net, x)["1"] == 0.0               # outputs are positive


def test_never_positive_units_treats_exact_zero_as_not_positive():
    net = nn.Sequential(nn.Linear(2, 2), M.ReLU())
    with torch.no_grad():
        net[0].weight.zero_()
        net[0].bias.copy_(torch.tensor([0.0, 1e-6]))
    assert Dg.never_positive_units(net, torch.randn(5, 2))["1"].tolist() == [True, False]


def test_never_positive_units_counts_every_position_of_a_convolution():
    set_seed(0)
    net = models.small_cnn(channels=(4,))
    mask = Dg.never_positive_units(net, torch.rand(3, 1, 8, 8))
    assert list(mask) == ["1"] and mask["1"].shape == (4 * 8 * 8,)


def test_never_positive_units_rejects_bad_input():
    net = models.mlp(2, [3], 2)
    with pytest.raises(TypeError):
        Dg.never_positive_units(net, [[0.0, 1.0]])
    with pytest.raises(ValueError, match="no examples"):
        Dg.never_positive_units(net, torch.zeros(0, 2))
    with pytest.raises(ValueError, match="no activation layers"):
        Dg.never_positive_units(nn.Linear(2, 2), torch.zeros(3, 2))


# ---------------------------------------------------------------------------------------------
# diagnostics.unit_preactivation_gradients
# ---------------------------------------------------------------------------------------------

def manual_unit_gradients(net, x, y, slope):
    """dL/dz per example for a Linear -> activation -> Linear net, computed by hand."""
    z = net[0](x)
    h = torch.where(z > 0, z, slope * z)
    logits = net[2](h)
    p = torch.softmax(logits, dim=1)
    dlogits = (p - nn.functional.one_hot(y, 2).float()) / len(x)     # mean cross-entropy
    dh = dlogits @ net[2].weight
    dz = dh * torch.where(z > 0, torch.ones_like(z), torch.full_like(z, slope))
    return dz.detach().double().norm(dim=0)


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.3])
def test_unit_preactivation_gradients_match_a_hand_computation(slope):
    activation = M.ReLU() if slope == 0.0 else M.LeakyReLU(slope)
    net = one_layer(activation, [-100.0, 0.2, -100.0])
    x, y = batch()
    got = Dg.unit_preactivation_gradients(net, x, y)["1"]
    expected = manual_unit_gradients(net, x, y, slope)
    assert got.dtype == torch.float64 and got.shape == (3,)
    assert torch.allclose(got, expected, rtol=1e-5, atol=1e-9)
    if slope == 0.0:
        assert got[0].item() == 0.0 and got[2].item() == 0.0      # dead: exactly nothing
    else:
        assert got[0].item() > 0.0 and got[2].item() > 0.0         # leaky: still something


def test_unit_preactivation_gradients_leave_the_model_alone():
    set_seed(0)
    net = models.mlp(2, [8, 8], 2, "leaky_relu")
    before = [p.detach().clone() for p in net.parameters()]
    x, y = batch()
    grads = Dg.unit_preactivation_gradients(net, x, y)
    assert list(grads) == ["2", "4"] and all(g.shape == (8,) for g in grads.values())
    assert all(p.grad is None for p in net.parameters())
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert hook_count(net) == 0


def test_unit_preactivation_gradients_layer_norm_matches_preactivation_gradient_norms():
    set_seed(2)
    net = models.mlp(2, [6, 6], 3)
    x, y = torch.randn(20, 2), torch.randint(0, 3, (20,))
    per_unit = Dg.unit_preactivation_gradients(net, x, y)
    per_layer = Dg.preactivation_gradient_norms(net, x, y)
    for name in per_layer:
        assert per_unit[name].norm().item() == pytest.approx(per_layer[name], rel=1e-5)


def test_unit_preactivation_gradients_reject_bad_arguments():
    net = models.mlp(2, [4], 2)
    x, y = batch(8)
    with pytest.raises(TypeError):
        Dg.unit_preactivation_gradients(net, x, [0] * 8)
    with pytest.raises(ValueError, match="same, non-zero"):
        Dg.unit_preactivation_gradients(net, x, y[:3])
    inplace = nn.Sequential(nn.Linear(2, 4), nn.ReLU(inplace=True), nn.Linear(4, 2))
    with pytest.raises(ValueError, match="in place"):
        Dg.unit_preactivation_gradients(inplace, x, y)
    frozen = models.mlp(2, [4], 2)
    for p in frozen.parameters():
        p.requires_grad_(False)
    with pytest.raises(ValueError, match="trainable"):
        Dg.unit_preactivation_gradients(frozen, x, y)


# ---------------------------------------------------------------------------------------------
# diagnostics.effective_negative_slopes
# ---------------------------------------------------------------------------------------------

def test_effective_negative_slopes_of_fixed_slopes():
    assert Dg.effective_negative_slopes(M.LeakyReLU(0.2), 5).tolist() == [0.2] * 5
    assert Dg.effective_negative_slopes(nn.LeakyReLU(), 3).tolist() == [0.01] * 3
    fn = partial(F.leaky_relu, negative_slope=0.3)
    assert torch.allclose(Dg.effective_negative_slopes(fn, 4, value=-2.5),
                          torch.full((4,), 0.3, dtype=torch.float64))
    assert Dg.effective_negative_slopes(M.ReLU(), 2).tolist() == [0.0, 0.0]
    prelu = Dg.effective_negative_slopes(M.PReLU(), 3)               # float32 weight 0.25
    assert prelu.dtype == torch.float64 and prelu.tolist() == [0.25] * 3


def test_effective_negative_slopes_of_rrelu_in_both_modes():
    rrelu = nn.RReLU()
    rrelu.eval()
    set_seed(0)
    train_slopes = Dg.effective_negative_slopes(rrelu, 20_000, training=True)
    assert not rrelu.training                                       # mode restored
    assert train_slopes.min() >= 1 / 8 and train_slopes.max() <= 1 / 3
    assert train_slopes.unique().numel() > 19_000                   # one draw per element
    assert abs(train_slopes.mean().item() - (1 / 8 + 1 / 3) / 2) < 0.003
    rrelu.train()
    eval_slopes = Dg.effective_negative_slopes(rrelu, 10, training=False)
    assert rrelu.training
    assert torch.allclose(eval_slopes, torch.full((10,), (1 / 8 + 1 / 3) / 2,
                                                  dtype=torch.float64))


def test_effective_negative_slopes_reject_bad_arguments():
    with pytest.raises(ValueError, match="negative"):
        Dg.effective_negative_slopes(M.ReLU(), 3, value=0.0)
    with pytest.raises(ValueError, match="nn.Module only"):
        Dg.effective_negative_slopes(F.relu, 3, training=True)
    with pytest.raises(TypeError):
        Dg.effective_negative_slopes(M.ReLU(), 3, training="yes")
    with pytest.raises(TypeError):
        Dg.effective_negative_slopes(0.1, 3)
    with pytest.raises(ValueError):
        Dg.effective_negative_slopes(M.ReLU(), 0)
    with pytest.raises(ValueError, match="shape"):
        Dg.effective_negative_slopes(lambda x: x.sum(), 3)


# ---------------------------------------------------------------------------------------------
# train.fit_seeds_monitored
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def xor_data():
    return load("xor", n_samples=96)


def test_fit_seeds_monitored_returns_one_monitored_run_per_seed(xor_data):
    make = partial(models.mlp, 2, [8], 2)
    runs = T.fit_seeds_monitored(make, xor_data, T.TrainConfig(epochs=3), seeds=[2, 0])
    assert [r.seed for r in runs] == [2, 0]
    for run in runs:
        assert isinstance(run, T.MonitoredRun) and isinstance(run.model, nn.Module)
        assert run.history.epochs == 3
        assert run.monitor.epochs == [0, 1, 2, 3]
        assert len(run.monitor.series("total_dead")) == 4
        assert "grad_to_weight" not in run.monitor.records[-1]


def test_fit_seeds_monitored_is_reproducible_and_paired(xor_data):
    config = T.TrainConfig(epochs=2, seed=99)
    first = T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2), xor_data, config, [0, 1])
    again = T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2), xor_data, config, [0, 1])
    for a, b in zip(first, again):
        assert a.history.train_loss == b.history.train_loss
        assert a.monitor.records == b.monitor.records
    assert first[0].history.train_loss != first[1].history.train_loss    # seeds differ
    # a different activation starts from the same initial weights (paired comparison)
    leaky = T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2, "leaky_relu"), xor_data,
                                  config, [0])
    set_seed(0)
    initial = models.mlp(2, [8], 2)
    # the seed replaces config.seed, so the minibatch order is the one of TrainConfig(seed=0)
    set_seed(0)
    model = models.mlp(2, [8], 2, "leaky_relu")
    assert torch.equal(model[1].weight, initial[1].weight)
    history = T.fit(model, xor_data, T.TrainConfig(epochs=2, seed=0))
    assert history.train_loss == leaky[0].history.train_loss


def test_fit_seeds_monitored_records_gradient_ratios_with_targets(xor_data):
    runs = T.fit_seeds_monitored(partial(models.mlp, 2, [4], 2), xor_data,
                                 T.TrainConfig(epochs=2), [0], probe=xor_data.x_test,
                                 probe_targets=xor_data.y_test, every=2)
    assert runs[0].monitor.epochs == [0, 2]
    assert set(runs[0].monitor.records[-1]["grad_to_weight"]) == {"1", "3"}


def test_fit_seeds_monitored_names_the_seed_that_diverged(xor_data):
    config = T.TrainConfig(epochs=3, lr=1e30, optimizer="sgd")
    with pytest.raises(T.TrainingDiverged, match="seed 5"):
        T.fit_seeds_monitored(partial(models.mlp, 2, [8], 2), xor_data, config, [5])


def test_fit_seeds_monitored_rejects_bad_arguments(xor_data):
    make = partial(models.mlp, 2, [4], 2)
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(models.mlp(2, [4], 2), xor_data)
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(make, (xor_data.x_train, xor_data.y_train))
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(make, xor_data, config={"epochs": 2})
    with pytest.raises(TypeError):
        T.fit_seeds_monitored(make, xor_data, seeds=3)
    with pytest.raises(ValueError, match="at least one seed"):
        T.fit_seeds_monitored(make, xor_data, seeds=[])
    with pytest.raises(ValueError, match="repeated"):
        T.fit_seeds_monitored(make, xor_data, seeds=[1, 1])
    with pytest.raises(ValueError):
        T.fit_seeds_monitored(make, xor_data, seeds=[-1])
    with pytest.raises(TypeError, match="not an nn.Module"):
        T.fit_seeds_monitored(lambda: "model", xor_data, seeds=[0])


# ---------------------------------------------------------------------------------------------
# plotting.plot_seed_band
# ---------------------------------------------------------------------------------------------

def test_plot_seed_band_draws_mean_lines_and_min_max_bands():
    runs = {"a": [[0.0, 0.5, 1.0], [0.2, 0.3, 0.4]], "b": np.ones((4, 3)) * 0.25}
    fig = P.plot_seed_band(runs, x=[1, 2, 3], ylabel="value", title="demo")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["a (mean of 2)", "b (mean of 4)"]
    assert np.allclose(lines[0].get_ydata(), [0.1, 0.4, 0.7])
    assert np.allclose(lines[0].get_xdata(), [1, 2, 3])
    assert lines[0].get_color() != lines[1].get_color()
    assert lines[0].get_linestyle() != lines[1].get_linestyle()
    bands = ax.collections
    assert len(bands) == 2
    ys = bands[0].get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(0.0) and ys.max() == pytest.approx(1.0)
    assert ax.get_title() == "demo" and ax.get_ylabel() == "value"
    assert ax.get_legend() is not None
    plt.close(fig)


def test_plot_seed_band_options():
    fig, axes = P.subplots(1, 2)
    P.plot_seed_band({"one run": [0.1, 0.2, 0.3]}, ax=axes[0], legend=None, ylim=(0, 1),
                     show_runs=True)
    P.plot_seed_band({"x": torch.zeros(2, 5)}, ax=axes[1], legend="upper left")
    assert axes[0].get_legend() is None and axes[0].get_ylim() == (0.0, 1.0)
    assert len(axes[0].get_lines()) == 2                 # the run and the mean
    assert axes[1].get_legend() is not None
    assert list(axes[1].get_lines()[0].get_xdata()) == [0, 1, 2, 3, 4]
    plt.close(fig)


@pytest.mark.parametrize("runs, kwargs, error", [
    ({}, {}, ValueError),
    ({"a": [[1.0, np.nan]]}, {}, ValueError),
    ({"a": np.zeros((2, 2, 2))}, {}, ValueError),
    ({"a": [[1.0, 2.0], [1.0]]}, {}, TypeError),
    ({"a": "abc"}, {}, TypeError),
    ({"a": [[1.0, 2.0, 3.0]]}, {"x": [0, 1]}, ValueError),
    ({"a": [[1.0, 2.0]]}, {"ylim": (1, 0)}, ValueError),
    ({"a": [[1.0, 2.0]]}, {"legend": 3}, TypeError),
    ({"a": [[1.0, 2.0]]}, {"show_runs": "yes"}, TypeError),
])
def test_plot_seed_band_rejects_bad_input(runs, kwargs, error):
    with pytest.raises(error):
        P.plot_seed_band(runs, **kwargs)
    plt.close("all")


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def leaky_reference(x, negative_slope):
    return np.where(x > 0, x, negative_slope * x), np.where(x > 0, 1.0, negative_slope)


def rrelu_xu_reference(x, training, generator):
    if not training:
        return torch.where(x >= 0, x, x / 5.5)
    a = 3 + 5 * torch.rand(x.shape, generator=generator, dtype=x.dtype)
    return torch.where(x >= 0, x, x / a)


def stub(*args):
    raise NotImplementedError


def test_leaky_relu_check_accepts_the_reference_and_reports_a_stub():
    assert E.check_leaky_relu_with_grad(leaky_reference).passed
    assert E.check_leaky_relu_with_grad(stub).status == "not attempted"


@pytest.mark.parametrize("wrong, hint", [
    (lambda x, a: (np.where(x > 0, x, a * x), np.where(x >= 0, 1.0, a)), "x > 0, not x >= 0"),
    (lambda x, a: (np.maximum(x, 0.0), np.where(x > 0, 1.0, a)), "plain ReLU"),
    (lambda x, a: (np.where(x > 0, x, 0.01 * x), np.where(x > 0, 1.0, 0.01)), "use the argument"),
    (lambda x, a: (np.where(x > 0, x, a * x), np.where(x > 0, 1.0, 0.0)), "not 0"),
    (lambda x, a: (np.where(x > 0, x, a * x), np.where(x > 0, 1.0, a))[0], "pair"),
])
def test_leaky_relu_check_explains_mistakes(wrong, hint):
    result = E.check_leaky_relu_with_grad(wrong)
    assert result.status == "failed" and hint in result.message


def test_leaky_relu_check_catches_in_place_changes():
    def in_place(x, a):
        x[x < 0] *= a
        return x, np.where(x > 0, 1.0, a)
    result = E.check_leaky_relu_with_grad(in_place)
    assert result.status == "failed" and "in place" in result.message


def test_rrelu_xu_check_accepts_the_reference_and_reports_a_stub():
    result = E.check_rrelu_xu_divisor(rrelu_xu_reference)
    assert result.passed, result.message
    assert E.check_rrelu_xu_divisor(stub).status == "not attempted"


def pytorch_style(x, training, generator):
    if not training:
        return torch.where(x >= 0, x, x * (1 / 8 + 1 / 3) / 2)
    slope = 1 / 8 + (1 / 3 - 1 / 8) * torch.rand(x.shape, generator=generator, dtype=x.dtype)
    return torch.where(x >= 0, x, x * slope)


def pytorch_style_training_only(x, training, generator):
    return rrelu_xu_reference(x, False, generator) if not training else pytorch_style(
        x, True, generator)


def no_generator(x, training, generator):
    if not training:
        return rrelu_xu_reference(x, False, generator)
    return torch.where(x >= 0, x, x / (3 + 5 * torch.rand(x.shape, dtype=x.dtype)))


def one_divisor(x, training, generator):
    if not training:
        return rrelu_xu_reference(x, False, generator)
    return torch.where(x >= 0, x, x / (3 + 5 * torch.rand(1, generator=generator).item()))


@pytest.mark.parametrize("wrong, hint", [
    (pytorch_style, "PyTorch's evaluation slope"),
    (pytorch_style_training_only, "PyTorch's nn.RReLU"),
    (no_generator, "generator"),
    (one_divisor, "same slope"),
    (lambda x, training, generator: torch.relu(x), "x / 5.5"),
])
def test_rrelu_xu_check_explains_mistakes(wrong, hint):
    result = E.check_rrelu_xu_divisor(wrong)
    assert result.status == "failed" and hint in result.message, result.message


def test_rrelu_xu_check_expected_mean_is_e_of_one_over_a():
    assert math.log(8 / 3) / 5 == pytest.approx(0.19616, abs=1e-5)
