"""Tests of relu_course.plotting.theme: the palette and markers, the course style as a temporary
context, and subplots in that style."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import matplotlib
import pytest
from matplotlib.figure import Figure

from relu_course import plotting as P


def test_importing_plotting_leaves_rcparams_alone():
    script = textwrap.dedent("""
        import matplotlib
        before = dict(matplotlib.rcParams)
        import relu_course.plotting
        after = dict(matplotlib.rcParams)
        changed = [k for k in before if before[k] != after[k]]
        assert not changed, changed
        print("ok")
    """)
    env = {**os.environ, "MPLBACKEND": "Agg"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env=env, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_palette_and_markers():
    assert len(P.PALETTE) == len(P.MARKERS) == 8
    assert all(matplotlib.colors.is_color_like(c) for c in P.PALETTE)
    assert len(set(P.PALETTE)) == 8 and len(set(P.MARKERS)) == 8


@pytest.mark.usefixtures("rc_unchanged")
def test_style_context_is_temporary():
    with P.style():
        rc = matplotlib.rcParams
        assert rc["axes.spines.top"] is False and rc["axes.spines.right"] is False
        assert rc["lines.linewidth"] == 2.0 and rc["figure.dpi"] == 100
        assert list(rc["figure.figsize"]) == [7.0, 3.2]
        assert rc["axes.prop_cycle"].by_key()["color"] == list(P.PALETTE)


def test_style_restores_only_its_own_keys():
    # Settings outside STYLE that change inside the context (as Jupyter's inline backend
    # does on the first figure) are kept.
    before = matplotlib.rcParams["axes.titleweight"]
    try:
        with P.style():
            matplotlib.rcParams["axes.titleweight"] = "bold"
        assert matplotlib.rcParams["axes.titleweight"] == "bold"
    finally:
        matplotlib.rcParams["axes.titleweight"] = before


@pytest.mark.usefixtures("rc_unchanged")
def test_subplots_in_the_course_style():
    fig, axes = P.subplots(1, 2, figsize=(6, 2))
    assert isinstance(fig, Figure) and len(axes) == 2
    assert not axes[0].spines["top"].get_visible()
    assert list(fig.get_size_inches()) == [6.0, 2.0]
