r"""A training-loop callback that records dead units, activation statistics and gradient-to-weight
ratios after every epoch, and PReLU's learned slopes.

* :class:`TrainingMonitor` -- A callback for :func:`relu_course.training.loop.fit` that watches a
  network while it trains.
* :func:`prelu_slopes` -- The current negative-side slopes :math:`a` of every PReLU layer of
  ``model``.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, check_tensor
from ..activations import modules as M
from ..utils import eval_mode
from .gradients import gradient_norms
from .hooks import activation_layers, record_activations

__all__ = ["TrainingMonitor", "prelu_slopes"]


class TrainingMonitor:
    r"""A callback for :func:`relu_course.training.loop.fit` that watches a network while it trains.

    After every ``every``-th epoch it measures, on a fixed probe batch ``x`` (and targets ``y``):

    * ``dead``: per activation layer, the fraction of units never positive on ``x``
      (:func:`~relu_course.analysis.dead_units.dead_unit_fraction`);
    * ``zero_fraction``, ``mean``, ``std``: per activation layer, statistics of the outputs
      (:func:`~relu_course.analysis.hooks.activation_stats`);
    * ``grad_to_weight`` (only when ``y`` is given): per ``Linear``/``Conv2d`` layer, the ratio
      :math:`\lVert \partial L / \partial W \rVert / \lVert W \rVert` on the probe batch
      (:func:`~relu_course.analysis.gradients.gradient_norms`). Times the learning rate, it
      approximates the relative size of one SGD update; values far below :math:`10^{-4}` mean a
      layer barely learns, values near 1 mean it is being rewritten every step.

    Each measurement is one dictionary in the list ``records``, with the key ``epoch``; call the
    monitor once before training (``monitor(0, model)``) to record the initial state. The
    monitor never stops training (it returns ``None``); use ``stop_on_dead`` to stop when the
    unit-weighted dead fraction over all layers reaches a threshold.

    Args:
        x: the probe inputs (a non-empty batch on the model's device).
        y: the probe targets, or ``None`` to skip the gradient ratios.
        every: measure after every ``every``-th epoch (epoch 0 is always measured).
        stop_on_dead: if given, a fraction in (0, 1]: ask :func:`~relu_course.training.loop.fit` to
            stop once that share of all units is dead.

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> from relu_course.training import TrainConfig, fit
        >>> _ = torch.manual_seed(0)
        >>> data = load("moons", n_samples=200)
        >>> net = mlp(2, [16, 16], 2)
        >>> monitor = TrainingMonitor(data.x_train, data.y_train)
        >>> monitor(0, net)
        >>> _ = fit(net, data, TrainConfig(epochs=3), callback=monitor)
        >>> [r["epoch"] for r in monitor.records]
        [0, 1, 2, 3]
        >>> sorted(monitor.records[-1])
        ['dead', 'epoch', 'grad_to_weight', 'mean', 'std', 'total_dead', 'zero_fraction']
        >>> len(monitor.series("dead", "2")), len(monitor.series("total_dead"))
        (4, 4)
    """

    KEYS = ("dead", "zero_fraction", "mean", "std", "grad_to_weight", "total_dead")

    def __init__(self, x: Tensor, y: Tensor | None = None, *, every: int = 1,
                 stop_on_dead: float | None = None):
        check_tensor("TrainingMonitor", x, name="x")
        if len(x) == 0:
            raise ValueError("TrainingMonitor(): the probe batch x holds no examples")
        if y is not None:
            if not isinstance(y, Tensor):
                raise TypeError(f"TrainingMonitor() expects `y` to be a torch.Tensor or None, "
                                f"got {type(y).__name__}")
            if len(y) != len(x):
                raise ValueError(f"TrainingMonitor(): x has {len(x)} examples but y has {len(y)}")
        self.every = check_int("TrainingMonitor", "every", every, ge=1)
        if stop_on_dead is not None:
            stop_on_dead = check_real("TrainingMonitor", "stop_on_dead", stop_on_dead, gt=0, le=1)
        self.x, self.y, self.stop_on_dead = x, y, stop_on_dead
        self.records: list[dict] = []

    def __call__(self, epoch: int, model: nn.Module, history=None) -> bool | None:
        epoch = check_int("TrainingMonitor", "epoch", epoch, ge=0)
        if not isinstance(model, nn.Module):
            raise TypeError(f"TrainingMonitor expects an nn.Module, got {type(model).__name__}")
        if epoch % self.every and epoch != 0:
            return None
        if not activation_layers(model):
            raise ValueError("TrainingMonitor: the model has no activation layers to monitor")
        with eval_mode(model):
            with torch.no_grad(), record_activations(model) as acts:
                model(self.x)
            record = {"epoch": epoch, "dead": {}, "zero_fraction": {}, "mean": {}, "std": {}}
            dead_units = total_units = 0
            for name, outs in acts.items():
                v = outs[-1].reshape(len(self.x), -1)
                alive = (v > 0).any(dim=0)
                dead_units += int((~alive).sum())
                total_units += alive.numel()
                record["dead"][name] = 1.0 - alive.double().mean().item()
                v = v.double()
                record["zero_fraction"][name] = (v == 0).double().mean().item()
                record["mean"][name] = v.mean().item()
                record["std"][name] = v.std(unbiased=False).item()
            record["total_dead"] = dead_units / total_units
            if self.y is not None:
                norms = gradient_norms(model, self.x, self.y)
                weights = {name: m.weight for name, m in model.named_modules()
                           if isinstance(m, (nn.Linear, nn.Conv2d))}
                record["grad_to_weight"] = {
                    name: g / max(weights[name].detach().norm().item(), 1e-30)
                    for name, g in norms.items()}
        self.records.append(record)
        if self.stop_on_dead is not None and record["total_dead"] >= self.stop_on_dead:
            return True
        return None

    def series(self, key: str, layer: str | None = None) -> list[float]:
        """The values of one measurement over the recorded epochs.

        ``key`` is one of ``TrainingMonitor.KEYS``; ``layer`` names the layer for the per-layer
        keys (and must be ``None`` for ``total_dead``).

        Example:
            >>> m = TrainingMonitor(torch.zeros(1, 2))
            >>> m.records = [{"epoch": 0, "total_dead": 0.25}, {"epoch": 1, "total_dead": 0.5}]
            >>> m.series("total_dead")
            [0.25, 0.5]
        """
        if key not in self.KEYS:
            raise ValueError(f"TrainingMonitor.series(): unknown key {key!r}; "
                             f"choose from {', '.join(self.KEYS)}")
        if key == "total_dead":
            if layer is not None:
                raise ValueError("TrainingMonitor.series(): 'total_dead' is over all layers; "
                                 "leave layer=None")
            return [r["total_dead"] for r in self.records]
        if layer is None:
            raise ValueError(f"TrainingMonitor.series(): {key!r} is per layer; pass layer=")
        missing = [r["epoch"] for r in self.records if layer not in r.get(key, {})]
        if missing:
            raise ValueError(f"TrainingMonitor.series(): no {key!r} for layer {layer!r} "
                             f"(recorded layers: {sorted(self.records[0].get(key, {}))})")
        return [r[key][layer] for r in self.records]

    @property
    def epochs(self) -> list[int]:
        """The epochs at which the monitor measured, in order."""
        return [r["epoch"] for r in self.records]


def prelu_slopes(model: nn.Module) -> dict[str, Tensor]:
    r"""The current negative-side slopes :math:`a` of every PReLU layer of ``model``.

    Returns ``{layer name: slopes}`` in registration order (the input side first), where
    ``slopes`` is a detached float64 CPU copy of the layer's ``weight``: one value for a
    channel-shared PReLU, one per channel for a channel-wise one. Both
    :class:`relu_course.activations.modules.PReLU` and ``torch.nn.PReLU`` count. The copies do
    not change when the model trains on, so the function can be called from a
    :func:`relu_course.training.loop.fit` callback to record the slopes after every epoch.

    Raises:
        ValueError: if the model has no PReLU layer.

    Example:
        >>> from relu_course.models import small_cnn
        >>> net = small_cnn(channels=(4, 8), activation=lambda c: M.PReLU(c))
        >>> {name: a.shape for name, a in prelu_slopes(net).items()}
        {'1': torch.Size([4]), '4': torch.Size([8])}
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"prelu_slopes() expects an nn.Module, got {type(model).__name__}")
    found = {name: m.weight.detach().to("cpu", torch.float64).clone().reshape(-1)
             for name, m in model.named_modules() if isinstance(m, (M.PReLU, nn.PReLU))}
    if not found:
        raise ValueError("prelu_slopes(): the model has no PReLU layer "
                         "(relu_course.activations.modules.PReLU or torch.nn.PReLU)")
    return found
