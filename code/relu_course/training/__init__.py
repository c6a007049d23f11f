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

from .._package import export_modules

MODULES = ("loop", "sweeps", "stacked", "regression", "clipping", "optim", "language_model")
__all__ = export_modules(__name__, MODULES, globals())
