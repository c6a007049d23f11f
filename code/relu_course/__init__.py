"""relu_course: the code behind the course *Understanding ReLU*.

Submodules (each loaded on first use, so ``import relu_course`` is quick and has no side
effects -- no seeding, no warning filters, no downloads, no matplotlib settings):

=============  ==============================================================================
functional     activation functions from scratch, hand-written backward, and their derivatives
modules        ``torch.nn``-compatible activation modules and ``get_activation(name)``
data           offline datasets: bundled handwritten digits, 2-D toy sets
models         MLP and small-CNN builders, initialisation schemes
train          ``fit`` (one training loop) returning a ``History``
diagnostics    activation hooks, linear regions, dead units
plotting       the course's figure style and shared plots
bench          timing of forward+backward passes against torch's builtins
exercises      automatic checks for the chapters' exercises
quiz           the chapters' self-check quizzes
utils          ``get_device()``, ``set_seed()``, ``base_seed()``, ``seeds()`` (also here)
=============  ==============================================================================
"""

from __future__ import annotations

import importlib

from .utils import base_seed, get_device, seeds, set_seed

__version__ = "0.1.0"

_SUBMODULES = ("functional", "modules", "data", "models", "train", "diagnostics", "plotting",
               "bench", "exercises", "quiz", "utils", "memory", "stats", "variants", "language",
               "use_cases")

__all__ = ["__version__", "get_device", "base_seed", "seeds", "set_seed", "functional", "modules",
           "data", "models", "train", "diagnostics", "plotting", "bench", "exercises", "quiz", "utils", "memory",
           "stats", "variants", "language", "use_cases"]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'relu_course' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
