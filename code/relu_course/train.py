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

__all__ = ["TrainConfig", "History", "TrainingDiverged", "evaluate", "fit", "fit_curve",
           "epochs_to_reach", "sweep_learning_rates"]


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


def fit_curve(model: nn.Module, x: Tensor, y: Tensor, *, steps: int = 1000, lr: float = 1e-2,
              optimizer: str = "adam") -> list[float]:
    r"""Fit ``model`` to the points ``(x, y)`` by full-batch gradient descent on the mean
    squared error :math:`\frac{1}{N} \sum_i \lVert f(x_i) - y_i \rVert^2 / m` (regression; the
    classification loop is :func:`fit`).

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
    if len(x) != len(y):
        raise ValueError(f"fit_curve(): x has {len(x)} points but y has {len(y)}")
    steps = check_int("fit_curve", "steps", steps, minimum=1)
    lr = check_real("fit_curve", "lr", lr, positive=True)
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


# ---- comparing training speed (chapter 2) ---------------------------------------------------

def epochs_to_reach(values, threshold: float, below: bool = True) -> int | None:
    r"""The first epoch at which a per-epoch metric reaches ``threshold``, or ``None`` if never.

    With ``below=True`` (for an error or a loss) it is the smallest :math:`k \ge 1` with
    :math:`v_k \le \text{threshold}`; with ``below=False`` (for an accuracy) the smallest
    :math:`k` with :math:`v_k \ge \text{threshold}`. Epochs count from 1, as in
    :class:`History` (``values[0]`` is after epoch 1). A NaN never reaches the threshold.

    Args:
        values: the metric after each epoch, e.g. ``history.train_accuracy`` (a sequence, 1-D
            array or 1-D tensor of real numbers).
        threshold: the level to reach.
        below: ``True`` to wait for the metric to fall to the threshold, ``False`` to rise to it.

    Example:
        >>> epochs_to_reach([0.9, 0.4, 0.2, 0.1], 0.25)
        3
        >>> epochs_to_reach([0.50, 0.80, 0.96], 0.95, below=False)
        3
        >>> epochs_to_reach([0.9, 0.8], 0.25) is None
        True
    """
    import numbers

    threshold = check_real("epochs_to_reach", "threshold", threshold)
    if not isinstance(below, bool):
        raise TypeError(f"epochs_to_reach() expects `below` to be a bool, got {type(below).__name__}")
    if isinstance(values, Tensor):
        if values.dim() != 1:
            raise ValueError(f"epochs_to_reach() expects one value per epoch (1-D), "
                             f"got shape {tuple(values.shape)}")
        values = values.tolist()
    elif hasattr(values, "ndim") and hasattr(values, "tolist"):          # a NumPy array
        if values.ndim != 1:
            raise ValueError(f"epochs_to_reach() expects one value per epoch (1-D), "
                             f"got shape {values.shape}")
        values = values.tolist()
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"epochs_to_reach() expects a sequence of numbers, got {type(values).__name__}")
    values = list(values)
    for epoch, value in enumerate(values, start=1):
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise TypeError(f"epochs_to_reach() expects real numbers, got {value!r} "
                            f"({type(value).__name__}) for epoch {epoch}")
    for epoch, value in enumerate(map(float, values), start=1):
        if math.isnan(value):
            continue
        if (value <= threshold) if below else (value >= threshold):
            return epoch
    return None


def sweep_learning_rates(make_model: Callable[[], nn.Module], data: Dataset, learning_rates,
                         seeds, config: TrainConfig | None = None, *,
                         target_accuracy: float | None = None,
                         patience: int | None = None) -> dict[float, list[History | None]]:
    r"""Train a fresh model for every learning rate and seed, and return every history.

    For each ``lr`` in ``learning_rates`` and each ``seed`` in ``seeds``, in that order: seed the
    global generators by calling :func:`relu_course.set_seed` with ``seed``, build the model with
    ``make_model()`` (so the initial weights depend on the seed only, not on the learning rate)
    and train it with :func:`fit` using ``config`` with ``lr`` and ``seed`` (the minibatch order)
    replaced. This is how a comparison such as Krizhevsky et al.'s ReLU-versus-tanh figure is
    made fair: each network gets the learning rate that suits it best, chosen from the same grid.

    A run stops early, through :func:`fit`'s callback, once its training accuracy reaches
    ``target_accuracy`` (then :func:`epochs_to_reach` of its ``train_accuracy`` is its last
    epoch), or once its training accuracy has not improved on its best for ``patience``
    epochs in a row (it has stalled; it is kept, and counts as not reaching the target).

    Args:
        make_model: builds an untrained model, e.g.
            ``lambda: small_cnn(activation="tanh")``.
        data: a :class:`relu_course.data.Dataset`.
        learning_rates: the grid, positive numbers.
        seeds: non-negative integers, at least one.
        config: the other hyper-parameters (``epochs`` is the most a run may take).
        target_accuracy: stop a run when its training accuracy is at least this (in (0, 1]).
        patience: give up on a run after this many epochs without a new best training accuracy.

    Returns:
        ``{lr: [history per seed]}``; a run whose loss became NaN or infinite
        (:class:`TrainingDiverged`) is ``None``.

    Example:
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> runs = sweep_learning_rates(lambda: mlp(2, [16], 2), load("xor", n_samples=200),
        ...                             [0.01, 0.1], seeds=[0, 1],
        ...                             config=TrainConfig(epochs=40), target_accuracy=0.9)
        >>> [[h.train_accuracy[-1] >= 0.9 for h in runs[lr]] for lr in (0.01, 0.1)]
        [[True, True], [True, True]]
    """
    from dataclasses import replace

    from .utils import set_seed

    if not callable(make_model) or isinstance(make_model, nn.Module):
        raise TypeError("sweep_learning_rates() expects `make_model` to be a function that "
                        "builds a new model, e.g. lambda: small_cnn()")
    if not isinstance(data, Dataset):
        raise TypeError(f"sweep_learning_rates() expects a relu_course.data.Dataset, "
                        f"got {type(data).__name__}")
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"sweep_learning_rates() expects a TrainConfig, got {type(config).__name__}")
    for name, grid in (("learning_rates", learning_rates), ("seeds", seeds)):
        if isinstance(grid, (str, bytes)) or not hasattr(grid, "__iter__"):
            raise TypeError(f"sweep_learning_rates() expects `{name}` to be a list, "
                            f"got {type(grid).__name__}")
    rates = [check_real("sweep_learning_rates", "learning rate", lr, positive=True)
             for lr in learning_rates]
    seeds = [check_seed("sweep_learning_rates", s) for s in seeds]
    if not rates or not seeds:
        raise ValueError("sweep_learning_rates() needs at least one learning rate and one seed")
    if len(set(rates)) != len(rates):
        raise ValueError(f"sweep_learning_rates(): repeated learning rates in {rates}")
    if target_accuracy is not None:
        target_accuracy = check_real("sweep_learning_rates", "target_accuracy", target_accuracy)
        if not 0.0 < target_accuracy <= 1.0:
            raise ValueError(f"sweep_learning_rates() expects 0 < target_accuracy <= 1, "
                             f"got {target_accuracy}")
    if patience is not None:
        patience = check_int("sweep_learning_rates", "patience", patience, minimum=1)

    def stop(epoch: int, model: nn.Module, history: History) -> bool:
        accuracy = history.train_accuracy
        if target_accuracy is not None and accuracy[-1] >= target_accuracy:
            return True
        if patience is not None and len(accuracy) > patience:
            best_before = max(accuracy[:-patience])
            return max(accuracy[-patience:]) <= best_before
        return False

    results: dict[float, list[History | None]] = {}
    for lr in rates:
        results[lr] = []
        for seed in seeds:
            set_seed(seed)
            model = make_model()
            if not isinstance(model, nn.Module):
                raise TypeError(f"sweep_learning_rates(): make_model() returned "
                                f"{type(model).__name__}, not an nn.Module")
            try:
                history = fit(model, data, replace(config, lr=lr, seed=seed), callback=stop)
            except TrainingDiverged:
                history = None
            results[lr].append(history)
    return results
