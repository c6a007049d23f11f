r"""Gradient clipping by global norm.

* :class:`GradientClipper` -- What :func:`clip_gradient_norm` attached to an optimizer: it clips
  (or only measures) the gradient before every step
* :func:`clip_gradient_norm` -- Make ``optimizer`` clip the global gradient norm before every
  step (Pascanu et al., 2013), and record that norm
"""

from __future__ import annotations

import math

import torch
from torch import nn

from .._validation import check_real

__all__ = ["GradientClipper", "clip_gradient_norm"]


class GradientClipper:
    """What :func:`clip_gradient_norm` attached to an optimizer: it clips (or only measures)
    the gradient before every step, and keeps the measurements.

    Attributes:
        max_norm: the largest total gradient norm let through (``None``: measure only).
        norm_type: the order :math:`p` of the norm.
        norms: the total gradient norm :math:`\\lVert g \\rVert_p` *before* clipping, one per
            optimizer step, in order.

    Example:
        >>> net = torch.nn.Linear(2, 1)
        >>> opt = torch.optim.SGD(net.parameters(), lr=0.1)
        >>> clipper = clip_gradient_norm(opt, max_norm=1.0)
        >>> net(torch.full((1, 2), 100.0)).sum().backward()
        >>> opt.step()
        >>> round(clipper.norms[0], 1), clipper.clipped_fraction
        (141.4, 1.0)
        >>> clipper.remove()
    """

    def __init__(self, optimizer: torch.optim.Optimizer, max_norm: float | None,
                 norm_type: float):
        self.optimizer = optimizer
        self.max_norm = max_norm
        self.norm_type = norm_type
        self.norms: list[float] = []
        self._handle = optimizer.register_step_pre_hook(self._before_step)

    def _before_step(self, optimizer, args, kwargs) -> None:
        params = [p for group in optimizer.param_groups for p in group["params"]
                  if p.grad is not None]
        if not params:
            self.norms.append(0.0)
            return
        limit = math.inf if self.max_norm is None else self.max_norm
        total = nn.utils.clip_grad_norm_(params, limit, norm_type=self.norm_type)
        self.norms.append(float(total))

    @property
    def steps(self) -> int:
        """Number of optimizer steps seen so far."""
        return len(self.norms)

    @property
    def clipped_fraction(self) -> float:
        """Share of the steps whose gradient norm exceeded ``max_norm`` (0 when measuring
        only, or before the first step)."""
        if self.max_norm is None or not self.norms:
            return 0.0
        return sum(n > self.max_norm for n in self.norms) / len(self.norms)

    def remove(self) -> None:
        """Detach from the optimizer: later steps are neither clipped nor measured."""
        self._handle.remove()

    def __repr__(self) -> str:
        return (f"GradientClipper(max_norm={self.max_norm}, steps={self.steps}, "
                f"clipped_fraction={self.clipped_fraction:.3f})")


def clip_gradient_norm(optimizer: torch.optim.Optimizer, max_norm: float | None, *,
                       norm_type: float = 2.0) -> GradientClipper:
    r"""Make ``optimizer`` clip the global gradient norm before every step (Pascanu et al.,
    2013), and record that norm; use it with ``fit(..., optimizer=optimizer)``.

    With all the gradients of the optimizer's parameters stacked into one vector :math:`g`,
    each step uses

    .. math::
        g \leftarrow g \cdot \min\Bigl(1, \frac{c}{\lVert g \rVert_p}\Bigr),

    where :math:`c` is ``max_norm``: the direction of the gradient is kept and only its length
    is capped, so an occasional huge gradient (a "cliff" in the loss) cannot throw the weights
    far away. It is applied by ``torch.nn.utils.clip_grad_norm_`` from a step pre-hook
    (``Optimizer.register_step_pre_hook``), so the optimizer is changed in place and
    :func:`~relu_course.training.loop.fit` needs no change. With ``max_norm=None`` nothing is
    clipped and the norms are only recorded.

    Args:
        optimizer: a ``torch.optim.Optimizer`` over the model's parameters.
        max_norm: the cap :math:`c > 0`, or ``None`` to measure only.
        norm_type: the order :math:`p \ge 1` of the norm (``2.0``, or ``math.inf`` for the
            largest entry).

    Returns:
        A :class:`GradientClipper` holding the recorded norms; call its ``remove()`` to stop.

    Example:
        >>> from relu_course.training import TrainConfig
        >>> from relu_course.training import fit
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> data, net = load("moons", n_samples=128), mlp(2, [16], 2)
        >>> opt = torch.optim.SGD(net.parameters(), lr=0.5)
        >>> clipper = clip_gradient_norm(opt, max_norm=0.1)
        >>> history = fit(net, data, TrainConfig(epochs=3, batch_size=32), optimizer=opt)
        >>> clipper.steps, clipper.clipped_fraction > 0
        (9, True)
    """
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"clip_gradient_norm() expects a torch.optim.Optimizer, "
                        f"got {type(optimizer).__name__}")
    if max_norm is not None:
        max_norm = check_real("clip_gradient_norm", "max_norm", max_norm, gt=0)
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
        raise TypeError(f"clip_gradient_norm() expects `norm_type` to be a number, "
                        f"got {type(norm_type).__name__}")
    norm_type = float(norm_type)
    if not (norm_type >= 1.0):                       # also rejects NaN
        raise ValueError(f"clip_gradient_norm() expects norm_type >= 1 (2.0, or math.inf), "
                         f"got {norm_type}")
    return GradientClipper(optimizer, max_norm, norm_type)
