"""A fresh virtual environment, installed exactly as the README says, can import and use the
course's package -- so a dependency missing from requirements.txt fails CI, not a learner.

It creates a new environment and installs everything, which takes a few minutes: it runs in CI
(``CI=true``) or when ``RELU_COURSE_FRESH_INSTALL=1``, and is skipped otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("CI", "").lower() != "true"
                       and os.environ.get("RELU_COURSE_FRESH_INSTALL") != "1",
                       reason="installs a whole environment: runs in CI or with "
                              "RELU_COURSE_FRESH_INSTALL=1"),
]

SMOKE = """
import importlib, torch, relu_course as rc
for name in rc._SUBMODULES:
    importlib.import_module(f"relu_course.{name}")
x = torch.tensor([-1.0, 0.0, 2.0], requires_grad=True)
rc.activations.functional.relu(x).sum().backward()
assert x.grad.tolist() == [0.0, 0.0, 1.0]
data = rc.data.load("digits")
history = rc.training.fit(rc.models.mlp(64, [16], 10), data, rc.training.TrainConfig(epochs=1))
assert history.epochs == 1
rc.quiz.load("03-relu-explained")
import matplotlib, nbclient, ipykernel, jupyterquiz, sklearn
print("fresh install OK", rc.__version__, torch.__version__)
"""


def test_a_fresh_environment_installs_from_requirements_and_works(tmp_path):
    env = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env)
    python = env / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r",
                              "requirements.txt"], cwd=ROOT, capture_output=True, text=True,
                             timeout=1800, check=False)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run = subprocess.run([str(python), "-c", SMOKE], cwd=tmp_path, capture_output=True,
                         text=True, timeout=600, check=False, env=clean_env)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "fresh install OK" in run.stdout
    jb = subprocess.run([str(env / "bin" / "jupyter-book"), "--version"], capture_output=True,
                        text=True, timeout=120, check=False)
    assert jb.returncode == 0, jb.stderr[-2000:]
    assert sys.executable != str(python)
