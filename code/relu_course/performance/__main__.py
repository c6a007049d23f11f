"""``python -m relu_course.performance``: the benchmark's command line (see
:func:`relu_course.performance.bench.main`; ``--help`` lists the options)."""

import sys

from .bench import main

sys.exit(main())
