r"""Experiments made of many training runs: epochs to reach a target, learning-rate sweeps, several
seeds each watched by a monitor.

* :func:`epochs_to_reach` -- The first epoch at which a per-epoch metric reaches ``threshold``,
  or ``None`` if never.
* :func:`sweep_learning_rates` -- Train a fresh model for every learning rate and seed, and
  return every history.
* :class:`MonitoredRun` -- One training run of :func:`fit_seeds_monitored`: its seed, the
  trained model
* :func:`fit_seeds_monitored` -- Train a fresh model once per seed with
  :func:`~relu_course.training.loop.fit`, watching each run with a
  :class:`~relu_course.analysis.monitor.TrainingMonitor`
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from torch import Tensor, nn

from .._validation import check_int, check_real, check_seed
from ..data.datasets import Dataset
from ..utils import seeds as _seeds
from ..utils import set_seed
from .loop import History, TrainConfig, TrainingDiverged, _data_and_config, fit

__all__ = ["epochs_to_reach", "sweep_learning_rates", "MonitoredRun", "fit_seeds_monitored"]


def _check_model_factory(fn_name: str, make_model, example: str) -> None:
    if not callable(make_model) or isinstance(make_model, nn.Module):
        raise TypeError(f"{fn_name}() expects `make_model` to be a function that builds a new "
                        f"model, e.g. {example}")


def _seeded_model(fn_name: str, make_model, seed: int) -> nn.Module:
    """``make_model()`` called right after seeding every generator with ``seed``."""
    set_seed(seed)
    model = make_model()
    if not isinstance(model, nn.Module):
        raise TypeError(f"{fn_name}(): make_model() returned {type(model).__name__}, not an "
                        f"nn.Module")
    return model


def epochs_to_reach(values, threshold: float, below: bool = True) -> int | None:
    r"""The first epoch at which a per-epoch metric reaches ``threshold``, or ``None`` if never.

    With ``below=True`` (for an error or a loss) it is the smallest :math:`k \ge 1` with
    :math:`v_k \le \text{threshold}`; with ``below=False`` (for an accuracy) the smallest
    :math:`k` with :math:`v_k \ge \text{threshold}`. Epochs count from 1, as in
    :class:`~relu_course.training.loop.History` (``values[0]`` is after epoch 1). A NaN never
    reaches the threshold.

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

    For each ``lr`` in ``learning_rates`` and each ``seed`` in ``seeds``, in that order: seed
    the global generators by calling :func:`relu_course.set_seed` with ``seed``, build the model
    with ``make_model()`` (so the initial weights depend on the seed only, not on the learning
    rate) and train it with :func:`~relu_course.training.loop.fit` using ``config`` with ``lr``
    and ``seed`` (the minibatch order) replaced. This is how a comparison such as Krizhevsky et
    al.'s ReLU-versus-tanh figure is made fair: each network gets the learning rate that suits
    it best, chosen from the same grid.

    A run stops early, through :func:`~relu_course.training.loop.fit`'s callback, once its
    training accuracy reaches ``target_accuracy`` (then :func:`epochs_to_reach` of its
    ``train_accuracy`` is its last epoch), or once its training accuracy has not improved on its
    best for ``patience`` epochs in a row (it has stalled; it is kept, and counts as not
    reaching the target).

    Args:
        make_model: builds an untrained model, e.g.
            ``lambda: small_cnn(activation="tanh")``.
        data: a :class:`relu_course.data.datasets.Dataset`.
        learning_rates: the grid, positive numbers.
        seeds: non-negative integers, at least one.
        config: the other hyper-parameters (``epochs`` is the most a run may take).
        target_accuracy: stop a run when its training accuracy is at least this (in (0, 1]).
        patience: give up on a run after this many epochs without a new best training accuracy.

    Returns:
        ``{lr: [history per seed]}``; a run whose loss became NaN or infinite
        (:class:`~relu_course.training.loop.TrainingDiverged`) is ``None``.

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


    _check_model_factory("sweep_learning_rates", make_model, "lambda: small_cnn()")
    config = _data_and_config("sweep_learning_rates", data, config)
    for name, grid in (("learning_rates", learning_rates), ("seeds", seeds)):
        if isinstance(grid, (str, bytes)) or not hasattr(grid, "__iter__"):
            raise TypeError(f"sweep_learning_rates() expects `{name}` to be a list, "
                            f"got {type(grid).__name__}")
    rates = [check_real("sweep_learning_rates", "learning rate", lr, gt=0)
             for lr in learning_rates]
    seeds = [check_seed("sweep_learning_rates", s) for s in seeds]
    if not rates or not seeds:
        raise ValueError("sweep_learning_rates() needs at least one learning rate and one seed")
    if len(set(rates)) != len(rates):
        raise ValueError(f"sweep_learning_rates(): repeated learning rates in {rates}")
    if target_accuracy is not None:
        target_accuracy = check_real("sweep_learning_rates", "target_accuracy", target_accuracy,
                                     gt=0, le=1)
    if patience is not None:
        patience = check_int("sweep_learning_rates", "patience", patience, ge=1)

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
            model = _seeded_model("sweep_learning_rates", make_model, seed)
            try:
                history = fit(model, data, replace(config, lr=lr, seed=seed), callback=stop)
            except TrainingDiverged:
                history = None
            results[lr].append(history)
    return results


@dataclass
class MonitoredRun:
    """One training run of :func:`fit_seeds_monitored`: its seed, the trained model, its
    :class:`~relu_course.training.loop.History` and the
    :class:`~relu_course.analysis.monitor.TrainingMonitor` that watched it.

    Example:
        >>> run = MonitoredRun(seed=0, model=nn.Linear(2, 2), history=History(), monitor=None)
        >>> run.seed
        0
    """

    seed: int
    model: nn.Module
    history: History
    monitor: object          # a relu_course.analysis.monitor.TrainingMonitor


def fit_seeds_monitored(make_model: Callable[[], nn.Module], data: Dataset,
                        config: TrainConfig | None = None, seeds=None, *,
                        probe: Tensor | None = None, probe_targets: Tensor | None = None,
                        every: int = 1) -> list[MonitoredRun]:
    r"""Train a fresh model once per seed with :func:`~relu_course.training.loop.fit`, watching
    each run with a :class:`~relu_course.analysis.monitor.TrainingMonitor`, and return every
    run.

    For each ``seed``, in order: seed the global generators with
    :func:`relu_course.set_seed`, build the model with ``make_model()`` (so its initial
    weights depend on the seed only), move it to ``data``'s device, record the monitor's
    initial state (epoch 0) and train with ``config`` whose ``seed`` (the minibatch order) is
    replaced by ``seed``. Two calls that differ only in ``make_model`` -- say the activation
    -- therefore start from the same random draws and see the minibatches in the same order,
    which makes the comparison paired.

    The monitor measures on ``probe`` (default: the training inputs), and also measures
    gradient-to-weight ratios when ``probe_targets`` is given. Its
    :meth:`~relu_course.analysis.monitor.TrainingMonitor.series` gives, e.g., the dead fraction
    per epoch: ``run.monitor.series("total_dead")``.

    Args:
        make_model: builds an untrained model, e.g.
            ``functools.partial(mlp, 64, [64, 64], 10, "leaky_relu")``.
        data: a :class:`relu_course.data.datasets.Dataset`.
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

    from ..analysis.monitor import TrainingMonitor

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
    every = check_int("fit_seeds_monitored", "every", every, ge=1)
    probe = data.x_train if probe is None else probe
    runs = []
    for seed in seeds:
        model = _seeded_model("fit_seeds_monitored", make_model, seed)
        model.to(data.device)
        monitor = TrainingMonitor(probe, probe_targets, every=every)
        monitor(0, model)
        try:
            history = fit(model, data, replace(config, seed=seed), callback=monitor)
        except TrainingDiverged as exc:
            raise TrainingDiverged(f"fit_seeds_monitored(), seed {seed}: {exc}") from None
        runs.append(MonitoredRun(seed, model, history, monitor))
    return runs
