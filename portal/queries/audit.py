"""The audit log: what changed, by whom (the data that ages for cleanup)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation
from portal.queries._rows import Row, all_rows

_RECORD = text(
    "INSERT INTO audit_log (user_id, action, detail, created_at) "
    "VALUES (:user_id, :action, CAST(:detail AS jsonb), now())"
)


@operation("audit.record")
async def record(
    conn: AsyncConnection, *, user_id: int | None, action: str, detail: dict[str, Any]
) -> None:
    await conn.execute(
        _RECORD, {"user_id": user_id, "action": action, "detail": orjson.dumps(detail).decode()}
    )


# Served by idx_audit_log_user_date (partial: user_id IS NOT NULL).
RECENT_FOR_USER = text(
    """
    SELECT id, action, detail, created_at FROM audit_log
    WHERE user_id = :user_id
    ORDER BY created_at DESC, id DESC
    LIMIT :limit
    """
)


@operation("audit.recent_for_user")
async def recent_for_user(conn: AsyncConnection, *, user_id: int, limit: int) -> list[Row]:
    """A user's newest audit entries (what an admin checks before helping them)."""
    return all_rows(await conn.execute(RECENT_FOR_USER, {"user_id": user_id, "limit": limit}))
