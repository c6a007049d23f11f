"""One training loop for every chapter: minibatch training with cross-entropy, returning a
plain history. The same model, data and config give the same history (the shuffling has its
own seeded generator; seed the model's initialisation yourself with ``set_seed``)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import Tensor, nn

from ._validation import check_int, check_real, check_seed
from .data import Dataset

__all__ = ["TrainConfig", "History", "TrainingDiverged", "evaluate", "fit"]


class TrainingDiverged(FloatingPointError):
    """Raised when the training loss stops being a finite number."""


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
        seed: seeds the order of the minibatches.
    """

    epochs: int = 20
    lr: float = 1e-2
    batch_size: int | None = 64
    optimizer: str = "adam"
    momentum: float = 0.0
    weight_decay: float = 0.0
    seed: int = 0

    def __post_init__(self):
        check_int("TrainConfig", "epochs", self.epochs, minimum=1)
        check_real("TrainConfig", "lr", self.lr, positive=True)
        if self.batch_size is not None:
            check_int("TrainConfig", "batch_size", self.batch_size, minimum=1)
        if self.optimizer not in ("adam", "sgd"):
            raise ValueError(f"TrainConfig: optimizer must be 'adam' or 'sgd', got {self.optimizer!r}")
        if check_real("TrainConfig", "momentum", self.momentum) < 0:
            raise ValueError(f"TrainConfig: momentum must be >= 0, got {self.momentum}")
        if check_real("TrainConfig", "weight_decay", self.weight_decay) < 0:
            raise ValueError(f"TrainConfig: weight_decay must be >= 0, got {self.weight_decay}")
        check_seed("TrainConfig", self.seed)


@dataclass
class History:
    """Per-epoch metrics; index ``i`` is after epoch ``i + 1``."""

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
    """Mean cross-entropy and accuracy of ``model`` on ``(x, y)``, in eval mode."""
    if len(x) != len(y):
        raise ValueError(f"evaluate(): x has {len(x)} examples but y has {len(y)}")
    if len(x) == 0:
        raise ValueError("evaluate(): no examples to evaluate")
    was_training = model.training
    model.eval()
    total_loss, correct = 0.0, 0
    for start in range(0, len(x), batch_size):
        logits = model(x[start:start + batch_size])
        target = y[start:start + batch_size]
        total_loss += nn.functional.cross_entropy(logits, target, reduction="sum").item()
        correct += (logits.argmax(dim=1) == target).sum().item()
    model.train(was_training)
    return total_loss / len(x), correct / len(x)


def _optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        raise ValueError("fit(): the model has no trainable parameters")
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    return torch.optim.SGD(params, lr=config.lr, momentum=config.momentum,
                           weight_decay=config.weight_decay)


def fit(model: nn.Module, data: Dataset, config: TrainConfig | None = None, *,
        callback: Callable[[int, nn.Module, History], bool | None] | None = None) -> History:
    """Train ``model`` on ``data`` with cross-entropy and return its :class:`History`.

    Args:
        model: outputs one logit per class; it is moved to ``data``'s device.
        data: a :class:`relu_course.data.Dataset`.
        config: hyper-parameters (default ``TrainConfig()``).
        callback: called as ``callback(epoch, model, history)`` after each epoch (``epoch``
            counts from 1); return ``True`` to stop early.

    Raises:
        TrainingDiverged: if the loss becomes NaN or infinite (lower the learning rate).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"fit() expects an nn.Module, got {type(model).__name__}")
    if not isinstance(data, Dataset):
        raise TypeError(f"fit() expects a relu_course.data.Dataset, got {type(data).__name__}")
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"fit() expects a TrainConfig, got {type(config).__name__}")
    n = len(data.y_train)
    if n == 0:
        raise ValueError("fit(): the training set is empty")
    if len(data.x_train) != n:
        raise ValueError(f"fit(): x_train has {len(data.x_train)} examples but y_train has {n}")

    model.to(data.device)
    optimizer = _optimizer(model, config)
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
