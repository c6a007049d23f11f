r"""Spectrograms side by side.

* :func:`plot_spectrograms` -- Show several spectrograms side by side, one panel each, on a
  shared colour scale.
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np

from .._validation import as_float_array
from .theme import style

__all__ = ["plot_spectrograms"]


def plot_spectrograms(spectrograms: Mapping[str, object], *, sample_rate: float | None = None,
                      hop_length: int | None = None, n_fft: int | None = None,
                      title: str | None = None, panel_size=(2.6, 2.5)):
    r"""Show several spectrograms side by side, one panel each, on a shared colour scale.

    Each spectrogram is a 2-D array ``(frequency bins, frames)`` such as
    :func:`relu_course.data.audio.log_spectrogram` returns; low frequencies are at the bottom
    and time runs to the right. With ``sample_rate``, ``hop_length`` and ``n_fft`` the axes
    are labelled in seconds (frame :math:`\tau` at :math:`\tau \cdot \text{hop} /
    \text{rate}`) and hertz (bin :math:`f` at :math:`f \cdot \text{rate} / n_{fft}`);
    otherwise in frames and bins. The colour map (cividis) is readable with colour-vision
    deficiencies and in greyscale: brighter is louder.

    Args:
        spectrograms: ``{title: values}``, each a 2-D tensor or array of finite numbers.
        sample_rate, hop_length, n_fft: give all three to label the axes in physical units.
        title: a title over all panels.
        panel_size: ``(width, height)`` of one panel in inches.

    Returns:
        The matplotlib figure.

    Example:
        >>> fig = plot_spectrograms({"a": torch.rand(33, 20), "b": torch.rand(33, 20)},
        ...                         sample_rate=4000, hop_length=32, n_fft=64)
        >>> [ax.get_title() for ax in fig.axes[:2]], fig.axes[0].get_ylabel()
        (['a', 'b'], 'frequency (Hz)')
    """
    if not isinstance(spectrograms, Mapping) or not spectrograms:
        raise ValueError("plot_spectrograms() expects a non-empty mapping {title: 2-D values}")
    units = (sample_rate, hop_length, n_fft)
    physical = all(u is not None for u in units)
    if any(u is not None for u in units) and not physical:
        raise ValueError("plot_spectrograms(): give sample_rate, hop_length and n_fft together "
                         "(or none of them)")
    if physical:
        for name, value in zip(("sample_rate", "hop_length", "n_fft"), units):
            if isinstance(value, bool) or not isinstance(value, (int, float, np.integer,
                                                                 np.floating)):
                raise TypeError(f"plot_spectrograms(): `{name}` must be a number, "
                                f"got {type(value).__name__}")
            if not (np.isfinite(value) and value > 0):
                raise ValueError(f"plot_spectrograms(): `{name}` must be > 0, got {value}")
    arrays = {}
    for label, values in spectrograms.items():
        array = as_float_array("plot_spectrograms", repr(label), values)
        if array.ndim != 2 or 0 in array.shape:
            raise ValueError(f"plot_spectrograms(): {label!r} must be 2-D (bins, frames), "
                             f"got shape {array.shape}")
        if not np.isfinite(array).all():
            raise ValueError(f"plot_spectrograms(): {label!r} holds NaN or infinite values")
        arrays[str(label)] = array
    low = min(a.min() for a in arrays.values())
    high = max(a.max() for a in arrays.values())
    if low == high:
        high = low + 1.0
    with style():
        n = len(arrays)
        width, height = panel_size
        fig, axes = plt.subplots(1, n, figsize=(width * n + 0.9, height), squeeze=False,
                                 sharey=True)
        image = None
        for ax, (label, a) in zip(axes[0], arrays.items()):
            bins, frames = a.shape
            if physical:
                extent = (-0.5 * hop_length / sample_rate, (frames - 0.5) * hop_length / sample_rate,
                          -0.5 * sample_rate / n_fft, (bins - 0.5) * sample_rate / n_fft)
            else:
                extent = (-0.5, frames - 0.5, -0.5, bins - 0.5)
            image = ax.imshow(a, origin="lower", aspect="auto", extent=extent, cmap="cividis",
                              vmin=low, vmax=high, interpolation="nearest")
            ax.set_title(label)
            ax.set_xlabel("time (s)" if physical else "frame")
            ax.grid(False)
        axes[0][0].set_ylabel("frequency (Hz)" if physical else "frequency bin")
        fig.colorbar(image, ax=list(axes[0]), fraction=0.025, pad=0.02)
        if title:
            fig.suptitle(title)
    return fig
