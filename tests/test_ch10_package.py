"""Package additions for chapter 10, "Common use cases": relu_course.use_cases (image models
with batch normalisation and residual blocks, synthetic audio, spectrograms, a 1-D audio CNN,
confusion matrices, an n-gram baseline), plotting.plot_spectrograms and the chapter's exercise
checks (relu_course.exercises.ch10)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import pytest
import torch
from matplotlib.figure import Figure
from torch import nn

from relu_course import exercises as E
from relu_course import plotting as P
from relu_course import set_seed
from relu_course.activations import modules as M
from relu_course.analysis import metrics
from relu_course.data import Dataset, audio
from relu_course.models import cnn

# ---------------------------------------------------------------------------------------------
# images
# ---------------------------------------------------------------------------------------------


def test_conv_norm_cnn_layout_and_bias():
    net = cnn.conv_norm_cnn(channels=(4, 8))
    kinds = [type(m).__name__ for m in net]
    assert kinds == ["Conv2d", "BatchNorm2d", "ReLU", "MaxPool2d", "Conv2d", "BatchNorm2d",
                     "ReLU", "MaxPool2d", "Flatten", "Linear"]
    assert all(m.bias is None for m in net if isinstance(m, nn.Conv2d))
    plain = cnn.conv_norm_cnn(channels=(4,), norm=False, activation="gelu")
    assert [type(m).__name__ for m in plain] == ["Conv2d", "GELU", "MaxPool2d", "Flatten",
                                                 "Linear"]
    assert plain[0].bias is not None
    assert net(torch.zeros(3, 1, 8, 8)).shape == (3, 10)
    assert cnn.conv_norm_cnn(3, 5, (6,), image_size=16)(torch.zeros(2, 3, 16, 16)).shape == (2, 5)


def test_conv_norm_cnn_relu_zeroes_about_half_after_batch_norm():
    set_seed(0)
    net = cnn.conv_norm_cnn(channels=(8,))
    with torch.no_grad():
        z = net[1](net[0](torch.rand(256, 1, 8, 8)))        # training-mode batch norm
    assert abs(z.mean().item()) < 1e-5
    assert 0.4 < (net[2](z) == 0).float().mean().item() < 0.6


@pytest.mark.parametrize("kwargs, error", [
    ({"channels": ()}, ValueError), ({"channels": (4, 4, 4, 4)}, ValueError),
    ({"norm": 1}, TypeError), ({"channels": 8}, TypeError), ({"activation": "nope"}, ValueError),
    ({"num_classes": 0}, ValueError),
])
def test_conv_norm_cnn_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        cnn.conv_norm_cnn(**kwargs)


@pytest.mark.parametrize("placement", cnn.RESIDUAL_PLACEMENTS)
def test_residual_block_formulas(placement):
    set_seed(1)
    block = cnn.ResidualBlock(4, placement=placement).double()
    x = torch.randn(6, 4, 5, 5, dtype=torch.float64)
    y = block(x)
    f = block.branch(x)
    torch.testing.assert_close(block.last_branch_output, f.detach())
    expected = {"after_add": torch.relu(x + f), "end_of_branch": x + torch.relu(f),
                "none": x + f}[placement]
    torch.testing.assert_close(y, expected)
    assert (f < 0).any() and (f > 0).any()                 # the branch takes both signs
    if placement == "after_add":
        assert (y >= 0).all() and (y == 0).any()
    if placement == "end_of_branch":
        assert (y >= x).all()
    if placement == "none":
        assert (y < 0).any()
    assert placement in repr(block)


def test_residual_block_gradients_flow_through_the_shortcut():
    set_seed(2)
    block = cnn.ResidualBlock(3, placement="none")
    x = torch.randn(4, 3, 4, 4, requires_grad=True)
    block(x).sum().backward()
    assert x.grad is not None and x.grad.abs().min() > 0     # identity path: never zero here


def test_residual_block_rejects_bad_arguments():
    with pytest.raises(ValueError):
        cnn.ResidualBlock(4, placement="before_add")
    with pytest.raises(ValueError):
        cnn.ResidualBlock(0)
    with pytest.raises(TypeError):
        cnn.ResidualBlock(4.0)


def test_small_resnet_structure():
    net = cnn.small_resnet(channels=8, blocks=3, activation="leaky_relu",
                         activation_kwargs={"negative_slope": 0.1}, placement="none")
    blocks = [m for m in net if isinstance(m, cnn.ResidualBlock)]
    assert len(blocks) == 3 and all(b.placement == "none" for b in blocks)
    assert isinstance(blocks[0].act1, M.LeakyReLU) and blocks[0].act1.negative_slope == 0.1
    assert isinstance(blocks[0].act2, nn.Identity)
    assert net(torch.zeros(2, 1, 8, 8)).shape == (2, 10)
    assert not any(isinstance(m, cnn.ResidualBlock) for m in cnn.small_resnet(blocks=0))
    with pytest.raises(ValueError):
        cnn.small_resnet(blocks=-1)


# ---------------------------------------------------------------------------------------------
# audio
# ---------------------------------------------------------------------------------------------

def _peak_slope(x: torch.Tensor) -> torch.Tensor:
    """Mean change per frame of the loudest bin, per clip."""
    spec = audio.log_spectrogram(x)
    return spec.argmax(dim=-2).double().diff(dim=-1).mean(dim=-1)


def test_synthetic_audio_shapes_labels_and_determinism():
    x, y = audio.synthetic_audio(5, seed=3)
    assert x.shape == (20, 1024) and x.dtype == torch.float32 and y.dtype == torch.int64
    assert y.tolist() == [0, 1, 2, 3] * 5
    x2, _ = audio.synthetic_audio(5, seed=3)
    assert torch.equal(x, x2)
    x3, _ = audio.synthetic_audio(5, seed=4)
    assert not torch.equal(x, x3)
    assert torch.isfinite(x).all()


def test_synthetic_audio_classes_look_like_their_names():
    x, y = audio.synthetic_audio(20, seed=0, noise_range=(0.0, 0.05))
    slope = _peak_slope(x)
    assert (slope[y == 1] > 0.2).all()                     # rising chirps climb
    assert (slope[y == 2] < -0.2).all()                    # falling chirps descend
    spec = audio.log_spectrogram(x)
    peak = spec.argmax(dim=-2)                             # (N, frames)
    tone_spread = (peak[y == 0].max(dim=1).values - peak[y == 0].min(dim=1).values)
    assert (tone_spread <= 2).all()                        # a tone stays in its bin
    # white noise is spread over the spectrum: its loudest bin is far less dominant
    share = spec.max(dim=-2).values / spec.sum(dim=-2)
    assert share[y == 3].mean() < 0.5 * share[y == 0].mean()


def test_chirp_sweeps_respect_min_sweep():
    x, y = audio.synthetic_audio(30, seed=1, noise_range=(0.0, 0.0), min_sweep=1000.0)
    spec = audio.log_spectrogram(x)
    peak_hz = spec.argmax(dim=-2).double() * 4000 / 64
    chirps = (y == 1) | (y == 2)
    # between the second and the second-to-last frame the chirp moves by most of its sweep
    moved = (peak_hz[chirps, -2] - peak_hz[chirps, 1]).abs()
    assert (moved > 1000.0 * 28 / 32 - 2 * 4000 / 64).all()


@pytest.mark.parametrize("kwargs, error", [
    ({"n_per_class": 0}, ValueError), ({"noise_range": (0.5, 0.1)}, ValueError),
    ({"noise_range": 0.1}, TypeError), ({"min_sweep": 5000.0}, ValueError),
    ({"seed": -1}, ValueError), ({"length": 8}, ValueError),
])
def test_synthetic_audio_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        audio.synthetic_audio(**{"n_per_class": 2, **kwargs})


def test_load_synthetic_audio_split_is_balanced():
    data = audio.load_synthetic_audio(10, test_fraction=0.2, seed=0)
    assert isinstance(data, Dataset) and data.num_classes == 4
    assert len(data.y_train) == 32 and len(data.y_test) == 8
    assert torch.bincount(data.y_test).tolist() == [2, 2, 2, 2]
    x, _ = audio.synthetic_audio(10, seed=0)
    assert torch.equal(torch.cat([data.x_train, data.x_test]), x)
    with pytest.raises(ValueError):
        audio.load_synthetic_audio(10, test_fraction=1.0)


def test_log_spectrogram_matches_stft_and_batches():
    g = torch.Generator().manual_seed(5)
    x = torch.randn(3, 300, generator=g, dtype=torch.float64)
    s = audio.log_spectrogram(x, n_fft=32, hop_length=8)
    window = torch.hann_window(32, dtype=torch.float64)
    ref = torch.stft(x, 32, 8, window=window, return_complex=True).abs().log1p()
    torch.testing.assert_close(s, ref)
    assert s.shape == (3, 17, 1 + 300 // 8)
    torch.testing.assert_close(audio.log_spectrogram(x[1], 32, 8), s[1])
    torch.testing.assert_close(audio.LogSpectrogram(32, 8)(x), s)
    assert (s >= 0).all()


def test_log_spectrogram_finds_a_tone():
    t = torch.arange(1024) / 4000
    s = audio.log_spectrogram(torch.sin(2 * math.pi * 1000 * t), 64, 32)   # bin 1000/62.5 = 16
    assert (s.argmax(dim=0)[1:-1] == 16).all()


@pytest.mark.parametrize("signal, kwargs, error", [
    ([0.0] * 100, {}, TypeError), (torch.zeros(2, 2, 100), {}, ValueError),
    (torch.zeros(50), {"n_fft": 64}, ValueError), (torch.zeros(100), {"hop_length": 0}, ValueError),
    (torch.zeros(100, dtype=torch.long), {}, TypeError),
])
def test_log_spectrogram_rejects_bad_arguments(signal, kwargs, error):
    with pytest.raises(error):
        audio.log_spectrogram(signal, **kwargs)


def test_spectrogram_dataset():
    clips = audio.load_synthetic_audio(4, length=256)
    data = audio.spectrogram_dataset(clips, n_fft=32, hop_length=16)
    assert data.input_shape == (17, 17) and data.name == "synthetic-audio-spectrogram"
    torch.testing.assert_close(data.x_test, audio.log_spectrogram(clips.x_test, 32, 16))
    assert torch.equal(data.y_train, clips.y_train)
    with pytest.raises(TypeError):
        audio.spectrogram_dataset(clips.x_train)
    with pytest.raises(ValueError):
        audio.spectrogram_dataset(data)                       # already 2-D examples


def test_audio_cnn_without_activation_ignores_the_order_of_frames():
    set_seed(6)
    x = torch.rand(8, 33, 20)
    order = torch.randperm(20)
    linear = cnn.audio_cnn(channels=(8, 8), activation="identity").eval()
    with torch.no_grad():
        torch.testing.assert_close(linear(x), linear(x[..., order]), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(linear(x), linear(x.flip(-1)), rtol=1e-4, atol=1e-5)
    set_seed(6)
    relu = cnn.audio_cnn(channels=(8, 8)).eval()
    with torch.no_grad():
        assert (relu(x) - relu(x.flip(-1))).abs().max() > 1e-3
        # circular padding: rotating the frames changes nothing, even with ReLU
        torch.testing.assert_close(relu(x), relu(x.roll(3, dims=-1)), rtol=1e-4, atol=1e-5)


def test_audio_cnn_layout_and_errors():
    net = cnn.audio_cnn(in_bins=17, num_classes=3, channels=(4, 5), norm=False, kernel_size=3)
    assert [type(m).__name__ for m in net] == ["Conv1d", "ReLU", "Conv1d", "ReLU",
                                               "AdaptiveAvgPool1d", "Flatten", "Linear"]
    assert net[0].padding_mode == "circular"
    assert net(torch.zeros(2, 17, 9)).shape == (2, 3)
    with pytest.raises(ValueError):
        cnn.audio_cnn(kernel_size=4)
    with pytest.raises(ValueError):
        cnn.audio_cnn(channels=())
    with pytest.raises(TypeError):
        cnn.audio_cnn(norm="yes")


def test_confusion_matrix_counts_and_restores_mode():
    net = nn.Sequential(nn.Linear(3, 3, bias=False), nn.BatchNorm1d(3))
    with torch.no_grad():
        net[0].weight.copy_(torch.eye(3))
    net.train()
    x = torch.eye(3).repeat(4, 1) * 5                     # every class predicted right
    y = torch.arange(3).repeat(4)
    c = metrics.confusion_matrix(net, x, y)
    assert c.dtype == torch.int64 and c.tolist() == [[4, 0, 0], [0, 4, 0], [0, 0, 4]]
    assert net.training                                   # mode restored
    wrong = metrics.confusion_matrix(net, x, (y + 1) % 3, num_classes=4)
    assert wrong.shape == (4, 4) and wrong.sum() == 12 and wrong.trace() == 0
    assert wrong[1, 0] == 4                                # true 1, predicted 0


@pytest.mark.parametrize("y, error", [
    (torch.tensor([0.0, 1.0]), TypeError), (torch.tensor([0, 1, 2]), ValueError),
    (torch.tensor([0, 7]), ValueError),
])
def test_confusion_matrix_rejects_bad_labels(y, error):
    with pytest.raises(error):
        metrics.confusion_matrix(nn.Linear(2, 3), torch.zeros(2, 2), y)


# ---------------------------------------------------------------------------------------------
# text baseline
# ---------------------------------------------------------------------------------------------

def _ngram_reference(data, order, k):
    counts = defaultdict(Counter)
    train, valid = data.train.tolist(), data.valid.tolist()
    for i in range(order - 1, len(train)):
        counts[tuple(train[i - order + 1:i])][train[i]] += 1
    total, n = 0.0, 0
    for i in range(order - 1, len(valid)):
        c = counts[tuple(valid[i - order + 1:i])]
        total -= math.log((c[valid[i]] + k) / (sum(c.values()) + k * data.vocab_size))
        n += 1
    return total / n


@pytest.mark.parametrize("order", [1, 2, 3])
def test_char_ngram_loss_matches_a_direct_count(order):
    from relu_course.data import char_corpus

    data = char_corpus("zen", valid_fraction=0.2)
    assert metrics.char_ngram_loss(data, order, 0.5) == pytest.approx(
        _ngram_reference(data, order, 0.5), rel=1e-10)


def test_char_ngram_loss_orders_and_errors():
    from relu_course.data import char_corpus

    data = char_corpus("zen")
    losses = [metrics.char_ngram_loss(data, n) for n in (1, 2)]
    assert losses[1] < losses[0] < math.log(data.vocab_size)
    with pytest.raises(ValueError):
        metrics.char_ngram_loss(data, 0)
    with pytest.raises(ValueError):
        metrics.char_ngram_loss(data, 5)
    with pytest.raises(ValueError):
        metrics.char_ngram_loss(data, 2, smoothing=0.0)
    with pytest.raises(TypeError):
        metrics.char_ngram_loss("some text", 2)


# ---------------------------------------------------------------------------------------------
# plotting.plot_spectrograms
# ---------------------------------------------------------------------------------------------

def test_plot_spectrograms_panels_units_and_shared_scale():
    a, b = torch.zeros(5, 7), torch.ones(5, 7) * 2
    fig = P.plot_spectrograms({"a": a, "b": b}, sample_rate=1000, hop_length=10, n_fft=8)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["a", "b"]
    assert panels[0].get_xlabel() == "time (s)" and panels[0].get_ylabel() == "frequency (Hz)"
    images = [ax.images[0] for ax in panels]
    assert all(im.get_clim() == (0.0, 2.0) for im in images)
    left, right, bottom, top = images[0].get_extent()
    assert right == pytest.approx(6.5 * 10 / 1000) and top == pytest.approx(4.5 * 1000 / 8)
    plain = P.plot_spectrograms({"x": a})
    assert plain.axes[0].get_xlabel() == "frame"


@pytest.mark.parametrize("kwargs, error", [
    ({"spectrograms": {}}, ValueError), ({"spectrograms": {"a": torch.zeros(3)}}, ValueError),
    ({"spectrograms": {"a": torch.full((2, 2), float("nan"))}}, ValueError),
    ({"spectrograms": {"a": torch.zeros(2, 2)}, "sample_rate": 100}, ValueError),
    ({"spectrograms": {"a": torch.zeros(2, 2)}, "sample_rate": -1, "hop_length": 1,
      "n_fft": 2}, ValueError),
    ({"spectrograms": {"a": "xx"}}, TypeError),
])
def test_plot_spectrograms_rejects_bad_arguments(kwargs, error):
    with pytest.raises(error):
        P.plot_spectrograms(**kwargs)


# ---------------------------------------------------------------------------------------------
# exercise checks
# ---------------------------------------------------------------------------------------------

def _stub(*args):
    raise NotImplementedError


def test_check_position_wise_ffn():
    good = E.check_position_wise_ffn(lambda x, W1, b1, W2, b2, a: a(x @ W1.T + b1) @ W2.T + b2)
    assert good.passed and good.checks_passed == 4
    assert E.check_position_wise_ffn(_stub).status == "not attempted"
    no_act = E.check_position_wise_ffn(lambda x, W1, b1, W2, b2, a: (x @ W1.T + b1) @ W2.T + b2)
    assert no_act.status == "failed" and "differs" in no_act.message
    crash = E.check_position_wise_ffn(lambda x, W1, b1, W2, b2, a: a(x @ W1 + b1) @ W2.T + b2)
    assert crash.status == "failed" and "shape (5, 4)" in crash.message

    def flattens(x, W1, b1, W2, b2, a):
        return (a(x @ W1.T + b1) @ W2.T + b2).reshape(-1, x.shape[-1])
    flat = E.check_position_wise_ffn(flattens)
    assert flat.status == "failed" and "leading dimension" in flat.message

    def in_place(x, W1, b1, W2, b2, a):
        x.mul_(2)
        return a(x @ W1.T + b1) @ W2.T + b2
    assert "in place" in E.check_position_wise_ffn(in_place).message


def test_check_spectrogram_peak_track():
    good = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=-2) * r / n)
    assert good.passed and good.checks_passed == 4
    assert E.check_spectrogram_peak_track(_stub).status == "not attempted"
    bins = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=-2))
    assert bins.status == "failed" and "bin numbers" in bins.message
    frames = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=-1) * r / n)
    assert frames.status == "failed"
    first_dim = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=0) * r / n)
    assert first_dim.status == "failed"
