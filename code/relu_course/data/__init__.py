r"""Offline datasets: the bundled handwritten digits and generated 2-D toy sets, synthetic audio,
and text that ships with Python.

========  ======================================================================================
datasets  the ``Dataset`` container, digits and 2-D toy sets, splits
audio     synthetic audio clips and their spectrograms
text      text that ships with Python, as a character corpus
========  ======================================================================================

The public names of ``datasets``, ``audio``, ``text`` are also importable from here.
"""

from __future__ import annotations

from .._package import export_modules

MODULES = ("datasets", "audio", "text")
__all__ = export_modules(__name__, MODULES, globals())
