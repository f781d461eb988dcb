"""``python -m portal``: the portal's own commands (``perfproof`` has these and the harness's).

``index-proof`` and ``write-cost`` lived here before they moved to the
harness (``benchmarks/indexes/``); they still answer here, so scripts written
for ``perfproof index-proof`` keep working. They are named by module
path only: the portal package imports nothing of the harness.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from portal.cli import PORTAL_COMMANDS, Command
from portal.cli.commands import dispatch

MOVED_TO_THE_HARNESS = (
    Command("index-proof", "benchmarks.indexes.proof_cli", "same as perfproof index-proof"),
    Command("write-cost", "benchmarks.indexes.write_cost_cli", "same as perfproof write-cost"),
)


def main(argv: Sequence[str] | None = None) -> int:
    return dispatch(
        (*PORTAL_COMMANDS, *MOVED_TO_THE_HARNESS),
        argv,
        prog="python -m portal",
        description=(
            "perfproof's reference B2B portal. Services come from PORTAL_DATABASE_URL and "
            "PORTAL_REDIS_URL when set; otherwise an embedded PostgreSQL and Redis are started "
            "in $PERFPROOF_HOME (default .perfproof/ in a checkout, else ~/.perfproof)."
        ),
    )


if __name__ == "__main__":
    sys.exit(main())
