"""``python -m benchmarks.checks``: the functional checks (see ``cli.py``)."""

from __future__ import annotations

import sys

from portal.cli.commands import run_module

if __name__ == "__main__":
    sys.exit(run_module("benchmarks.checks.cli", None, prog="python -m benchmarks.checks"))
