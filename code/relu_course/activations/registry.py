r"""The one registry of the course's activations: every activation is declared here, once.

An :class:`Activation` entry holds everything the rest of the package needs to know about one
activation: its name, the from-scratch function and derivative, the ``torch.nn``-style module
class, the PyTorch reference (function and module class), its hyper-parameters and how to read
them from a module instance, other module classes that compute it, and facts the course states
about it (formula, value and derivative at 0, the paper that introduced it). Everything else is
derived from :data:`ACTIVATIONS`:

* :func:`get_activation` -- a module from a name (used by the model builders);
* :func:`lookup` -- the entry for a name or an alias;
* :func:`entry_for_module` / :func:`module_types` -- which modules of a network are activation
  layers (used by the diagnostics), including torch's own classes;
* :func:`module_settings` / :func:`module_derivative` -- a layer's hyper-parameters, and its
  derivative at given pre-activations;
* :data:`FUNCTIONS` / :data:`DERIVATIVES` / :data:`BUILTINS` -- the from-scratch functions,
  their derivatives and the matching torch builtins, by name (used by the benchmark, the plots
  and the tests' parity lists);
* :func:`cheat_sheet` -- one row of facts per activation, for tables;
* :data:`ACTIVATION_NAMES`, :data:`ALIASES` -- the names and other spellings accepted;
  :data:`OTHER_TORCH_ACTIVATIONS` -- torch's activation classes the course does not implement.

Adding an activation means writing its code (a function and a module) and one entry in
:data:`ACTIVATIONS`; the tests check every entry's facts against its code.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import torch
import torch.nn.functional as TF
from torch import Tensor, nn

from . import functional as F
from . import learnable as L
from . import modules as M
from . import packed as P
from . import variants as V

__all__ = ["Activation", "ACTIVATIONS", "ACTIVATION_NAMES", "ALIASES", "OTHER_TORCH_ACTIVATIONS",
           "lookup", "get_activation", "entry_for_module", "module_types", "module_settings",
           "module_derivative", "FUNCTIONS", "DERIVATIVES", "BUILTINS", "cheat_sheet"]


@dataclass(frozen=True)
class Activation:
    """Everything the course knows about one activation.

    Attributes:
        name: the ``torch.nn.functional`` name (``"leaky_relu"``), the registry's key.
        module: the course's module class (``relu_course.activations.modules.LeakyReLU``).
        function: the course's function, ``function(x, **params)``.
        derivative: ``derivative(x, **params)``, :math:`\\phi'(x)` elementwise; ``None`` where
            autograd differentiates ``function`` (the fixed-shape variants).
        torch_function: PyTorch's function with the same signature, or ``None``.
        torch_module: PyTorch's module class, or ``None``.
        params: the hyper-parameters of ``function`` with their defaults.
        settings: attribute names of a module instance whose values are passed to
            ``derivative`` (by the same names), e.g. ``("negative_slope",)``; ``None`` for
            activations with learnable tensors whose derivative autograd takes through the
            module itself.
        also: other module classes that compute this activation (e.g. a ReLU that saves one
            bit, or ReLU with a chosen derivative at 0).
        formula: the definition in LaTeX.
        value_at_zero, derivative_at_zero: :math:`\\phi(0)` and the derivative the code uses
            at 0, with the default parameters (``None`` where they depend on learned values).
        family: ``"rectifier"`` (piecewise linear), ``"exponential"``, ``"smooth"`` (smooth
            ReLU-like), ``"saturating"`` (bounded on both sides), ``"variant"`` or
            ``"learnable"``.
        paper: the key in ``references.bib`` of the paper that introduced it (or ``None``).
        aliases: other accepted names.

    Example:
        >>> entry = ACTIVATIONS["leaky_relu"]
        >>> entry.function(torch.tensor([-2.0]), **entry.params), entry.derivative_at_zero
        (tensor([-0.0200]), 0.01)
    """

    name: str
    module: type[nn.Module]
    function: Callable[..., Tensor]
    derivative: Callable[..., Tensor] | None
    torch_function: Callable[..., Tensor] | None
    torch_module: type[nn.Module] | None
    formula: str
    value_at_zero: float | None
    derivative_at_zero: float | None
    family: str
    paper: str | None
    params: Mapping[str, object] = field(default_factory=dict)
    settings: tuple[str, ...] | None = ()
    also: tuple[type[nn.Module], ...] = ()
    aliases: tuple[str, ...] = ()

    @property
    def classes(self) -> tuple[type[nn.Module], ...]:
        """The module classes that compute this activation (ours, torch's and the others)."""
        return tuple(c for c in (self.module, self.torch_module, *self.also) if c is not None)


def _entries(*entries: Activation) -> Mapping[str, Activation]:
    return MappingProxyType({e.name: e for e in entries})


#: Every activation of the course, by name, in the order the course introduces them (read-only).
ACTIVATIONS: Mapping[str, Activation] = _entries(
    Activation("relu", M.ReLU, F.relu, F.relu_derivative, TF.relu, nn.ReLU,
               r"\max(0, x)", 0.0, 0.0, "rectifier", "nair2010",
               also=(P.PackedReLU,)),
    Activation("leaky_relu", M.LeakyReLU, F.leaky_relu, F.leaky_relu_derivative, TF.leaky_relu,
               nn.LeakyReLU, r"\max(0, x) + a \min(0, x)", 0.0, 0.01, "rectifier", "maas2013",
               params={"negative_slope": 0.01}, settings=("negative_slope",),
               aliases=("leakyrelu",)),
    Activation("prelu", M.PReLU, F.prelu, F.prelu_derivative, TF.prelu, nn.PReLU,
               r"\max(0, x) + a \min(0, x),\ a \text{ learned}", 0.0, 0.25, "rectifier",
               "he2015", params={"weight": None}, settings=("weight",)),
    Activation("elu", M.ELU, F.elu, F.elu_derivative, TF.elu, nn.ELU,
               r"x \text{ if } x > 0 \text{ else } \alpha (e^x - 1)", 0.0, 1.0, "exponential",
               "clevert2016", params={"alpha": 1.0}, settings=("alpha",)),
    Activation("selu", M.SELU, F.selu, F.selu_derivative, TF.selu, nn.SELU,
               r"\lambda\,(x \text{ if } x > 0 \text{ else } \alpha (e^x - 1))", 0.0,
               F.SELU_SCALE * F.SELU_ALPHA, "exponential", "klambauer2017"),
    Activation("gelu", M.GELU, F.gelu, F.gelu_derivative, TF.gelu, nn.GELU,
               r"x\,\Phi(x)", 0.0, 0.5, "smooth", "hendrycks2016",
               params={"approximate": "none"}, settings=("approximate",)),
    Activation("silu", M.SiLU, F.silu, F.silu_derivative, TF.silu, nn.SiLU,
               r"x\,\sigma(x)", 0.0, 0.5, "smooth", "elfwing2018", aliases=("swish",)),
    Activation("mish", M.Mish, F.mish, F.mish_derivative, TF.mish, nn.Mish,
               r"x \tanh(\ln(1 + e^x))", 0.0, 0.6, "smooth", "misra2020"),
    Activation("softplus", M.Softplus, F.softplus, F.softplus_derivative, TF.softplus,
               nn.Softplus, r"\tfrac{1}{\beta}\ln(1 + e^{\beta x})", 0.6931471805599453, 0.5,
               "smooth", "glorot2011", params={"beta": 1.0, "threshold": 20.0},
               settings=("beta", "threshold")),
    Activation("sigmoid", M.Sigmoid, F.sigmoid, F.sigmoid_derivative, torch.sigmoid, nn.Sigmoid,
               r"1 / (1 + e^{-x})", 0.5, 0.25, "saturating", None),
    Activation("tanh", M.Tanh, F.tanh, F.tanh_derivative, torch.tanh, nn.Tanh,
               r"(e^x - e^{-x}) / (e^x + e^{-x})", 0.0, 1.0, "saturating", None),
    Activation("relu_kink", M.ReLUKink, F.relu_kink, F.relu_kink_derivative, None, None,
               r"\max(0, x),\ \phi'(0) = s", 0.0, 0.0, "rectifier", "bertoin2021",
               params={"grad_at_zero": 0.0}, settings=("grad_at_zero",)),
    Activation("squared_relu", V.SquaredReLU, V.squared_relu, None, None, None,
               r"\max(0, x)^2", 0.0, 0.0, "variant", "so2021",
               aliases=("relu2", "relu_squared")),
    Activation("relu6", V.ReLU6, V.relu6, None, TF.relu6, nn.ReLU6,
               r"\min(\max(0, x), 6)", 0.0, 0.0, "variant", "jacob2018"),
    Activation("hard_swish", V.HardSwish, V.hard_swish, None, TF.hardswish, nn.Hardswish,
               r"x\,\mathrm{ReLU6}(x + 3) / 6", 0.0, 0.5, "variant", "howard2019",
               aliases=("hardswish",)),
    Activation("rational", L.RationalActivation, L.rational, None, None, None,
               r"P(x) / (1 + |Q(x)|)", None, None, "learnable", "molina2020",
               settings=None, aliases=("pau",)),
    Activation("piecewise_linear", L.PiecewiseLinearActivation, L.piecewise_linear, None, None,
               None, r"\text{linear spline on fixed knots}", None, None, "learnable",
               "liu2025kan", settings=None, aliases=("spline",)),
)

#: Names :func:`get_activation` accepts besides those of :data:`ACTIVATIONS` (read-only).
ALIASES: Mapping[str, str] = MappingProxyType(
    {alias: e.name for e in ACTIVATIONS.values() for alias in e.aliases}
    | {"linear": "identity", "none": "identity"})

#: The registry's names, plus ``"identity"`` (no nonlinearity, ``nn.Identity``).
ACTIVATION_NAMES: tuple[str, ...] = (*ACTIVATIONS, "identity")

#: torch activation classes the course does not implement, still found by the diagnostics as
#: activation layers (their derivative comes from autograd).
OTHER_TORCH_ACTIVATIONS: tuple[type[nn.Module], ...] = (
    nn.RReLU, nn.CELU, nn.Hardtanh, nn.Hardsigmoid, nn.Softsign, nn.LogSigmoid, nn.Tanhshrink,
    nn.Softshrink, nn.Hardshrink, nn.Threshold,
)

_CORE = [e for e in ACTIVATIONS.values() if e.torch_function is not None and e.derivative is not None]

#: The from-scratch functions that have a hand-written backward and a torch builtin, by name.
FUNCTIONS: Mapping[str, Callable[..., Tensor]] = MappingProxyType({e.name: e.function for e in _CORE})
#: Their derivatives, by the same names.
DERIVATIVES: Mapping[str, Callable[..., Tensor]] = MappingProxyType(
    {e.name: e.derivative for e in _CORE})
#: The matching torch builtins (same names, same signatures).
BUILTINS: Mapping[str, Callable[..., Tensor]] = MappingProxyType(
    {e.name: e.torch_function for e in _CORE})


def _key(fn_name: str, name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"{fn_name}() expects `name` to be a str, got {type(name).__name__}")
    key = name.strip().lower().replace("-", "_").replace(" ", "_")
    key = ALIASES.get(key, key)
    if key not in ACTIVATION_NAMES:
        raise ValueError(
            f"{fn_name}(): unknown activation {name!r}; valid names are "
            f"{', '.join(ACTIVATION_NAMES)} (aliases: {', '.join(ALIASES)})")
    return key


def lookup(name: str) -> Activation:
    """The registry entry for ``name`` (case-insensitive; ``-`` and spaces count as ``_``;
    aliases such as ``"swish"`` accepted).

    Example:
        >>> lookup("Swish").name, lookup("leaky-relu").params
        ('silu', {'negative_slope': 0.01})
    """
    key = _key("lookup", name)
    if key == "identity":
        raise ValueError("lookup(): 'identity' is not an activation (it has no registry entry)")
    return ACTIVATIONS[key]


def get_activation(name: str, **kwargs) -> nn.Module:
    """Build an activation module from its name, e.g.
    ``get_activation("leaky_relu", negative_slope=0.1)``.

    Names are those of :data:`ACTIVATION_NAMES` or an alias (:data:`ALIASES`),
    case-insensitive; ``"identity"`` (alias ``"linear"``) gives ``nn.Identity``, for networks
    without a nonlinearity.

    Args:
        name: the activation's name.
        **kwargs: passed to the module's constructor.

    Raises:
        ValueError: for an unknown name (the message lists the valid ones).

    Example:
        >>> get_activation("LeakyReLU", negative_slope=0.2)
        LeakyReLU(negative_slope=0.2)
        >>> get_activation("relu6")
        ReLU6()
    """
    key = _key("get_activation", name)
    if key == "identity":
        if kwargs:
            raise TypeError(f"get_activation(): 'identity' takes no arguments, got {sorted(kwargs)}")
        return nn.Identity()
    return ACTIVATIONS[key].module(**kwargs)


def module_types() -> tuple[type[nn.Module], ...]:
    """Every module class the course treats as an activation layer: the classes of all
    entries (ours, torch's and the others) and :data:`OTHER_TORCH_ACTIVATIONS`.

    Example:
        >>> nn.Hardswish in module_types(), nn.Linear in module_types()
        (True, False)
    """
    return tuple(c for e in ACTIVATIONS.values() for c in e.classes) + OTHER_TORCH_ACTIVATIONS


def entry_for_module(module: nn.Module) -> Activation | None:
    """The registry entry of an activation layer (``None`` for any other module, and for the
    classes of :data:`OTHER_TORCH_ACTIVATIONS`).

    Example:
        >>> entry_for_module(nn.GELU()).name, entry_for_module(nn.Linear(2, 2))
        ('gelu', None)
    """
    if not isinstance(module, nn.Module):
        raise TypeError(f"entry_for_module() expects an nn.Module, got {type(module).__name__}")
    for entry in ACTIVATIONS.values():
        if type(module) in entry.classes:
            return entry
    for entry in ACTIVATIONS.values():                   # subclasses of a registered class
        if isinstance(module, entry.classes):
            return entry
    return None


def module_settings(module: nn.Module) -> dict[str, object]:
    """The hyper-parameters of an activation layer, read from the instance by the names its
    entry declares (numbers as floats, tensors detached); ``{}`` when it has none.

    Example:
        >>> module_settings(nn.LeakyReLU(0.2)), module_settings(nn.ReLU())
        ({'negative_slope': 0.2}, {})
    """
    entry = entry_for_module(module)
    if entry is None or not entry.settings:
        return {}
    values = {}
    for name in entry.settings:
        value = getattr(module, name)
        if isinstance(value, Tensor):
            value = value.detach()
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            value = float(value)
        values[name] = value
    return values


def module_derivative(module: nn.Module, x: Tensor) -> Tensor:
    r"""The derivative :math:`\phi'(x)` of an activation layer at the pre-activations ``x``,
    elementwise, with the layer's own settings.

    Uses the entry's hand-written derivative where there is one (so the value at a kink is
    the convention the code uses, e.g. 0 for ReLU at 0); otherwise autograd differentiates
    the layer itself (the variants, learnable shapes and torch's other activations).

    Example:
        >>> module_derivative(nn.LeakyReLU(0.1), torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0.1000, 0.1000, 1.0000])
        >>> module_derivative(nn.Hardswish(), torch.tensor([0.0]))
        tensor([0.5000])
    """
    entry = entry_for_module(module)
    if entry is None and not isinstance(module, OTHER_TORCH_ACTIVATIONS):
        raise ValueError(f"module_derivative(): {type(module).__name__} is not an activation "
                         f"layer (see relu_course.activations.registry.module_types())")
    if entry is not None and entry.derivative is not None and entry.settings is not None:
        return entry.derivative(x, **module_settings(module))
    with torch.enable_grad():
        leaf = x.detach().requires_grad_(True)
        (grad,) = torch.autograd.grad(module(leaf).sum(), leaf)
    return grad


def cheat_sheet() -> list[dict[str, object]]:
    """One row per activation: name, formula, family, value and derivative at 0, whether it
    has a torch builtin, and the paper (for the course's cheat sheet and tables).

    Example:
        >>> row = cheat_sheet()[0]
        >>> row["name"], row["formula"], row["derivative_at_zero"]
        ('relu', '\\\\max(0, x)', 0.0)
    """
    return [{"name": e.name, "formula": e.formula, "family": e.family,
             "value_at_zero": e.value_at_zero, "derivative_at_zero": e.derivative_at_zero,
             "torch": e.torch_function is not None, "paper": e.paper}
            for e in ACTIVATIONS.values()]
