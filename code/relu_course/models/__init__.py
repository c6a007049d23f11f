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

from . import cnn, dense, init, transformer  # noqa: E402,F401
from .cnn import (  # noqa: F401
    RESIDUAL_PLACEMENTS,
    ResidualBlock,
    audio_cnn,
    conv_norm_cnn,
    small_cnn,
    small_resnet,
)
from .dense import (  # noqa: F401
    hinge_interpolant,
    hinge_network,
    mlp,
)
from .init import (  # noqa: F401
    INIT_SCHEMES,
    init_he_for_slope,
    init_hidden_biases,
    init_weights,
)
from .transformer import (  # noqa: F401
    FFN_KINDS,
    GATED_FFN_KINDS,
    PLAIN_FFN_KINDS,
    CausalSelfAttention,
    FeedForward,
    TinyTransformerLM,
    TransformerBlock,
    ffn_parameter_count,
    is_gated,
    matched_hidden_width,
)

__all__ = [
    'dense', 'cnn', 'transformer', 'init', 'mlp', 'hinge_network', 'hinge_interpolant',
    'small_cnn', 'small_cnn', 'conv_norm_cnn', 'RESIDUAL_PLACEMENTS', 'ResidualBlock',
    'small_resnet', 'audio_cnn', 'PLAIN_FFN_KINDS', 'GATED_FFN_KINDS', 'FFN_KINDS', 'is_gated',
    'ffn_parameter_count', 'matched_hidden_width', 'FeedForward', 'CausalSelfAttention',
    'TransformerBlock', 'TinyTransformerLM', 'INIT_SCHEMES', 'init_weights',
    'init_he_for_slope', 'init_hidden_biases',
]
