r"""Many small networks trained side by side as one batched network, for experiments over many seeds
and activations.

* :func:`fit_many` -- Train several networks of one architecture side by side, and return one
  :class:`~relu_course.training.loop.History` per network.
"""

from __future__ import annotations

import math
import time

import torch
from torch import Tensor, nn

from ..data.datasets import Dataset
from ..utils import eval_mode
from .loop import History, TrainConfig, TrainingDiverged, _data_and_config, _optimizer

__all__ = ["fit_many"]


_STACKABLE_LAYERS = ("Flatten", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d")


def _stack_kind(position: int, layers) -> str:
    """How :class:`_ModelStack` treats the layers found at one position of the networks."""
    from ..activations.registry import module_types

    if all(isinstance(m, (*module_types(), nn.Identity)) for m in layers):
        return "activation"                      # the one kind of layer that may differ
    kinds = {type(m) for m in layers}
    if len(kinds) != 1:
        names = ", ".join(sorted(k.__name__ for k in kinds))
        raise ValueError(f"fit_many(): the networks differ at layer {position} ({names}); "
                         f"only activation layers may differ")
    kind = kinds.pop().__name__
    if kind not in _STACKABLE_LAYERS:
        raise ValueError(f"fit_many(): layer {position} is a {kind}, which is not supported; "
                         f"the networks may hold {', '.join(_STACKABLE_LAYERS)} and activation "
                         f"layers, as models.mlp and models.small_cnn build them")
    first = layers[0]
    different = [m for m in layers if repr(m) != repr(first)]
    if different:
        raise ValueError(f"fit_many(): the networks' layers {position} differ ({first!r} and "
                         f"{different[0]!r}); only activation layers may differ")
    if kind == "Flatten" and (first.start_dim, first.end_dim) != (1, -1):
        raise ValueError("fit_many(): only Flatten(start_dim=1, end_dim=-1) is supported")
    if kind == "Conv2d" and (first.groups != 1 or first.padding_mode != "zeros"
                             or isinstance(first.padding, str)):
        raise ValueError("fit_many(): only Conv2d layers with groups=1, numeric padding and "
                         "padding_mode='zeros' are supported")
    if kind == "MaxPool2d" and first.return_indices:
        raise ValueError("fit_many(): MaxPool2d(return_indices=True) is not supported")
    return kind


class _ModelStack(nn.Module):
    """``A`` networks of one architecture evaluated as one batched network (see
    :func:`fit_many`).

    The weights and biases of each ``Linear``/``Conv2d`` position are stacked into tensors of
    shape ``(A, ...)``; activation layers stay the networks' own modules, with their own
    parameters (such as PReLU slopes). The hidden state is the common input ``(B, ...)`` until
    the first ``Linear``/``Conv2d`` layer; then ``(A, B, features)`` after a ``Linear`` layer
    (one batched matrix product serves all networks) or ``(B, A * channels, H, W)`` after a
    ``Conv2d`` layer (one grouped convolution serves all networks).
    """

    _ALLOWED = {"activation": ("dense", "conv"), "Linear": ("input", "dense"),
                "Conv2d": ("input", "conv"), "Flatten": ("input", "dense", "conv"),
                "MaxPool2d": ("input", "conv"), "AvgPool2d": ("input", "conv")}

    def __init__(self, models):
        super().__init__()
        self.size = len(models)
        self.plan: list[tuple[str, int, object]] = []      # (kind, position, detail)
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        self.activations = nn.ModuleList()
        layout = "input"
        for position, layers in enumerate(zip(*(list(m) for m in models))):
            kind = _stack_kind(position, layers)
            if layout not in self._ALLOWED[kind]:
                raise ValueError(f"fit_many(): a {kind} layer at position {position} is not "
                                 f"supported there; the networks must be laid out like the "
                                 f"ones models.mlp and models.small_cnn build")
            if kind == "activation":
                self.activations.append(nn.ModuleList(layers))
                self.plan.append((kind, position, len(self.activations) - 1))
            elif kind in ("Linear", "Conv2d"):
                with torch.no_grad():
                    self.weights.append(nn.Parameter(
                        torch.stack([m.weight.detach() for m in layers]).clone()))
                    self.biases.append(None if layers[0].bias is None else nn.Parameter(
                        torch.stack([m.bias.detach() for m in layers]).clone()))
                self.plan.append((kind, position, (len(self.weights) - 1, layers[0], layout)))
                layout = "dense" if kind == "Linear" else "conv"
            elif kind == "Flatten":
                self.plan.append((kind, position, layout))
                layout = "dense" if layout == "conv" else layout
            else:
                self.plan.append(("pool", position, layers[0]))
        if layout != "dense":
            raise ValueError("fit_many(): the networks' output must be flat, (batch, classes): "
                             "end them with a Linear layer")

    def forward(self, x: Tensor) -> Tensor:
        """The logits of every network for the batch ``x``, shape ``(A, B, classes)``."""
        A, B, h = self.size, len(x), x
        for kind, _, detail in self.plan:
            if kind == "Linear":
                index, _, layout = detail
                w, b = self.weights[index], self.biases[index]        # (A, out, in), (A, out)
                if layout == "input":                                  # h: (B, in)
                    h = nn.functional.linear(h, w.reshape(-1, w.shape[-1]),
                                             None if b is None else b.reshape(-1))
                    h = h.view(B, A, -1).transpose(0, 1)               # (A, B, out)
                elif b is None:
                    h = torch.bmm(h, w.transpose(1, 2))
                else:
                    h = torch.baddbmm(b.unsqueeze(1), h, w.transpose(1, 2))
            elif kind == "Conv2d":
                index, conv, layout = detail
                w, b = self.weights[index], self.biases[index]        # (A, C_out, C_in, k, k)
                h = nn.functional.conv2d(h, w.flatten(0, 1), None if b is None else b.flatten(),
                                         conv.stride, conv.padding, conv.dilation,
                                         1 if layout == "input" else A)  # (B, A * C_out, ...)
            elif kind == "activation":
                modules = self.activations[detail]
                if h.dim() == 3:                                       # (A, B, features)
                    h = torch.stack([m(part) for m, part in zip(modules, h.unbind(0))])
                else:                                                  # (B, A * C, H, W)
                    parts = h.reshape(B, A, -1, *h.shape[2:]).unbind(1)
                    h = torch.stack([m(part) for m, part in zip(modules, parts)], dim=1)
                    h = h.flatten(1, 2)
            elif kind == "Flatten":
                if detail == "conv":
                    h = h.reshape(B, A, -1).transpose(0, 1)            # (A, B, C * H * W)
                elif detail == "input":
                    h = h.flatten(1)
            else:
                h = detail(h)                                          # pooling
        return h

    @torch.no_grad()
    def write_back(self, models) -> None:
        """Copy the stacked weights and biases into the networks they came from."""
        for kind, position, detail in self.plan:
            if kind in ("Linear", "Conv2d"):
                w, b = self.weights[detail[0]], self.biases[detail[0]]
                for a, model in enumerate(models):
                    model[position].weight.copy_(w[a])
                    if b is not None:
                        model[position].bias.copy_(b[a])


@torch.no_grad()
def _evaluate_stack(stack: _ModelStack, x: Tensor, y: Tensor,
                    batch_size: int = 2048) -> tuple[list[float], list[float]]:
    """Per network, the mean cross-entropy and the accuracy on ``(x, y)``, in eval mode."""
    size = stack.size
    loss = torch.zeros(size, dtype=torch.float64, device=x.device)
    correct = torch.zeros(size, dtype=torch.long, device=x.device)
    with eval_mode(stack):
        for start in range(0, len(x), batch_size):
            logits = stack(x[start:start + batch_size])               # (A, b, classes)
            target = y[start:start + batch_size]
            per_example = nn.functional.cross_entropy(logits.flatten(0, 1), target.repeat(size),
                                                      reduction="none")
            loss += per_example.view(size, -1).double().sum(1)
            correct += (logits.argmax(-1) == target).sum(1)
    return (loss / len(x)).tolist(), (correct.double() / len(x)).tolist()


def fit_many(models, data: Dataset, config: TrainConfig | None = None, *,
             evaluate_train: bool = True) -> list[History]:
    r"""Train several networks of one architecture side by side, and return one
    :class:`~relu_course.training.loop.History` per network.

    The result is what ``[fit(model, data, config) for model in models]`` gives -- every
    network sees the same minibatches in the same order (drawn from ``config.seed``), takes
    the same optimiser steps on its own mean cross-entropy and is changed in place -- but each
    minibatch passes through all the networks in one batched computation: the weights of
    every layer are stacked into one tensor, ``Linear`` layers become one batched matrix
    product and ``Conv2d`` layers one grouped convolution. Adam and SGD update every weight on
    its own, so minimising the *sum* of the networks' losses,

    .. math::
        L(\theta_1, \dots, \theta_A) = \sum_{a=1}^{A} L_a(\theta_a),

    moves each :math:`\theta_a` exactly as minimising its own :math:`L_a` would
    (:math:`\partial L / \partial \theta_a = \partial L_a / \partial \theta_a`). Results agree
    with separate :func:`~relu_course.training.loop.fit` calls up to floating-point rounding,
    since the batched products add their terms in another order.

    That makes a controlled comparison cheap: networks built by
    :func:`relu_course.models.dense.mlp` or :func:`relu_course.models.cnn.small_cnn` right after the
    same :func:`relu_course.set_seed` call start from the same weights whatever their
    activation, and ``fit_many`` trains them on identical minibatches, so they differ only in
    the activation.

    Args:
        models: at least one ``nn.Sequential`` network; all must have the same layers, except
            that the activation layers (any of
            :func:`relu_course.activations.registry.module_types`, or ``nn.Identity``) may
            differ. Supported layers: ``Flatten``, ``Linear``, ``Conv2d`` (``groups=1``),
            ``MaxPool2d``, ``AvgPool2d`` and activations, in the arrangements that
            :func:`~relu_course.models.dense.mlp` and :func:`~relu_course.models.cnn.small_cnn`
            build. They are moved to ``data``'s device.
        data: a :class:`relu_course.data.datasets.Dataset`.
        config: hyper-parameters, as for :func:`~relu_course.training.loop.fit` (default
            ``TrainConfig()``).
        evaluate_train: if ``True`` (the default), ``train_loss`` and ``train_accuracy`` are
            measured on the whole training set after each epoch, as
            :func:`~relu_course.training.loop.fit` does. If ``False``, they are the averages
            over the epoch's minibatches, taken while the weights were still changing --
            cheaper, and what many training loops print.

    Returns:
        One :class:`~relu_course.training.loop.History` per network, in order.
        ``seconds_per_epoch`` is the time that the whole stack took per epoch (the same value in
        every history).

    Raises:
        TrainingDiverged: if the loss of any network becomes NaN or infinite (the weights
            reached so far are still written back).
        TypeError, ValueError: for arguments of the wrong kind, or networks that differ in
            more than their activations.

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> from relu_course.utils import set_seed
        >>> data = load("xor", n_samples=200)
        >>> def build(activation):
        ...     set_seed(0)                     # the same initial weights for both
        ...     return mlp(2, [16], 2, activation)
        >>> nets = [build("relu"), build("tanh")]
        >>> histories = fit_many(nets, data, TrainConfig(epochs=30))
        >>> [h.epochs for h in histories], all(h.train_accuracy[-1] > 0.9 for h in histories)
        ([30, 30], True)
    """
    if isinstance(models, (nn.Module, str, bytes)) or not hasattr(models, "__iter__"):
        raise TypeError(f"fit_many() expects a list of networks (nn.Sequential), "
                        f"got {type(models).__name__}")
    models = list(models)
    if not models:
        raise ValueError("fit_many() needs at least one network")
    for i, model in enumerate(models):
        if not isinstance(model, nn.Sequential):
            raise TypeError(f"fit_many() expects nn.Sequential networks, got "
                            f"{type(model).__name__} at position {i}")
    if len({id(m) for m in models}) != len(models):
        raise ValueError("fit_many(): the same network appears more than once in the list")
    if len({len(m) for m in models}) != 1:
        raise ValueError(f"fit_many(): the networks have different numbers of layers "
                         f"({sorted({len(m) for m in models})})")
    config = _data_and_config("fit_many", data, config)
    if not isinstance(evaluate_train, bool):
        raise TypeError(f"fit_many() expects `evaluate_train` to be a bool, "
                        f"got {type(evaluate_train).__name__}")
    n = len(data.y_train)
    if n == 0:
        raise ValueError("fit_many(): the training set is empty")

    for model in models:
        model.to(data.device)
    stack = _ModelStack(models)
    optimizer = _optimizer(stack, config)
    size = len(models)
    batch = n if config.batch_size is None else min(config.batch_size, n)
    order_gen = torch.Generator().manual_seed(config.seed)
    histories = [History() for _ in models]
    try:
        for epoch in range(1, config.epochs + 1):
            start = time.perf_counter()
            stack.train()
            order = torch.randperm(n, generator=order_gen).to(data.device)
            running_loss = torch.zeros(size, dtype=torch.float64, device=data.device)
            running_correct = torch.zeros(size, dtype=torch.long, device=data.device)
            for i in range(0, n, batch):
                idx = order[i:i + batch]
                logits = stack(data.x_train[idx])                     # (A, b, classes)
                target = data.y_train[idx]
                losses = nn.functional.cross_entropy(
                    logits.flatten(0, 1), target.repeat(size),
                    reduction="none").view(size, -1).mean(1)          # (A,)
                if not torch.isfinite(losses).all():
                    values = losses.tolist()
                    bad = [a for a, v in enumerate(values) if not math.isfinite(v)]
                    raise TrainingDiverged(
                        f"fit_many(): the loss of network(s) {bad} became {values[bad[0]]} at "
                        f"epoch {epoch}, step {i // batch + 1}; the training diverged (try a "
                        f"smaller learning rate than {config.lr})")
                optimizer.zero_grad(set_to_none=True)
                losses.sum().backward()
                optimizer.step()
                if not evaluate_train:
                    running_loss += losses.detach().double() * len(idx)
                    running_correct += (logits.detach().argmax(-1) == target).sum(1)
            seconds = time.perf_counter() - start
            if evaluate_train:
                train_loss, train_acc = _evaluate_stack(stack, data.x_train, data.y_train)
            else:
                train_loss = (running_loss / n).tolist()
                train_acc = (running_correct.double() / n).tolist()
            test_loss = test_acc = None
            if len(data.y_test):
                test_loss, test_acc = _evaluate_stack(stack, data.x_test, data.y_test)
            for a, history in enumerate(histories):
                history.seconds_per_epoch.append(seconds)
                history.train_loss.append(train_loss[a])
                history.train_accuracy.append(train_acc[a])
                if test_acc is not None:
                    history.test_loss.append(test_loss[a])
                    history.test_accuracy.append(test_acc[a])
    finally:
        stack.write_back(models)
    return histories
