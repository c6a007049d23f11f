"""Tests of relu_course.exercises for chapters 9 to 14 (seed statistics, CNNs and audio, stable
training, the kink at zero, transformers, the report card): each check accepts the reference
solution and explains the usual mistakes."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import relu_course as rc
from relu_course import exercises as E
from relu_course.exercises import ch14


def _stub(*args):
    raise NotImplementedError


def stub(*args):
    raise NotImplementedError


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


def test_check_position_wise_ffn():
    good = E.check_position_wise_ffn(lambda x, W1, b1, W2, b2, a: a(x @ W1.T + b1) @ W2.T + b2)
    assert good.passed and good.checks_passed == 4
    assert E.check_position_wise_ffn(_stub).status == "not attempted"
    no_act = E.check_position_wise_ffn(lambda x, W1, b1, W2, b2, a: (x @ W1.T + b1) @ W2.T + b2)
    assert no_act.status == "failed" and "differs" in no_act.message
    crash = E.check_position_wise_ffn(lambda x, W1, b1, W2, b2, a: a(x @ W1 + b1) @ W2.T + b2)
    assert crash.status == "failed" and "shape (5, 4)" in crash.message

    def flattens(x, W1, b1, W2, b2, a):
        return (a(x @ W1.T + b1) @ W2.T + b2).reshape(-1, x.shape[-1])
    flat = E.check_position_wise_ffn(flattens)
    assert flat.status == "failed" and "leading dimension" in flat.message

    def in_place(x, W1, b1, W2, b2, a):
        x.mul_(2)
        return a(x @ W1.T + b1) @ W2.T + b2
    assert "in place" in E.check_position_wise_ffn(in_place).message


def test_check_spectrogram_peak_track():
    good = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=-2) * r / n)
    assert good.passed and good.checks_passed == 4
    assert E.check_spectrogram_peak_track(_stub).status == "not attempted"
    bins = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=-2))
    assert bins.status == "failed" and "bin numbers" in bins.message
    frames = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=-1) * r / n)
    assert frames.status == "failed"
    first_dim = E.check_spectrogram_peak_track(lambda s, r, n: s.argmax(dim=0) * r / n)
    assert first_dim.status == "failed"


def test_kaiming_uniform_bound_check():
    good = E.check_kaiming_uniform_bound(lambda n, a: math.sqrt(6 / ((1 + a * a) * n)))
    assert good.passed
    std = E.check_kaiming_uniform_bound(lambda n, a: math.sqrt(2 / ((1 + a * a) * n)))
    assert std.status == "failed" and "standard deviation" in std.message
    no_slope = E.check_kaiming_uniform_bound(lambda n, a: math.sqrt(6 / n))
    assert no_slope.status == "failed" and "gain" in no_slope.message

    def stub(n, a):
        raise NotImplementedError

    assert E.check_kaiming_uniform_bound(stub).status == "not attempted"
    assert E.check_kaiming_uniform_bound(lambda n, a: "1").status == "failed"


def test_clip_by_global_norm_check():
    def good(grads, c):
        total = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        return [g * (min(1.0, c / total) if total else 1.0) for g in grads]

    def per_tensor(grads, c):
        return [g * min(1.0, c / max(g.norm().item(), 1e-12)) for g in grads]

    def in_place(grads, c):
        total = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        for g in grads:
            g.mul_(min(1.0, c / max(total, 1e-12)))
        return grads

    def always(grads, c):
        total = math.sqrt(sum(float((g ** 2).sum()) for g in grads))
        return [g * c / max(total, 1e-12) for g in grads]

    assert E.check_clip_by_global_norm(good).passed
    result = E.check_clip_by_global_norm(per_tensor)
    assert result.status == "failed" and "all the gradients together" in result.message
    assert "in place" in E.check_clip_by_global_norm(in_place).message
    assert "unchanged" in E.check_clip_by_global_norm(always).message


def test_born_dead_min_width_check():
    def reference(depth, p):
        n = 1
        while 1 - (1 - 2.0 ** -n) ** depth > p:
            n += 1
        return n

    assert E.check_born_dead_min_width(reference).passed
    assert E.check_born_dead_min_width(stub).status == "not attempted"
    too_wide = E.check_born_dead_min_width(lambda d, p: reference(d, p) + 1)
    assert too_wide.status == "failed" and "smallest width" in too_wide.message
    too_narrow = E.check_born_dead_min_width(lambda d, p: max(1, reference(d, p) - 1))
    assert too_narrow.status == "failed" and "above" in too_narrow.message
    assert "an int" in E.check_born_dead_min_width(lambda d, p: 3.0).message


def test_relu_grad_at_zero_trick_check():
    def reference(x, s):
        return torch.relu(x) + s * (x == 0).to(x.dtype) * (x - x.detach())

    assert E.check_relu_grad_at_zero_trick(reference).passed
    assert E.check_relu_grad_at_zero_trick(stub).status == "not attempted"
    leaky = E.check_relu_grad_at_zero_trick(lambda x, s: torch.where(x > 0, x, s * x))
    assert leaky.status == "failed" and "max(0, x)" in leaky.message
    ignores_s = E.check_relu_grad_at_zero_trick(lambda x, s: torch.relu(x) + 0 * s)
    assert ignores_s.status == "failed" and "at x = 0" in ignores_s.message
    detached = E.check_relu_grad_at_zero_trick(lambda x, s: torch.relu(x).detach())
    assert detached.status == "failed" and "autograd" in detached.message


def test_second_derivative_check():
    def reference(f, x):
        x = x.detach().clone().requires_grad_(True)
        (df,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        if not df.requires_grad:
            return torch.zeros_like(x)
        (d2f,) = torch.autograd.grad(df.sum(), x, allow_unused=True)
        return torch.zeros_like(x) if d2f is None else d2f

    assert E.check_second_derivative_autograd(reference).passed
    assert E.check_second_derivative_autograd(stub).status == "not attempted"

    def naive(f, x):
        x = x.detach().clone().requires_grad_(True)
        (df,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        (d2f,) = torch.autograd.grad(df.sum(), x)
        return d2f

    result = E.check_second_derivative_autograd(naive)
    assert result.status == "failed" and "does not depend on x" in result.message
    first = E.check_second_derivative_autograd(
        lambda f, x: torch.autograd.grad(f(x.requires_grad_()).sum(), x)[0])
    assert first.status == "failed" and "expected" in first.message


def test_chapter_12_checks_are_exported():
    from relu_course.exercises import ch12
    for name in ch12.__all__:
        assert getattr(E, name) is getattr(ch12, name)


def test_check_glu_matched_width():
    assert E.check_glu_matched_width(lambda d, h: round(2 * h / 3)).passed
    assert E.check_glu_matched_width(stub).status == "not attempted"
    wrong = E.check_glu_matched_width(lambda d, h: h)
    assert not wrong and "closer" in wrong.message
    assert not E.check_glu_matched_width(lambda d, h: 2 * h / 3)      # not an int


def test_check_sparse_ffn_macs():
    good = lambda hid, d: (hid == 0).sum().item() * d / hid.shape[0]
    assert E.check_sparse_ffn_macs(good).passed
    assert E.check_sparse_ffn_macs(stub).status == "not attempted"
    total = E.check_sparse_ffn_macs(lambda hid, d: (hid == 0).sum().item() * d)
    assert not total and "per token" in total.message
    fraction = E.check_sparse_ffn_macs(lambda hid, d: (hid == 0).sum().item() / hid.shape[0])
    assert not fraction and "d_model" in fraction.message


def test_check_relu6_uint8_quantizer():
    s = 6 / 255
    assert E.check_relu6_uint8_quantizer(lambda x: torch.round(x / s).clamp(0, 255) * s).passed
    assert E.check_relu6_uint8_quantizer(stub).status == "not attempted"
    unclipped = E.check_relu6_uint8_quantizer(lambda x: torch.round(x / s) * s)
    assert not unclipped and "outside" in unclipped.message
    wrong_step = E.check_relu6_uint8_quantizer(lambda x: torch.round(x / 6 * 256).clamp(0, 255) * 6 / 256)
    assert not wrong_step


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
