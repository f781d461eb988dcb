"""The cleanup job: delete aged data in bounded batches, committing between them.

Batches keep every transaction short (row locks on at most ``batch`` rows, no
long-running DELETE holding up checkouts), and a job that is stopped halfway
has still done useful, committed work. Runs as a command or, when
``PORTAL_CLEANUP_INTERVAL_S`` > 0, periodically inside the portal.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from portal.queries import idempotency
from portal.queries.cleanup import (
    delete_abandoned_cart_items,
    delete_old_audit_rows,
    delete_old_idempotency_keys,
)

log = logging.getLogger("portal.cleanup")

BatchDelete = Callable[..., Awaitable[int]]


@dataclass(frozen=True)
class CleanupPolicy:
    """What counts as aged, and how much one transaction may delete.

    Idempotency keys age by ``idempotency.LIFETIME``, not by a setting here: the
    claim stops replaying a key at that age, and a shorter cleanup would forget
    answers a client may still ask for.
    """

    cart_days: float = 30.0
    audit_days: float = 365.0
    batch: int = 1_000
    max_batches: int = 1_000  # per target and run: a bound on one run's work


@dataclass
class CleanupResult:
    deleted: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    seconds: float = 0.0

    def describe(self) -> str:
        parts = ", ".join(f"{count:,} {name}" for name, count in self.deleted.items())
        return f"deleted {parts} in {self.batches} batch(es), {self.seconds:.2f} s"


async def _drain(
    engine: AsyncEngine, delete: BatchDelete, *, older_than: datetime, policy: CleanupPolicy
) -> tuple[int, int]:
    total = batches = 0
    while batches < policy.max_batches:
        conn: AsyncConnection
        async with engine.begin() as conn:
            deleted = await delete(conn, older_than=older_than, batch=policy.batch)
        batches += 1
        total += deleted
        if deleted < policy.batch:
            break
    return total, batches


async def run_cleanup(
    engine: AsyncEngine, policy: CleanupPolicy, *, now: datetime | None = None
) -> CleanupResult:
    """Delete abandoned cart lines, old audit rows and expired idempotency keys; one
    transaction per batch."""
    now = now or datetime.now(UTC)
    started = time.perf_counter()
    result = CleanupResult()
    targets: list[tuple[str, BatchDelete, timedelta]] = [
        ("abandoned cart items", delete_abandoned_cart_items, timedelta(days=policy.cart_days)),
        ("audit rows", delete_old_audit_rows, timedelta(days=policy.audit_days)),
        ("idempotency keys", delete_old_idempotency_keys, idempotency.LIFETIME),
    ]
    for name, delete, age in targets:
        deleted, batches = await _drain(engine, delete, older_than=now - age, policy=policy)
        result.deleted[name] = deleted
        result.batches += batches
    result.seconds = time.perf_counter() - started
    return result


async def cleanup_periodically(
    engine: AsyncEngine, policy: CleanupPolicy, *, interval_s: float
) -> None:
    """Run the job every ``interval_s`` until cancelled; a failed run is logged, not fatal."""
    while True:
        await asyncio.sleep(interval_s)
        try:
            result = await run_cleanup(engine, policy)
        except Exception:
            log.exception("cleanup run failed; next try in %.0f s", interval_s)
            continue
        log.info("cleanup: %s", result.describe())
