r"""Measurements: hooks on activation layers, linear regions, dead units, gradients, a training
monitor, feed-forward sparsity, quantisation, evaluation metrics and statistics over seeds.

============  ==================================================================================
hooks         find activation layers, record what they see, per-layer statistics
regions       activation patterns and linear regions
dead_units    dead units, their gradients, born-dead networks
gradients     weight, pre-activation, per-example and input gradients
monitor       a training monitor callback; PReLU slopes
ffn           sparsity and nonlinearity inside transformer feed-forward blocks
quantization  fake quantisation of activations
metrics       confusion matrix, n-gram baseline loss
stats         confidence intervals, paired tests, Holm correction, rankings
============  ==================================================================================

The public names of ``hooks``, ``regions``, ``dead_units``, ``gradients``, ``monitor``, ``ffn``,
``quantization``, ``metrics``, ``stats`` are also importable from here.
"""

from __future__ import annotations

from .._package import export_modules

MODULES = ("hooks", "regions", "dead_units", "gradients", "monitor", "ffn", "quantization", "metrics", "stats")
__all__ = export_modules(__name__, MODULES, globals())
