"""Turning SQLAlchemy results into plain dicts."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import CursorResult

Row = dict[str, Any]


def all_rows(result: CursorResult[Any]) -> list[Row]:
    return [dict(row) for row in result.mappings()]


def one_row(result: CursorResult[Any]) -> Row | None:
    row = result.mappings().first()
    return dict(row) if row is not None else None
