"""Exercise checks for chapter 14, "Conclusion and FAQ"."""

from __future__ import annotations

import math
import numbers

import numpy as np
import torch

from ._core import Failure, call, exercise, show

__all__ = ["check_activation_report_card", "check_switch_only_with_evidence"]

#: The keys of an activation's report card (Exercise 14.1), in the order they are checked.
REPORT_CARD_KEYS = ("grad_at_zero", "zero_share", "negative_outputs", "curvature",
                    "bounded_above")


def _reference_card(activation, z: torch.Tensor) -> dict:
    """The report card of Exercise 14.1, computed the way the exercise defines it."""
    zero = torch.zeros(1, dtype=z.dtype, requires_grad=True)
    (grad0,) = torch.autograd.grad(activation(zero).sum(), zero)
    with torch.no_grad():
        out = activation(z)
        big = activation(torch.full((1,), 1e6, dtype=z.dtype))
    x = z.detach().clone().requires_grad_(True)
    (first,) = torch.autograd.grad(activation(x).sum(), x, create_graph=True)
    curvature = False
    if first.requires_grad:                  # else the derivative does not depend on x
        (second,) = torch.autograd.grad(first.sum(), x, allow_unused=True)
        curvature = second is not None and bool((second != 0).any())
    return {"grad_at_zero": float(grad0.item()),
            "zero_share": float((out == 0).double().mean().item()),
            "negative_outputs": bool((out < 0).any()),
            "curvature": curvature,
            "bounded_above": bool(big.item() < 1e3)}


def _candidates() -> dict:
    """Activations to test the card on: named ones and two that no name gives away."""
    from ..activations import functional as F
    from ..activations import variants

    return {
        "relu": F.relu,
        "leaky_relu": F.leaky_relu,
        "elu": F.elu,
        "gelu": F.gelu,
        "silu": F.silu,
        "tanh": F.tanh,
        "softplus": F.softplus,
        "relu6": variants.relu6,
        "squared_relu": variants.squared_relu,
        "hard_swish": variants.hard_swish,
        "hardtanh": torch.nn.functional.hardtanh,
        "(x + |x|) / 2": lambda t: (t + t.abs()) / 2,
    }


def _as_bool(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, torch.Tensor) and value.numel() == 1 and value.dtype == torch.bool:
        return bool(value.item())
    return None


def _as_float(value):
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = value.item()
    if isinstance(value, (numbers.Real, np.floating, np.integer)):
        return float(value)
    return None


@exercise("Exercise 14.1 (an activation's report card)")
def check_activation_report_card(tally, report_card) -> str:
    r"""Check ``report_card(activation, z) -> dict`` with the five measured properties of
    Exercise 14.1: ``grad_at_zero`` (autograd's derivative at exactly 0), ``zero_share``
    (share of exact zeros in ``activation(z)``), ``negative_outputs`` (any
    ``activation(z) < 0``), ``curvature`` (autograd's second derivative non-zero somewhere on
    ``z``) and ``bounded_above`` (``activation(1e6) < 1e3``).

    ``z`` is a float64 sample of 2,000 standard-normal values (no exact zeros); the answer
    is compared with the same measurements made here, for twelve activations, two of them
    anonymous functions.

    Example:
        >>> check_activation_report_card(_reference_card).passed
        True
        >>> check_activation_report_card(lambda act, z: {}).status
        'failed'
    """
    gen = torch.Generator().manual_seed(14)
    z = torch.randn(2000, generator=gen, dtype=torch.float64)
    cards = {}
    for name, activation in _candidates().items():
        expected = _reference_card(activation, z)
        got = call(report_card, "report_card", activation, z.clone())
        if not isinstance(got, dict):
            raise Failure(f"report_card({name}, z) returned a {type(got).__name__}; expected "
                          f"a dict with the keys {', '.join(REPORT_CARD_KEYS)}")
        missing = [k for k in REPORT_CARD_KEYS if k not in got]
        if missing:
            raise Failure(f"report_card({name}, z) has no entry {missing[0]!r}; the card needs "
                          f"{', '.join(REPORT_CARD_KEYS)}")
        for key in ("grad_at_zero", "zero_share"):
            value = _as_float(got[key])
            if value is None:
                raise Failure(f"report_card({name}, z)[{key!r}] is {show(got[key])}; "
                              f"expected a number")
            if not math.isclose(value, expected[key], rel_tol=1e-6, abs_tol=1e-9):
                hint = {"grad_at_zero": " (differentiate at a zero tensor with autograd, "
                                        "do not use a finite difference)",
                        "zero_share": " (count values that are exactly 0, as a share of "
                                      "all values)"}[key]
                raise Failure(f"report_card({name}, z)[{key!r}] is {value:.6g}; "
                              f"expected {expected[key]:.6g}{hint}")
            tally.ok()
        for key in ("negative_outputs", "curvature", "bounded_above"):
            value = _as_bool(got[key])
            if value is None:
                raise Failure(f"report_card({name}, z)[{key!r}] is {show(got[key])}; "
                              f"expected True or False")
            if value != expected[key]:
                hint = {
                    "negative_outputs": "",
                    "curvature": (" -- take autograd's derivative of the first derivative "
                                  "(create_graph=True); if the first derivative does not "
                                  "depend on x at all, the curvature is 0"),
                    "bounded_above": f" (its value at x = 1e6 is "
                                     f"{_candidates()[name](torch.tensor([1e6])).item():.3g})",
                }[key]
                raise Failure(f"report_card({name}, z)[{key!r}] is {value}; expected "
                              f"{expected[key]}{hint}")
            tally.ok()
        cards[name] = expected
    flat = [n for n, c in cards.items() if not c["curvature"]]
    sparse = [n for n, c in cards.items() if c["zero_share"] > 0.3]
    bounded = [n for n, c in cards.items() if c["bounded_above"]]
    return (f"No curvature (unusable for a physics-informed loss): {', '.join(flat)}. "
            f"About half exact zeros (what a sparse kernel can skip): {', '.join(sparse)}. "
            f"Bounded above (a range known before calibration): {', '.join(bounded)}.")


def _reference_choice(score, candidates, seeds):
    """The rule of Exercise 14.2."""
    results = {}
    for name in candidates:
        values = []
        for seed in seeds:
            s = float(score(name, seed))
            values.append(-math.inf if math.isnan(s) else s)
        results[name] = values
    default = candidates[0]
    clear = [n for n in candidates[1:] if min(results[n]) > max(results[default])]
    if not clear:
        return default
    return max(clear, key=lambda n: sum(results[n]) / len(results[n]))


@exercise("Exercise 14.2 (switch only with evidence)")
def check_switch_only_with_evidence(tally, choose_activation) -> str:
    r"""Check ``choose_activation(score, candidates, seeds) -> name``: keep the default
    ``candidates[0]`` unless another candidate's *worst* score over the seeds beats the
    default's *best*; among such candidates take the one with the highest mean. A NaN score
    (a run that diverged) counts as the worst possible result.

    Example:
        >>> check_switch_only_with_evidence(_reference_choice).passed
        True
        >>> def best_mean(score, candidates, seeds):       # ignores the spread
        ...     return max(candidates, key=lambda n: sum(score(n, s) for s in seeds))
        >>> check_switch_only_with_evidence(best_mean).status
        'failed'
    """
    nan = math.nan
    cases = [
        ("a higher mean, but the ranges overlap",
         {"relu": [0.92, 0.93, 0.94], "gelu": [0.93, 0.94, 0.95]}, (0, 1, 2)),
        ("every seed of the challenger beats every seed of the default",
         {"relu": [0.90, 0.91, 0.92], "elu": [0.93, 0.94, 0.95]}, (0, 1, 2)),
        ("two challengers beat the default clearly",
         {"relu": [0.90, 0.91, 0.92], "leaky_relu": [0.93, 0.94, 0.95],
          "silu": [0.925, 0.99, 0.99]}, (0, 1, 2)),
        ("a challenger's worst seed only ties with the default's best",
         {"relu": [0.90, 0.95], "tanh": [0.95, 0.97]}, (3, 7)),
        ("the default diverged on one seed (NaN)",
         {"relu": [0.90, nan, 0.91], "leaky_relu": [0.92, 0.93, 0.94]}, (0, 1, 2)),
        ("a challenger diverged on one seed (NaN)",
         {"relu": [0.90, 0.91, 0.92], "gelu": [0.99, nan, 0.99]}, (0, 1, 2)),
        ("the default diverged on every seed",
         {"relu": [nan, nan], "tanh": [0.50, 0.60], "elu": [0.55, 0.58]}, (5, 9)),
        ("only one candidate", {"relu": [0.9]}, (0,)),
        ("the default is listed first but is not called 'relu'",
         {"tanh": [0.80, 0.81, 0.82], "relu": [0.70, 0.90, 0.95]}, (0, 1, 2)),
    ]
    for what, table, seeds in cases:
        calls = []

        def score(name, seed, table=table, seeds=seeds, calls=calls):
            if name not in table:
                raise KeyError(f"unknown candidate {name!r}")
            if seed not in seeds:
                raise KeyError(f"seed {seed!r} is not one of the seeds {list(seeds)}")
            calls.append((name, seed))
            return table[name][seeds.index(seed)]

        candidates = list(table)
        expected = _reference_choice(score, candidates, seeds)
        calls.clear()
        shown = ", ".join(f"{n}: {[round(v, 3) for v in vs]}" for n, vs in table.items())
        got = call(choose_activation, "choose_activation", score, list(candidates),
                   list(seeds))
        if got not in candidates:
            raise Failure(f"with scores {{{shown}}} choose_activation returned {got!r}; "
                          f"expected one of the candidates' names")
        unscored = [(n, s) for n in candidates for s in seeds if (n, s) not in calls]
        if unscored:
            raise Failure(f"with scores {{{shown}}} choose_activation never scored "
                          f"{unscored[0][0]!r} with seed {unscored[0][1]}: score every "
                          f"candidate on every seed")
        if got != expected:
            raise Failure(f"{what} -- scores {{{shown}}} over seeds {list(seeds)}: "
                          f"choose_activation returned {got!r}; the rule gives {expected!r}")
        tally.ok()
    return ("A cautious rule: with three seeds it switches only when the ranges do not "
            "overlap. Confidence intervals and paired tests (relu_course.analysis.stats) make such "
            "decisions sharper.")
