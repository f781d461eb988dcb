"""User profiles."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.queries._rows import Row, one_row

_PROFILE = text(
    """
    SELECT u.id, u.email, u.name, u.role, u.created_at,
           c.id AS company_id, c.name AS company_name,
           r.id AS region_id, r.code AS region_code
    FROM users u
    JOIN companies c ON c.id = u.company_id
    JOIN regions r ON r.id = c.region_id
    WHERE u.id = :user_id
    """
)


async def profile(conn: AsyncConnection, *, user_id: int) -> Row | None:
    return one_row(await conn.execute(_PROFILE, {"user_id": user_id}))
