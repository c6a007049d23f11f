r"""Training: the course's training loop, experiments made of many runs, fits of 1-D functions,
gradient clipping, optimiser parameter groups, and language-model training.

==============  ================================================================================
loop            ``fit``, ``evaluate``, ``TrainConfig`` and ``History``
sweeps          epochs to a target, learning-rate sweeps, monitored runs over seeds
stacked         many small networks trained side by side as one
regression      fits of 1-D functions and optimisation paths
clipping        gradient clipping by global norm
optim           optimiser parameter groups (PReLU slopes without weight decay)
language_model  training and comparing the tiny language models
==============  ================================================================================

The public names of ``loop``, ``sweeps``, ``stacked``, ``regression``, ``clipping``, ``optim``,
``language_model`` are also importable from here.
"""

from __future__ import annotations

from . import clipping, language_model, loop, optim, regression, stacked, sweeps  # noqa: E402,F401
from .clipping import (  # noqa: F401
    GradientClipper,
    clip_gradient_norm,
)
from .language_model import (  # noqa: F401
    LMConfig,
    LMHistory,
    compare_feedforward,
    evaluate_language_model,
    train_language_model,
)
from .loop import (  # noqa: F401
    History,
    TrainConfig,
    TrainingDiverged,
    evaluate,
    fit,
)
from .optim import (  # noqa: F401
    prelu_parameter_groups,
)
from .regression import (  # noqa: F401
    fit_curve,
    fit_poisson_1d,
    linear_regression_path,
)
from .stacked import (  # noqa: F401
    fit_many,
)
from .sweeps import (  # noqa: F401
    MonitoredRun,
    epochs_to_reach,
    fit_seeds_monitored,
    sweep_learning_rates,
)

__all__ = [
    'loop', 'sweeps', 'stacked', 'regression', 'clipping', 'optim', 'language_model',
    'TrainingDiverged', 'TrainConfig', 'History', 'evaluate', 'fit', 'epochs_to_reach',
    'sweep_learning_rates', 'MonitoredRun', 'fit_seeds_monitored', 'fit_many', 'fit_curve',
    'linear_regression_path', 'fit_poisson_1d', 'GradientClipper', 'clip_gradient_norm',
    'prelu_parameter_groups', 'LMConfig', 'LMHistory', 'evaluate_language_model',
    'train_language_model', 'compare_feedforward',
]
