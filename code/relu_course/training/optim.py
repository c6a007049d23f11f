r"""What the optimiser sees: parameter groups, with the PReLU slopes kept out of weight decay
(gradient clipping is in :mod:`relu_course.training.clipping`).

* :func:`prelu_parameter_groups` -- Split ``model``'s trainable parameters into optimiser
  parameter groups: the PReLU slopes, and everything else
"""

from __future__ import annotations

from torch import nn

__all__ = ["prelu_parameter_groups"]


def _prelu_types() -> tuple[type, ...]:
    from ..activations.modules import PReLU

    return (PReLU, nn.PReLU)


def prelu_parameter_groups(model: nn.Module, weight_decay: float,
                           slope_weight_decay: float = 0.0) -> list[dict]:
    r"""Split ``model``'s trainable parameters into optimiser parameter groups: the PReLU
    slopes, and everything else, each with its own weight decay.

    An optimiser with weight decay :math:`\lambda` adds :math:`\lambda\,\theta` to the gradient
    of every parameter :math:`\theta` it is given (an L2 penalty
    :math:`\tfrac{\lambda}{2}\lVert\theta\rVert^2`), which pulls it toward zero. For a PReLU
    slope :math:`a`, zero means ReLU; He et al. (2015) therefore used no weight decay on the
    slopes. Pass the result to any ``torch.optim`` optimiser, then to
    :func:`relu_course.training.loop.fit` as ``optimizer=``.

    Slopes are the ``weight`` of every :class:`relu_course.activations.modules.PReLU` and
    ``torch.nn.PReLU`` module; each parameter appears once (shared ones too), in
    ``model.parameters()`` order, and frozen parameters (``requires_grad=False``) are left out.
    Empty groups are left out, so a model without PReLU gives one group.

    Args:
        model: the network.
        weight_decay: :math:`\lambda` for every parameter that is not a PReLU slope (>= 0).
        slope_weight_decay: :math:`\lambda` for the PReLU slopes (default ``0.0``, as in
            He et al.).

    Returns:
        A list of dicts ``{"params": [...], "weight_decay": ..., "name": ...}`` with ``name``
        ``"weights"`` (everything else) and ``"slopes"``.

    Raises:
        TypeError, ValueError: for a model that is not an ``nn.Module``, one without trainable
            parameters, or a negative or non-finite decay.

    Example:
        >>> from relu_course.models import small_cnn
        >>> from relu_course.activations.modules import PReLU
        >>> net = small_cnn(channels=(4, 8), activation=lambda c: PReLU(c))
        >>> groups = prelu_parameter_groups(net, weight_decay=5e-4)
        >>> [(g["name"], sum(p.numel() for p in g["params"]), g["weight_decay"]) for g in groups]
        [('weights', 666, 0.0005), ('slopes', 12, 0.0)]
        >>> optimizer = torch.optim.SGD(groups, lr=0.1, momentum=0.9)
    """
    from .._validation import check_real

    if not isinstance(model, nn.Module):
        raise TypeError(f"prelu_parameter_groups() expects an nn.Module, got {type(model).__name__}")
    decays = {}
    for name, value in (("weight_decay", weight_decay), ("slope_weight_decay", slope_weight_decay)):
        decays[name] = check_real("prelu_parameter_groups", name, value, ge=0)
    slope_ids = {id(m.weight) for m in model.modules() if isinstance(m, _prelu_types())}
    weights, slopes, seen = [], [], set()
    for p in model.parameters():
        if not p.requires_grad or id(p) in seen:
            continue
        seen.add(id(p))
        (slopes if id(p) in slope_ids else weights).append(p)
    if not weights and not slopes:
        raise ValueError("prelu_parameter_groups(): the model has no trainable parameters")
    groups = [{"params": weights, "weight_decay": decays["weight_decay"], "name": "weights"},
              {"params": slopes, "weight_decay": decays["slope_weight_decay"], "name": "slopes"}]
    return [g for g in groups if g["params"]]
