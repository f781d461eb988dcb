"""``python -m benchmarks``: the same as ``perfproof bench`` (what ``nox -s bench`` runs)."""

from __future__ import annotations

import sys

from benchmarks import runner
from portal.cli.commands import invoke

if __name__ == "__main__":
    sys.exit(invoke(runner, sys.argv[1:], prog="python -m benchmarks"))
