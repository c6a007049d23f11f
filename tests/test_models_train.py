"""relu_course.models (builders, initialisation) and relu_course.train (fit, evaluate)."""

from __future__ import annotations

import dataclasses
import math

import pytest
import torch
from torch import nn

from relu_course import data as D
from relu_course import models, set_seed
from relu_course.activations import modules as M
from relu_course.activations import registry
from relu_course.training import History, TrainConfig, TrainingDiverged, evaluate, fit


@pytest.fixture(scope="module")
def moons():
    return D.load("moons", n_samples=256, seed=0)


def small_net(seed=0, **kwargs):
    set_seed(seed)
    return models.mlp(2, [16, 16], 2, **kwargs)


# ---------------------------------------------------------------------------------------------
# mlp and small_cnn
# ---------------------------------------------------------------------------------------------

def test_mlp_structure():
    net = models.mlp(2, [8, 5], 3)
    kinds = [type(m) for m in net]
    assert kinds == [nn.Flatten, nn.Linear, M.ReLU, nn.Linear, M.ReLU, nn.Linear]
    shapes = [(m.in_features, m.out_features) for m in net if isinstance(m, nn.Linear)]
    assert shapes == [(2, 8), (8, 5), (5, 3)]
    assert net(torch.zeros(7, 2)).shape == (7, 3)


def test_mlp_flattens_images():
    net = models.mlp(64, [10], 10)
    assert net(torch.zeros(4, 1, 8, 8)).shape == (4, 10)


def test_mlp_without_hidden_layers_is_linear():
    net = models.mlp(3, [], 2)
    assert [type(m) for m in net] == [nn.Flatten, nn.Linear]


@pytest.mark.parametrize("name", registry.ACTIVATION_NAMES)
def test_mlp_every_activation(name):
    net = models.mlp(2, [4, 4], 2, name)
    acts = [m for m in net if not isinstance(m, (nn.Flatten, nn.Linear))]
    assert len(acts) == 2 and acts[0] is not acts[1]
    assert all(type(a) is type(registry.get_activation(name)) for a in acts)
    assert net(torch.randn(3, 2)).shape == (3, 2)


def test_mlp_passes_activation_arguments():
    net = models.mlp(2, [4, 4], 2, "leaky_relu", activation_kwargs={"negative_slope": 0.2})
    slopes = [m.negative_slope for m in net if isinstance(m, M.LeakyReLU)]
    assert slopes == [0.2, 0.2]
    net = models.mlp(2, [4], 2, "prelu", activation_kwargs={"num_parameters": 4, "init": 0.1})
    assert net[2].weight.shape == (4,)
    assert torch.all(net[2].weight == 0.1)          # PReLU's init, not the init scheme
    net = models.mlp(2, [4], 2, "prelu", init="he", activation_kwargs={"init": 0.1})
    assert torch.all(net[2].weight == 0.1)


def test_builders_accept_an_activation_factory():
    net = models.mlp(2, [3, 5], 2, lambda width: M.PReLU(width))
    assert [m.weight.shape[0] for m in net if isinstance(m, M.PReLU)] == [3, 5]
    cnn = models.small_cnn(channels=(4, 6), activation=lambda c: M.PReLU(c))
    assert [m.weight.shape[0] for m in cnn if isinstance(m, M.PReLU)] == [4, 6]
    assert cnn(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    with pytest.raises(TypeError, match="nn.Module"):
        models.mlp(2, [3], 2, lambda width: "relu")
    with pytest.raises(ValueError, match="activation_kwargs"):
        models.mlp(2, [3], 2, lambda width: M.ReLU(), activation_kwargs={"inplace": False})


def test_small_cnn_structure():
    net = models.small_cnn()
    kinds = [type(m) for m in net]
    assert kinds == [nn.Conv2d, M.ReLU, nn.MaxPool2d, nn.Conv2d, M.ReLU, nn.MaxPool2d,
                     nn.Flatten, nn.Linear]
    assert (net[0].in_channels, net[0].out_channels, net[0].kernel_size, net[0].padding) == \
        (1, 16, (3, 3), (1, 1))
    assert net[3].out_channels == 32
    assert net[-1].in_features == 32 * 2 * 2 and net[-1].out_features == 10
    assert net(torch.zeros(5, 1, 8, 8)).shape == (5, 10)


@pytest.mark.parametrize("channels, image_size, in_channels", [
    ((8,), 8, 1), ((4, 8, 16), 28, 3), ((2, 2, 2), 8, 1),
])
def test_small_cnn_shapes(channels, image_size, in_channels):
    net = models.small_cnn(in_channels, 7, channels, "gelu", image_size=image_size)
    out = net(torch.randn(2, in_channels, image_size, image_size))
    assert out.shape == (2, 7)
    side = image_size // 2 ** len(channels)
    assert net[-1].in_features == channels[-1] * side * side
    assert sum(isinstance(m, M.GELU) for m in net) == len(channels)


BAD_BUILDS = [
    ("mlp", (2, 8, 2), {}, TypeError),                       # hidden must be a list
    ("mlp", (2, "88", 2), {}, TypeError),
    ("mlp", (2, [8, 0], 2), {}, ValueError),
    ("mlp", (2, [8, -1], 2), {}, ValueError),
    ("mlp", (2, [8.0], 2), {}, TypeError),
    ("mlp", (0, [8], 2), {}, ValueError),
    ("mlp", (2, [8], 0), {}, ValueError),
    ("mlp", (2.0, [8], 2), {}, TypeError),
    ("mlp", (2, [8], 2, "relu7"), {}, ValueError),
    ("mlp", (2, [8], 2), {"init": "kaiming"}, ValueError),
    ("mlp", (2, [8], 2, "relu"), {"negative_slope": 0.1}, TypeError),
    ("small_cnn", (), {"channels": []}, ValueError),
    ("small_cnn", (), {"channels": 16}, TypeError),
    ("small_cnn", (), {"channels": [4, 4, 4, 4], "image_size": 8}, ValueError),
    ("small_cnn", (), {"in_channels": 0}, ValueError),
    ("small_cnn", (), {"num_classes": 0}, ValueError),
    ("small_cnn", (), {"activation": "nope"}, ValueError),
    ("small_cnn", (), {"init": "uniform"}, ValueError),
    ("init_weights", ("net", "he"), {}, TypeError),
]


@pytest.mark.parametrize("builder, args, kwargs, error", BAD_BUILDS,
                         ids=[f"{b}{a}{k}" for b, a, k, _ in BAD_BUILDS])
def test_bad_builder_arguments(builder, args, kwargs, error):
    with pytest.raises(error):
        getattr(models, builder)(*args, **kwargs)


def test_unknown_init_scheme():
    with pytest.raises(ValueError, match="HE"):
        models.init_weights(nn.Linear(2, 2), "HE")


# ---------------------------------------------------------------------------------------------
# Initialisation schemes
# ---------------------------------------------------------------------------------------------

LAYERS = {
    "linear": (lambda: nn.Linear(400, 300), 400, 300),
    "conv": (lambda: nn.Conv2d(64, 32, 3), 64 * 9, 32 * 9),
}
STD = {
    "he": lambda fan_in, fan_out: math.sqrt(2.0 / fan_in),
    "xavier": lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out)),
    "lecun": lambda fan_in, fan_out: math.sqrt(1.0 / fan_in),
    "default": lambda fan_in, fan_out: 1.0 / math.sqrt(fan_in) / math.sqrt(3.0),  # U(+-b)
}


def test_init_schemes_listed():
    assert set(models.INIT_SCHEMES) == set(STD)


@pytest.mark.parametrize("layer", LAYERS)
@pytest.mark.parametrize("scheme", ["he", "xavier", "lecun", "default"])
def test_init_scheme_std(scheme, layer):
    build, fan_in, fan_out = LAYERS[layer]
    set_seed(0)
    module = build()
    assert models.init_weights(module, scheme) is module
    w = module.weight.detach()
    expected = STD[scheme](fan_in, fan_out)
    assert w.std().item() == pytest.approx(expected, rel=0.03)
    assert abs(w.mean().item()) < 0.03 * expected
    if scheme == "default":
        bound = 1.0 / math.sqrt(fan_in)
        assert w.abs().max() <= bound
        assert 0 < module.bias.abs().max() <= bound
    else:
        assert not module.bias.any()                  # biases start at zero
        # a normal distribution, not a uniform one: some weights beyond sqrt(3) std
        assert (w.abs() > math.sqrt(3.0) * expected).any()


def test_default_scheme_is_torchs_reset_parameters():
    torch.manual_seed(5)
    ours = models.init_weights(nn.Linear(30, 20), "default")
    torch.manual_seed(5)
    theirs = nn.Linear(30, 20)
    theirs.reset_parameters()
    assert torch.equal(ours.weight, theirs.weight) and torch.equal(ours.bias, theirs.bias)


def test_mlp_init_applies_to_every_layer():
    set_seed(0)
    net = models.mlp(200, [300, 300], 10, init="he")
    for layer in (m for m in net if isinstance(m, nn.Linear)):
        assert not layer.bias.any()
        expected = math.sqrt(2.0 / layer.in_features)
        assert layer.weight.std().item() == pytest.approx(expected, rel=0.05)


def test_init_is_repeatable_with_set_seed():
    a, b = small_net(3, init="xavier"), small_net(3, init="xavier")
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)


def test_init_leaves_other_layers_alone():
    net = nn.Sequential(nn.Linear(4, 4), M.PReLU(4, init=0.25), nn.BatchNorm1d(4))
    models.init_weights(net, "he")
    assert net[1].weight.tolist() == [0.25] * 4
    assert net[2].weight.tolist() == [1.0] * 4


# ---------------------------------------------------------------------------------------------
# fit / evaluate
# ---------------------------------------------------------------------------------------------

def test_fit_learns_the_moons(moons):
    net = small_net(0)
    history = fit(net, moons, TrainConfig(epochs=15, lr=1e-2, batch_size=32))
    assert history.epochs == 15
    assert history.train_accuracy[-1] > 0.9
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.test_accuracy[-1] > 0.85


def test_history_fields(moons):
    history = fit(small_net(0), moons, TrainConfig(epochs=3))
    for name in ("train_loss", "train_accuracy", "test_loss", "test_accuracy",
                 "seconds_per_epoch"):
        assert len(getattr(history, name)) == 3
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.test_accuracy)
    assert all(s > 0 for s in history.seconds_per_epoch)
    assert isinstance(history, History)


def test_history_metrics_match_evaluate(moons):
    net = small_net(0)
    history = fit(net, moons, TrainConfig(epochs=2))
    loss, acc = evaluate(net, moons.x_test, moons.y_test)
    assert history.test_loss[-1] == pytest.approx(loss)
    assert history.test_accuracy[-1] == acc


def test_same_seed_same_history(moons):
    config = TrainConfig(epochs=4, lr=5e-3, batch_size=50, seed=2)
    a = fit(small_net(1), moons, config)
    b = fit(small_net(1), moons, config)
    assert a.train_loss == b.train_loss
    assert a.test_loss == b.test_loss
    assert a.train_accuracy == b.train_accuracy and a.test_accuracy == b.test_accuracy


def test_shuffling_seed_changes_the_run(moons):
    a = fit(small_net(1), moons, TrainConfig(epochs=2, batch_size=50, seed=0))
    b = fit(small_net(1), moons, TrainConfig(epochs=2, batch_size=50, seed=1))
    assert a.train_loss != b.train_loss


def test_fit_does_not_use_the_global_rng(moons):
    net = small_net(0)
    state = torch.get_rng_state()
    fit(net, moons, TrainConfig(epochs=1))
    assert torch.equal(state, torch.get_rng_state())


@pytest.mark.parametrize("config", [
    TrainConfig(epochs=2, batch_size=None),
    TrainConfig(epochs=2, batch_size=1000),
    TrainConfig(epochs=2, optimizer="sgd", lr=0.1, momentum=0.9, weight_decay=1e-4),
], ids=["full-batch", "batch-larger-than-data", "sgd-momentum"])
def test_fit_configurations(moons, config):
    net = small_net(0)
    before = [p.detach().clone() for p in net.parameters()]
    history = fit(net, moons, config)
    assert history.epochs == 2
    assert any(not torch.equal(p, q) for p, q in zip(net.parameters(), before, strict=True))


def test_callback_can_stop_early(moons):
    calls = []

    def callback(epoch, model, history):
        calls.append((epoch, history.epochs))
        assert isinstance(model, nn.Module)
        return epoch == 3

    history = fit(small_net(0), moons, TrainConfig(epochs=10), callback=callback)
    assert calls == [(1, 1), (2, 2), (3, 3)]
    assert history.epochs == 3


def test_callback_returning_none_continues(moons):
    history = fit(small_net(0), moons, TrainConfig(epochs=3), callback=lambda *a: None)
    assert history.epochs == 3


def test_empty_test_set(moons):
    tiny = D.load("moons", n_samples=2)
    assert len(tiny.y_test) == 0
    history = fit(small_net(0), tiny, TrainConfig(epochs=2))
    assert history.test_loss == [] and len(history.train_loss) == 2


@pytest.mark.parametrize("lr", [1e6, 1e10])
def test_divergence_raises(moons, lr):
    config = TrainConfig(epochs=30, lr=lr, optimizer="sgd", batch_size=None)
    with pytest.raises(TrainingDiverged, match="diverged") as info:
        fit(small_net(0), moons, config)
    assert str(lr) in str(info.value)
    assert isinstance(info.value, FloatingPointError)


def test_fit_argument_types(moons):
    with pytest.raises(TypeError):
        fit("model", moons)
    with pytest.raises(TypeError):
        fit(small_net(), (moons.x_train, moons.y_train))
    with pytest.raises(TypeError):
        fit(small_net(), moons, {"epochs": 1})
    frozen = small_net()
    frozen.requires_grad_(False)
    with pytest.raises(ValueError, match="trainable"):
        fit(frozen, moons, TrainConfig(epochs=1))


def test_evaluate(moons):
    net = small_net(0)
    net.train()
    loss, acc = evaluate(net, moons.x_test, moons.y_test, batch_size=7)
    assert net.training                                         # mode restored
    with torch.no_grad():
        logits = net(moons.x_test)
    assert loss == pytest.approx(nn.functional.cross_entropy(logits, moons.y_test).item(),
                                 rel=1e-5)
    assert acc == (logits.argmax(1) == moons.y_test).float().mean().item()
    net.eval()
    evaluate(net, moons.x_test, moons.y_test)
    assert not net.training
    with pytest.raises(ValueError):
        evaluate(net, moons.x_test, moons.y_test[:-1])
    with pytest.raises(ValueError):
        evaluate(net, moons.x_test[:0], moons.y_test[:0])


def test_train_config_defaults_and_frozen():
    config = TrainConfig()
    assert (config.epochs, config.lr, config.batch_size, config.optimizer) == \
        (20, 1e-2, 64, "adam")
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.lr = 1.0


@pytest.mark.parametrize("kwargs, error", [
    ({"epochs": 0}, ValueError), ({"epochs": 1.5}, TypeError), ({"lr": 0.0}, ValueError),
    ({"lr": -1e-3}, ValueError), ({"lr": math.nan}, ValueError), ({"lr": math.inf}, ValueError),
    ({"lr": "0.1"}, TypeError), ({"batch_size": 0}, ValueError), ({"batch_size": 3.0}, TypeError),
    ({"optimizer": "rmsprop"}, ValueError), ({"optimizer": "Adam"}, ValueError),
    ({"momentum": -0.1}, ValueError), ({"weight_decay": -1.0}, ValueError),
    ({"seed": -1}, ValueError), ({"seed": 0.5}, TypeError),
], ids=lambda v: v.__name__ if isinstance(v, type) else repr(v))
def test_train_config_rejects_bad_values(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        TrainConfig(**kwargs)


def test_fit_accepts_an_optimizer_with_parameter_groups():
    from relu_course import data as D
    from relu_course import models as Mo
    from relu_course import training as T

    torch.manual_seed(0)
    net = Mo.mlp(2, [8], 2, activation="prelu")
    slopes = [p for n, p in net.named_parameters() if n.endswith("1.weight") is False
              and p.numel() == 1]
    others = [p for p in net.parameters() if all(p is not s for s in slopes)]
    assert slopes and others
    opt = torch.optim.SGD([{"params": others, "weight_decay": 0.0},
                           {"params": slopes, "weight_decay": 0.0, "lr": 0.0}], lr=0.1)
    before = [s.detach().clone() for s in slopes]
    history = T.fit(net, D.load("moons", n_samples=80), T.TrainConfig(epochs=3), optimizer=opt)
    assert history.epochs == 3
    assert all(torch.equal(b, s) for b, s in zip(before, slopes))   # lr 0: slopes frozen
    with pytest.raises(TypeError, match="optimizer"):
        T.fit(net, D.load("moons", n_samples=80), optimizer="sgd")
    stranger = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match="not parameters of the model"):
        T.fit(net, D.load("moons", n_samples=80), optimizer=stranger)
