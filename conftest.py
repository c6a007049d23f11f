"""Repository-wide pytest hooks: the notebooks run in the canonical execution mode, and the
``--claims`` option turns on the claims pass (``tests/test_claims.py``).

nbval (``--nbval-current-env``) starts each notebook's kernel with this process's environment,
so every notebook item is set up with :data:`relu_course.utils.CANONICAL_ENV` added to it: one
thread, pinned numerical kernels, the CPU. That is the mode in which ``tools/notebooks.py
execute`` stored the outputs, and the printed numbers do not depend on the processor in it.
Other items (the unit tests) run with the environment as it was.
"""

from __future__ import annotations

import os

import pytest

from relu_course.utils import CANONICAL_ENV, SEED_ENV_VAR

_OUTER_ENV = {key: os.environ.get(key) for key in (*CANONICAL_ENV, SEED_ENV_VAR)}


def pytest_addoption(parser):
    parser.addoption("--claims", action="store_true",
                     help="run the claims pass (tests/test_claims.py): every notebook under "
                          "other seeds and numerics, its checks required to hold")


def _is_notebook(item) -> bool:
    return str(item.path).endswith(".ipynb")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Runs before the notebook's collector starts its kernel (in the setup of its first cell).
    if _is_notebook(item):
        os.environ.update(CANONICAL_ENV)
        os.environ.pop(SEED_ENV_VAR, None)         # stored outputs are for the default seed
    else:
        for key, value in _OUTER_ENV.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
