"""The cheat sheet page (chapters/cheat-sheet.md) against the activation registry, torch and the
chapters: the page is generated, so it can only be wrong if the registry is."""

from __future__ import annotations

import json
import math
import re

import cheatsheet
import pytest
import torch
from torch import nn

from relu_course.activations import registry as R

ROWS = R.cheat_sheet()
BY_NAME = {row["name"]: row for row in ROWS}


def test_the_committed_page_is_generated_from_the_registry():
    assert cheatsheet.PAGE.exists(), "run: python tools/cheatsheet.py write"
    committed = cheatsheet.PAGE.read_text(encoding="utf-8")
    assert committed == cheatsheet.render(ROWS), (
        "chapters/cheat-sheet.md is out of date: run python tools/cheatsheet.py write")


def test_every_entry_has_one_row_with_every_column():
    assert list(BY_NAME) == list(R.ACTIVATIONS)
    page = cheatsheet.render(ROWS)
    table = [line for line in page.splitlines() if line.startswith("| `")]
    assert [re.match(r"\| `(\w+)`", line).group(1) for line in table] == list(R.ACTIVATIONS)
    for line in table:                  # one cell per column: no stray "|" inside a cell
        assert line.count(" | ") == len(cheatsheet.COLUMNS) - 1, line
    assert page.count(":::{div} cheat-sheet") == 1 and page.count("\n|---") == 1
    for row in ROWS:
        for key in ("formula", "derivative_formula", "range", "at_zero", "when"):
            assert row[key], f"{row['name']}: no {key!r}"


def test_old_keys_are_kept():
    for row in ROWS:
        assert {"name", "formula", "family", "value_at_zero", "derivative_at_zero", "torch",
                "paper"} <= set(row)


def _torch_at_zero(entry):
    x = torch.zeros(1, requires_grad=True)
    y = entry.torch_module()(x)
    y.backward()
    return y.item(), x.grad.item()


@pytest.mark.parametrize("entry", R.ACTIVATIONS.values(), ids=lambda e: e.name)
def test_pytorch_columns_match_torch(entry):
    row = BY_NAME[entry.name]
    if entry.torch_module is None:
        assert row["torch_call"] is row["torch_value_at_zero"] is None
        assert row["torch_derivative_at_zero"] is None
        return
    value, derivative = _torch_at_zero(entry)
    assert row["torch_value_at_zero"] == value
    assert row["torch_derivative_at_zero"] == derivative
    # the course's stated values at 0 are PyTorch's (float32 rounding aside)
    assert derivative == pytest.approx(entry.derivative_at_zero, rel=1e-6)
    assert value == pytest.approx(entry.value_at_zero, rel=1e-6)
    # the module call shown builds a module with the defaults it states
    call = row["torch_call"]
    module = eval(call, {"nn": nn})                                  # noqa: S307
    assert type(module) is entry.torch_module
    for key, default in entry.params.items():
        if default is not None:
            assert repr(default) in call, f"{call} lacks {key}={default!r}"
            assert getattr(module, key) == default


#: The name torch's calculate_gain knows each activation by, and the slope it needs (the
#: module's default): written out here, independently of the registry.
TORCH_GAINS = {"relu": ("relu", None), "leaky_relu": ("leaky_relu", 0.01),
               "prelu": ("leaky_relu", 0.25), "selu": ("linear", None), "tanh": ("tanh", None),
               "sigmoid": ("sigmoid", None), "relu_kink": ("relu", None)}


@pytest.mark.parametrize("entry", R.ACTIVATIONS.values(), ids=lambda e: e.name)
def test_gains_are_torch_calculate_gain(entry):
    row = BY_NAME[entry.name]
    if entry.name not in TORCH_GAINS:                  # torch really has no gain for it
        assert row["gain"] is None and row["gain_call"] is None
        names = {entry.name} | ({entry.torch_module.__name__.lower()} if entry.torch_module
                                else set())
        for name in names:
            with pytest.raises(ValueError):
                nn.init.calculate_gain(name)
        return
    name, slope = TORCH_GAINS[entry.name]
    assert row["gain"] == nn.init.calculate_gain(name, slope)
    assert row["gain"] == eval("nn.init." + row["gain_call"], {"nn": nn})   # noqa: S307
    if slope is not None:
        assert row["gain"] == pytest.approx(math.sqrt(2 / (1 + slope**2)))


@pytest.mark.parametrize("entry", [e for e in R.ACTIVATIONS.values() if e.bounds is not None],
                         ids=lambda e: e.name)
def test_ranges_hold_numerically(entry):
    low, high = entry.bounds
    assert low < high
    x = torch.linspace(-60, 60, 240_001, dtype=torch.float64)
    x = torch.cat([x, torch.tensor([-1e6, 1e6], dtype=torch.float64)])
    with torch.no_grad():
        y = entry.at_defaults()(x)
    assert y.min().item() >= low - 1e-12, f"{entry.name} goes below {low}"
    assert y.max().item() <= high + 1e-12, f"{entry.name} goes above {high}"
    # the stated bounds are the tight ones: reached (or approached) on the grid
    if math.isfinite(low):
        assert y.min().item() - low < 1e-3, f"{entry.name}: the lowest value is above {low}"
    else:
        assert y.min().item() < -10
    if math.isfinite(high):
        assert high - y.max().item() < 1e-3, f"{entry.name}: the highest value is below {high}"
    else:
        assert y.max().item() > 10


def test_learnable_entries_say_their_facts_depend_on_learned_parameters():
    for entry in R.ACTIVATIONS.values():
        learnable = entry.family == "learnable"
        assert (entry.bounds is None) == learnable, entry.name
        if learnable:
            assert "learned" in entry.at_zero and "learned" in entry.output_range
            assert entry.value_at_zero is None and entry.gain is None


def _chapter_text(number: int) -> str:
    path = cheatsheet.CHAPTERS / cheatsheet.chapter_file(number)
    nb = json.loads(path.read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"])


def _spellings(entry) -> set[str]:
    names = {entry.name, *entry.aliases, entry.module.__name__}
    if entry.torch_module is not None:
        names.add(entry.torch_module.__name__)
    return {n.lower().replace("_", " ") for n in names}


@pytest.mark.parametrize("entry", R.ACTIVATIONS.values(), ids=lambda e: e.name)
def test_the_chapter_exists_and_covers_the_activation(entry):
    row = BY_NAME[entry.name]
    assert isinstance(row["chapter"], int)
    text = _chapter_text(row["chapter"]).lower().replace("_", " ").replace("-", " ")
    assert any(name in text for name in _spellings(entry)), (
        f"chapter {row['chapter']} never names {entry.name}")
    link = f"[{row['chapter']}]({cheatsheet.chapter_file(row['chapter'])})"
    assert link in cheatsheet.render([row])


def test_cost_is_the_operation_count_of_chapter_4():
    from relu_course.performance import classify_ops, count_ops

    probe = torch.randn(64)
    for row in ROWS:
        ops = classify_ops(count_ops(R.ACTIVATIONS[row["name"]].at_defaults(), probe))
        assert (row["ops"], row["exp_ops"]) == (ops["total"], ops["exp/log/erf/tanh"])
    # the numbers chapter 4 prints for the from-scratch functions
    assert [BY_NAME[n]["ops"] for n in ("relu", "sigmoid", "tanh", "elu", "gelu")] == \
        [3, 8, 10, 11, 16]
    assert BY_NAME["relu"]["exp_ops"] == 0 and BY_NAME["gelu"]["exp_ops"] >= 1


def test_render_rejects_a_chapter_that_does_not_exist():
    with pytest.raises(ValueError, match="chapter 99"):
        cheatsheet.render([{**ROWS[0], "chapter": 99}])


def test_check_command_reports_a_stale_page(tmp_path, monkeypatch, capsys):
    page = tmp_path / "cheat-sheet.md"
    monkeypatch.setattr(cheatsheet, "PAGE", page)
    monkeypatch.setattr(cheatsheet, "ROOT", tmp_path)
    assert cheatsheet.main(["check"]) == 1
    assert "python tools/cheatsheet.py write" in capsys.readouterr().out
    assert cheatsheet.main(["write"]) == 0 and cheatsheet.main(["check"]) == 0
    page.write_text(page.read_text() + "edited\n")
    assert cheatsheet.main(["check"]) == 1
