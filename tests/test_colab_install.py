"""The Colab path, rehearsed: a fresh virtual environment that already has what Colab ships
(torch, numpy, matplotlib, scikit-learn, ...) but not the course's package runs the notebooks'
setup cell -- with the repository URL pointed at this clone -- and then uses the package."""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from test_book import ROOT, SETUP_CELL

# Colab's preinstalled packages that relu-course depends on (jupyterquiz is not preinstalled
# there; pip fetches it, so here it comes from the index too unless already provided).
PREINSTALLED = ("torch", "numpy", "matplotlib", "scikit-learn")


def _closure(names) -> set[str]:
    """The distributions ``names`` need, recursively (environment markers evaluated)."""
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        seen.add(key)
        for req in md.requires(name) or []:
            r = Requirement(req)
            if r.marker is None or r.marker.evaluate({"extra": ""}):
                todo.append(r.name)
    return seen


def _expose(dists: set[str], target: Path) -> None:
    """Symlink the files of ``dists`` (top-level modules and metadata) into ``target``."""
    target.mkdir()
    for dist in md.distributions():
        name = re.sub(r"[-_.]+", "-", dist.metadata["Name"]).lower()
        if name not in dists:
            continue
        base = Path(dist.locate_file(""))
        tops = {Path(str(f)).parts[0] for f in dist.files or []
                if not str(f).startswith("..") and Path(str(f)).parts}
        for top in tops:
            src = base / top
            dst = target / top
            if src.exists() and not dst.exists() and not top.endswith(".pth") and top != "__pycache__":
                dst.symlink_to(src)


@pytest.mark.slow
def test_setup_cell_installs_the_package_as_on_colab(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("needs the git repository (pip installs from a git URL)")
    venv = tmp_path / "colab"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    preinstalled = tmp_path / "preinstalled"
    _expose(_closure(PREINSTALLED), preinstalled)
    (site / "colab_preinstalled.pth").write_text(str(preinstalled) + "\n")
    fake = tmp_path / "fake_colab" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    (fake.parent / "__init__.py").write_text("")

    # A PEP 508 URL needs a host part: file://localhost/path, not file:///path.
    cell = SETUP_CELL.replace(re.search(r'repo = "([^"]+)"', SETUP_CELL).group(1),
                              "file://localhost" + ROOT.as_posix())
    script = textwrap.dedent("""
        import sys
        sys.path.insert(0, {fake!r})
        import google.colab                      # what makes the setup cell install
        try:
            import relu_course
        except ImportError:
            pass
        else:
            raise SystemExit("relu_course must not be importable before the setup cell runs")
    """).format(fake=str(fake.parent.parent)) + cell + textwrap.dedent("""
        from relu_course.activations import functional as F
        y = F.relu(torch.tensor([-1.0, 0.0, 2.0], requires_grad=True))
        y.sum().backward()
        print("values", y.tolist())
        print("package at", rc.__file__)
        assert rc.quiz.available(), "the quizzes (package data) were not installed"
    """)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run([str(python), "-c", script], capture_output=True, text=True,
                            env=env, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "values [0.0, 0.0, 2.0]" in result.stdout
    installed_at = re.search(r"package at (.+)", result.stdout).group(1)
    assert str(venv) in installed_at, f"used {installed_at}, not the freshly installed package"
