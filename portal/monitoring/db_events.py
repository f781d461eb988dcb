"""Every statement the engine sends, timed and named, through SQLAlchemy's cursor events.

``before_cursor_execute`` (``retval=True``) notes the start and prepends
``/* op=<operation> */`` to the SQL; ``after_cursor_execute`` records the
duration; ``handle_error`` records failed statements, with their duration,
as errors. Listeners sit on the async engine's ``sync_engine``: SQLAlchemy
runs them in the caller's context (see ``operations.py``).

The comment depends on the operation only, never on the request or the
parameters, so a statement's text is the same every time: psycopg's automatic
server-side prepare (keyed by the text) keeps working, and
``pg_stat_statements`` groups it as before (its query id ignores comments;
the stored text shows the comment of the first call). Statements outside any
named operation are sent unchanged and counted as ``unnamed``.
"""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection, ExceptionContext, ExecutionContext
from sqlalchemy.ext.asyncio import AsyncEngine

from portal.monitoring.operations import current_operation

UNNAMED = "unnamed"
_START = "_portal_statement_start"

Recorder = Callable[[str, float, str, Any, str | None], None]
"""``(operation, seconds, sql without the comment, parameters, error or None)``."""


def sql_comment(operation: str) -> str:
    """The prefix that names the operation (names are checked: no ``*/`` inside)."""
    return f"/* op={operation} */ "


class StatementTimer:
    """Attaches the three listeners to an engine and hands each timing to ``record``."""

    def __init__(self, record: Recorder) -> None:
        self._record = record
        self._prefixes: dict[str, str] = {}
        self._engines: list[AsyncEngine] = []

    def attach(self, engine: AsyncEngine) -> None:
        target = engine.sync_engine
        event.listen(target, "before_cursor_execute", self._before, retval=True)
        event.listen(target, "after_cursor_execute", self._after)
        event.listen(target, "handle_error", self._error)
        self._engines.append(engine)

    def detach(self) -> None:
        for engine in self._engines:
            target = engine.sync_engine
            event.remove(target, "before_cursor_execute", self._before)
            event.remove(target, "after_cursor_execute", self._after)
            event.remove(target, "handle_error", self._error)
        self._engines = []

    def _prefix(self, operation: str) -> str:
        prefix = self._prefixes.get(operation)
        if prefix is None:
            prefix = self._prefixes[operation] = sql_comment(operation)
        return prefix

    def _before(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> tuple[str, Any]:
        operation = current_operation()
        if operation is not None:
            statement = self._prefix(operation) + statement
        if context is not None:
            setattr(context, _START, perf_counter())
        return statement, parameters

    def _after(
        self,
        conn: Connection,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        executemany: bool,
    ) -> None:
        start = getattr(context, _START, None)
        if start is None:
            return
        elapsed = perf_counter() - start
        setattr(context, _START, None)  # an error while fetching must not count it twice
        self._finish(statement, parameters, elapsed, None)

    def _error(self, exception_context: ExceptionContext) -> None:
        context = exception_context.execution_context
        start = getattr(context, _START, None)
        if start is None:
            return  # not a statement (connect, pool): the pool metrics tell that story
        elapsed = perf_counter() - start
        setattr(context, _START, None)
        error = exception_context.original_exception
        self._finish(
            exception_context.statement or "",
            exception_context.parameters,
            elapsed,
            f"{type(error).__name__}: {error}".splitlines()[0][:300],
        )

    def _finish(self, statement: str, parameters: Any, elapsed: float, error: str | None) -> None:
        operation = current_operation()
        if operation is None:
            operation = UNNAMED
        else:
            prefix = self._prefix(operation)
            if statement.startswith(prefix):
                statement = statement[len(prefix) :]
        self._record(operation, elapsed, statement, parameters, error)
