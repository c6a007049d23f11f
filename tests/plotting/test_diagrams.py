"""Tests of relu_course.plotting.diagrams: the schematics, their alt text and their places in the
chapters."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from relu_course.plotting import diagrams

CHAPTERS = Path(__file__).resolve().parents[2] / "chapters"
DRAW_CALL = re.compile(r"""diagrams\.draw\(\s*["'](\w+)["']\s*\)""")


def texts(fig) -> list[str]:
    """Every text drawn on the figure's axes."""
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


@pytest.mark.usefixtures("rc_unchanged")
@pytest.mark.parametrize("name", list(diagrams.DIAGRAMS))
def test_each_diagram_draws_the_same_picture_and_closes(name):
    open_before = plt.get_fignums()
    first = diagrams.draw(name)
    assert isinstance(first, Figure)
    assert first.axes and (first.axes[0].get_title() or first._suptitle is not None)
    image = png(first)
    plt.close(first)
    second = diagrams.draw(name)
    assert png(second) == image                      # no randomness: the same bytes
    plt.close(second)
    assert plt.get_fignums() == open_before          # one figure per call, nothing left over


def test_alt_text_covers_every_diagram():
    assert set(diagrams.ALT_TEXT) == set(diagrams.DIAGRAMS)
    for name, alt in diagrams.ALT_TEXT.items():
        sentences = [s for s in re.split(r"(?<=\.)\s+", alt.strip()) if s]
        assert alt.strip().endswith(".") and 1 <= len(sentences) <= 2, name
        assert 60 < len(alt) < 400, name


def test_bad_names_and_arguments_raise():
    with pytest.raises(ValueError, match="unit, mlp, backward_pass"):
        diagrams.draw("unti")
    with pytest.raises(ValueError, match="unknown diagram"):
        diagrams.draw(3)
    with pytest.raises(ValueError, match="hidden_layers"):
        diagrams.draw_backward_pass(0)
    with pytest.raises(TypeError, match="hidden_layers"):
        diagrams.draw_backward_pass(2.0)


def test_unit_shows_inputs_weights_sum_and_activation():
    shown = texts(diagrams.draw_unit())
    for label in ("$x_1$", "$x_2$", "$x_3$", "$w_1$", "$w_2$", "$w_3$", r"$\Sigma$",
                  "$+\\,b$", r"$\phi$", r"$h = \phi(z)$"):
        assert label in shown, label


def test_mlp_applies_phi_in_the_hidden_layers_only():
    shown = texts(diagrams.draw_mlp())
    assert shown.count(r"$\phi$") == 4 + 4           # two hidden layers of four units
    assert {"$x_1$", "$x_3$", "$y_1$", "$y_2$"} <= set(shown)
    assert any("logits" in t and "phi" not in t for t in shown)   # a linear output layer


@pytest.mark.parametrize("depth", [1, 3, 5])
def test_backward_pass_has_one_factor_per_hidden_layer(depth):
    shown = texts(diagrams.draw_backward_pass(depth))
    factors = [t for t in shown if t.startswith(r"$\times")]
    # chapter 5: delta_l = Lambda_l W_{l+1}^T delta_{l+1}, for l = 1 .. D
    assert factors == [f"$\\times \\Lambda_{{{k}}} W_{{{k + 1}}}^\\top$" for k in range(1, depth + 1)]
    deltas = [t for t in shown if t.startswith(r"$\delta_{")]
    assert len(deltas) == depth + 1                  # delta_1 .. delta_{L+1}
    (product,) = [t for t in shown if t.startswith("$\\delta_1 =")]
    assert product.count("^\\top") == depth and r"\mathrm{diag}(\phi'(z_l))" in product
    assert f"($D = {depth}$)" in diagrams.draw_backward_pass(depth).axes[0].get_title()


def test_residual_blocks_place_the_relus_as_he_et_al():
    shown = [t for t in texts(diagrams.draw_residual_blocks()) if t in (
        "ReLU", "$+$", "BN$_1$", "BN$_2$", "conv\n$W_1$", "conv\n$W_2$")]
    half = len(shown) // 2
    original, pre = shown[:half], shown[half:]
    # original (He et al. 2016): conv-BN-ReLU-conv-BN, add, then ReLU
    assert original == ["conv\n$W_1$", "BN$_1$", "ReLU", "conv\n$W_2$", "BN$_2$", "$+$", "ReLU"]
    # pre-activation (He et al., identity mappings): BN-ReLU-conv-BN-ReLU-conv, add, nothing
    assert pre == ["BN$_1$", "ReLU", "conv\n$W_1$", "BN$_2$", "ReLU", "conv\n$W_2$", "$+$"]


def test_gated_ffn_has_two_projections_a_product_and_a_down_projection():
    shown = texts(diagrams.draw_gated_ffn())
    for label in ("$W_1$", "$W$", "$V$", r"$\odot$", r"$\phi$"):
        assert label in shown, label
    assert shown.count("$W_2$") == 2 and shown.count(r"$\phi$") == 2
    assert any(r"W_2\,(\phi(W x) \odot V x)" in t for t in shown)   # chapter 13's formula


def test_dead_unit_leaves_every_point_inactive():
    fig = diagrams.draw_dead_unit()
    live, dead = (ax.get_title() for ax in fig.axes)
    assert dead.startswith("dead unit: 0 of 60")
    assert live.startswith("live unit:") and not live.startswith("live unit: 0 ")
    points = diagrams._disc_points()
    assert len(points) == 60 and abs(points).max() < 1.3


def chapter_diagram_cells():
    for path in sorted(CHAPTERS.glob("*.ipynb")):
        for i, cell in enumerate(json.loads(path.read_text(encoding="utf-8"))["cells"]):
            if cell["cell_type"] != "code":
                continue
            names = DRAW_CALL.findall("".join(cell["source"]))
            if names:
                yield path.name, i, names, cell["metadata"]


def test_chapter_diagrams_carry_the_alt_text_and_a_caption():
    drawn = set()
    for chapter, i, names, meta in chapter_diagram_cells():
        assert len(names) == 1, f"{chapter}, cell {i}: one diagram per cell"
        (name,) = names
        mystnb = meta.get("mystnb", {})
        assert mystnb.get("image", {}).get("alt") == diagrams.ALT_TEXT[name], (
            f"{chapter}, cell {i}: the alt text must be diagrams.ALT_TEXT[{name!r}]")
        assert mystnb.get("figure", {}).get("caption"), f"{chapter}, cell {i}: no caption"
        drawn.add(name)
    assert drawn == set(diagrams.DIAGRAMS), set(diagrams.DIAGRAMS) - drawn
