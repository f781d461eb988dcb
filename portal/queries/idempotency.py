"""Idempotency keys: the first answer to a write, kept so a repeat gets it back.

The key is claimed inside the write's own transaction, so the write and its
stored answer commit together or not at all. A second request with the same
key, sent while the first is still running, waits on the row until the first
commits (then it gets the stored answer) or rolls back (then it is the first).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation

_CLAIM = text(
    """
    INSERT INTO idempotency_keys (user_id, key, route, request_hash, status_code, body)
    VALUES (:user_id, :key, :route, :request_hash, 0, 'null')
    ON CONFLICT (user_id, key) DO NOTHING
    RETURNING 1
    """
)
_STORED = text(
    "SELECT route, request_hash, status_code, body FROM idempotency_keys"
    " WHERE user_id = :user_id AND key = :key"
)
_ANSWER = text(
    "UPDATE idempotency_keys SET status_code = :status_code, body = CAST(:body AS json)"
    " WHERE user_id = :user_id AND key = :key"
)


@dataclass(frozen=True)
class Stored:
    route: str
    request_hash: str
    status_code: int
    body: Any


@operation("idempotency.claim")
async def claim(
    conn: AsyncConnection, *, user_id: int, key: str, route: str, request_hash: str
) -> Stored | None:
    """None when the key is new (go ahead, then :func:`answer`); else what was stored."""
    params = {"user_id": user_id, "key": key, "route": route, "request_hash": request_hash}
    if (await conn.execute(_CLAIM, params)).first() is not None:
        return None
    row = (await conn.execute(_STORED, params)).mappings().one()
    return Stored(row["route"], row["request_hash"], row["status_code"], row["body"])


@operation("idempotency.answer")
async def answer(
    conn: AsyncConnection, *, user_id: int, key: str, status_code: int, body: Any
) -> None:
    params = {"user_id": user_id, "key": key, "status_code": status_code}
    await conn.execute(_ANSWER, params | {"body": orjson.dumps(body).decode()})
