"""The package as a whole: import without side effects, lazy submodules, layout."""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
import textwrap
import types
from pathlib import Path

import pytest

import relu_course

ROOT = Path(__file__).resolve().parents[1]


def run_python(script: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True,
                          text=True, timeout=120, cwd=cwd, check=False)


def test_import_has_no_side_effects():
    result = run_python("""
        import random, sys, warnings
        import numpy as np
        import torch

        filters = list(warnings.filters)
        torch_state = torch.get_rng_state()
        numpy_state = np.random.get_state()
        python_state = random.getstate()
        dtype, grad, threads = torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads()

        import relu_course

        assert warnings.filters == filters, "warning filters changed"
        assert torch.equal(torch.get_rng_state(), torch_state), "torch RNG changed"
        after = np.random.get_state()
        assert all((a == b).all() if hasattr(a, "all") else a == b
                   for a, b in zip(after, numpy_state)), "numpy RNG changed"
        assert random.getstate() == python_state, "random changed"
        assert (torch.get_default_dtype(), torch.is_grad_enabled(), torch.get_num_threads()) \\
            == (dtype, grad, threads)
        heavy = [m for m in ("matplotlib", "sklearn", "relu_course.plotting",
                             "relu_course.data", "relu_course.activations",
                             "relu_course.performance") if m in sys.modules]
        assert not heavy, heavy
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_importing_every_submodule_has_no_global_side_effects():
    result = run_python("""
        import os
        os.environ["MPLBACKEND"] = "Agg"
        import random, warnings
        import numpy as np
        import torch
        import matplotlib

        filters = list(warnings.filters)
        torch_state = torch.get_rng_state()
        python_state = random.getstate()
        rc = dict(matplotlib.rcParams)

        import relu_course
        for name in relu_course._SUBMODULES:
            getattr(relu_course, name)

        assert warnings.filters == filters, "warning filters changed"
        assert torch.equal(torch.get_rng_state(), torch_state), "torch RNG changed"
        assert random.getstate() == python_state, "random changed"
        assert dict(matplotlib.rcParams) == rc, "rcParams changed"
        print("ok")
    """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("name", relu_course._SUBMODULES)
def test_lazy_submodules(name):
    module = getattr(relu_course, name)
    assert isinstance(module, types.ModuleType)
    assert module.__name__ == f"relu_course.{name}"
    assert name in dir(relu_course)
    assert name in relu_course.__all__
    for public in module.__all__:
        assert hasattr(module, public), f"relu_course.{name}.{public} is in __all__ but missing"


def test_unknown_attribute():
    with pytest.raises(AttributeError, match="no_such_thing"):
        relu_course.no_such_thing  # noqa: B018


def test_top_level_names():
    assert callable(relu_course.get_device) and callable(relu_course.set_seed)
    for name in relu_course.__all__:
        assert hasattr(relu_course, name)


def test_version_matches_the_project():
    tomllib = pytest.importorskip("tomllib")                     # Python >= 3.11
    pyproject = tomllib.loads((ROOT / "code" / "pyproject.toml").read_text())
    assert relu_course.__version__ == pyproject["project"]["version"]
    assert importlib.metadata.version("relu-course") == relu_course.__version__


def test_code_folder_is_not_a_package():
    # code/__init__.py would shadow the standard library's `code` module.
    assert not (ROOT / "code" / "__init__.py").exists()
    result = run_python("import code; print(hasattr(code, 'interact'))", cwd=ROOT)
    assert result.stdout.strip() == "True", result.stderr


def test_package_lives_in_code():
    assert Path(relu_course.__file__).resolve().parent == ROOT / "code" / "relu_course"


def test_every_module_has_its_test_file():
    # The tests mirror the package: relu_course/<subpackage>/<module>.py is tested in
    # tests/<subpackage>/test_<module>.py (every subpackage found, none listed by hand).
    package, tests = ROOT / "code" / "relu_course", ROOT / "tests"
    subpackages = sorted(p.parent.name for p in package.glob("*/__init__.py")
                         if p.parent.name != "exercises")
    assert len(subpackages) == 8, subpackages
    expected = [tests / "course" / "test_exercises.py", tests / "course" / "test_quiz.py"]
    for sub in subpackages:
        for module in sorted((package / sub).glob("*.py")):
            if not module.name.startswith("_"):
                expected.append(tests / sub / f"test_{module.name}")
    missing = [str(p.relative_to(ROOT)) for p in expected if not p.is_file()]
    assert not missing, f"modules without a test file: {missing}"
