"""The API reference is complete: every public function and class of relu_course has a
docstring with an example, and the reference page documents every module."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from test_book import ROOT

import relu_course

PUBLIC_MODULES = [f"relu_course.{name}" for name in relu_course._SUBMODULES]


def public_objects():
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            obj = getattr(module, name)
            if inspect.isfunction(obj) or inspect.isclass(obj):
                yield f"{module_name}.{name}", obj


@pytest.mark.parametrize("qualname, obj", list(public_objects()), ids=lambda v: v if isinstance(v, str) else "")
def test_public_object_is_documented_with_an_example(qualname, obj):
    doc = inspect.getdoc(obj) or ""
    assert doc.strip(), f"{qualname} has no docstring"
    if inspect.isclass(obj) and issubclass(obj, Exception):
        return                                   # exceptions need no example
    assert ">>>" in doc, f"{qualname}'s docstring has no example"


def test_every_module_is_on_the_api_page():
    page = (ROOT / "chapters" / "api.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"\.\. automodule:: (\S+)", page))
    assert set(PUBLIC_MODULES) <= documented, set(PUBLIC_MODULES) - documented


def test_every_module_is_listed_as_a_submodule():
    found = {m.name for m in pkgutil.iter_modules(relu_course.__path__) if not m.name.startswith("_")}
    assert found == set(relu_course._SUBMODULES), found ^ set(relu_course._SUBMODULES)
