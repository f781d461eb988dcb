"""The audit log: what changed, by whom (the data that ages for cleanup)."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

_RECORD = text(
    "INSERT INTO audit_log (user_id, action, detail, created_at) "
    "VALUES (:user_id, :action, CAST(:detail AS jsonb), now())"
)


async def record(
    conn: AsyncConnection, *, user_id: int | None, action: str, detail: dict[str, Any]
) -> None:
    await conn.execute(
        _RECORD, {"user_id": user_id, "action": action, "detail": orjson.dumps(detail).decode()}
    )
