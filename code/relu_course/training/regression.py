r"""Fitting functions of one variable: a curve fit, the gradient-descent path of a linear
regression, and a physics-informed fit of a 1-D Poisson equation.

* :func:`fit_curve`
* :func:`linear_regression_path`
* :func:`fit_poisson_1d` -- Train ``model`` as a physics-informed network (Raissi et al., 2019)
  for the 1-D Poisson problem
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, seed_or_base
from .loop import TrainingDiverged

__all__ = ["fit_curve", "linear_regression_path", "fit_poisson_1d"]


def fit_curve(model: nn.Module, x: Tensor, y: Tensor, *, steps: int = 1000, lr: float = 1e-2,
              optimizer: str = "adam") -> list[float]:
    r"""Fit ``model`` to the points ``(x, y)`` by full-batch gradient descent on the mean
    squared error :math:`\frac{1}{N} \sum_i \lVert f(x_i) - y_i \rVert^2 / m` (regression; the
    classification loop is :func:`~relu_course.training.loop.fit`).

    Every step uses all :math:`N` points, so the result depends only on the model's initial
    parameters (seed them with :func:`relu_course.set_seed`). The model is moved to ``x``'s
    device.

    Args:
        model: maps ``(N, d)`` inputs to ``(N, m)`` outputs.
        x: inputs, shape ``(N,)`` (one feature, treated as ``(N, 1)``) or ``(N, d)``.
        y: targets, shape ``(N,)`` (treated as ``(N, 1)``) or ``(N, m)``.
        steps: number of gradient steps.
        lr: learning rate.
        optimizer: ``"adam"`` or ``"sgd"`` (plain gradient descent).

    Returns:
        ``steps + 1`` losses: before each step, and after the last one.

    Raises:
        TrainingDiverged: if the loss becomes NaN or infinite (lower the learning rate).

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> x = torch.linspace(-1, 1, 50)
        >>> losses = fit_curve(mlp(1, [16], 1), x, x.abs(), steps=300)
        >>> len(losses), losses[-1] < 0.01 * losses[0]
        (301, True)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit_curve() expects an nn.Module, got {type(model).__name__}")
    for name, t in (("x", x), ("y", y)):
        if not isinstance(t, Tensor) or not t.is_floating_point():
            raise TypeError(f"fit_curve() expects `{name}` to be a floating-point tensor")
        if t.dim() not in (1, 2) or len(t) == 0:
            raise ValueError(f"fit_curve() expects `{name}` of shape (N,) or (N, features), "
                             f"got {tuple(t.shape)}")
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"fit_curve(): `{name}` contains NaN or infinite values")
    if len(x) != len(y):
        raise ValueError(f"fit_curve(): x has {len(x)} points but y has {len(y)}")
    steps = check_int("fit_curve", "steps", steps, ge=1)
    lr = check_real("fit_curve", "lr", lr, gt=0)
    if optimizer not in ("adam", "sgd"):
        raise ValueError(f"fit_curve(): optimizer must be 'adam' or 'sgd', got {optimizer!r}")
    x = x.unsqueeze(1) if x.dim() == 1 else x                    # (N, d)
    y = (y.unsqueeze(1) if y.dim() == 1 else y).to(x.device)     # (N, m)
    model.to(x.device)
    with torch.no_grad():
        shape = tuple(model(x[:1]).shape)
    if shape != (1, y.shape[1]):
        raise ValueError(f"fit_curve(): the model gives outputs of shape {shape} per point, "
                         f"but y has {y.shape[1]} column(s)")
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("fit_curve(): the model has no trainable parameters")
    opt = (torch.optim.Adam(params, lr=lr) if optimizer == "adam"
           else torch.optim.SGD(params, lr=lr))
    losses = []
    model.train()
    for _ in range(steps):
        loss = nn.functional.mse_loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        losses.append(loss.detach())                             # no sync with the device here
    with torch.no_grad():
        losses.append(nn.functional.mse_loss(model(x), y))
    values = torch.stack(losses).tolist()
    bad = [i for i, v in enumerate(values) if not math.isfinite(v)]
    if bad:
        raise TrainingDiverged(f"fit_curve(): the loss became {values[bad[0]]} at step "
                               f"{bad[0] + 1}; the fit diverged (try a smaller learning rate "
                               f"than {lr})")
    return values


def linear_regression_path(x: Tensor, y: Tensor, *, lr: float, steps: int,
                           batch_size: int | None = None, w0: Tensor | None = None,
                           seed: int | None = None) -> Tensor:
    r"""The path of (stochastic) gradient descent for a linear unit :math:`\hat y = w \cdot x`
    on the loss :math:`\frac{1}{2B} \sum_{i \in \text{batch}} (w \cdot x_i - y_i)^2`.

    One step is :math:`w \leftarrow w - \eta\, \frac{1}{B} \sum_i (w \cdot x_i - y_i)\, x_i`:
    each example pushes :math:`w` along its own input :math:`x_i`. If every :math:`x_i` has
    only non-negative entries (ReLU outputs), a batch of one can move all weights up or all
    weights down, never some up and some down. Add a column of ones to ``x`` for a bias.

    Args:
        x: inputs, shape ``(N, d)``.
        y: targets, shape ``(N,)``.
        lr: the step size :math:`\eta`.
        steps: number of updates.
        batch_size: examples per step, taken in a seeded random order that is reshuffled after
            each pass over the data; ``None`` means all :math:`N` (plain gradient descent).
        w0: the starting point (default: zeros).
        seed: seeds the order of the examples (default: the base seed,
            :func:`relu_course.utils.base_seed`).

    Returns:
        The weights before and after every step, shape ``(steps + 1, d)``, in ``x``'s dtype.

    Example:
        >>> x = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
        >>> path = linear_regression_path(x, torch.tensor([2.0, -1.0]), lr=1.0, steps=30)
        >>> path.shape, [round(v, 3) for v in path[-1].tolist()]
        (torch.Size([31, 2]), [2.0, -1.0])
    """
    for name, t, dims in (("x", x, 2), ("y", y, 1)):
        if not isinstance(t, Tensor) or not t.is_floating_point():
            raise TypeError(f"linear_regression_path() expects `{name}` to be a floating-point "
                            f"tensor")
        if t.dim() != dims:
            raise ValueError(f"linear_regression_path() expects `{name}` with {dims} "
                             f"dimension(s), got shape {tuple(t.shape)}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"linear_regression_path(): x has {len(x)} rows but y has {len(y)}")
    lr = check_real("linear_regression_path", "lr", lr, gt=0)
    steps = check_int("linear_regression_path", "steps", steps, ge=1)
    seed = seed_or_base("linear_regression_path", seed)
    n = len(x)
    batch = n if batch_size is None else min(
        check_int("linear_regression_path", "batch_size", batch_size, ge=1), n)
    if w0 is None:
        w = torch.zeros(x.shape[1], dtype=x.dtype, device=x.device)
    else:
        if not isinstance(w0, Tensor) or w0.shape != (x.shape[1],):
            raise ValueError(f"linear_regression_path() expects `w0` of shape ({x.shape[1]},)")
        w = w0.detach().to(x.dtype).to(x.device).clone()
    y = y.to(x.device)
    gen = torch.Generator().manual_seed(seed)
    order = torch.randperm(n, generator=gen).to(x.device)
    position = 0
    path = [w.clone()]
    for _ in range(steps):
        if batch == n:
            xb, yb = x, y
        else:
            if position + batch > n:                         # a new pass: reshuffle
                order = torch.randperm(n, generator=gen).to(x.device)
                position = 0
            idx = order[position:position + batch]
            position += batch
            xb, yb = x[idx], y[idx]
        residual = xb @ w - yb                               # (B,)
        w = w - lr * (residual @ xb) / len(xb)
        path.append(w.clone())
    result = torch.stack(path)
    if not torch.isfinite(result).all():
        raise TrainingDiverged(f"linear_regression_path(): the weights became infinite or NaN; "
                               f"try a smaller learning rate than {lr}")
    return result


def fit_poisson_1d(model: nn.Module, source: Callable[[Tensor], Tensor], *,
                   domain: tuple[float, float] = (0.0, 1.0),
                   boundary: tuple[float, float] = (0.0, 0.0), n_points: int = 64,
                   steps: int = 500, lr: float = 1e-2) -> dict[str, list[float]]:
    r"""Train ``model`` as a physics-informed network (Raissi et al., 2019) for the 1-D
    Poisson problem

    .. math::
        u''(x) = g(x) \quad (a < x < b), \qquad u(a) = u_a, \quad u(b) = u_b,

    by Adam on the loss :math:`\frac{1}{n}\sum_i \bigl(u''(x_i) - g(x_i)\bigr)^2 +
    \frac{1}{2}\bigl((u(a) - u_a)^2 + (u(b) - u_b)^2\bigr)`, with :math:`u''` taken by automatic
    differentiation (:func:`relu_course.analysis.gradients.input_derivatives`) at ``n_points``
    equally spaced interior points. The network never sees a value of the solution, only
    the equation and the boundary values.

    For a ReLU network, autograd's :math:`u''` is 0 at every point, so the residual term does
    not depend on the parameters at all: its gradient is zero, and only the boundary term
    trains.

    Args:
        model: maps ``(N, 1)`` to ``(N, 1)``; its parameters' dtype and device are used.
        source: :math:`g`, a function of a ``(N, 1)`` tensor returning ``(N, 1)`` values.
        domain: :math:`(a, b)`.
        boundary: :math:`(u_a, u_b)`.
        n_points: interior collocation points.
        steps: Adam steps.
        lr: Adam's learning rate.

    Returns:
        ``{"residual": [...], "boundary": [...]}``: the two terms of the loss before each
        step and after the last one (``steps + 1`` values each).

    Example:
        >>> import math
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> net = mlp(1, [16], 1, "tanh")
        >>> hist = fit_poisson_1d(net, lambda x: torch.full_like(x, 2.0), steps=300)
        >>> hist["residual"][-1] < 1e-2 * hist["residual"][0]   # solves u'' = 2 on (0, 1)
        True
    """
    from ..analysis.gradients import input_derivatives

    if not isinstance(model, nn.Module):
        raise TypeError(f"fit_poisson_1d() expects an nn.Module, got {type(model).__name__}")
    if not callable(source):
        raise TypeError("fit_poisson_1d() expects `source` to be a function of x")
    a, b = (check_real("fit_poisson_1d", "domain", v) for v in domain)
    if not a < b:
        raise ValueError(f"fit_poisson_1d() expects domain (a, b) with a < b, got {domain}")
    ua, ub = (check_real("fit_poisson_1d", "boundary", v) for v in boundary)
    n_points = check_int("fit_poisson_1d", "n_points", n_points, ge=1)
    steps = check_int("fit_poisson_1d", "steps", steps, ge=1)
    lr = check_real("fit_poisson_1d", "lr", lr, gt=0)
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("fit_poisson_1d(): the model has no trainable parameters")
    dtype, device = params[0].dtype, params[0].device
    x = torch.linspace(a, b, n_points + 2, dtype=dtype, device=device)[1:-1]   # interior
    ends = torch.tensor([[a], [b]], dtype=dtype, device=device)
    targets = torch.tensor([[ua], [ub]], dtype=dtype, device=device)
    g = source(x.reshape(-1, 1))
    if not isinstance(g, Tensor) or g.numel() != n_points:
        raise ValueError("fit_poisson_1d(): `source` must return one value per point")
    g = g.reshape(-1).to(dtype)
    opt = torch.optim.Adam(params, lr=lr)
    history: dict[str, list[float]] = {"residual": [], "boundary": []}
    model.train()
    for step in range(steps + 1):
        _, _, d2u = input_derivatives(model, x, order=2, create_graph=True)
        residual = ((d2u - g) ** 2).mean()
        edge = ((model(ends) - targets) ** 2).mean()
        history["residual"].append(residual.item())
        history["boundary"].append(edge.item())
        if not math.isfinite(history["residual"][-1] + history["boundary"][-1]):
            raise TrainingDiverged(f"fit_poisson_1d(): the loss became non-finite at step "
                                   f"{step}; try a smaller learning rate than {lr}")
        if step == steps:
            break
        opt.zero_grad(set_to_none=True)
        (residual + edge).backward()
        opt.step()
    return history
