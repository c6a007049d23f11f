"""Tests for what chapter 14 ("Conclusion and FAQ") adds to the package: the checks of its
coding exercises (relu_course/exercises/ch14.py)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import relu_course as rc
from relu_course.exercises import ch14

# ---- Exercise 14.1: an activation's report card -----------------------------------------------

def report_card(activation, z):
    """A learner-style solution, written independently of the check's reference."""
    zero = torch.zeros(1, dtype=z.dtype, requires_grad=True)
    (g0,) = torch.autograd.grad(activation(zero).sum(), zero)
    out = activation(z).detach()
    x = z.clone().requires_grad_(True)
    (d1,) = torch.autograd.grad(activation(x).sum(), x, create_graph=True)
    curvature = False
    if d1.requires_grad:
        (d2,) = torch.autograd.grad(d1.sum(), x, allow_unused=True)
        curvature = d2 is not None and bool(torch.any(d2 != 0))
    return {"grad_at_zero": g0.item(), "zero_share": (out == 0).float().mean().item(),
            "negative_outputs": bool(torch.any(out < 0)), "curvature": curvature,
            "bounded_above": activation(torch.tensor([1e6], dtype=z.dtype)).item() < 1e3}


def test_report_card_check_accepts_a_correct_solution():
    result = rc.exercises.check_activation_report_card(report_card)
    assert result.passed, result
    assert result.checks_passed == 5 * len(ch14._candidates())
    # the summary is measured, not written by hand
    assert "relu6" in result.message and "hardtanh" in result.message


def test_report_card_check_accepts_numpy_and_tensor_values():
    def card(activation, z):
        c = report_card(activation, z)
        return {"grad_at_zero": torch.tensor(c["grad_at_zero"]),
                "zero_share": np.float32(c["zero_share"]),
                "negative_outputs": np.bool_(c["negative_outputs"]),
                "curvature": torch.tensor(c["curvature"]),
                "bounded_above": c["bounded_above"]}
    assert rc.exercises.check_activation_report_card(card).passed


def test_report_card_check_reports_the_stub_as_not_attempted():
    def stub(activation, z):
        raise NotImplementedError
    result = rc.exercises.check_activation_report_card(stub)
    assert result.status == "not attempted"
    assert "[TO DO]" in repr(result)


@pytest.mark.parametrize("key, wrong, words", [
    ("curvature", lambda c: False, ["curvature", "expected True", "create_graph"]),
    ("bounded_above", lambda c: True, ["bounded_above", "relu", "1e+06"]),
    ("zero_share", lambda c: 0.5, ["zero_share", "expected"]),
    ("grad_at_zero", lambda c: 0.5, ["grad_at_zero", "relu"]),
    ("negative_outputs", lambda c: not c, ["negative_outputs"]),
])
def test_report_card_check_names_the_wrong_entry(key, wrong, words):
    def card(activation, z):
        c = report_card(activation, z)
        c[key] = wrong(c[key])
        return c
    result = rc.exercises.check_activation_report_card(card)
    assert result.status == "failed"
    for word in words:
        assert word in result.message, (word, result.message)


def test_report_card_check_rejects_missing_keys_and_wrong_types():
    result = rc.exercises.check_activation_report_card(lambda a, z: {"grad_at_zero": 0.0})
    assert result.status == "failed" and "'zero_share'" in result.message
    result = rc.exercises.check_activation_report_card(lambda a, z: [1, 2])
    assert result.status == "failed" and "dict" in result.message

    def text_bool(activation, z):
        c = report_card(activation, z)
        c["curvature"] = "no"
        return c
    result = rc.exercises.check_activation_report_card(text_bool)
    assert result.status == "failed" and "True or False" in result.message


def test_report_card_reference_values():
    z = torch.randn(500, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    cards = {name: ch14._reference_card(f, z) for name, f in ch14._candidates().items()}
    assert cards["relu"]["grad_at_zero"] == 0.0
    assert cards["(x + |x|) / 2"]["grad_at_zero"] == 0.5
    assert cards["leaky_relu"]["grad_at_zero"] == pytest.approx(0.01)
    assert 0.4 < cards["relu"]["zero_share"] < 0.6 and cards["gelu"]["zero_share"] == 0.0
    assert not cards["relu"]["curvature"] and cards["squared_relu"]["curvature"]
    assert cards["tanh"]["bounded_above"] and not cards["softplus"]["bounded_above"]
    assert not cards["softplus"]["negative_outputs"] and cards["elu"]["negative_outputs"]


# ---- Exercise 14.2: switch only with evidence -------------------------------------------------

def choose_activation(score, candidates, seeds):
    """A learner-style solution of the rule."""
    def clean(v):
        return -math.inf if math.isnan(v) else v
    scores = {n: [clean(score(n, s)) for s in seeds] for n in candidates}
    best_default = max(scores[candidates[0]])
    better = [n for n in candidates[1:] if min(scores[n]) > best_default]
    if not better:
        return candidates[0]
    return max(better, key=lambda n: np.mean(scores[n]))


def test_switch_check_accepts_a_correct_solution():
    result = rc.exercises.check_switch_only_with_evidence(choose_activation)
    assert result.passed, result


def test_switch_check_rejects_best_mean_and_hard_coded_default():
    def best_mean(score, candidates, seeds):
        return max(candidates, key=lambda n: np.nanmean([score(n, s) for s in seeds]))
    result = rc.exercises.check_switch_only_with_evidence(best_mean)
    assert result.status == "failed" and "overlap" in result.message

    def always_relu(score, candidates, seeds):
        for n in candidates:
            for s in seeds:
                score(n, s)
        return "relu"
    result = rc.exercises.check_switch_only_with_evidence(always_relu)
    assert result.status == "failed"


def test_switch_check_treats_nan_as_the_worst_result():
    def nan_ignored(score, candidates, seeds):
        scores = {n: [v for v in (score(n, s) for s in seeds) if not math.isnan(v)]
                  for n in candidates}
        best = max(scores[candidates[0]]) if scores[candidates[0]] else -math.inf
        better = [n for n in candidates[1:] if scores[n] and min(scores[n]) > best]
        return max(better, key=lambda n: np.mean(scores[n])) if better else candidates[0]
    result = rc.exercises.check_switch_only_with_evidence(nan_ignored)
    assert result.status == "failed" and "NaN" in result.message


def test_switch_check_requires_every_seed_to_be_scored():
    def first_seed_only(score, candidates, seeds):
        return choose_activation(score, candidates, seeds[:1])
    result = rc.exercises.check_switch_only_with_evidence(first_seed_only)
    assert result.status == "failed" and "never scored" in result.message


def test_switch_check_reports_a_crash_with_its_input():
    def crash(score, candidates, seeds):
        return score("not a candidate", seeds[0])
    result = rc.exercises.check_switch_only_with_evidence(crash)
    assert result.status == "failed" and "KeyError" in result.message


def test_checks_are_exported():
    assert rc.exercises.check_activation_report_card is ch14.check_activation_report_card
    assert rc.exercises.check_switch_only_with_evidence is ch14.check_switch_only_with_evidence
