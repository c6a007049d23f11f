r"""Speed and memory: the fast path of the activations (fused by ``torch.compile``), fair timing
against torch's builtins, operation counts, and the memory kept for the backward pass.

======  ========================================================================================
fusion  the fast path: ``torch.compile``-fused activations
bench   fair timing of forward + backward against torch's builtins
ops     counting the tensor operations of a forward + backward
saved   bytes each activation saves for backward, ours against torch's
memory  bytes autograd keeps for the backward of any computation
======  ========================================================================================

The public names of ``fusion``, ``bench``, ``ops``, ``saved``, ``memory`` are also importable
from here.
"""

from __future__ import annotations

from .._package import export_modules

MODULES = ("fusion", "bench", "ops", "saved", "memory")
__all__ = export_modules(__name__, MODULES, globals())
