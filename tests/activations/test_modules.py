"""Tests of relu_course.activations.modules: the activation layers against their functions and
torch's, their parameters (PReLU), reprs, and the ReLUKink layer."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from relu_course import analysis as Dg
from relu_course import models
from relu_course.activations import functional as F
from relu_course.activations import modules as M

# (class name, constructor kwargs, the functional call it must equal)
MODULES = [
    ("ReLU", {}, F.relu),
    ("LeakyReLU", {}, lambda x: F.leaky_relu(x, 0.01)),
    ("LeakyReLU", {"negative_slope": 0.2}, lambda x: F.leaky_relu(x, 0.2)),
    ("PReLU", {}, lambda x: F.prelu(x, torch.tensor([0.25]))),
    ("PReLU", {"num_parameters": 3, "init": 0.1}, lambda x: F.prelu(x, torch.full((3,), 0.1))),
    ("ELU", {}, F.elu),
    ("ELU", {"alpha": 0.5}, lambda x: F.elu(x, 0.5)),
    ("SELU", {}, F.selu),
    ("GELU", {}, F.gelu),
    ("GELU", {"approximate": "tanh"}, lambda x: F.gelu(x, approximate="tanh")),
    ("SiLU", {}, F.silu),
    ("Mish", {}, F.mish),
    ("Softplus", {}, F.softplus),
    ("Softplus", {"beta": 2.0, "threshold": 5.0}, lambda x: F.softplus(x, 2.0, 5.0)),
    ("Sigmoid", {}, F.sigmoid),
    ("Tanh", {}, F.tanh),
]


MODULE_IDS = [f"{name}({', '.join(f'{k}={v}' for k, v in kw.items())})" for name, kw, _ in MODULES]


def sample(seed=0):
    x = torch.randn(2, 3, 4, generator=torch.Generator().manual_seed(seed)) * 3
    x[0, 0, :2] = 0.0
    return x


@pytest.mark.parametrize("name, kwargs, functional", MODULES, ids=MODULE_IDS)
def test_forward_equals_functional_and_torch(name, kwargs, functional):
    module = getattr(M, name)(**kwargs)
    reference = getattr(nn, name)(**kwargs)
    x = sample()
    out = module(x)
    assert torch.equal(out, functional(x))
    torch.testing.assert_close(out, reference(x))
    assert isinstance(module, nn.Module)


@pytest.mark.parametrize("name, kwargs, functional", MODULES, ids=MODULE_IDS)
def test_backward_matches_torch(name, kwargs, functional):
    module, reference = getattr(M, name)(**kwargs), getattr(nn, name)(**kwargs)
    x1 = sample(1).requires_grad_(True)
    x2 = x1.detach().clone().requires_grad_(True)
    grad_out = sample(2)
    module(x1).backward(grad_out)
    reference(x2).backward(grad_out)
    torch.testing.assert_close(x1.grad, x2.grad)
    for ours, theirs in zip(module.parameters(), reference.parameters(), strict=True):
        torch.testing.assert_close(ours.grad, theirs.grad)


@pytest.mark.parametrize("name, attributes", [
    ("LeakyReLU", ["negative_slope"]), ("ELU", ["alpha"]), ("GELU", ["approximate"]),
    ("Softplus", ["beta", "threshold"]), ("PReLU", ["num_parameters"]),
])
def test_default_hyper_parameters_match_torch(name, attributes):
    ours, theirs = getattr(M, name)(), getattr(nn, name)()
    for attribute in attributes:
        assert getattr(ours, attribute) == getattr(theirs, attribute)


@pytest.mark.parametrize("num_parameters, init", [(1, 0.25), (3, 0.25), (5, -0.1), (2, 0.0)])
def test_prelu_parameters(num_parameters, init):
    module = M.PReLU(num_parameters=num_parameters, init=init)
    assert isinstance(module.weight, nn.Parameter) and module.weight.requires_grad
    assert module.weight.shape == (num_parameters,)
    assert torch.equal(module.weight.detach(), torch.full((num_parameters,), init))
    assert [name for name, _ in module.named_parameters()] == ["weight"]
    torch.testing.assert_close(module.weight, nn.PReLU(num_parameters, init).weight)


def test_prelu_default_is_one_shared_slope():
    module = M.PReLU()
    assert module.num_parameters == 1
    assert module.weight.tolist() == [0.25]


def test_prelu_weight_receives_gradients_and_learns():
    module = M.PReLU(num_parameters=3)
    x = sample(3)
    module(x).sum().backward()
    expected = torch.where(x > 0, 0.0, x).sum(dim=(0, 2))      # d/da of a*x where x <= 0
    torch.testing.assert_close(module.weight.grad, expected)
    before = module.weight.detach().clone()
    torch.optim.SGD(module.parameters(), lr=0.1).step()
    assert not torch.equal(module.weight.detach(), before)


def test_prelu_dtype_device_state_dict_and_reset():
    module = M.PReLU(num_parameters=2, init=0.3, dtype=torch.float64, device="cpu")
    assert module.weight.dtype == torch.float64 and module.weight.device.type == "cpu"
    out = module(torch.randn(4, 2, dtype=torch.float64))
    assert out.dtype == torch.float64
    # State dicts are interchangeable with torch.nn.PReLU.
    theirs = nn.PReLU(2, init=0.75).double()
    module.load_state_dict(theirs.state_dict())
    assert module.weight.tolist() == [0.75, 0.75]
    module.reset_parameters()
    assert module.weight.tolist() == [0.3, 0.3]


@pytest.mark.parametrize("module, text", [
    (M.ReLU(), "ReLU()"),
    (M.LeakyReLU(), "LeakyReLU(negative_slope=0.01)"),
    (M.LeakyReLU(negative_slope=0.1), "LeakyReLU(negative_slope=0.1)"),
    (M.PReLU(), "PReLU(num_parameters=1)"),
    (M.PReLU(num_parameters=3), "PReLU(num_parameters=3)"),
    (M.ELU(), "ELU(alpha=1.0)"),
    (M.ELU(alpha=0.5), "ELU(alpha=0.5)"),
    (M.SELU(), "SELU()"),
    (M.GELU(), "GELU(approximate='none')"),
    (M.GELU(approximate="tanh"), "GELU(approximate='tanh')"),
    (M.SiLU(), "SiLU()"),
    (M.Mish(), "Mish()"),
    (M.Softplus(), "Softplus(beta=1.0, threshold=20.0)"),
    (M.Softplus(beta=2.0, threshold=20.0), "Softplus(beta=2.0, threshold=20.0)"),
    (M.Sigmoid(), "Sigmoid()"),
    (M.Tanh(), "Tanh()"),
], ids=lambda v: v if isinstance(v, str) else "")
def test_repr_equals_torch(module, text):
    assert repr(module) == text
    # torch.nn's namesake, built with the same (float) arguments, prints the same.
    name = type(module).__name__
    kwargs = {k: getattr(module, k) for k in ("negative_slope", "alpha", "approximate", "beta",
                                                "threshold", "num_parameters")
              if hasattr(module, k)}
    assert repr(getattr(nn, name)(**kwargs)) == text


def test_extra_repr():
    assert M.LeakyReLU(0.3).extra_repr() == "negative_slope=0.3"
    assert M.PReLU(4).extra_repr() == "num_parameters=4"
    assert M.ELU(2.5).extra_repr() == "alpha=2.5"
    assert M.GELU("tanh").extra_repr() == "approximate='tanh'"
    assert M.Softplus(3.0, 10.0).extra_repr() == "beta=3.0, threshold=10.0"
    assert M.ReLU().extra_repr() == ""


def test_modules_in_a_sequential_repr():
    net = nn.Sequential(nn.Linear(2, 3), M.LeakyReLU(0.1), M.PReLU(3))
    assert "(1): LeakyReLU(negative_slope=0.1)" in repr(net)
    assert "(2): PReLU(num_parameters=3)" in repr(net)


@pytest.mark.parametrize("name", ["ReLU", "LeakyReLU", "ELU", "SELU", "SiLU", "Mish"])
def test_inplace_is_rejected(name):
    with pytest.raises(ValueError, match="inplace"):
        getattr(M, name)(inplace=True)
    with pytest.raises(TypeError, match="inplace"):
        getattr(M, name)(inplace=1)
    assert getattr(M, name)(inplace=False).inplace is False


@pytest.mark.parametrize("ours, theirs", [
    (lambda: M.LeakyReLU(1), lambda: nn.LeakyReLU(1)),
    (lambda: M.ELU(2), lambda: nn.ELU(2)),
    (lambda: M.Softplus(2, 10), lambda: nn.Softplus(2, 10)),
    (lambda: M.LeakyReLU(0.25), lambda: nn.LeakyReLU(0.25)),
])
def test_reprs_show_arguments_as_given_like_torch(ours, theirs):
    assert repr(ours()) == repr(theirs())
    assert repr(M.ReLUKink(grad_at_zero=1)) == "ReLUKink(grad_at_zero=1)"


def test_relu_kink_module_is_an_activation_layer_with_a_switch():
    layer = M.ReLUKink(grad_at_zero=1.0)
    assert repr(layer) == "ReLUKink(grad_at_zero=1.0)"
    x = torch.zeros(3, requires_grad=True)
    layer(x).sum().backward()
    assert x.grad.tolist() == [1.0, 1.0, 1.0]
    layer.grad_at_zero = 0.0
    x.grad = None
    layer(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0, 0.0]
    net = models.mlp(2, [3, 3], 2, activation=lambda width: M.ReLUKink())
    assert [name for name, _ in Dg.activation_layers(net)] == ["2", "4"]
    z = torch.tensor([[-1.0, 0.0, 2.0]])
    assert Dg.activation_derivatives(nn.Sequential(M.ReLUKink(1.0)), z)["0"].tolist() == [[0, 1, 1]]
    with pytest.raises(ValueError):
        M.ReLUKink(grad_at_zero=math.inf)
