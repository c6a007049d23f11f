"""relu_course: the code behind the course *Understanding ReLU*.

Subpackages, by concept (each loaded on first use, so ``import relu_course`` is quick and has
no side effects -- no seeding, no warning filters, no downloads, no matplotlib settings):

===========  ================================================================================
activations  the activation registry; from-scratch functions with hand-written backward
             passes; ``torch.nn``-style modules; newer variants and learnable shapes
data         offline datasets: bundled digits, 2-D toy sets, synthetic audio, Python's own text
models       MLPs, hinge networks, CNNs and residual networks, a tiny transformer, initialisation
training     ``fit`` (the training loop), sweeps over seeds and learning rates, clipping
analysis     hooks on activation layers, linear regions, dead units, gradients, monitors,
             sparsity, quantisation, metrics, statistics over seeds
plotting     the course's figure style and shared plots
performance  the fused fast path, timing against torch's builtins, memory kept for backward
explorer     the interactive activation explorer: one self-contained HTML/JavaScript widget
exercises    automatic checks for the chapters' exercises (the course layer)
quiz         the chapters' self-check quizzes (the course layer)
utils        ``get_device()``, ``set_seed()``, ``base_seed()``, ``seeds()`` (also here)
===========  ================================================================================
"""

from __future__ import annotations

import importlib

from .utils import base_seed, get_device, seeds, set_seed

__version__ = "0.1.0"

_SUBMODULES = ("activations", "data", "models", "training", "analysis", "plotting", "performance",
               "explorer", "exercises", "quiz", "utils")

__all__ = ["__version__", "get_device", "base_seed", "seeds", "set_seed", *_SUBMODULES]


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'relu_course' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_SUBMODULES))
