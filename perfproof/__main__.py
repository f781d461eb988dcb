"""``python -m perfproof``: the same as the ``perfproof`` command."""

from __future__ import annotations

import sys

from perfproof.cli import main

if __name__ == "__main__":
    sys.exit(main())
