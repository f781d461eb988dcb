"""``indexes``: how many performance indexes their own queries use on the data.

The index proof (``benchmarks/indexes/proof.py``, ``perfproof index-proof``)
runs every index's own query under EXPLAIN ANALYZE; this check turns its
report into counts: the indexes present, those in their query's plan
(``used``), and the names of the others (``unused``). It passes when every
present index was proved, so that the count is complete; how many must be
used is the claim's number ("20+ strategic indexes": ``count = "used"``,
``at_least = 20`` in the claims file), never this check's. At the sizes of
``ASKED_CAN_USE`` a sequential scan of a few pages is rightly cheaper than any
index, so there the proof asks whether the planner *can* use each index
(sequential scans off); at larger sizes whether it *does*, unforced. The proof
switches the indexes off and on again on the way (its unindexed arm), leaving
them on, and ANALYZEs: run it after whatever measures that database, never
beside it.
"""

from __future__ import annotations

import psycopg

from benchmarks.checks.context import CheckContext
from benchmarks.checks.result import Outcome
from benchmarks.indexes.proof import run_proof
from portal.db.indexes import present_indexes

ASKED_CAN_USE = frozenset({"tiny"})
REPETITIONS = 1  # used or not is the same in every run; the timings are the proof's business


def check_indexes(context: CheckContext) -> Outcome:
    forced = context.scale in ASKED_CAN_USE
    report = run_proof(context.database_url, repetitions=REPETITIONS, force_index_use=forced)
    with psycopg.connect(context.database_url) as conn:
        present = present_indexes(conn)
    used = [proof.index for proof in report.proofs if proof.used]
    proved = {proof.index for proof in report.proofs}
    unproved = [name for name in present if name not in proved]
    outcome = Outcome(tried="")
    outcome.expect(not unproved, f"present but not proved, so not counted: {', '.join(unproved)}")
    outcome.observed = {
        "present": len(present),
        "proved": len(report.proofs),
        "used": len(used),
        "unused": report.unused,
        "sequential_scans_off": forced,
        "redundant": [item.index for item in report.redundant],
        # The plan nodes per index, for the report's query-plan blocks.
        "plans": {
            proof.index: {
                "operation": proof.operation,
                "table": proof.table,
                "used": proof.used,
                "plan": proof.on.plan,
                "plan_without_indexes": proof.off.plan,
            }
            for proof in report.proofs
        },
    }
    how = "with sequential scans off (can the planner use it)" if forced else "unforced"
    unused = f"; not used: {', '.join(report.unused)}" if report.unused else ""
    outcome.tried = (
        f"Ran each performance index's own query under EXPLAIN ANALYZE on the {context.scale} "
        f"data, {how}: {len(present)} indexes exist and {len(used)} of {len(report.proofs)} "
        f"were in their query's plan{unused}."
    )
    return outcome
