"""``python -m benchmarks``: the same as ``perfproof bench`` (what ``nox -s bench`` runs)."""

from __future__ import annotations

import sys

from portal.cli.commands import run_module

if __name__ == "__main__":
    sys.exit(run_module("benchmarks.runner", sys.argv[1:], prog="python -m benchmarks"))
