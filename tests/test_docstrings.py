"""Every example in relu_course's docstrings runs and prints what it says."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest
import torch

import relu_course

# Every module of the package, including the exercise checks of each chapter (not the command
# line's __main__, which runs the benchmark when imported).
MODULES = ["relu_course", *sorted(m.name for m in pkgutil.walk_packages(
    relu_course.__path__, "relu_course.") if not m.name.endswith("__main__"))]


@pytest.mark.parametrize("module_name", MODULES)
def test_doctests(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, extraglobs={"torch": torch},
                             optionflags=doctest.NORMALIZE_WHITESPACE, verbose=False,
                             report=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed"


def test_the_examples_exist():
    # The modules documented with examples keep them (a doctest run on nothing passes).
    for name in ("activations.functional", "activations.modules", "activations.registry",
                 "utils", "data.datasets", "models.dense", "analysis.hooks", "training.loop"):
        module = importlib.import_module(f"relu_course.{name}")
        finder = doctest.DocTestFinder()
        examples = sum(len(t.examples) for t in finder.find(module, extraglobs={"torch": torch}))
        assert examples > 0, name
