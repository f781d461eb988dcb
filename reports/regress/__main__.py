"""``python -m reports.regress``: the same as ``perfproof regress``."""

from __future__ import annotations

import sys

from portal.cli.commands import run_module

if __name__ == "__main__":
    sys.exit(run_module("reports.regress.cli", sys.argv[1:], prog="python -m reports.regress"))
