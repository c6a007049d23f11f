r"""Model builders: MLPs and hand-built hinge networks, convolutional and residual networks, a tiny
transformer, and weight initialisation.

===========  ===================================================================================
dense        MLPs, and ReLU networks built by hand from hinges
cnn          small CNNs, conv-BN-activation stages, residual networks, an audio CNN
transformer  a tiny GPT-style transformer with pluggable feed-forward blocks
init         weight and bias initialisation schemes
===========  ===================================================================================

The public names of ``dense``, ``cnn``, ``transformer``, ``init`` are also importable from here.
"""

from __future__ import annotations

from .._package import export_modules

MODULES = ("dense", "cnn", "transformer", "init")
__all__ = export_modules(__name__, MODULES, globals())
