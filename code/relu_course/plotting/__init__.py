r"""Figures: the course's style and the plots the chapters share.

=============  =================================================================================
theme          palette, markers, figure style, shared helpers
curves         activation functions and other curves
regions        decision boundaries and linear regions in 2-D
training       histories, spreads over seeds, monitors, slopes, paths
distributions  histograms, layer profiles, intervals, seed points
timeline       a timeline of dated events
spectrograms   spectrograms side by side
diagrams       schematics drawn by code: a unit, an MLP, the backward pass, blocks
=============  =================================================================================

The public names of ``theme``, ``curves``, ``regions``, ``training``, ``distributions``,
``timeline``, ``spectrograms``, ``diagrams`` are also importable from here.
"""

from __future__ import annotations

from .._package import export_modules

MODULES = ("theme", "curves", "regions", "training", "distributions", "timeline", "spectrograms",
           "diagrams")
__all__ = export_modules(__name__, MODULES, globals())
