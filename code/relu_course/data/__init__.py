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

from . import audio, datasets, text  # noqa: E402,F401
from .audio import (  # noqa: F401
    AUDIO_CLASSES,
    LogSpectrogram,
    load_synthetic_audio,
    log_spectrogram,
    spectrogram_dataset,
    synthetic_audio,
)
from .datasets import (  # noqa: F401
    DATASET_NAMES,
    Dataset,
    digits,
    load,
    spirals,
    standardize_features,
    two_moons,
    validation_split,
    xor,
)
from .text import (  # noqa: F401
    CORPUS_NAMES,
    STDLIB_MODULES,
    CharCorpus,
    char_corpus,
    corpus,
    zen_of_python,
)

__all__ = [
    'datasets', 'audio', 'text', 'Dataset', 'DATASET_NAMES', 'load', 'two_moons', 'xor',
    'spirals', 'digits', 'standardize_features', 'validation_split', 'AUDIO_CLASSES',
    'synthetic_audio', 'load_synthetic_audio', 'log_spectrogram', 'LogSpectrogram',
    'spectrogram_dataset', 'CORPUS_NAMES', 'STDLIB_MODULES', 'zen_of_python', 'corpus',
    'CharCorpus', 'char_corpus',
]
