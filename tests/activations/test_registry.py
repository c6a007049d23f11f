"""Tests of relu_course.activations.registry: the table of activations (names, aliases, values at
zero, settings, papers), get_activation and lookup."""

from __future__ import annotations

import math
import re

import pytest
import torch
from torch import nn

from relu_course import analysis, models
from relu_course.activations import functional as F
from relu_course.activations import learnable, registry
from relu_course.activations import modules as M
from relu_course.activations import registry as R
from relu_course.activations import variants as V
from relu_course.activations.packed import PackedReLU
from relu_course.performance import bench

ENTRIES = list(R.ACTIVATIONS.values())


def _default_args(entry, x):
    params = dict(entry.params)
    if entry.name == "prelu":
        params["weight"] = torch.full((1,), 0.25, dtype=x.dtype)
    return params


TORCH_CLASSES = [nn.ReLU, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.GELU, nn.SiLU, nn.Mish,
                 nn.Softplus, nn.Sigmoid, nn.Tanh, nn.ReLU6, nn.Hardswish, nn.RReLU, nn.CELU]


def test_names_are_unique_and_in_the_derived_tables():
    names = [e.name for e in ENTRIES]
    assert len(set(names)) == len(names)
    assert R.ACTIVATION_NAMES == (*names, "identity")
    assert list(R.FUNCTIONS) == list(R.DERIVATIVES) == list(R.BUILTINS)
    assert list(R.FUNCTIONS) == ["relu", "leaky_relu", "prelu", "elu", "selu", "gelu", "silu",
                                 "mish", "softplus", "sigmoid", "tanh"]
    for name, fn in R.FUNCTIONS.items():
        assert fn is getattr(F, name) and R.DERIVATIVES[name] is getattr(F, f"{name}_derivative")
    assert bench.BUILTINS is R.BUILTINS
    with pytest.raises(TypeError):
        R.FUNCTIONS["relu"] = F.gelu                          # read-only
    with pytest.raises(TypeError):
        R.ACTIVATIONS["relu"] = ENTRIES[0]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.value_at_zero is not None],
                         ids=lambda e: e.name)
def test_stated_values_at_zero_match_the_code(entry):
    x = torch.zeros(1, dtype=torch.float64)
    value = entry.function(x, **_default_args(entry, x)).item()
    assert value == pytest.approx(entry.value_at_zero, abs=1e-15)
    module = entry.module()
    derivative = R.module_derivative(module.double(), x).item()
    assert derivative == pytest.approx(entry.derivative_at_zero, abs=1e-15)
    leaf = x.clone().requires_grad_(True)                     # autograd agrees with the table
    entry.function(leaf, **_default_args(entry, x)).sum().backward()
    assert leaf.grad.item() == pytest.approx(entry.derivative_at_zero, abs=1e-15)


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_module_computes_the_function(entry):
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, dtype=torch.float64, generator=gen) * 3
    module = entry.module().double()
    if entry.settings is None:                                 # learnable: pass its tensors
        expected = module(x)
    else:
        expected = entry.function(x, **{**_default_args(entry, x), **R.module_settings(module)})
    torch.testing.assert_close(module(x), expected, rtol=0, atol=0)
    if entry.torch_function is not None:
        torch.testing.assert_close(entry.torch_function(x, **_default_args(entry, x)), expected)
    if entry.torch_module is not None:
        torch.testing.assert_close(entry.torch_module().double()(x), expected)


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.settings], ids=lambda e: e.name)
def test_settings_are_module_attributes_and_parameters(entry):
    module = entry.module()
    assert set(R.module_settings(module)) == set(entry.settings)
    assert set(entry.settings) <= set(entry.params) | {"weight"}
    if entry.torch_module is not None:
        assert set(R.module_settings(entry.torch_module())) == set(entry.settings)


def test_module_settings_read_the_instance():
    assert R.module_settings(M.LeakyReLU(0.2)) == {"negative_slope": 0.2}
    assert R.module_settings(nn.ELU(alpha=0.5)) == {"alpha": 0.5}
    assert R.module_settings(nn.GELU(approximate="tanh")) == {"approximate": "tanh"}
    assert R.module_settings(M.ReLUKink(grad_at_zero=1.0)) == {"grad_at_zero": 1.0}
    slopes = R.module_settings(nn.PReLU(3, init=0.1))["weight"]
    assert not slopes.requires_grad and torch.allclose(slopes, torch.full((3,), 0.1))
    assert R.module_settings(nn.Linear(2, 2)) == {}


def test_module_derivative_uses_the_layer_settings_and_autograd_otherwise():
    x = torch.tensor([-2.0, 0.0, 3.0])
    assert R.module_derivative(nn.LeakyReLU(0.3), x).tolist() == pytest.approx([0.3, 0.3, 1.0])
    assert R.module_derivative(M.ReLUKink(grad_at_zero=1.0), x).tolist() == [0.0, 1.0, 1.0]
    assert R.module_derivative(nn.ReLU6(), torch.tensor([-1.0, 3.0, 7.0])).tolist() == [0, 1, 0]
    assert R.module_derivative(nn.CELU(), torch.tensor([5.0])).tolist() == [1.0]
    with pytest.raises(ValueError, match="not an activation"):
        R.module_derivative(nn.Linear(3, 3), x)


@pytest.mark.parametrize("cls", [*{c for e in ENTRIES for c in e.classes}, *TORCH_CLASSES,
                                 PackedReLU], ids=lambda c: f"{c.__module__}.{c.__name__}")
def test_diagnostics_find_every_activation_class(cls):
    net = nn.Sequential(nn.Linear(3, 4), cls(), nn.Linear(4, 2))
    assert [name for name, _ in analysis.activation_layers(net)] == ["1"]
    x = torch.randn(5, 3)
    derivatives = analysis.activation_derivatives(net.eval(), x)
    assert derivatives["1"].shape == (5, 4)


@pytest.mark.parametrize("name", [e.name for e in ENTRIES if e.settings is not None])
def test_every_named_activation_builds_an_mlp(name):
    net = models.mlp(2, [4], 2, name)
    assert isinstance(net[2], R.ACTIVATIONS[name].module)
    assert analysis.dead_unit_fraction(net, torch.randn(8, 2)).keys() == {"2"}


def test_entry_for_module_and_subclasses():
    class MyReLU(M.ReLU):
        pass

    assert R.entry_for_module(MyReLU()).name == "relu"
    assert R.entry_for_module(PackedReLU()).name == "relu"
    assert R.entry_for_module(nn.Hardswish()).name == "hard_swish"
    assert R.entry_for_module(nn.CELU()) is None
    with pytest.raises(TypeError, match="nn.Module"):
        R.entry_for_module("relu")


def test_cheat_sheet_rows():
    rows = R.cheat_sheet()
    assert [r["name"] for r in rows] == list(R.ACTIVATIONS)
    relu = rows[0]
    assert relu["formula"] == r"\max(0, x)" and relu["paper"] == "nair2010" and relu["torch"]
    selu = next(r for r in rows if r["name"] == "selu")
    assert selu["derivative_at_zero"] == pytest.approx(1.7580993408473766)
    assert relu["torch_call"] == "nn.ReLU()" and relu["chapter"] == 3 and relu["ops"] == 3
    leaky = rows[1]
    assert leaky["torch_call"] == "nn.LeakyReLU(negative_slope=0.01)"
    assert leaky["gain_call"] == 'calculate_gain("leaky_relu", 0.01)'
    assert leaky["torch_derivative_at_zero"] == pytest.approx(0.01)
    assert rows[2]["torch_call"] == "nn.PReLU(num_parameters=1, init=0.25)"
    assert selu["gain"] == 1.0 and "LeCun" in selu["gain_note"] and "3/4" in selu["gain_note"]
    keys = set(relu)
    assert all(set(r) == keys for r in rows)


def test_every_entry_states_the_cheat_sheet_facts():
    for entry in ENTRIES:
        assert entry.derivative_formula and entry.output_range and entry.at_zero, entry.name
        assert entry.when and isinstance(entry.chapter, int) and 1 <= entry.chapter <= 14
        assert entry.gain in (None, "relu", "leaky_relu", "linear", "tanh", "sigmoid")
        if entry.bounds is not None:
            low, high = entry.bounds
            assert low < high and low <= entry.value_at_zero <= high, entry.name


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: e.name)
def test_at_defaults_is_the_function_with_default_settings(entry):
    x = torch.linspace(-4, 4, 33, dtype=torch.float64)
    module = entry.module().double()
    torch.testing.assert_close(entry.at_defaults()(x), module(x), rtol=0, atol=0)


def test_papers_are_in_the_bibliography():
    from test_book import ROOT

    keys = set(re.findall(r"^@\w+\{([^,]+),", (ROOT / "references.bib").read_text(), re.M))
    assert {e.paper for e in ENTRIES if e.paper} <= keys


@pytest.mark.parametrize("name", R.ACTIVATION_NAMES)
def test_get_activation_every_name(name):
    expected = nn.Identity if name == "identity" else R.ACTIVATIONS[name].module
    assert type(R.get_activation(name)) is expected
    assert type(R.get_activation(name.upper())) is expected
    assert type(R.get_activation(f"  {name.title()} ")) is expected


@pytest.mark.parametrize("alias, cls", [
    ("leakyrelu", M.LeakyReLU), ("LeakyReLU", M.LeakyReLU), ("leaky-relu", M.LeakyReLU),
    ("Leaky ReLU", M.LeakyReLU), ("swish", M.SiLU), ("Swish", M.SiLU), ("linear", nn.Identity),
    ("none", nn.Identity), ("GELU", M.GELU), ("relu2", R.ACTIVATIONS["squared_relu"].module),
    ("Hard-Swish", R.ACTIVATIONS["hard_swish"].module), ("pau", R.ACTIVATIONS["rational"].module),
])
def test_get_activation_aliases(alias, cls):
    assert type(R.get_activation(alias)) is cls


def test_get_activation_passes_keyword_arguments():
    assert R.get_activation("leaky_relu", negative_slope=0.2).negative_slope == 0.2
    assert R.get_activation("ELU", alpha=0.3).alpha == 0.3
    assert R.get_activation("gelu", approximate="tanh").approximate == "tanh"
    assert R.get_activation("softplus", beta=3.0).beta == 3.0
    assert R.get_activation("spline", num_knots=5).num_knots == 5
    prelu = R.get_activation("PReLU", num_parameters=4, init=0.5)
    assert prelu.weight.tolist() == [0.5] * 4
    with pytest.raises(TypeError):
        R.get_activation("relu", negative_slope=0.1)
    with pytest.raises(TypeError, match="identity"):
        R.get_activation("identity", alpha=1.0)
    with pytest.raises(ValueError, match="negative_slope"):
        R.get_activation("leaky_relu", negative_slope=math.nan)


def test_get_activation_returns_fresh_modules():
    a, b = R.get_activation("prelu"), R.get_activation("prelu")
    assert a is not b and a.weight is not b.weight


def test_lookup():
    assert R.lookup("Swish") is R.ACTIVATIONS["silu"]
    with pytest.raises(ValueError, match="identity"):
        R.lookup("identity")


def test_get_variant_names_and_aliases():
    assert isinstance(registry.get_activation("relu2"), V.SquaredReLU)
    assert isinstance(registry.get_activation("Hard-Swish"), V.HardSwish)
    assert isinstance(registry.get_activation("pau"), learnable.RationalActivation)
    assert registry.get_activation("spline", num_knots=5).num_knots == 5
    with pytest.raises(ValueError, match="valid names"):
        registry.get_activation("relu7")
    with pytest.raises(TypeError):
        registry.get_activation(3)
