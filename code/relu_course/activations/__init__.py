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

from . import functional, learnable, modules, packed, registry, variants  # noqa: E402,F401
from .registry import (  # noqa: F401
    ACTIVATION_NAMES,
    ACTIVATIONS,
    ALIASES,
    BUILTINS,
    DERIVATIVES,
    FUNCTIONS,
    OTHER_TORCH_ACTIVATIONS,
    Activation,
    cheat_sheet,
    entry_for_module,
    get_activation,
    lookup,
    module_derivative,
    module_settings,
    module_types,
)

__all__ = [
    'registry', 'functional', 'modules', 'variants', 'learnable', 'packed', 'Activation',
    'ACTIVATIONS', 'ACTIVATION_NAMES', 'ALIASES', 'OTHER_TORCH_ACTIVATIONS', 'lookup',
    'get_activation', 'entry_for_module', 'module_types', 'module_settings',
    'module_derivative', 'FUNCTIONS', 'DERIVATIVES', 'BUILTINS', 'cheat_sheet',
]
