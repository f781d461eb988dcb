"""The query plans the index check recorded (``checks.json``, check ``indexes``, ``plans``).

Shown beside each index claim, and all of them under the index check: a
reader doubting "85 % faster with the index" first asks whether the index
was in the plan at all. The check records, per index, the plan with the
indexes and without them; at the smallest scale it forces the planner
(sequential scans off), and then the plans say the index *can* be used, not
that it *is* — the block says which.
"""

from __future__ import annotations

from typing import Any

from reports.page.blocks import Block, Table
from reports.page.formatting import text
from reports.run_folder import RunFolder


def index_check(run: RunFolder) -> dict[str, Any] | None:
    """The index check's observations, None when it did not run."""
    for check in (run.checks or {}).get("checks", []):
        if check.get("id") == "indexes":
            observed = check.get("observed") or {}
            return dict(observed)
    return None


def plans_block(observed: dict[str, Any] | None, operation: str | None, *, why: str) -> Block:
    """The plans of ``operation``'s indexes (None: every index); ``why`` when there are none."""
    block = Block(title="Query plans")
    plans = (observed or {}).get("plans")
    if not plans:
        block.missing.append(f"Query plans: not recorded ({why}).")
        return block
    items = plans.items() if isinstance(plans, dict) else enumerate(plans)
    table = Table(
        "Plan of each index's own query (EXPLAIN ANALYZE)",
        ["index", "operation", "used", "with the indexes", "without them"],
        [],
    )
    for name, plan in items:
        if not isinstance(plan, dict):
            block.code.append((str(name), str(plan)))
            continue
        if operation is not None and plan.get("operation") != operation:
            continue
        table.rows.append(
            [
                str(name),
                text(plan.get("operation")),
                text(plan.get("used")),
                text(plan.get("plan")),
                text(plan.get("plan_without_indexes")),
            ]
        )
    if table.rows:
        block.tables.append(table)
    if observed and observed.get("sequential_scans_off"):
        block.notes.append(
            "These plans were taken with sequential scans off (at this data size a scan of a few "
            "pages is rightly cheaper than any index): they show the planner can use each index, "
            "not that it would unforced."
        )
    if not table.rows and not block.code:
        block.missing.append(f"Query plans: none recorded for {operation}.")
    return block
