"""Counts the SQL statements the portal sends, for the db-load claim and cache tests.

Client-side and exact (PostgreSQL's own pg_stat counters are flushed lazily and
count every client of the server): "N concurrent misses cost one query" and
"the cache saves X % of statements per request" are read from here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine


class StatementCounter:
    def __init__(self) -> None:
        self.count = 0

    def attach(self, engine: AsyncEngine) -> None:
        """Count every statement ``engine`` executes from now on."""
        event.listen(engine.sync_engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_: Any) -> None:
        self.count += 1
