"""Slow statements: a WARNING log line, a bounded ring of the latest, one plan per query.

A statement slower than ``PORTAL_SLOW_QUERY_MS`` is logged with its operation,
duration, route and user, and the SQL text as sent, with placeholders and
without parameter values (they may hold personal data, and the text alone
says which query it was). The ring keeps the newest ``slow_query_log_size``.

The plan (``EXPLAIN (FORMAT JSON)``, never ANALYZE: the statement is not run
again) of the first slow instance of each SQL text is captured once, in a
background task on a connection of its own, so the request that was slow does
not also wait for its diagnosis. Plans are bounded in number like the ring.
"""

from __future__ import annotations

import asyncio
import contextvars
import hashlib
import logging
import re
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

LOGGER_NAME = "portal.monitoring.slow"
log = logging.getLogger(LOGGER_NAME)

MAX_PLANS = 100
SQL_MAX_CHARS = 4000
_EXPLAINABLE = ("select", "with", "insert", "update", "delete", "values")
_SPACE = re.compile(r"\s+")


def one_line(sql: str) -> str:
    """SQL text on one line, cut to a size a log line can carry."""
    flat = _SPACE.sub(" ", sql).strip()
    return flat if len(flat) <= SQL_MAX_CHARS else flat[:SQL_MAX_CHARS] + " …"


def fingerprint(sql: str) -> str:
    return hashlib.sha1(sql.encode(), usedforsecurity=False).hexdigest()[:16]


@dataclass(slots=True)
class SlowStatement:
    at: float  # UNIX time
    operation: str
    duration_ms: float
    route: str | None
    user_id: int | None
    sql: str
    fingerprint: str
    error: str | None = None

    def describe(self, plans: Mapping[str, Any]) -> dict[str, Any]:
        row = asdict(self)
        row["at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.at))
        row["plan"] = plans.get(self.fingerprint)
        return row


@dataclass
class SlowStatementLog:
    """The ring and the plans; ``record`` runs inside the statement listener."""

    threshold_s: float
    size: int
    explain: bool
    engine: AsyncEngine | None = None
    ring: deque[SlowStatement] = field(init=False)
    plans: dict[str, Any] = field(default_factory=dict)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.ring = deque(maxlen=self.size)

    def record(
        self,
        *,
        operation: str,
        seconds: float,
        sql: str,
        parameters: Any,
        route: str | None,
        user_id: int | None,
        error: str | None = None,
    ) -> SlowStatement:
        text = one_line(sql)
        entry = SlowStatement(
            at=time.time(),
            operation=operation,
            duration_ms=round(seconds * 1000, 3),
            route=route,
            user_id=user_id,
            sql=text,
            fingerprint=fingerprint(text),
            error=error,
        )
        self.ring.append(entry)
        log.warning(
            "slow statement: operation=%s duration_ms=%.1f route=%s user=%s sql=%s",
            operation,
            entry.duration_ms,
            route or "-",
            user_id if user_id is not None else "-",
            text,
            extra={"operation": operation, "duration_ms": entry.duration_ms, "route": route},
        )
        if self.explain and error is None:
            self._schedule_plan(entry.fingerprint, sql, parameters)
        return entry

    def recent(self) -> list[dict[str, Any]]:
        """Newest first."""
        return [entry.describe(self.plans) for entry in reversed(self.ring)]

    def _schedule_plan(self, key: str, sql: str, parameters: Any) -> None:
        if self.engine is None or key in self.plans or len(self.plans) >= MAX_PLANS:
            return
        if not sql.lstrip().lower().startswith(_EXPLAINABLE) or isinstance(parameters, list):
            return  # utility statements cannot be explained; executemany has no one plan
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self.plans[key] = None  # claimed: later instances do not schedule again
        # A fresh context: the task must not count as part of the slow request.
        task = loop.create_task(
            self._capture_plan(key, sql, parameters), context=contextvars.Context()
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _capture_plan(self, key: str, sql: str, parameters: Any) -> None:
        assert self.engine is not None
        try:
            async with self.engine.connect() as conn:
                # The driver connection, with the parameters exactly as the
                # statement got them: same placeholders, and no listener sees it.
                # The pool's reset-on-return rolls the implicit transaction back.
                raw = await conn.get_raw_connection()
                driver: Any = raw.driver_connection
                cursor = await driver.execute("EXPLAIN (FORMAT JSON) " + sql, parameters)
                row = await cursor.fetchone()
            plan = row[0] if row else None
            self.plans[key] = plan[0] if isinstance(plan, list) and plan else plan
        except Exception as error:  # a diagnosis must never break anything
            self.plans[key] = {"error": f"{type(error).__name__}: {error}"[:500]}

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
