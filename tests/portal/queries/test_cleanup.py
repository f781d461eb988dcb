"""The cleanup queries delete aged rows in bounded batches, and nothing else.

Everything runs in one transaction that is rolled back, with cut-offs older
than any generated row, so other tests never see these rows come or go.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.db.engine import create_engine
from portal.queries import cleanup
from portal.settings import Settings
from tests.conftest import User

CUTOFF = datetime(2000, 1, 1, tzinfo=UTC)
OLD = datetime(1999, 6, 1, tzinfo=UTC)
RECENT = datetime(2000, 6, 1, tzinfo=UTC)


def in_rolled_back_transaction(
    settings: Settings, body: Callable[[AsyncConnection], Awaitable[Any]]
) -> Any:
    async def run() -> Any:
        engine = create_engine(settings)
        try:
            async with engine.connect() as conn:
                result = await body(conn)
                await conn.rollback()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(run())


async def add_cart_line(conn: AsyncConnection, user_id: int, added_at: datetime) -> None:
    await conn.execute(
        text(
            "INSERT INTO cart_items (user_id, product_id, quantity, added_at)"
            " VALUES (:user_id, 1, 1, :added_at)"
        ),
        {"user_id": user_id, "added_at": added_at},
    )


async def cart_lines(conn: AsyncConnection, user_id: int) -> int:
    count = await conn.scalar(
        text("SELECT count(*) FROM cart_items WHERE user_id = :id"), {"id": user_id}
    )
    return int(count or 0)


def test_abandoned_carts_go_in_batches_carts_still_in_use_stay(
    settings: Settings, make_user: Callable[..., User]
) -> None:
    abandoned, active = make_user(), make_user()

    async def body(conn: AsyncConnection) -> tuple[list[int], int, int]:
        for _ in range(5):
            await add_cart_line(conn, abandoned.id, OLD)
        await add_cart_line(conn, active.id, OLD)  # old line, but the cart was touched since
        await add_cart_line(conn, active.id, RECENT)
        batches = []
        while deleted := await cleanup.delete_abandoned_cart_items(
            conn, older_than=CUTOFF, batch=2
        ):
            batches.append(deleted)
        return batches, await cart_lines(conn, abandoned.id), await cart_lines(conn, active.id)

    batches, left_abandoned, left_active = in_rolled_back_transaction(settings, body)
    assert batches == [2, 2, 1]
    assert (left_abandoned, left_active) == (0, 2)


def test_old_audit_rows_go_oldest_first_in_batches(settings: Settings) -> None:
    async def body(conn: AsyncConnection) -> tuple[list[int], list[str]]:
        for n, created in enumerate([OLD, OLD, OLD, RECENT]):
            await conn.execute(
                text(
                    "INSERT INTO audit_log (user_id, action, detail, created_at)"
                    " VALUES (NULL, :action, NULL, :created)"
                ),
                {"action": f"test.cleanup.{n}", "created": created},
            )
        batches = []
        while deleted := await cleanup.delete_old_audit_rows(conn, older_than=CUTOFF, batch=2):
            batches.append(deleted)
        left = await conn.execute(
            text("SELECT action FROM audit_log WHERE action LIKE 'test.cleanup.%' ORDER BY 1")
        )
        return batches, [row[0] for row in left]

    batches, left = in_rolled_back_transaction(settings, body)
    assert batches == [2, 1]
    assert left == ["test.cleanup.3"]
