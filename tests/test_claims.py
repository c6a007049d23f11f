"""The claims pass: every chapter, executed top to bottom under other base seeds and other
numerics (:data:`notebooks.CLAIMS_SETTINGS`), must run without a failing check.

nbval compares the stored outputs in the canonical execution mode, which shows that the pages
show what the code computes. This pass shows something else: that each chapter's conclusions,
as its ``assert`` cells state them, are not an accident of the default seed or of one
machine's kernels. The outputs are not compared here. It takes about a quarter of an hour, so
it runs only with ``--claims`` (the README's test command passes it):

    .venv/bin/python -m pytest tests/test_claims.py --claims
"""

from __future__ import annotations

import pytest
from notebooks import CLAIMS_SETTINGS, CellFailed, chapter_notebooks, claims_env, execute


@pytest.mark.slow
@pytest.mark.parametrize("setting", list(CLAIMS_SETTINGS))
@pytest.mark.parametrize("path", chapter_notebooks(), ids=lambda p: p.stem)
def test_every_check_holds(path, setting, request):
    if not request.config.getoption("--claims"):
        pytest.skip("the claims pass runs with --claims")
    try:
        execute(path, write=False, env=claims_env(CLAIMS_SETTINGS[setting]))
    except CellFailed as exc:
        pytest.fail(f"{setting}: {exc}", pytrace=False)
