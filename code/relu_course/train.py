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

from ._validation import check_int, check_real, check_seed, seed_or_base
from .data import Dataset
from .utils import eval_mode
from .utils import seeds as _seeds

__all__ = ["TrainConfig", "History", "TrainingDiverged", "evaluate", "fit", "fit_curve",
           "epochs_to_reach", "sweep_learning_rates", "GradientClipper", "clip_gradient_norm",
           "MonitoredRun", "fit_seeds_monitored", "linear_regression_path", "fit_poisson_1d",
           "fit_many"]


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
    """Check that ``data`` is a :class:`~relu_course.data.Dataset` and ``config`` a
    :class:`TrainConfig` (``None``: the defaults); return the config."""
    if not isinstance(data, Dataset):
        raise TypeError(f"{fn_name}() expects a relu_course.data.Dataset, got {type(data).__name__}")
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"{fn_name}() expects a TrainConfig, got {type(config).__name__}")
    return config


def _check_model_factory(fn_name: str, make_model, example: str) -> None:
    if not callable(make_model) or isinstance(make_model, nn.Module):
        raise TypeError(f"{fn_name}() expects `make_model` to be a function that builds a new "
                        f"model, e.g. {example}")


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
        data: a :class:`relu_course.data.Dataset`.
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
        if not bool(torch.isfinite(t).all()):
            raise ValueError(f"fit_curve(): `{name}` contains NaN or infinite values")
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

    _check_model_factory("sweep_learning_rates", make_model, "lambda: small_cnn()")
    config = _data_and_config("sweep_learning_rates", data, config)
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


# ---- gradient clipping (chapter 11) -----------------------------------------------------------

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
    :func:`fit` needs no change. With ``max_norm=None`` nothing is clipped and the norms are
    only recorded.

    Args:
        optimizer: a ``torch.optim.Optimizer`` over the model's parameters.
        max_norm: the cap :math:`c > 0`, or ``None`` to measure only.
        norm_type: the order :math:`p \ge 1` of the norm (``2.0``, or ``math.inf`` for the
            largest entry).

    Returns:
        A :class:`GradientClipper` holding the recorded norms; call its ``remove()`` to stop.

    Example:
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
        max_norm = check_real("clip_gradient_norm", "max_norm", max_norm, positive=True)
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float)):
        raise TypeError(f"clip_gradient_norm() expects `norm_type` to be a number, "
                        f"got {type(norm_type).__name__}")
    norm_type = float(norm_type)
    if not (norm_type >= 1.0):                       # also rejects NaN
        raise ValueError(f"clip_gradient_norm() expects norm_type >= 1 (2.0, or math.inf), "
                         f"got {norm_type}")
    return GradientClipper(optimizer, max_norm, norm_type)


# ---- several seeds, each watched by a TrainingMonitor (chapter 6) ---------------------------

@dataclass
class MonitoredRun:
    """One training run of :func:`fit_seeds_monitored`: its seed, the trained model, its
    :class:`History` and the :class:`~relu_course.diagnostics.TrainingMonitor` that watched it.

    Example:
        >>> run = MonitoredRun(seed=0, model=nn.Linear(2, 2), history=History(), monitor=None)
        >>> run.seed
        0
    """

    seed: int
    model: nn.Module
    history: History
    monitor: object          # a relu_course.diagnostics.TrainingMonitor


def fit_seeds_monitored(make_model: Callable[[], nn.Module], data: Dataset,
                        config: TrainConfig | None = None, seeds=None, *,
                        probe: Tensor | None = None, probe_targets: Tensor | None = None,
                        every: int = 1) -> list[MonitoredRun]:
    r"""Train a fresh model once per seed with :func:`fit`, watching each run with a
    :class:`~relu_course.diagnostics.TrainingMonitor`, and return every run.

    For each ``seed``, in order: seed the global generators with
    :func:`relu_course.set_seed`, build the model with ``make_model()`` (so its initial
    weights depend on the seed only), move it to ``data``'s device, record the monitor's
    initial state (epoch 0) and train with ``config`` whose ``seed`` (the minibatch order) is
    replaced by ``seed``. Two calls that differ only in ``make_model`` -- say the activation
    -- therefore start from the same random draws and see the minibatches in the same order,
    which makes the comparison paired.

    The monitor measures on ``probe`` (default: the training inputs), and also measures
    gradient-to-weight ratios when ``probe_targets`` is given. Its
    :meth:`~relu_course.diagnostics.TrainingMonitor.series` gives, e.g., the dead fraction
    per epoch: ``run.monitor.series("total_dead")``.

    Args:
        make_model: builds an untrained model, e.g.
            ``functools.partial(mlp, 64, [64, 64], 10, "leaky_relu")``.
        data: a :class:`relu_course.data.Dataset`.
        config: hyper-parameters (default ``TrainConfig()``).
        seeds: non-negative integers, at least one, no repeats.
        probe: the inputs the monitor measures on (default ``data.x_train``).
        probe_targets: targets for ``probe``, to record gradient-to-weight ratios.
        every: the monitor measures after every ``every``-th epoch.

    Returns:
        One :class:`MonitoredRun` per seed, in the order of ``seeds``.

    Raises:
        TrainingDiverged: if a run's loss becomes NaN or infinite (the message names the seed).

    Example:
        >>> from functools import partial
        >>> from relu_course.data import load
        >>> from relu_course.models import mlp
        >>> runs = fit_seeds_monitored(partial(mlp, 2, [8], 2), load("xor", n_samples=64),
        ...                            TrainConfig(epochs=2), seeds=[0, 1])
        >>> [r.seed for r in runs], runs[0].monitor.epochs, runs[0].history.epochs
        ([0, 1], [0, 1, 2], 2)
    """
    from dataclasses import replace

    from .diagnostics import TrainingMonitor
    from .utils import set_seed

    _check_model_factory("fit_seeds_monitored", make_model,
                         "functools.partial(mlp, 64, [64], 10)")
    config = _data_and_config("fit_seeds_monitored", data, config)
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"fit_seeds_monitored() expects `seeds` to be a list of ints, "
                        f"got {type(seeds).__name__}")
    seeds = [check_seed("fit_seeds_monitored", s) for s in (_seeds(3) if seeds is None else seeds)]
    if not seeds:
        raise ValueError("fit_seeds_monitored() needs at least one seed")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"fit_seeds_monitored(): repeated seeds in {seeds}")
    every = check_int("fit_seeds_monitored", "every", every, minimum=1)
    probe = data.x_train if probe is None else probe
    runs = []
    for seed in seeds:
        set_seed(seed)
        model = make_model()
        if not isinstance(model, nn.Module):
            raise TypeError(f"fit_seeds_monitored(): make_model() returned a "
                            f"{type(model).__name__}, not an nn.Module")
        model.to(data.device)
        monitor = TrainingMonitor(probe, probe_targets, every=every)
        monitor(0, model)
        try:
            history = fit(model, data, replace(config, seed=seed), callback=monitor)
        except TrainingDiverged as exc:
            raise TrainingDiverged(f"fit_seeds_monitored(), seed {seed}: {exc}") from None
        runs.append(MonitoredRun(seed, model, history, monitor))
    return runs


# ---- optimisation paths and a physics-informed fit (chapter 12) -----------------------------

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
    lr = check_real("linear_regression_path", "lr", lr, positive=True)
    steps = check_int("linear_regression_path", "steps", steps, minimum=1)
    seed = seed_or_base("linear_regression_path", seed)
    n = len(x)
    batch = n if batch_size is None else min(
        check_int("linear_regression_path", "batch_size", batch_size, minimum=1), n)
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
    differentiation (:func:`relu_course.diagnostics.input_derivatives`) at ``n_points``
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
    from .diagnostics import input_derivatives

    if not isinstance(model, nn.Module):
        raise TypeError(f"fit_poisson_1d() expects an nn.Module, got {type(model).__name__}")
    if not callable(source):
        raise TypeError("fit_poisson_1d() expects `source` to be a function of x")
    a, b = (check_real("fit_poisson_1d", "domain", v) for v in domain)
    if not a < b:
        raise ValueError(f"fit_poisson_1d() expects domain (a, b) with a < b, got {domain}")
    ua, ub = (check_real("fit_poisson_1d", "boundary", v) for v in boundary)
    n_points = check_int("fit_poisson_1d", "n_points", n_points, minimum=1)
    steps = check_int("fit_poisson_1d", "steps", steps, minimum=1)
    lr = check_real("fit_poisson_1d", "lr", lr, positive=True)
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


# ---- many networks trained side by side (chapter 9) -------------------------------------------

_STACKABLE_LAYERS = ("Flatten", "Linear", "Conv2d", "MaxPool2d", "AvgPool2d")


def _stack_kind(position: int, layers) -> str:
    """How :class:`_ModelStack` treats the layers found at one position of the networks."""
    from .diagnostics import ACTIVATION_TYPES

    if all(isinstance(m, (*ACTIVATION_TYPES, nn.Identity)) for m in layers):
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
    :class:`History` per network.

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
    with separate :func:`fit` calls up to floating-point rounding, since the batched products
    add their terms in another order.

    That makes a controlled comparison cheap: networks built by
    :func:`relu_course.models.mlp` or :func:`relu_course.models.small_cnn` right after the
    same :func:`relu_course.set_seed` call start from the same weights whatever their
    activation, and ``fit_many`` trains them on identical minibatches, so they differ only in
    the activation.

    Args:
        models: at least one ``nn.Sequential`` network; all must have the same layers, except
            that the activation layers (any of
            :data:`relu_course.diagnostics.ACTIVATION_TYPES`, or ``nn.Identity``) may differ.
            Supported layers: ``Flatten``, ``Linear``, ``Conv2d`` (``groups=1``),
            ``MaxPool2d``, ``AvgPool2d`` and activations, in the arrangements that
            :func:`~relu_course.models.mlp` and :func:`~relu_course.models.small_cnn` build.
            They are moved to ``data``'s device.
        data: a :class:`relu_course.data.Dataset`.
        config: hyper-parameters, as for :func:`fit` (default ``TrainConfig()``).
        evaluate_train: if ``True`` (the default), ``train_loss`` and ``train_accuracy`` are
            measured on the whole training set after each epoch, as :func:`fit` does. If
            ``False``, they are the averages over the epoch's minibatches, taken while the
            weights were still changing -- cheaper, and what many training loops print.

    Returns:
        One :class:`History` per network, in order. ``seconds_per_epoch`` is the time that the
        whole stack took per epoch (the same value in every history).

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
