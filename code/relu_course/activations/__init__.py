r"""The activations: from-scratch functions with hand-written backward passes, their modules, newer
variants, learnable shapes, and the one registry that declares them all.

==========  ====================================================================================
registry    the one registry: every activation declared once, every table derived from it
functional  from-scratch activation functions with hand-written backward passes
modules     ``torch.nn``-style modules built on the functions
variants    squared ReLU, ReLU6 and hard-swish
learnable   learnable shapes: rational (PAU) and piecewise-linear activations
packed      a ReLU that saves one bit per element for its backward pass
==========  ====================================================================================

The public names of ``registry`` are also importable from here.
"""

from __future__ import annotations

from .._package import export_modules

MODULES = ("registry", "functional", "modules", "variants", "learnable", "packed")
__all__ = export_modules(__name__, MODULES, globals(), names_from=("registry",))
