"""Keyset cursors for lists ordered by (created_at DESC, id DESC).

A cursor is "<microseconds since the epoch>.<id>" of the last row of a page:
opaque enough for clients, exact (no float rounding of timestamps), and
validated by a pattern before it reaches SQL.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import Query

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

CURSOR_PATTERN = r"^\d{1,16}\.\d{1,18}$"
PAGE_MAX = 100  # the largest page any list route serves, keyset or not

# The two query parameters every keyset-paginated route takes.
PageLimit = Annotated[int, Query(ge=1, le=PAGE_MAX)]
Before = Annotated[
    str | None,
    Query(pattern=CURSOR_PATTERN, description="`next_cursor` of the previous page."),
]


def encode_cursor(row: dict[str, Any]) -> str:
    """The cursor that continues after ``row`` (needs its ``created_at`` and ``id``)."""
    created = row["created_at"]
    assert isinstance(created, datetime)
    micros = (created - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{row['id']}"


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """(created_at, id) of a cursor that matched ``CURSOR_PATTERN``."""
    micros, row_id = cursor.split(".")
    return _EPOCH + timedelta(microseconds=int(micros)), int(row_id)


def keyset_page(rows: list[dict[str, Any]], limit: int) -> dict[str, Any]:
    """``{"orders": rows, "next_cursor": ...}``; no cursor when the page is not full."""
    return {"orders": rows, "next_cursor": encode_cursor(rows[-1]) if len(rows) == limit else None}
