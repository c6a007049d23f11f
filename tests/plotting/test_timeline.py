"""Tests of relu_course.plotting.timeline: plot_timeline."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure

from relu_course import plotting as P

EVENTS = [
    (2010, "Nair & Hinton name the rectified linear unit", "naming"),
    (1969, "Fukushima: analog threshold elements", "precursor"),
    (1941, "Householder: a rectifying ramp", "precursor"),
    (2012, "Krizhevsky et al.: AlexNet", "naming"),
    (2016, "Clevert et al.: ELU", "variant"),
    (2016, "Hendrycks & Gimpel: GELU", "variant"),
]


@pytest.mark.usefixtures("rc_unchanged")
def test_timeline_rows_labels_and_markers():
    fig = P.plot_timeline(EVENTS)
    assert isinstance(fig, Figure)
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    # sorted by year, earliest first; equal years keep their order
    assert texts == ["1941  Householder: a rectifying ramp",
                     "1969  Fukushima: analog threshold elements",
                     "2010  Nair & Hinton name the rectified linear unit",
                     "2012  Krizhevsky et al.: AlexNet",
                     "2016  Clevert et al.: ELU",
                     "2016  Hendrycks & Gimpel: GELU"]
    markers = [line for line in ax.lines if len(line.get_xdata()) == 1]
    assert [line.get_xdata()[0] for line in markers] == [1941, 1969, 2010, 2012, 2016, 2016]
    rows = [line.get_ydata()[0] for line in markers]
    assert rows == sorted(rows, reverse=True) and len(set(rows)) == 6  # one row each, top down
    # one colour and one marker shape per kind, in order of first appearance
    kinds = ["precursor", "precursor", "naming", "naming", "variant", "variant"]
    style = {}
    for kind, line in zip(kinds, markers):
        style.setdefault(kind, set()).add((line.get_color(), line.get_marker()))
    assert all(len(s) == 1 for s in style.values())
    assert len({next(iter(s)) for s in style.values()}) == 3
    assert style["naming"] == {(P.PALETTE[0], P.MARKERS[0])}   # first kind in the data
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["naming", "precursor", "variant"]


@pytest.mark.usefixtures("rc_unchanged")
def test_timeline_labels_stay_inside_and_do_not_overlap():
    events = EVENTS + [(1980, "Fukushima: the Neocognitron", "precursor"),
                       (2024, "a late event whose label must go to the left", "variant")]
    fig = P.plot_timeline(events, highlight=(2010, 2012, "named"))
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    frame = ax.get_window_extent(renderer)
    for t, box in zip(ax.texts, boxes):
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1, t.get_text()
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1, t.get_text()
    for i in range(len(boxes)):
        for j in range(i + 1, len(boxes)):
            assert not boxes[i].overlaps(boxes[j]), (ax.texts[i].get_text(),
                                                     ax.texts[j].get_text())
    legend = ax.get_legend().get_window_extent(renderer)
    assert not any(legend.overlaps(box) for box in boxes)
    side = {t.get_text()[:4]: t.get_horizontalalignment() for t in ax.texts}
    assert side["1941"] == side["1969"] == "left"            # written to the right
    assert side["2024"] == side["2012"] == "right"           # written to the left


@pytest.mark.usefixtures("rc_unchanged")
def test_timeline_accepts_mappings_an_axis_and_a_highlight():
    fig, ax = P.subplots(figsize=(6, 3))
    events = [{"year": 2011, "label": "deep rectifier networks"},
              {"year": 2013, "label": "leaky ReLU", "kind": "variant"}]
    out = P.plot_timeline(events, ax=ax, highlight=(2010, 2012), legend_loc=None,
                          title="two events")
    assert out is fig and ax.get_title() == "two events"
    assert ax.get_legend() is None
    assert len(ax.patches) == 1                                  # the shaded band
    band = ax.patches[0].get_extents()
    left, right = ax.transData.transform([(2010, 0), (2012, 0)])[:, 0]
    assert band.x0 == pytest.approx(left) and band.x1 == pytest.approx(right)
    lo, hi = ax.get_xlim()
    assert lo < 2010 and hi > 2013
