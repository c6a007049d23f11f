"""Tests of relu_course.models.cnn: small_cnn, conv_norm_cnn, residual blocks, small_resnet and
the audio CNN."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from relu_course import models, set_seed
from relu_course.activations import modules as M
from relu_course.models import cnn


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
