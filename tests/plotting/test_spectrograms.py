"""Tests of relu_course.plotting.spectrograms: plot_spectrograms."""

from __future__ import annotations

import pytest
import torch
from matplotlib.figure import Figure

from relu_course import plotting as P


def test_plot_spectrograms_panels_units_and_shared_scale():
    a, b = torch.zeros(5, 7), torch.ones(5, 7) * 2
    fig = P.plot_spectrograms({"a": a, "b": b}, sample_rate=1000, hop_length=10, n_fft=8)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["a", "b"]
    assert panels[0].get_xlabel() == "time (s)" and panels[0].get_ylabel() == "frequency (Hz)"
    images = [ax.images[0] for ax in panels]
    assert all(im.get_clim() == (0.0, 2.0) for im in images)
    left, right, bottom, top = images[0].get_extent()
    assert right == pytest.approx(6.5 * 10 / 1000) and top == pytest.approx(4.5 * 1000 / 8)
    plain = P.plot_spectrograms({"x": a})
    assert plain.axes[0].get_xlabel() == "frame"
