r"""Figures: the course's style and the plots the chapters share.

=============  =================================================================================
theme          palette, markers, figure style, shared helpers
curves         activation functions and other curves
regions        decision boundaries and linear regions in 2-D
training       histories, spreads over seeds, monitors, slopes, paths
distributions  histograms, layer profiles, intervals, seed points
timeline       a timeline of dated events
spectrograms   spectrograms side by side
=============  =================================================================================

The public names of ``theme``, ``curves``, ``regions``, ``training``, ``distributions``,
``timeline``, ``spectrograms`` are also importable from here.
"""

from __future__ import annotations

from . import curves, distributions, regions, spectrograms, theme, timeline, training  # noqa: E402,F401
from .curves import (  # noqa: F401
    plot_activations,
    plot_curves,
)
from .distributions import (  # noqa: F401
    plot_distributions,
    plot_intervals,
    plot_layer_profile,
    plot_measured_and_predicted,
    plot_seed_points,
)
from .regions import (  # noqa: F401
    plot_decision_boundaries,
    plot_linear_regions,
)
from .spectrograms import (  # noqa: F401
    plot_spectrograms,
)
from .theme import (  # noqa: F401
    MARKERS,
    PALETTE,
    STYLE,
    style,
    subplots,
)
from .timeline import (  # noqa: F401
    plot_timeline,
)
from .training import (  # noqa: F401
    MONITOR_LABELS,
    plot_histories,
    plot_prelu_slopes,
    plot_seed_band,
    plot_spread,
    plot_training_monitors,
    plot_trajectories,
)

__all__ = [
    'theme', 'curves', 'regions', 'training', 'distributions', 'timeline', 'spectrograms',
    'PALETTE', 'MARKERS', 'STYLE', 'style', 'subplots', 'plot_activations', 'plot_curves',
    'plot_linear_regions', 'plot_decision_boundaries', 'plot_histories', 'plot_spread',
    'MONITOR_LABELS', 'plot_training_monitors', 'plot_seed_band', 'plot_prelu_slopes',
    'plot_trajectories', 'plot_distributions', 'plot_layer_profile', 'plot_seed_points',
    'plot_intervals', 'plot_measured_and_predicted', 'plot_timeline', 'plot_spectrograms',
]
