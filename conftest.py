"""Repository-wide pytest hook: optionally run the notebooks in reverse order.

``RELU_COURSE_NOTEBOOK_ORDER=reverse`` reverses the order of the collected notebook files, so
that CI can show that every notebook runs on its own, in a fresh kernel, whatever ran before
(the README's test command does this in its second pass, with ``OMP_NUM_THREADS=1``).
"""

from __future__ import annotations

import os


def pytest_collection_modifyitems(session, config, items):
    if os.environ.get("RELU_COURSE_NOTEBOOK_ORDER", "").lower() != "reverse":
        return
    notebooks = [item for item in items if str(item.path).endswith(".ipynb")]
    files = sorted({str(item.path) for item in notebooks}, reverse=True)
    rank = {path: i for i, path in enumerate(files)}
    ordered = iter(sorted(notebooks, key=lambda item: rank[str(item.path)]))   # stable in-file
    items[:] = [next(ordered) if str(item.path).endswith(".ipynb") else item for item in items]
