r"""Gradients through a network: per-layer weight-gradient norms, activation derivatives at the pre-
activations a batch produces, pre-activation gradients, per-example gradients, input
derivatives, and the effect of ReLU's derivative at the kink.

* :func:`gradient_norms` -- The Euclidean norm of the loss gradient with respect to each
  ``Linear``/``Conv2d`` layer's weight, in order (first layer first)
* :func:`activation_derivatives`
* :func:`preactivation_gradient_norms` -- Per activation layer (in order, first layer first),
  the Euclidean norm of the loss gradient with respect to that layer's *input*
* :func:`per_example_weight_gradients` -- The gradient of the loss of *each example* with
  respect to the weight of every ``Linear``/``Conv2d`` layer
* :func:`input_derivatives` -- The values and the first ``order`` derivatives of a one-input,
  one-output network, :math:`[f(x), f'(x), \dots, f^{(k)}(x)]`
* :func:`confidence_along_rays` -- The classifier's confidence, :math:`\max_k
  \mathrm{softmax}(f(\alpha x))_k`
* :func:`relu_kink_sensitivity` -- For each mini-batch, how many pre-activations are exactly 0
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_batch, check_int, check_real, check_tensor
from ..activations.registry import module_derivative
from ..utils import eval_mode
from .hooks import activation_layers, record_activations

__all__ = ["gradient_norms", "activation_derivatives", "preactivation_gradient_norms",
           "per_example_weight_gradients", "input_derivatives", "confidence_along_rays",
           "relu_kink_sensitivity"]


def gradient_norms(model: nn.Module, x: Tensor, y: Tensor, loss_fn=None) -> dict[str, float]:
    """The Euclidean norm of the loss gradient with respect to each ``Linear``/``Conv2d``
    layer's weight, in order (first layer first), for one batch -- without changing the model
    or leaving gradients behind.

    ``loss_fn(logits, y)`` defaults to cross-entropy.

    Example:
        >>> from relu_course.models import mlp
        >>> norms = gradient_norms(mlp(4, [8, 8], 3), torch.randn(16, 4),
        ...                        torch.randint(0, 3, (16,)))
        >>> list(norms)                   # the three Linear layers, first to last
        ['1', '3', '5']
    """
    check_batch("gradient_norms", x, y)
    layers = [(name, m) for name, m in model.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if not layers:
        raise ValueError("gradient_norms(): the model has no Linear or Conv2d layers")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    weights = [m.weight for _, m in layers]
    loss = loss_fn(model(x), y)
    grads = torch.autograd.grad(loss, weights)
    return {name: g.norm().item() for (name, _), g in zip(layers, grads)}


@torch.no_grad()
def activation_derivatives(model: nn.Module, x: Tensor) -> dict[str, Tensor]:
    r"""Per activation layer (in order), the activation's derivative :math:`\phi'(z)` at every
    pre-activation :math:`z` that the batch ``x`` produces.

    This is the factor by which each unit scales the gradient passing back through it: exactly 0
    or 1 for ReLU, at most :math:`1/4` for the sigmoid, close to 0 wherever a sigmoid or tanh
    unit is saturated. The pre-activations are recorded with
    :func:`~relu_course.analysis.hooks.record_activations` (``what="input"``) and the layer's
    own settings are used (leaky slope, ELU's :math:`\alpha`, PReLU's learned slopes, ...),
    through :func:`relu_course.activations.registry.module_derivative`: the hand-written
    derivative where the activation has one, autograd through the layer otherwise. A layer
    called several times in one forward pass reports its last call, as in
    :func:`~relu_course.analysis.hooks.activation_stats`.

    Args:
        model: a network with activation layers (see
            :func:`relu_course.activations.registry.module_types`).
        x: a batch of inputs on the model's device.

    Returns:
        ``{layer name: tensor of derivatives}``, each shaped like that layer's pre-activation.

    Raises:
        ValueError: for an empty batch.

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> d = activation_derivatives(mlp(4, [8], 2, "sigmoid"), torch.randn(16, 4))
        >>> d["2"].shape, bool(d["2"].max() <= 0.25)
        (torch.Size([16, 8]), True)
        >>> d = activation_derivatives(mlp(4, [8], 2, "relu"), torch.randn(16, 4))
        >>> sorted(set(d["2"].unique().tolist()) | {0.0, 1.0})    # only zeros and ones
        [0.0, 1.0]
    """
    check_tensor("activation_derivatives", x, name="x")
    if len(x) == 0:
        raise ValueError("activation_derivatives(): x holds no examples")
    layers = activation_layers(model)
    with record_activations(model, "input") as pre:
        model(x)
    return {name: module_derivative(m, pre[name][-1]) for name, m in layers}


def _preactivation_gradients(fn_name: str, model: nn.Module, x: Tensor, y: Tensor, loss_fn,
                             *, require_all: bool):
    """The loss gradient with respect to every activation layer's input (its pre-activation)
    for one batch: ``(layer names, {name: pre-activation}, gradients)``, in layer order. Shared
    by :func:`preactivation_gradient_norms` and
    :func:`~relu_course.analysis.dead_units.unit_preactivation_gradients`.

    With ``require_all``, an activation layer the forward pass did not call is an error;
    otherwise it is left out. A gradient is ``None`` for a layer the loss does not depend on.
    """
    check_batch(fn_name, x, y)
    layers = activation_layers(model)
    for name, module in layers:
        if getattr(module, "inplace", False):
            raise ValueError(f"{fn_name}(): activation layer {name!r} works in place, which "
                             f"overwrites the pre-activation; use inplace=False")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    captured: dict[str, Tensor] = {}
    handles = []
    for name, module in layers:
        def hook(_module, inputs, _output, name=name):
            captured[name] = inputs[0]               # kept in the graph (not detached)
        handles.append(module.register_forward_hook(hook))
    try:
        loss = loss_fn(model(x), y)
    finally:
        for h in handles:
            h.remove()
    missing = [name for name, _ in layers if name not in captured]
    if missing and require_all:
        raise ValueError(f"{fn_name}(): activation layer(s) {missing} were not called by the "
                         f"forward pass")
    names = [name for name, _ in layers if name in captured]
    frozen = [n for n in names if not captured[n].requires_grad]
    if frozen or not names or not loss.requires_grad:
        raise ValueError(f"{fn_name}(): the pre-activations of layer(s) {frozen or names} do not "
                         f"depend on anything trainable (frozen parameters, or called inside "
                         f"torch.no_grad()?)")
    grads = torch.autograd.grad(loss, [captured[n] for n in names], allow_unused=True)
    return names, captured, grads


def preactivation_gradient_norms(model: nn.Module, x: Tensor, y: Tensor,
                                 loss_fn=None) -> dict[str, float]:
    r"""Per activation layer (in order, first layer first), the Euclidean norm of the loss
    gradient with respect to that layer's *input*, the pre-activation :math:`z_l`, for one
    batch: the signal that backpropagation carries down the network.

    In a multilayer perceptron with :math:`z_l = W_l h_{l-1} + b_l` and
    :math:`h_l = \phi(z_l)`, this backward signal :math:`\delta_l = \partial L / \partial z_l`
    obeys

    .. math::
        \delta_l = D_l\, W_{l+1}^\top\, \delta_{l+1}, \qquad
        D_l = \operatorname{diag}\bigl(\phi'(z_l)\bigr),

    so from one layer to the one below, its norm changes by a factor that depends on the
    activation's derivative *and* on the weights. (The weight gradients that
    :func:`gradient_norms` reports are :math:`\partial L / \partial W_l = \delta_l\,
    h_{l-1}^\top`, summed over the batch: they mix this backward signal with the forward one.)
    The norm is taken over the whole batch and all units of the layer.

    The model is not changed and no ``.grad`` is left behind. A layer called several times in
    one forward pass reports its last call, as in
    :func:`~relu_course.analysis.hooks.activation_stats`.

    Args:
        model: a network with activation layers (see
            :func:`relu_course.activations.registry.module_types`) whose
            pre-activations depend on trainable parameters or on ``x``.
        x: a batch of inputs on the model's device.
        y: the targets, one per input.
        loss_fn: ``loss_fn(logits, y)``, cross-entropy by default.

    Returns:
        ``{layer name: norm}``, in the order of
        :func:`~relu_course.analysis.hooks.activation_layers`.

    Raises:
        TypeError: if ``x`` or ``y`` is not a tensor.
        ValueError: for an empty batch or mismatched lengths, an activation layer that works
            in place (``nn.ReLU(inplace=True)``: its input is overwritten), or a
            pre-activation that does not depend on anything trainable (frozen parameters, or a
            call inside ``torch.no_grad()``).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> net = mlp(4, [8, 8, 8], 3)
        >>> norms = preactivation_gradient_norms(net, torch.randn(16, 4),
        ...                                      torch.randint(0, 3, (16,)))
        >>> list(norms)                   # the three activation layers, first to last
        ['2', '4', '6']
        >>> all(v > 0 for v in norms.values())
        True
    """
    names, captured, grads = _preactivation_gradients("preactivation_gradient_norms", model, x,
                                                      y, loss_fn, require_all=True)
    return {n: (0.0 if g is None else g.norm().item()) for n, g in zip(names, grads)}


def input_derivatives(model: nn.Module, x: Tensor, order: int = 2, *,
                      create_graph: bool = False) -> list[Tensor]:
    r"""The values and the first ``order`` derivatives of a one-input, one-output network,
    :math:`[f(x), f'(x), \dots, f^{(k)}(x)]`, by automatic differentiation.

    Each derivative is taken with :func:`torch.autograd.grad` of the previous one, summed over
    the batch (which is exact because each output depends on its own input only: do not use
    a model that mixes examples, such as batch normalisation in training mode). Where
    autograd finds that a derivative does not depend on :math:`x` at all -- as happens for the
    second derivative of a ReLU network, whose first derivative is piecewise constant -- the
    next derivative is returned as exact zeros.

    Args:
        model: maps ``(N, 1)`` inputs to ``(N, 1)`` outputs.
        x: the points, shape ``(N,)`` or ``(N, 1)``, on the model's device and dtype.
        order: the highest derivative, :math:`k \ge 0`.
        create_graph: keep the graph, so that the results can be differentiated again with
            respect to the model's parameters (as a physics-informed loss needs); by default
            the results are detached.

    Returns:
        ``order + 1`` tensors of shape ``(N,)``.

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> x = torch.linspace(-2, 2, 101)
        >>> f, df, d2f = input_derivatives(mlp(1, [16], 1, "relu"), x)
        >>> bool((d2f == 0).all())                 # zero wherever autograd looks
        True
        >>> f, df, d2f = input_derivatives(mlp(1, [16], 1, "tanh"), x)
        >>> bool((d2f != 0).all())
        True
    """
    check_tensor("input_derivatives", x, name="x")
    order = check_int("input_derivatives", "order", order, ge=0)
    if not isinstance(create_graph, bool):
        raise TypeError(f"input_derivatives() expects `create_graph` to be a bool, "
                        f"got {type(create_graph).__name__}")
    if x.dim() == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() != 1 or len(x) == 0:
        raise ValueError(f"input_derivatives() expects x of shape (N,) or (N, 1) with N >= 1, "
                         f"got {tuple(x.shape)}")
    if not x.is_floating_point():
        raise TypeError("input_derivatives() expects a floating-point x")
    xg = x.detach().clone().reshape(-1, 1).requires_grad_(True)        # (N, 1)
    with torch.enable_grad():
        out = model(xg)
        if tuple(out.shape) != (len(x), 1):
            raise ValueError(f"input_derivatives(): the model should map (N, 1) to (N, 1), "
                             f"got output shape {tuple(out.shape)}")
        results = [out[:, 0]]
        current = out
        for _ in range(order):
            grad = None
            if current.requires_grad:
                (grad,) = torch.autograd.grad(current.sum(), xg, create_graph=True,
                                              allow_unused=True)
            current = torch.zeros_like(xg) if grad is None else grad            # (N, 1)
            results.append(current[:, 0])
    if not create_graph:
        results = [r.detach() for r in results]
    return results


@torch.no_grad()
def confidence_along_rays(model: nn.Module, x: Tensor, scales) -> Tensor:
    r"""The classifier's confidence, :math:`\max_k \mathrm{softmax}(f(\alpha x))_k`, for every
    input ``x[i]`` scaled by every factor :math:`\alpha` in ``scales``.

    For a ReLU network (biases included) Hein et al. (2019) prove that along almost every ray
    :math:`\alpha x` the confidence tends to 1 as :math:`\alpha \to \infty`: far from the
    origin the ray stays in one linear region, where the logits are
    :math:`\alpha V x + c`, an affine function of :math:`\alpha`.

    The model is evaluated in eval mode and restored to its previous mode.

    Args:
        model: a classifier returning logits of shape ``(N, classes)``.
        x: the inputs, on the model's device.
        scales: the factors :math:`\alpha` (a sequence, array or 1-D tensor of finite numbers).

    Returns:
        A tensor of shape ``(len(scales), N)`` (on ``x``'s device, float32 or the model's
        dtype).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> conf = confidence_along_rays(mlp(4, [32], 3), torch.randn(5, 4), [1.0, 1e4])
        >>> conf.shape, bool((conf[1] > 0.99).all())
        (torch.Size([2, 5]), True)
    """
    check_tensor("confidence_along_rays", x, name="x")
    if len(x) == 0:
        raise ValueError("confidence_along_rays(): x holds no examples")
    if isinstance(scales, Tensor):
        factors = scales.detach().cpu().double().reshape(-1).tolist()
    elif isinstance(scales, (str, bytes)) or not hasattr(scales, "__iter__"):
        raise TypeError(f"confidence_along_rays() expects `scales` to be a sequence of numbers, "
                        f"got {type(scales).__name__}")
    else:
        factors = [check_real("confidence_along_rays", "scale", s) for s in scales]
    if not factors:
        raise ValueError("confidence_along_rays() needs at least one scale")
    with eval_mode(model):
        rows = [torch.softmax(model(alpha * x), dim=1).max(dim=1).values for alpha in factors]
    return torch.stack(rows)


def per_example_weight_gradients(model: nn.Module, x: Tensor, y: Tensor,
                                 loss_fn=None) -> dict[str, Tensor]:
    r"""The gradient of the loss of *each example* with respect to the weight of every
    ``Linear``/``Conv2d`` layer: ``{layer name: tensor of shape (N, *weight.shape)}``.

    For a linear layer :math:`z = W h + b`, the gradient of one example's loss is the outer
    product :math:`\partial L / \partial W = \delta\, h^\top` with
    :math:`\delta = \partial L / \partial z`: row :math:`j` (the weights into unit :math:`j`)
    is :math:`\delta_j\, h`. If every entry of :math:`h` is :math:`\ge 0` -- as ReLU outputs
    are -- all the non-zero entries of that row share the sign of :math:`\delta_j`.

    Computed with ``torch.func`` (``vmap`` of ``grad``), without changing the model or leaving
    ``.grad`` behind; the model must treat examples independently (no batch normalisation in
    training mode).

    Args:
        model: a network with ``Linear`` or ``Conv2d`` layers.
        x: a batch of inputs on the model's device.
        y: the targets, one per input.
        loss_fn: ``loss_fn(logits, y)`` for a batch of one (default cross-entropy).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> grads = per_example_weight_gradients(mlp(3, [4], 2), torch.randn(5, 3),
        ...                                      torch.tensor([0, 1, 0, 1, 1]))
        >>> {name: tuple(g.shape) for name, g in grads.items()}
        {'1': (5, 4, 3), '3': (5, 2, 4)}
    """
    from torch.func import functional_call, grad, vmap

    check_batch("per_example_weight_gradients", x, y)
    layers = [name for name, m in model.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    if not layers:
        raise ValueError("per_example_weight_gradients(): the model has no Linear or Conv2d "
                         "layers")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    params = {k: v.detach() for k, v in model.named_parameters()}
    buffers = {k: v.detach() for k, v in model.named_buffers()}
    weights = {f"{name}.weight": name for name in layers}

    def one_loss(trainable, xi, yi):
        merged = {**params, **trainable}
        out = functional_call(model, (merged, buffers), (xi.unsqueeze(0),))
        return loss_fn(out, yi.unsqueeze(0))

    trainable = {k: params[k] for k in weights}
    grads = vmap(grad(one_loss), in_dims=(None, 0, 0))(trainable, x, y)
    return {weights[k]: g for k, g in grads.items()}


def relu_kink_sensitivity(model: nn.Module, x: Tensor, y: Tensor, *,
                          batch_size: int | None = None, loss_fn=None) -> list[dict]:
    r"""For each mini-batch, how many pre-activations are exactly 0, and how much the weight
    gradient changes between :math:`\mathrm{ReLU}'(0) = 0` and :math:`\mathrm{ReLU}'(0) = 1`
    (the experiment of Bertoin et al., 2021, in miniature).

    The model's activation layers must include :class:`relu_course.activations.modules.ReLUKink`
    layers; their ``grad_at_zero`` is set to 0, then to 1, and restored afterwards. For each
    batch (consecutive slices of ``x`` of ``batch_size`` examples) the result holds

    * ``"zeros"``: the number of pre-activations of those layers that are exactly 0;
    * ``"difference"``: :math:`\lVert g_1 - g_0 \rVert / \lVert g_0 \rVert`, the relative
      change of the gradient with respect to all parameters (computed in float64 from the
      two gradients as the model's dtype gives them; ``0.0`` when they are bitwise equal).

    Wherever no pre-activation is exactly 0 the two gradients are identical, bit for bit.

    Args:
        model: a network whose ReLU layers are ``ReLUKink`` (build it with
            ``mlp(..., activation=lambda width: ReLUKink())``).
        x, y: the data, on the model's device (and ``x`` in its dtype).
        batch_size: examples per batch (default: all in one batch).
        loss_fn: ``loss_fn(logits, y)``, cross-entropy by default.

    Example:
        >>> from relu_course.models import mlp
        >>> from relu_course.activations.modules import ReLUKink
        >>> _ = torch.manual_seed(0)
        >>> net = mlp(2, [8], 2, activation=lambda width: ReLUKink(), init="he")
        >>> x = torch.cat([torch.zeros(1, 2), torch.randn(3, 2)])  # zero input, zero bias
        >>> sensitivity = relu_kink_sensitivity(net, x, torch.tensor([0, 1, 0, 1]))
        >>> sensitivity[0]["zeros"], sensitivity[0]["difference"] > 0
        (8, True)
    """
    from ..activations.modules import ReLUKink

    check_batch("relu_kink_sensitivity", x, y)
    size = len(x) if batch_size is None else check_int("relu_kink_sensitivity", "batch_size",
                                                        batch_size, ge=1)
    kinks = [m for m in model.modules() if isinstance(m, ReLUKink)]
    if not kinks:
        raise ValueError("relu_kink_sensitivity(): the model has no ReLUKink layers; build it "
                         "with activation=lambda width: ReLUKink()")
    loss_fn = nn.functional.cross_entropy if loss_fn is None else loss_fn
    params = [p for p in model.parameters() if p.requires_grad]
    saved = [m.grad_at_zero for m in kinks]
    zeros_seen: list[int] = []
    handles = [m.register_forward_hook(
        lambda _m, inputs, _out: zeros_seen.append(int((inputs[0] == 0).sum())))
        for m in kinks]
    results = []
    try:
        for start in range(0, len(x), size):
            xb, yb = x[start:start + size], y[start:start + size]
            grads = []
            for s in (0.0, 1.0):
                for m in kinks:
                    m.grad_at_zero = s
                zeros_seen.clear()
                loss = loss_fn(model(xb), yb)
                grads.append(torch.cat([g.reshape(-1) for g in
                                        torch.autograd.grad(loss, params)]).double())
            zeros = sum(zeros_seen)
            base = grads[0].norm().item()
            gap = (grads[1] - grads[0]).norm().item()
            results.append({"zeros": zeros, "difference": gap / base if base > 0 else gap})
    finally:
        for m, s in zip(kinks, saved):
            m.grad_at_zero = s
        for h in handles:
            h.remove()
    return results
