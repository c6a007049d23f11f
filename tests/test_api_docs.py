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


def _walk(package) -> list[str]:
    """Every public module and subpackage of ``package``, depth first (the chapters' exercise
    modules are documented through ``relu_course.exercises``)."""
    names = []
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        leaf = info.name.rsplit(".", 1)[1]
        if leaf.startswith("_") or package.__name__ == "relu_course.exercises":
            continue
        names.append(info.name)
        if info.ispkg:
            names += _walk(importlib.import_module(info.name))
    return names


PUBLIC_MODULES = _walk(relu_course)
#: Modules (not subpackages): each one's docstring names everything it exports.
LEAF_MODULES = [name for name in PUBLIC_MODULES
                if not hasattr(importlib.import_module(name), "__path__")]


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


@pytest.mark.parametrize("module_name", LEAF_MODULES)
def test_module_docstring_names_everything_it_exports(module_name):
    module = importlib.import_module(module_name)
    doc = module.__doc__ or ""
    missing = [name for name in module.__all__ if not re.search(rf"\b{re.escape(name)}\b", doc)]
    assert not missing, f"{module_name}'s docstring does not mention {missing}"


def test_subpackage_docstrings_list_their_modules():
    for name in PUBLIC_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "__path__") and name != "relu_course.exercises":
            leaves = [m.name for m in pkgutil.iter_modules(module.__path__) if not m.name.startswith("_")]
            missing = [leaf for leaf in leaves if not re.search(rf"^{leaf}\b", module.__doc__, re.M)]
            assert not missing, f"{name}'s docstring does not list {missing}"
