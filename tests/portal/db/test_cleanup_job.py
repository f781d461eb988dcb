"""The cleanup job deletes only aged data, in bounded batches, and commits as it goes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import psycopg

from portal import Settings
from portal.db.cleanup import CleanupPolicy, CleanupResult, run_cleanup
from portal.db.engine import create_engine
from portal.queries.idempotency import LIFETIME
from tests.conftest import User

# A "now" before any generated row (the dataset spans the two years before
# 2026-11-01), so only the rows this test plants are old enough to go.
NOW = datetime(2001, 1, 1, tzinfo=UTC)


def run(settings: Settings, policy: CleanupPolicy) -> CleanupResult:
    async def go() -> CleanupResult:
        engine = create_engine(settings)
        try:
            return await run_cleanup(engine, policy, now=NOW)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def test_aged_rows_go_recent_rows_stay_in_bounded_batches(
    settings: Settings, db: psycopg.Connection, make_user: Callable[..., User],
    make_product: Callable[..., int],
) -> None:  # fmt: skip
    abandoned, active = make_user(), make_user()
    product = make_product()
    for user, added_at in (
        (abandoned, "1990-01-01"),
        (active, "1990-01-01"),
        (active, "2000-12-30"),
    ):
        db.execute(
            "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
            " VALUES (%s, %s, 1, %s)",
            (user.id, product, added_at),
        )
    db.execute(
        "INSERT INTO audit_log (user_id, action, created_at)"
        " SELECT %s, 'test.old', timestamptz '1990-01-01' + n * interval '1 minute'"
        " FROM generate_series(1, 25) n",
        (abandoned.id,),
    )
    # Either side of the lifetime the portal replays a key for: the same constant.
    minute = timedelta(minutes=1)
    for key, created_at in (
        ("test-old", NOW - LIFETIME - minute),
        ("test-new", NOW - LIFETIME + minute),
    ):
        db.execute(
            "INSERT INTO idempotency_keys (user_id, key, route, request_hash, status_code,"
            " body, created_at) VALUES (%s, %s, 'POST /api/orders', '', 201, '{}', %s)",
            (active.id, key, created_at),
        )

    result = run(settings, CleanupPolicy(cart_days=30, audit_days=365, batch=10))

    assert result.deleted == {"abandoned cart items": 1, "audit rows": 25, "idempotency keys": 1}
    assert result.batches == 1 + 3 + 1  # 25 audit rows in batches of 10: 10, 10, 5
    keys = db.execute("SELECT key FROM idempotency_keys WHERE user_id = %s", (active.id,))
    assert keys.fetchall() == [("test-new",)]  # within its lifetime: kept
    carts = db.execute(
        "SELECT user_id, count(*) FROM cart_items WHERE user_id IN (%s, %s) GROUP BY 1",
        (abandoned.id, active.id),
    ).fetchall()
    # The active cart keeps its old line too: a cart is abandoned as a whole.
    assert dict(carts) == {active.id: 2}
    assert db.execute("SELECT count(*) FROM audit_log WHERE action = 'test.old'").fetchone()[0] == 0  # type: ignore[index]


def test_nothing_aged_means_nothing_deleted(settings: Settings) -> None:
    result = run(settings, CleanupPolicy(batch=10))
    assert result.deleted == {"abandoned cart items": 0, "audit rows": 0, "idempotency keys": 0}
    assert "deleted 0 abandoned cart items, 0 audit rows, 0 idempotency keys" in result.describe()
