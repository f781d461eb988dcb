"""``python -m loadtests``: the same as ``perfproof loadtest``."""

from __future__ import annotations

import sys

from portal.cli.commands import run_module

if __name__ == "__main__":
    sys.exit(run_module("loadtests.cli", sys.argv[1:], prog="python -m loadtests"))
