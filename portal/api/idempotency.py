"""``Idempotency-Key`` on top-up and checkout: a repeat gets the first answer, not a charge.

A client that sent a write and got no answer (a timeout, a dropped connection,
a 503 from the request deadline, which can fall after COMMIT) cannot know
whether it happened. Sent again with the same key, the write happens at most
once: a repeat of a committed one gets the stored answer with
``Idempotent-Replayed: true``; a repeat of one that failed or never committed
runs it now. The same key for another request is a 422, and two keys on one
request a 400 before any layer reads either (``single_headers.py``). Keys are
per user and kept ``idempotency.LIFETIME`` (a day): a repeat after that is a
new request, whether or not the cleanup job has deleted the old key yet (the
expiry is in the claim itself, ``portal/queries/idempotency.py``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import orjson
from fastapi import Header
from sqlalchemy.ext.asyncio import AsyncConnection

from portal.api.errors import invalid
from portal.api.models import TEXT
from portal.api.responses import JSONBytesResponse, json_response
from portal.queries import idempotency

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        pattern=TEXT,
        description=(
            "Any unique string: a repeat with the same key within "
            f"{idempotency.LIFETIME.total_seconds() / 3600:g} hours gets the first answer; "
            "after that it is a new request."
        ),
    ),
]
REPLAYED = "Idempotent-Replayed"


async def once(
    conn: AsyncConnection,
    *,
    user_id: int,
    key: str | None,
    route: str,
    request: Any,
    write: Callable[[], Awaitable[Any]],
    status_code: int,
) -> JSONBytesResponse:
    """Run ``write`` inside ``conn``'s transaction unless ``key`` has an unexpired answer."""
    if key is None:
        return json_response(await write(), status_code=status_code)
    request_hash = hashlib.sha256(orjson.dumps(request, option=orjson.OPT_SORT_KEYS)).hexdigest()
    stored = await idempotency.claim(
        conn, user_id=user_id, key=key, route=route, request_hash=request_hash
    )
    if stored is not None:
        if (stored.route, stored.request_hash) != (route, request_hash):
            raise invalid("header", "Idempotency-Key", "was used for another request")
        return json_response(
            stored.body, status_code=stored.status_code, headers={REPLAYED: "true"}
        )
    body = await write()
    await idempotency.answer(conn, user_id=user_id, key=key, status_code=status_code, body=body)
    return json_response(body, status_code=status_code)
