"""Exercise checks for chapter 7, "Parametric ReLU (PReLU)"."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ._core import Failure, call, exercise, show

__all__ = ["check_prelu_weight_grad", "check_prelu_from_relus", "check_prelu_decay_groups"]


def _prelu_weight_grad_reference(x: np.ndarray, grad_out: np.ndarray) -> np.ndarray:
    """dL/da for channel-wise PReLU by autograd (torch's own prelu), in float64."""
    xt = torch.tensor(x, dtype=torch.float64)
    a = torch.full((x.shape[1],), 0.25, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.prelu(xt, a).backward(torch.tensor(grad_out, dtype=torch.float64))
    return a.grad.numpy()


@exercise("Exercise 7.1 (the gradient of a PReLU slope)")
def check_prelu_weight_grad(tally, prelu_weight_grad) -> str:
    """Check ``prelu_weight_grad(x, grad_out) -> dL/da`` for a channel-wise PReLU, in NumPy.

    ``x`` has shape ``(N, C)`` or ``(N, C, H, W)`` (channels on dimension 1) and ``grad_out``
    (:math:`\\partial L / \\partial y`) the same shape; the answer has shape ``(C,)``. It is
    compared with PyTorch's autograd, on inputs that include exact zeros and a channel whose
    inputs are all positive.

    Example:
        >>> def grad(x, grad_out):
        ...     dims = tuple(d for d in range(x.ndim) if d != 1)
        ...     return (grad_out * np.minimum(x, 0.0)).sum(axis=dims)
        >>> check_prelu_weight_grad(grad).passed
        True
    """
    rng = np.random.default_rng(71)
    cases = [rng.normal(size=(6, 3)), rng.normal(size=(4, 2, 3, 3)), rng.normal(size=(1, 5))]
    x = rng.normal(size=(5, 4, 2, 2))
    x[:, 1] = np.abs(x[:, 1]) + 0.1          # channel 1: every input positive
    x[0, 2] = 0.0                            # exact zeros in channel 2
    cases.append(x)
    for x in cases:
        grad_out = rng.normal(size=x.shape)
        args = (x.copy(), grad_out.copy())
        got = call(prelu_weight_grad, "prelu_weight_grad", *args)
        if not (np.array_equal(args[0], x) and np.array_equal(args[1], grad_out)):
            raise Failure("prelu_weight_grad modified one of its arguments in place; "
                          "compute a new array instead")
        expected = _prelu_weight_grad_reference(x, grad_out)
        try:
            value = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            raise Failure(f"for x of shape {x.shape}: prelu_weight_grad returned "
                          f"{type(got).__name__}; expected an array of shape {expected.shape}"
                          ) from None
        if value.shape != expected.shape:
            raise Failure(f"for x of shape {x.shape}: the result has shape {value.shape}; "
                          f"expected {expected.shape}, one number per channel (sum over every "
                          f"dimension except dimension 1)")
        if not np.allclose(value, expected, rtol=1e-7, atol=1e-10):
            dims = tuple(d for d in range(x.ndim) if d != 1)
            hint = ""
            if np.allclose(value, (grad_out * x).sum(axis=dims)):
                hint = (" -- it looks like every input contributes; only inputs x <= 0 do, "
                        "since for x > 0 the output x does not depend on a")
            elif np.allclose(value, -expected):
                hint = " -- the sign is flipped: dy/da = x (not -x) for x <= 0"
            elif np.allclose(value, (grad_out * np.maximum(x, 0.0)).sum(axis=dims)):
                hint = " -- you used the positive inputs; the slope multiplies the negative ones"
            raise Failure(f"for x of shape {x.shape}: got {show(value)}, expected "
                          f"{show(expected)}{hint}")
        tally.ok()
    return ("dL/da sums grad_out * x over the inputs x <= 0 that share the slope: over the "
            "batch and, in a CNN, over every position of the channel.")


@exercise("Exercise 7.2 (PReLU from two ReLUs)")
def check_prelu_from_relus(tally, prelu_from_relus) -> str:
    """Check ``prelu_from_relus(x, a)`` written with ReLUs: values and autograd gradients (for
    ``x`` and for the slope ``a``) must match PReLU's away from :math:`x = 0`. The message on
    success reports what autograd gives at exactly :math:`x = 0`.

    Example:
        >>> check_prelu_from_relus(lambda x, a: torch.relu(x) - a * torch.relu(-x)).passed
        True
    """
    gen = torch.Generator().manual_seed(72)
    x0 = torch.randn(40, generator=gen, dtype=torch.float64)
    x0 = x0[x0.abs() > 1e-3]                               # away from the kink
    for slope in (0.25, -0.5, 1.0):
        x = x0.clone().requires_grad_()
        a = torch.tensor([slope], dtype=torch.float64, requires_grad=True)
        got = call(prelu_from_relus, "prelu_from_relus", x, a)
        if not isinstance(got, torch.Tensor):
            raise Failure(f"prelu_from_relus(x, a={slope}) returned {type(got).__name__}; "
                          f"expected a torch.Tensor")
        xr = x0.clone().requires_grad_()
        ar = torch.tensor([slope], dtype=torch.float64, requires_grad=True)
        expected = torch.nn.functional.prelu(xr, ar)
        if got.shape != expected.shape or not torch.allclose(got, expected):
            bad = (got - expected).abs().argmax().item() if got.shape == expected.shape else 0
            raise Failure(f"with a = {slope}: prelu_from_relus gives {got.reshape(-1)[bad].item():.4g} "
                          f"at x = {x0[bad].item():.4g}; PReLU gives {expected[bad].item():.4g}")
        if not got.requires_grad:
            raise Failure("the result does not depend on x and a through autograd (did you use "
                          "NumPy or .detach()?); build it from torch operations")
        upstream = torch.randn(x0.shape, generator=gen, dtype=torch.float64)
        grads = torch.autograd.grad(got, (x, a), upstream, allow_unused=True)
        ref = torch.autograd.grad(expected, (xr, ar), upstream)
        for name, g, r in zip(("x", "a"), grads, ref):
            if g is None:
                raise Failure(f"with a = {slope}: your result does not depend on {name} "
                              f"(autograd finds no path to it)")
            if not torch.allclose(g, r):
                raise Failure(f"with a = {slope}: the gradient with respect to {name} differs "
                              f"from PReLU's by up to {(g - r).abs().max().item():.3g}")
        tally.ok()
    zero = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    a = torch.tensor([0.25], dtype=torch.float64)
    out = call(prelu_from_relus, "prelu_from_relus", zero, a)
    (g0,) = torch.autograd.grad(out.sum(), zero, allow_unused=True)
    g0 = 0.0 if g0 is None else g0.item()
    if g0 == 0.25:
        remark = "the same value as PReLU's own backward, which returns a there."
    else:
        remark = ("PReLU's own backward returns a = 0.25 there: the same function, "
                  "another subgradient at the kink (chapter 3).")
    return f"At exactly x = 0 autograd gives {g0:g} for your formula with a = 0.25; {remark}"


def _effective_decays(groups, fn_name: str) -> dict[int, float]:
    """{id(parameter): weight decay} as a torch optimiser would apply it."""
    try:
        optimizer = torch.optim.SGD(groups, lr=0.1)      # default weight_decay=0
    except (TypeError, ValueError) as exc:
        raise Failure(f"torch.optim.SGD cannot use what {fn_name} returned: {exc}") from exc
    return {id(p): g["weight_decay"] for g in optimizer.param_groups for p in g["params"]}


@exercise("Exercise 7.3 (no weight decay on the slopes)")
def check_prelu_decay_groups(tally, prelu_decay_groups) -> str:
    """Check ``prelu_decay_groups(model, weight_decay)``: optimiser parameter groups in which
    every PReLU slope (``relu_course.activations.modules.PReLU`` or ``torch.nn.PReLU``) has
    weight decay 0 and every other trainable parameter has ``weight_decay``.

    Example:
        >>> from relu_course.training.optim import prelu_parameter_groups
        >>> check_prelu_decay_groups(prelu_parameter_groups).passed
        True
    """
    from ..activations.modules import PReLU
    from ..models import mlp, small_cnn

    torch.manual_seed(73)
    models = {
        "small_cnn with channel-wise PReLU": small_cnn(channels=(4, 8),
                                                      activation=lambda c: PReLU(c)),
        "mlp with torch.nn.PReLU": mlp(3, [5, 5], 2, activation=lambda w: nn.PReLU()),
        "mlp with ReLU (no slopes)": mlp(3, [5], 2),
    }
    for label, model in models.items():
        for decay in (5e-4, 0.01):
            groups = call(prelu_decay_groups, "prelu_decay_groups", model, decay)
            if isinstance(groups, nn.Module) or not isinstance(groups, (list, tuple)):
                raise Failure(f"for the {label}: return a list of parameter groups (dicts with "
                              f"'params' and 'weight_decay'), got {type(groups).__name__}")
            decays = _effective_decays(list(groups), "prelu_decay_groups")
            slopes = {id(m.weight) for m in model.modules() if isinstance(m, (PReLU, nn.PReLU))}
            for name, p in model.named_parameters():
                if id(p) not in decays:
                    raise Failure(f"for the {label}: parameter {name!r} is in no group, so it "
                                  f"would never be trained")
                want = 0.0 if id(p) in slopes else decay
                if decays[id(p)] != want:
                    kind = "a PReLU slope" if id(p) in slopes else "not a PReLU slope"
                    raise Failure(f"for the {label} with weight_decay={decay}: parameter "
                                  f"{name!r} ({kind}) gets weight decay {decays[id(p)]}; "
                                  f"expected {want}")
            own = {id(p) for p in model.parameters()}
            if set(decays) - own:
                raise Failure(f"for the {label}: the groups hold tensors that are not "
                              f"parameters of the model")
            tally.ok()
    return ("Pass the groups to an optimiser, e.g. torch.optim.SGD(groups, lr=0.05, "
            "momentum=0.9), and that to training.fit(..., optimizer=...).")
