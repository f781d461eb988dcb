"""``slow-query``: an operation over 100 ms is caught, and shows in the log, the slow ring
(``GET /api/performance/metrics``) and ``/metrics``.

The slow statement is one of the portal's own, on an unmodified route: the
check holds a row lock on a buyer's wallet (``SELECT ... FOR UPDATE`` in a
transaction of its own) while that buyer tops up one cent, waits until
PostgreSQL shows the portal's statement waiting for that lock, keeps it
waiting ``HOLD_S`` more, then lets go. So the statement takes a known
minimum, just over the claimed threshold, whatever the machine's speed; the
operation's name comes from the statement itself (its ``/* op=... */``
comment, as PostgreSQL shows it), not from our expectations.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import httpx
import psycopg

from benchmarks.checks.context import CheckContext
from benchmarks.checks.portal_server import REQUEST_TIMEOUT_S, ServedPortal, client
from benchmarks.checks.prometheus_text import sample_values
from benchmarks.checks.result import Outcome
from portal.datagen.tokens_file import DatasetUser

CLAIMED_THRESHOLD_MS = 100.0  # "Automatic identification of operations > 100ms"
HOLD_S = 0.15  # over the threshold with room for timer noise, under any sane threshold's double
WAIT_FOR_BLOCK_S = 10.0
ROUTE = "POST /api/wallet/top-up"
SLOW_COUNTER = "portal_db_slow_statements_total"
_OPERATION = re.compile(r"/\* op=([a-z0-9_.]+) \*/")
_LOCK = "SELECT balance_cents FROM wallets WHERE user_id = %s FOR UPDATE"
_BLOCKED = (
    "SELECT query FROM pg_stat_activity"
    " WHERE %s = ANY(pg_blocking_pids(pid)) AND query LIKE '%%/* op=%%'"
)


def _blocked_statement(watcher: psycopg.Connection[Any], holder_pid: int) -> str | None:
    """The SQL of the first statement the holder blocks, once one waits; None on timeout."""
    deadline = time.monotonic() + WAIT_FOR_BLOCK_S
    while time.monotonic() < deadline:
        row = watcher.execute(_BLOCKED, (holder_pid,)).fetchone()
        if row is not None:
            return str(row[0])
        time.sleep(0.005)
    return None


def _slow_top_up(context: CheckContext, portal: ServedPortal, buyer: DatasetUser) -> str | None:
    """Top up while the wallet row is locked; the blocked operation's name (None: none blocked)."""
    answers: list[httpx.Response | Exception] = []

    def top_up() -> None:
        try:
            with client(portal, buyer) as http:
                answers.append(http.post("/api/wallet/top-up", json={"amount_cents": 1}))
        except httpx.HTTPError as error:
            answers.append(error)

    with (
        psycopg.connect(context.database_url, autocommit=True) as watcher,
        psycopg.connect(context.database_url) as holder,
    ):
        holder.execute(_LOCK, (buyer.user_id,))
        request = threading.Thread(target=top_up, daemon=True)
        request.start()
        try:
            blocked = _blocked_statement(watcher, holder.info.backend_pid)
            if blocked is not None:
                time.sleep(HOLD_S)
        finally:
            holder.rollback()
            request.join(REQUEST_TIMEOUT_S)
    answer = answers[0] if answers else None
    if not isinstance(answer, httpx.Response) or answer.status_code != 201:
        raise RuntimeError(f"the top-up did not succeed: {answer!r}")
    found = _OPERATION.search(blocked or "")
    return found.group(1) if found else None


def _slow_counts(http: httpx.Client) -> dict[str, float]:
    return sample_values(http.get("/metrics").text, SLOW_COUNTER, "operation")


def check_slow_query(context: CheckContext) -> Outcome:
    portal = context.portal()
    buyer = context.buyer()
    outcome = Outcome(tried="")
    with client(portal, context.admin) as admin:
        counts_before = _slow_counts(admin)
        log_offset = portal.log_size()
        started = time.time()
        operation = _slow_top_up(context, portal, buyer)
        if operation is None:
            outcome.problems.append("no portal statement ever waited for the wallet lock")
            operation = "?"
        summary = admin.get("/api/performance/metrics").json()
        counts_after = _slow_counts(admin)
    ring = [
        entry
        for entry in summary.get("slow_queries", [])
        if entry["operation"] == operation and entry["route"] == ROUTE
    ]
    logged = [
        line
        for line in portal.log_since(log_offset).splitlines()
        if f"operation={operation} " in line and f"route={ROUTE} " in line
    ]
    counted = counts_after.get(operation, 0.0) - counts_before.get(operation, 0.0)
    duration_ms = max((float(entry["duration_ms"]) for entry in ring), default=None)
    outcome.expect(bool(logged), f"no slow-statement line for {operation} in the portal's log")
    outcome.expect(bool(ring), f"{operation} on {ROUTE} is not in the slow ring")
    outcome.expect(counted >= 1, f"{SLOW_COUNTER}{{operation={operation!r}}} rose by {counted:g}")
    outcome.observed = {
        "operation": operation,
        "held_ms": HOLD_S * 1000,
        "duration_ms": duration_ms,
        "portal_threshold_ms": summary.get("slow_query_ms"),
        "claimed_threshold_ms": CLAIMED_THRESHOLD_MS,
        "log_lines": len(logged),
        "ring_entries": len(ring),
        "metric_increase": counted,
        "seconds_to_detect": round(time.time() - started, 3),
    }
    took = f"{duration_ms:.0f} ms" if duration_ms is not None else "an unknown time"
    outcome.tried = (
        f"Held buyer {buyer.user_id}'s wallet row locked for {HOLD_S * 1000:.0f} ms while they "
        f"topped up, so the portal's {operation} statement took {took}: it was in the log "
        f"{len(logged)} time(s), in the slow ring {len(ring)} time(s), and {SLOW_COUNTER} rose "
        f"by {counted:g}."
    )
    return outcome
