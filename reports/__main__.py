"""``python -m reports``: the same as ``perfproof report``."""

from __future__ import annotations

import sys

from portal.cli.commands import run_module

if __name__ == "__main__":
    sys.exit(run_module("reports.cli", sys.argv[1:], prog="python -m reports"))
