"""``python -m portal``: the portal's own commands (``perfproof`` has these and the harness's).

``index-proof`` and ``write-cost`` answered here before they moved to the
harness (``benchmarks/indexes/``); they are ``perfproof index-proof`` and
``perfproof write-cost`` now. The portal does not name the harness, not even
by a module path (``tests/test_layers.py``): the system under test does not
know it is being measured.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from portal.cli import PORTAL_COMMANDS
from portal.cli.commands import dispatch


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(
        PORTAL_COMMANDS,
        argv,
        prog="python -m portal",
        description=(
            "perfproof's reference B2B portal. Services come from PORTAL_DATABASE_URL and "
            "PORTAL_REDIS_URL when set; otherwise an embedded PostgreSQL and Redis are started "
            "in $PERFPROOF_HOME (default .perfproof/ in a checkout, else ~/.perfproof)."
        ),
        epilog="index-proof and write-cost are the harness's: perfproof index-proof, "
        "perfproof write-cost.",
    )


if __name__ == "__main__":
    sys.exit(main())
