r"""The course's training loops: :func:`train_steps`, the minimal loop that chapter 1 shows
in its text, and :func:`fit`, which trains a classifier on a
:class:`relu_course.data.datasets.Dataset` and returns a :class:`History`.

* :func:`train_steps` -- The minimal training loop: ``steps`` gradient steps on one batch.
* :class:`TrainingDiverged` -- Raised when the training loss stops being a finite number.
* :class:`TrainConfig` -- Hyper-parameters of :func:`fit`.
* :class:`History` -- Per-epoch metrics; index ``i`` is after epoch ``i + 1``.
* :func:`evaluate` -- Mean cross-entropy and accuracy of ``model`` on ``(x, y)``, in eval mode.
* :func:`fit` -- Train ``model`` on ``data`` with cross-entropy and return its :class:`History`.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from .._validation import check_int, check_real, seed_or_base
from ..data.datasets import Dataset
from ..utils import eval_mode

__all__ = ["TrainingDiverged", "TrainConfig", "History", "evaluate", "fit", "train_steps"]


class TrainingDiverged(FloatingPointError):
    """Raised when the training loss stops being a finite number."""


def train_steps(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor,
                loss_fn: Callable, optimizer: torch.optim.Optimizer,
                steps: int) -> list[float]:
    r"""The minimal training loop: ``steps`` gradient steps on the batch ``(x, y)``.

    Each step runs the model forward on ``x``, measures the loss ``loss_fn(model(x), y)``,
    clears the gradients left by the previous step (``optimizer.zero_grad()``), computes the
    gradient of the loss with respect to every parameter (``loss.backward()``, backpropagation)
    and lets the optimiser update the parameters (``optimizer.step()``; for plain gradient
    descent :math:`\theta \leftarrow \theta - \eta\, \partial L / \partial \theta`). Every
    step uses the whole batch, so the result depends only on the initial parameters. :func:`fit`
    adds minibatches, epochs and accuracy for classifiers.

    Args:
        model: maps ``x`` to predictions that ``loss_fn`` compares with ``y``; it must be on
            ``x``'s device already.
        x: inputs, a floating-point tensor with one example per row.
        y: targets, as many as there are examples in ``x``.
        loss_fn: ``loss_fn(predictions, y)`` returns a scalar tensor, e.g.
            ``torch.nn.functional.mse_loss``.
        optimizer: a ``torch.optim`` optimiser built from ``model.parameters()``.
        steps: number of gradient steps, at least 1.

    Returns:
        ``steps`` losses: the loss measured at each step, before its update.

    Raises:
        TypeError: if ``model`` is not an ``nn.Module`` or ``optimizer`` not an optimiser.
        ValueError: if ``x`` and ``y`` hold different numbers of examples (or none), or
            ``steps`` is not an int of at least 1.

    A loss that becomes NaN or infinite is not an error here: it shows in the returned list
    (lower the learning rate).

    Example:
        >>> _ = torch.manual_seed(0)
        >>> net = nn.Linear(1, 1)
        >>> x = torch.linspace(-1, 1, 20)[:, None]
        >>> opt = torch.optim.SGD(net.parameters(), lr=0.5)
        >>> losses = train_steps(net, x, 3 * x, nn.functional.mse_loss, opt, 50)
        >>> len(losses), losses[-1] < 1e-3 * losses[0]
        (50, True)
    """
    if not (isinstance(model, torch.nn.Module)
            and isinstance(optimizer, torch.optim.Optimizer)):
        raise TypeError(f"train_steps() expects an nn.Module and a "
                        f"torch.optim optimizer, got {type(model).__name__} "
                        f"and {type(optimizer).__name__}")
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"train_steps(): x and y need the same, non-zero "
                         f"number of examples (got {len(x)} and {len(y)})")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 1:
        raise ValueError(f"train_steps() expects `steps` >= 1, got {steps!r}")
    model.train()
    losses = []
    for _ in range(steps):
        loss = loss_fn(model(x), y)     # forward pass: predict, then score
        optimizer.zero_grad()           # clear the last step's gradients
        loss.backward()                 # backpropagation: dL/d(parameters)
        optimizer.step()                # update the parameters
        losses.append(loss.item())
    return losses


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of :func:`fit`.

    Attributes:
        epochs: passes over the training set.
        lr: learning rate.
        batch_size: examples per step; ``None`` means the whole training set (full batch).
        optimizer: ``"adam"`` or ``"sgd"``.
        momentum: SGD momentum (ignored by Adam).
        weight_decay: L2 penalty passed to the optimiser.
        seed: seeds the order of the minibatches; ``None`` (the default) means the base seed,
            :func:`relu_course.utils.base_seed`, read when the config is made.

    Example:
        >>> TrainConfig(epochs=5, lr=0.1, optimizer="sgd").batch_size
        64
    """

    epochs: int = 20
    lr: float = 1e-2
    batch_size: int | None = 64
    optimizer: str = "adam"
    momentum: float = 0.0
    weight_decay: float = 0.0
    seed: int | None = None

    def __post_init__(self):
        check_int("TrainConfig", "epochs", self.epochs, ge=1)
        check_real("TrainConfig", "lr", self.lr, gt=0)
        if self.batch_size is not None:
            check_int("TrainConfig", "batch_size", self.batch_size, ge=1)
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"TrainConfig: optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        if check_real("TrainConfig", "momentum", self.momentum) < 0:
            raise ValueError(f"TrainConfig: momentum must be >= 0, got {self.momentum}")
        if check_real("TrainConfig", "weight_decay", self.weight_decay) < 0:
            raise ValueError(f"TrainConfig: weight_decay must be >= 0, got {self.weight_decay}")
        object.__setattr__(self, "seed", seed_or_base("TrainConfig", self.seed))


@dataclass
class History:
    """Per-epoch metrics; index ``i`` is after epoch ``i + 1``.

    Example:
        >>> h = History(train_loss=[0.9, 0.4]); h.epochs
        2
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    test_loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)
    seconds_per_epoch: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> int:
        return len(self.train_loss)


@torch.no_grad()
def evaluate(model: nn.Module, x: Tensor, y: Tensor, batch_size: int = 2048) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)``, in eval mode.

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> data = load("moons", n_samples=64)
        >>> loss, accuracy = evaluate(mlp(2, [8], 2), data.x_test, data.y_test)
        >>> 0.0 <= accuracy <= 1.0
        True
    """
    if len(x) != len(y):
        raise ValueError(f"evaluate(): x has {len(x)} examples but y has {len(y)}")
    if len(x) == 0:
        raise ValueError("evaluate(): no examples to evaluate")
    total_loss, correct = 0.0, 0
    with eval_mode(model):
        for start in range(0, len(x), batch_size):
            logits = model(x[start:start + batch_size])
            target = y[start:start + batch_size]
            total_loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
            correct += (logits.argmax(dim=1) == target).sum().item()
    return total_loss / len(x), correct / len(x)


def _data_and_config(fn_name: str, data, config) -> TrainConfig:
    """Check that ``data`` is a :class:`~relu_course.data.datasets.Dataset` and ``config`` a
    :class:`TrainConfig` (``None``: the defaults); return the config."""
    if not isinstance(data, Dataset):
        raise TypeError(f"{fn_name}() expects a relu_course.data.datasets.Dataset, got {type(data).__name__}")
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"{fn_name}() expects a TrainConfig, got {type(config).__name__}")
    return config


def _optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("fit(): the model has no trainable parameters")
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum,
                           weight_decay=config.weight_decay)


@torch.no_grad()
def _check_model_fits_data(model: nn.Module, data: Dataset) -> None:
    """One forward pass on two training examples (in eval mode, so nothing changes): the model
    must accept the inputs and return one logit per class."""
    try:
        with eval_mode(model):
            logits = model(data.x_train[:2])
    except RuntimeError as exc:
        raise ValueError(f"fit(): the model cannot process the data's inputs of shape "
                         f"{data.input_shape} ({exc})") from exc
    if not isinstance(logits, Tensor) or logits.dim() != 2 or logits.shape[1] != data.num_classes:
        shape = tuple(logits.shape) if isinstance(logits, Tensor) else type(logits).__name__
        raise ValueError(f"fit(): the model must return one logit per class, shape (batch, "
                         f"{data.num_classes}), for {data.name!r}; it returned {shape}")


def fit(model: nn.Module, data: Dataset, config: TrainConfig | None = None, *,
        callback: Callable[[int, nn.Module, History], bool | None] | None = None,
        optimizer: torch.optim.Optimizer | None = None) -> History:
    """Train ``model`` on ``data`` with cross-entropy and return its :class:`History`.

    Args:
        model: outputs one logit per class; it is moved to ``data``'s device.
        data: a :class:`relu_course.data.datasets.Dataset`.
        config: hyper-parameters (default ``TrainConfig()``).
        callback: called as ``callback(epoch, model, history)`` after each epoch (``epoch``
            counts from 1); return ``True`` to stop early.
        optimizer: an optimizer over ``model``'s parameters to use instead of the one
            ``config`` describes (then ``config``'s ``optimizer``, ``lr``, ``momentum`` and
            ``weight_decay`` are ignored). Use it for per-parameter settings, such as no
            weight decay on PReLU slopes. Build it after moving the model to ``data``'s device.

    Raises:
        TrainingDiverged: if the loss becomes NaN or infinite (lower the learning rate).

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> _ = torch.manual_seed(0)
        >>> history = fit(mlp(2, [16], 2), load("xor", n_samples=200), TrainConfig(epochs=30))
        >>> history.epochs, history.train_accuracy[-1] > 0.9
        (30, True)
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit() expects an nn.Module, got {type(model).__name__}")
    config = _data_and_config("fit", data, config)
    n = len(data.y_train)
    if n == 0:
        raise ValueError("fit(): the training set is empty")
    if len(data.x_train) != n:
        raise ValueError(f"fit(): x_train has {len(data.x_train)} examples but y_train has {n}")

    model.to(data.device)
    _check_model_fits_data(model, data)
    if optimizer is None:
        optimizer = _optimizer(model, config)
    elif not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"fit() expects `optimizer` to be a torch.optim.Optimizer or None, "
                        f"got {type(optimizer).__name__}")
    else:
        own = {id(p) for p in model.parameters()}
        foreign = [p for g in optimizer.param_groups for p in g["params"] if id(p) not in own]
        if foreign:
            raise ValueError(f"fit(): the optimizer holds {len(foreign)} tensor(s) that are not "
                             f"parameters of the model (build it from model.parameters(), after "
                             f"moving the model to the data's device)")
    batch = n if config.batch_size is None else min(config.batch_size, n)
    order_gen = torch.Generator().manual_seed(config.seed)
    history = History()
    for epoch in range(1, config.epochs + 1):
        start = time.perf_counter()
        model.train()
        order = torch.randperm(n, generator=order_gen).to(data.device)
        for i in range(0, n, batch):
            idx = order[i:i + batch]
            loss = nn.functional.cross_entropy(model(data.x_train[idx]), data.y_train[idx])
            if not math.isfinite(loss.item()):
                raise TrainingDiverged(
                    f"fit(): the loss became {loss.item()} at epoch {epoch}, step {i // batch + 1}; "
                    f"the training diverged (try a smaller learning rate than {config.lr})"
                )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        history.seconds_per_epoch.append(time.perf_counter() - start)
        train_loss, train_acc = evaluate(model, data.x_train, data.y_train)
        history.train_loss.append(train_loss)
        history.train_accuracy.append(train_acc)
        if len(data.y_test):
            test_loss, test_acc = evaluate(model, data.x_test, data.y_test)
            history.test_loss.append(test_loss)
            history.test_accuracy.append(test_acc)
        if callback is not None and callback(epoch, model, history):
            break
    return history
