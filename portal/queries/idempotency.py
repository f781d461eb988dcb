"""Idempotency keys: the first answer to a write, kept :data:`LIFETIME` so a repeat gets it back.

The key is claimed inside the write's own transaction, so the write and its
stored answer commit together or not at all. A second request with the same
key, sent while the first is still running, waits on the row until the first
commits (then it gets the stored answer) or rolls back (then it is the first).

A key older than :data:`LIFETIME` is expired where it is read, whether or not
the cleanup job (which deletes such rows, by the same constant) has run: a
request with it is a new request. Its claim replaces the expired row in the
same statement that finds it (``ON CONFLICT DO UPDATE ... WHERE`` expired),
under the row's lock, so of several requests racing with one expired key the
first replaces it and runs, and the others wait on the row and then get its
new answer, exactly as for a key never seen before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.monitoring import operation

# How long a key's answer is replayed: a client retries within minutes, not
# days. The one declaration: the cleanup job deletes by it too.
LIFETIME = timedelta(days=1)

# A fresh key inserts; an expired one is overwritten as if new (created_at
# too); a live one is left as it is, but locked (ON CONFLICT DO UPDATE locks
# the row whether or not its WHERE holds), so _STORED reads it as it stands
# and the cleanup cannot delete it in between.
_CLAIM = text(
    """
    INSERT INTO idempotency_keys (user_id, key, route, request_hash, status_code, body)
    VALUES (:user_id, :key, :route, :request_hash, 0, 'null')
    ON CONFLICT (user_id, key) DO UPDATE
        SET route = EXCLUDED.route, request_hash = EXCLUDED.request_hash,
            status_code = EXCLUDED.status_code, body = EXCLUDED.body,
            created_at = EXCLUDED.created_at
        WHERE idempotency_keys.created_at < now() - CAST(:lifetime AS interval)
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
    """None when the key is new or expired (go ahead, then :func:`answer`); else what was
    stored within :data:`LIFETIME`."""
    params = {
        "user_id": user_id, "key": key, "route": route, "request_hash": request_hash,
        "lifetime": LIFETIME,
    }  # fmt: skip
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
