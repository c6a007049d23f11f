r"""Forward hooks on a model's activation layers: find them (through the activation registry),
record what they receive or return, and summarise it per layer.

* :func:`activation_layers` -- ``(name, module)`` for every activation layer of ``model``, in
  registration order.
* :func:`record_activations` -- Context manager: collect the (detached) output -- or, with
  ``what="input"``, the input, i.e.
* :class:`LayerStats` -- Summary of one activation layer's values over a batch (all units and
  examples).
* :func:`activation_stats` -- Per activation layer (in order), statistics of its outputs -- or
  of its inputs, the pre-activations, with ``what="input"``
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import torch
from torch import Tensor, nn

from .._validation import check_tensor
from ..activations.registry import module_types

__all__ = ["activation_layers", "record_activations", "LayerStats", "activation_stats"]


def activation_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """``(name, module)`` for every activation layer of ``model``, in registration order.

    An activation layer is an instance of a class the activation registry knows
    (:func:`relu_course.activations.registry.module_types`): the course's modules, torch's
    own activation classes, and the other implementations (``PackedReLU``, ``ReLUKink``, ...).

    Raises:
        ValueError: if the model has none.

    Example:
        >>> from relu_course.models import mlp
        >>> [name for name, _ in activation_layers(mlp(2, [4, 4], 2))]
        ['2', '4']
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"activation_layers() expects an nn.Module, got {type(model).__name__}")
    types = module_types()
    found = [(name, m) for name, m in model.named_modules() if isinstance(m, types)]
    if not found:
        raise ValueError(
            "the model has no activation layers to measure (expected modules such as "
            "relu_course.activations.modules.ReLU or torch.nn.ReLU)"
        )
    return found


@contextmanager
def record_activations(model: nn.Module, what: str = "output"):
    """Context manager: collect the (detached) output -- or, with ``what="input"``, the input,
    i.e. the pre-activation -- of every activation layer.

    Yields a dict ``{layer name: list of tensors}`` (one entry per forward call); the hooks are
    removed on exit.

    Example:
        >>> from relu_course.models import mlp
        >>> net = mlp(2, [3], 2)
        >>> with record_activations(net) as acts:
        ...     _ = net(torch.zeros(4, 2))
        >>> list(acts), acts["2"][0].shape
        (['2'], torch.Size([4, 3]))
    """
    if what not in ("output", "input"):
        raise ValueError(f"record_activations(): `what` must be 'output' or 'input', got {what!r}")
    layers = activation_layers(model)
    outputs: dict[str, list[Tensor]] = {name: [] for name, _ in layers}
    handles = []
    for name, module in layers:
        def hook(_module, inputs, output, name=name):
            outputs[name].append((output if what == "output" else inputs[0]).detach())
        handles.append(module.register_forward_hook(hook))
    try:
        yield outputs
    finally:
        for h in handles:
            h.remove()


@dataclass(frozen=True)
class LayerStats:
    """Summary of one activation layer's values over a batch (all units and examples).

    Example:
        >>> LayerStats(mean=0.4, std=0.58, zero_fraction=0.5, mean_square=0.5).zero_fraction
        0.5
    """

    mean: float
    std: float
    zero_fraction: float      # share of values that are exactly 0 (ReLU's sparsity)
    mean_square: float        # E[v^2], the "signal energy" that initialisation tries to keep


@torch.no_grad()
def activation_stats(model: nn.Module, x: Tensor, what: str = "output") -> dict[str, LayerStats]:
    """Per activation layer (in order), statistics of its outputs -- or of its inputs, the
    pre-activations, with ``what="input"`` -- on the batch ``x``.

    Example:
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0); net = mlp(4, [256], 2, init="he")
        >>> stats = activation_stats(net, torch.randn(512, 4))
        >>> round(stats["2"].zero_fraction, 1)
        0.5
    """
    check_tensor("activation_stats", x, name="x")
    if len(x) == 0:
        raise ValueError("activation_stats(): x holds no examples")
    with record_activations(model, what) as acts:
        model(x)
    result = {}
    for name, outs in acts.items():
        v = outs[-1].double()
        result[name] = LayerStats(mean=v.mean().item(), std=v.std(unbiased=False).item(),
                                  zero_fraction=(v == 0).double().mean().item(),
                                  mean_square=(v * v).mean().item())
    return result
