r"""Dead ReLUs: units that never turn on, the gradients they receive, the negative slopes that keep
them alive, and how often a network is dead at initialisation.

* :func:`dead_unit_fraction` -- For each activation layer, the fraction of its units that are
  never positive on ``x``
* :func:`never_positive_units` -- Per activation layer (in order), a boolean mask of the units
  whose pre-activation is never positive on the batch ``x``
* :func:`unit_preactivation_gradients` -- Per activation layer (in order) and per unit, the size
  of the loss gradient that reaches the unit's pre-activation on one batch
* :func:`effective_negative_slopes` -- The slope an activation applies to a negative input, once
  per element
* :func:`born_dead_fractions` -- Monte Carlo estimate of the probability that a randomly
  initialised fully connected network is *born dead* (Lu et al., 2020)
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor
from ..activations.registry import FUNCTIONS
from ..utils import eval_mode
from .gradients import _preactivation_gradients
from .hooks import record_activations

__all__ = ["dead_unit_fraction", "never_positive_units", "unit_preactivation_gradients",
           "effective_negative_slopes", "born_dead_fractions"]


@torch.no_grad()
def dead_unit_fraction(model: nn.Module, x: Tensor) -> dict[str, float]:
    """For each activation layer, the fraction of its units that are never positive on ``x``
    (a "dead" ReLU outputs zero for every input, so it also gets no gradient).

    The model runs in evaluation mode (dropout off, batch normalisation with its running
    statistics: the network as it is used), and is put back in its previous mode afterwards.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [4], 2)
        >>> with torch.no_grad():
        ...     _ = net[1].bias.copy_(torch.tensor([-100.0, -100.0, 100.0, 100.0]))
        >>> dead_unit_fraction(net, torch.randn(64, 2))
        {'2': 0.5}
    """
    check_tensor("dead_unit_fraction", x, name="x")
    if len(x) == 0:
        raise ValueError("dead_unit_fraction(): x holds no examples")
    with eval_mode(model), record_activations(model) as acts:
        model(x)
    result = {}
    for name, outs in acts.items():
        alive = (outs[-1] > 0).reshape(len(x), -1).any(dim=0)        # per unit
        result[name] = 1.0 - alive.float().mean().item()
    return result


@torch.no_grad()
def never_positive_units(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    r"""Per activation layer (in order), a boolean mask of the units whose pre-activation is
    never positive on the batch ``x``: unit :math:`j` is flagged when :math:`z_j(x_n) \le 0`
    for every example :math:`x_n`.

    This is the course's definition of a *dead* unit. For ReLU such a unit outputs 0 for every
    input and passes back no gradient, since :math:`\mathrm{ReLU}'(z) = 0` for :math:`z \le 0`.
    For Leaky ReLU with slope :math:`a > 0` the same unit outputs :math:`a z \ne 0` and passes
    back :math:`a` times the gradient it receives, so it is "dead" only in the sense of never
    using its slope-1 side. For ReLU, Leaky ReLU with :math:`a \ge 0`, ELU, ... (activations
    that are positive exactly where :math:`z > 0`) the fraction of flagged units equals
    :func:`dead_unit_fraction`. Every element of a layer's output is a unit (for a convolution,
    one channel at one position), as in :func:`dead_unit_fraction`; like it, the model runs in
    evaluation mode.

    Args:
        model: a network with activation layers (see
            :func:`relu_course.activations.registry.module_types`).
        x: a non-empty batch of inputs on the model's device.

    Returns:
        ``{layer name: bool tensor of shape (units,)}``, on the CPU; ``True`` marks a unit
        that is never positive.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [3], 2, "leaky_relu")
        >>> with torch.no_grad():
        ...     _ = net[1].bias.copy_(torch.tensor([-100.0, 100.0, -100.0]))
        >>> never_positive_units(net, torch.randn(32, 2))["2"].tolist()
        [True, False, True]
    """
    check_tensor("never_positive_units", x, name="x")
    if len(x) == 0:
        raise ValueError("never_positive_units(): x holds no examples")
    # Run the network as it is used (dropout off) and record z, the input
    # of every activation layer, for the whole data set at once.
    with eval_mode(model), record_activations(model, "input") as inputs:
        model(x)
    dead = {}
    for layer, recorded in inputs.items():
        z = recorded[-1].reshape(len(x), -1)      # (examples, units)
        ever_positive = (z > 0).any(dim=0)        # one flag per unit
        dead[layer] = ~ever_positive.cpu()
    return dead


def unit_preactivation_gradients(model: nn.Module, x: Tensor, y: Tensor,
                                 loss_fn=None) -> dict[str, Tensor]:
    r"""Per activation layer (in order) and per unit, the size of the loss gradient that
    reaches the unit's pre-activation on one batch:
    :math:`g_j = \bigl(\sum_n (\partial L / \partial z_{j}(x_n))^2\bigr)^{1/2}`.

    A unit's incoming weights and bias are updated only through
    :math:`\partial L / \partial z_j = \phi'(z_j)\,\partial L / \partial h_j`. For a ReLU unit
    that is never positive on the batch (:func:`never_positive_units`) every factor
    :math:`\phi'(z_j)` is 0, so :math:`g_j = 0` exactly; for Leaky ReLU it is the slope
    :math:`a`, so :math:`g_j` is :math:`a` times the gradient arriving from above. The layer
    view of the same signal is :func:`~relu_course.analysis.gradients.preactivation_gradient_norms`.

    The model is not changed and no ``.grad`` is left behind.

    Args:
        model: a network with activation layers that do not work in place.
        x: a batch of inputs on the model's device.
        y: the targets, one per input.
        loss_fn: ``loss_fn(logits, y)``, cross-entropy by default.

    Returns:
        ``{layer name: float tensor of shape (units,)}``, on the CPU, units numbered as in
        :func:`never_positive_units`.

    Raises:
        TypeError: if ``x`` or ``y`` is not a tensor.
        ValueError: for an empty batch, mismatched lengths, an in-place activation layer, or
            pre-activations that do not depend on anything trainable.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [3], 2)
        >>> with torch.no_grad():
        ...     _ = net[1].bias.copy_(torch.tensor([-100.0, 0.5, -100.0]))
        >>> x, y = torch.randn(16, 2), torch.randint(0, 2, (16,))
        >>> g = unit_preactivation_gradients(net, x, y)["2"]
        >>> g[0].item(), g[2].item()       # the two dead ReLU units get exactly nothing
        (0.0, 0.0)
    """
    names, captured, grads = _preactivation_gradients("unit_preactivation_gradients", model, x,
                                                      y, loss_fn, require_all=False)
    result = {}
    for n, g in zip(names, grads):
        z = captured[n]
        if g is None:
            g = torch.zeros_like(z)
        result[n] = g.detach().reshape(len(x), -1).double().norm(dim=0).cpu()
    return result


@torch.no_grad()
def effective_negative_slopes(activation, n: int = 10_000, *, value: float = -1.0,
                              training: bool | None = None) -> Tensor:
    r"""The slope an activation applies to a negative input, once per element:
    :math:`\phi(v) / v` for ``n`` copies of the negative number :math:`v` (``value``).

    For Leaky ReLU every element gets the same slope :math:`a`; for a randomised leaky ReLU
    (``torch.nn.RReLU`` in training mode) each element gets its own random slope, and in
    evaluation mode a fixed one. Measuring it is how the course checks what a library really
    does rather than what its documentation says.

    Args:
        activation: an ``nn.Module`` or a function of one tensor (e.g.
            ``relu_course.activations.functional.leaky_relu``).
        n: how many elements to measure.
        value: the negative input used (default ``-1.0``). For activations that are linear on
            the negative side the result does not depend on it.
        training: for a module, the mode to measure in (``True``: training, ``False``:
            evaluation); the module's own mode is restored afterwards. ``None`` keeps the
            current mode. Must be ``None`` for a plain function.

    Returns:
        A float64 tensor of ``n`` slopes, on the CPU. The input is float64 unless the module
        has parameters (then their dtype and device). Random modules draw from torch's global
        generator, so seed it (:func:`relu_course.set_seed`) for repeatable numbers.

    Example:
        >>> from relu_course.activations.modules import LeakyReLU
        >>> effective_negative_slopes(LeakyReLU(0.1), n=3).tolist()
        [0.1, 0.1, 0.1]
        >>> s = effective_negative_slopes(nn.RReLU(), n=4, training=False)
        >>> round(s[0].item(), 4)          # (1/8 + 1/3) / 2 in evaluation mode
        0.2292
    """
    n = check_int("effective_negative_slopes", "n", n, ge=1)
    value = check_real("effective_negative_slopes", "value", value, lt=0)
    if training is not None and not isinstance(training, bool):
        raise TypeError(f"effective_negative_slopes() expects `training` to be a bool or None, "
                        f"got {type(training).__name__}")
    if not callable(activation):
        raise TypeError(f"effective_negative_slopes() expects an nn.Module or a function, "
                        f"got {type(activation).__name__}")
    is_module = isinstance(activation, nn.Module)
    if training is not None and not is_module:
        raise ValueError("effective_negative_slopes(): `training` applies to an nn.Module only")
    device, dtype = torch.device("cpu"), torch.float64
    if is_module:
        first = next(activation.parameters(), None)           # follow a PReLU's weight
        if first is not None:
            device, dtype = first.device, first.dtype
    x = torch.full((n,), value, device=device, dtype=dtype)
    was_training = activation.training if is_module else None
    if training is not None:
        activation.train(training)
    try:
        out = activation(x)
    finally:
        if training is not None:
            activation.train(was_training)
    if not isinstance(out, Tensor) or out.shape != x.shape:
        raise ValueError("effective_negative_slopes(): the activation must return a tensor of "
                         "its input's shape")
    return (out.detach().double() / value).cpu()


_BORN_DEAD_INITS = ("he", "xavier", "lecun", "default")


@torch.no_grad()
def born_dead_fractions(width: int, max_depth: int, *, n_networks: int = 1000,
                        in_features: int = 2, n_inputs: int = 128, init: str = "he",
                        bias: float | None = None, activation: str = "relu",
                        activation_kwargs: dict | None = None, batch_norm: bool = False,
                        seed: int | None = None,
                        device: str | torch.device | None = None) -> Tensor:
    r"""Monte Carlo estimate of the probability that a randomly initialised fully connected
    network is *born dead* (Lu et al., 2020): constant on its inputs before any training.

    ``n_networks`` independent networks with ``max_depth`` hidden layers of ``width`` units are
    drawn and evaluated together (batched matrix products, so hundreds of tiny networks cost
    about as much as one) on the same ``n_inputs`` standard-normal inputs
    :math:`x \in \mathbb{R}^{d}`. A hidden layer whose outputs are **exactly 0 for every
    input** passes the same constant to every later layer (``activation(bias)``), so the
    network's output no longer depends on its input, and no gradient reaches the weights up to
    that layer. Entry :math:`l - 1` of the result is the share of networks that have such a
    layer among their first :math:`l` hidden layers, i.e. the estimated probability that a
    network with :math:`l` hidden layers is born dead (on these inputs; a network constant on
    a finite sample might still vary elsewhere).

    For one input :math:`x \ne 0`, weights drawn from a continuous distribution symmetric about
    0 and biases symmetric about 0 (or zero), each unit of a layer whose input is not all zeros
    is off with probability :math:`1/2`, independently, so

    .. math::
        P(\text{born dead}) \;\le\; P(\text{some layer is all zero at } x)
        \;=\; 1 - \prod_{l=1}^{L} \bigl(1 - 2^{-N_l}\bigr),

    which tends to 1 as the depth :math:`L` grows at a fixed width.

    Args:
        width: units per hidden layer, :math:`N`.
        max_depth: the deepest network considered, :math:`L`.
        n_networks: networks drawn (the estimate's standard error is at most
            :math:`0.5/\sqrt{n}`).
        in_features: input dimension :math:`d`.
        n_inputs: inputs on which "constant" is checked.
        init: weight scheme, as in :mod:`relu_course.models`: ``"he"``, ``"xavier"`` and
            ``"lecun"`` (normal weights, zero biases) or ``"default"`` (PyTorch's
            ``nn.Linear``: weights and biases :math:`U(\pm 1/\sqrt{\text{fan\_in}})`).
        bias: if given, every bias is set to this constant instead (e.g. a small positive
            value).
        activation: a name from :data:`relu_course.activations.registry.FUNCTIONS`.
        activation_kwargs: keyword arguments for it, e.g. ``{"negative_slope": 0.01}``.
        batch_norm: normalise each unit's pre-activations over the inputs (mean 0, variance
            1, as batch normalisation does in training mode) before the activation.
        seed: seeds a private generator (weights and inputs); the global one is not used.
        device: where to compute (default: CPU).

    Returns:
        A float64 CPU tensor of shape ``(max_depth,)``, non-decreasing.

    Example:
        >>> dead = born_dead_fractions(2, 10, n_networks=2000)
        >>> bool(dead[0] == 0), bool(dead[-1] > 0.8)   # 1 layer never; 10 layers mostly
        (True, True)
        >>> float(born_dead_fractions(2, 10, activation="leaky_relu")[-1])
        0.0
    """
    from .._validation import seed_or_base
    from ..utils import get_device

    width = check_int("born_dead_fractions", "width", width, ge=1)
    max_depth = check_int("born_dead_fractions", "max_depth", max_depth, ge=1)
    n_networks = check_int("born_dead_fractions", "n_networks", n_networks, ge=1)
    in_features = check_int("born_dead_fractions", "in_features", in_features, ge=1)
    n_inputs = check_int("born_dead_fractions", "n_inputs", n_inputs, ge=1)
    seed = seed_or_base("born_dead_fractions", seed)
    if init not in _BORN_DEAD_INITS:
        raise ValueError(f"born_dead_fractions(): unknown init {init!r}; valid: "
                         f"{', '.join(_BORN_DEAD_INITS)}")
    if bias is not None:
        bias = check_real("born_dead_fractions", "bias", bias)
    if not isinstance(activation, str) or activation not in FUNCTIONS:
        raise ValueError(f"born_dead_fractions(): unknown activation {activation!r}; valid: "
                         f"{', '.join(FUNCTIONS)}")
    if not isinstance(batch_norm, bool):
        raise TypeError(f"born_dead_fractions() expects `batch_norm` to be a bool, "
                        f"got {type(batch_norm).__name__}")
    act = FUNCTIONS[activation]
    kwargs = dict(activation_kwargs or {})
    act(torch.zeros(1), **kwargs)                       # fail early on a bad keyword argument
    device = torch.device("cpu") if device is None else get_device(device)

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n_inputs, in_features, generator=g)                 # (B, d), shared
    h = x.to(device).expand(n_networks, n_inputs, in_features)          # (M, B, d)
    dead = torch.zeros(n_networks, dtype=torch.bool, device=device)
    fractions = []
    fan_in = in_features
    for _ in range(max_depth):
        shape = (n_networks, fan_in, width)                             # x @ W: (M, B, N)
        if init == "default":
            bound = fan_in ** -0.5
            w = (torch.rand(shape, generator=g) * 2 - 1) * bound
            b = (torch.rand(n_networks, 1, width, generator=g) * 2 - 1) * bound
        else:
            var = {"he": 2.0 / fan_in, "xavier": 2.0 / (fan_in + width),
                   "lecun": 1.0 / fan_in}[init]
            w = torch.randn(shape, generator=g) * var ** 0.5
            b = torch.zeros(n_networks, 1, width)
        if bias is not None:
            b = torch.full((n_networks, 1, width), bias)
        z = torch.baddbmm(b.to(device), h, w.to(device))                # (M, B, N)
        if batch_norm:
            mean = z.mean(dim=1, keepdim=True)
            var_z = z.var(dim=1, unbiased=False, keepdim=True)
            z = (z - mean) / torch.sqrt(var_z + 1e-5)
        h = act(z, **kwargs)
        dead |= (h == 0).flatten(1).all(dim=1)          # this layer is zero for every input
        fractions.append(dead.double().mean())
        fan_in = width
    return torch.stack(fractions).cpu()
