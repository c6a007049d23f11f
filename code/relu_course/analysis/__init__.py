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

from . import dead_units, ffn, gradients, hooks, metrics, monitor, quantization, regions, stats  # noqa: E402,F401
from .dead_units import (  # noqa: F401
    born_dead_fractions,
    dead_unit_fraction,
    effective_negative_slopes,
    never_positive_units,
    unit_preactivation_gradients,
)
from .ffn import (  # noqa: F401
    FFNNonlinearity,
    FFNSparsity,
    ffn_hidden_activations,
    ffn_nonlinearity,
    ffn_sparsity,
)
from .gradients import (  # noqa: F401
    activation_derivatives,
    confidence_along_rays,
    gradient_norms,
    input_derivatives,
    per_example_weight_gradients,
    preactivation_gradient_norms,
    relu_kink_sensitivity,
)
from .hooks import (  # noqa: F401
    LayerStats,
    activation_layers,
    activation_stats,
    record_activations,
)
from .metrics import (  # noqa: F401
    char_ngram_loss,
    confusion_matrix,
)
from .monitor import (  # noqa: F401
    TrainingMonitor,
    prelu_slopes,
)
from .quantization import (  # noqa: F401
    activation_ranges,
    fake_quantize,
    quantize_activations,
)
from .regions import (  # noqa: F401
    RegionGrid,
    activation_pattern,
    count_linear_regions,
    linear_region_grid,
    linear_region_ids,
)
from .stats import (  # noqa: F401
    Interval,
    PairedTest,
    holm_adjust,
    mean_ci,
    paired_t_test,
    rank_by_seed,
    t_cdf,
    t_quantile,
)

__all__ = [
    'hooks', 'regions', 'dead_units', 'gradients', 'monitor', 'ffn', 'quantization', 'metrics',
    'stats', 'activation_layers', 'record_activations', 'LayerStats', 'activation_stats',
    'activation_pattern', 'linear_region_ids', 'RegionGrid', 'linear_region_grid',
    'count_linear_regions', 'dead_unit_fraction', 'never_positive_units',
    'unit_preactivation_gradients', 'effective_negative_slopes', 'born_dead_fractions',
    'gradient_norms', 'activation_derivatives', 'preactivation_gradient_norms',
    'per_example_weight_gradients', 'input_derivatives', 'confidence_along_rays',
    'relu_kink_sensitivity', 'TrainingMonitor', 'prelu_slopes', 'FFNSparsity',
    'ffn_hidden_activations', 'ffn_sparsity', 'FFNNonlinearity', 'ffn_nonlinearity',
    'fake_quantize', 'activation_ranges', 'quantize_activations', 'confusion_matrix',
    'char_ngram_loss', 't_cdf', 't_quantile', 'Interval', 'mean_ci', 'PairedTest',
    'paired_t_test', 'holm_adjust', 'rank_by_seed',
]
