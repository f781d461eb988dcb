"""Every statement the engine sends, timed and named, through SQLAlchemy's cursor events.

``before_cursor_execute`` (``retval=True``) notes the start and appends
``/* op=<operation> */`` to the SQL, on a line of its own; ``after_cursor_execute`` records the
duration; ``handle_error`` records failed statements, with their duration,
as errors. Listeners sit on the async engine's ``sync_engine``: SQLAlchemy
runs them in the caller's context (see ``operations.py``).

The comment depends on the operation only, never on the request or the
parameters, so a statement's text is the same every time: psycopg's automatic
server-side prepare (keyed by the text) keeps working, and
``pg_stat_statements`` groups it as before (its query id ignores comments;
the stored text shows the comment of the first call). At the end, not the
start: PostgreSQL 18 (the embedded server) leaves leading comments out of
the text it stores while 15 keeps them; both keep trailing ones (as
sqlcommenter found), and the line break ends any ``--`` comment the SQL may
finish with. Statements outside any named operation are
sent unchanged and counted as ``unnamed``.
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
_STATE = "_portal_statement"  # (start, operation) on the execution context

Recorder = Callable[[str, float, str, Any, str | None], None]
"""``(operation, seconds, sql as sent, parameters, error or None)``."""

_COMMENT_START = "\n/* op="


def sql_comment(operation: str) -> str:
    """The suffix that names the operation (names are checked: no ``*/`` inside)."""
    return f"{_COMMENT_START}{operation} */"


def without_comment(statement: str) -> str:
    """The SQL as the portal wrote it: the operation comment taken off again."""
    if statement.endswith(" */"):
        start = statement.rfind(_COMMENT_START)
        if start >= 0:
            return statement[:start]
    return statement


class StatementTimer:
    """Attaches the three listeners to an engine and hands each timing to ``record``."""

    def __init__(self, record: Recorder) -> None:
        self._record = record
        self._suffixes: dict[str, str] = {}
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

    # SQLAlchemy calls the listeners with the event's positional arguments
    # (unused ones are underscored). They run once per statement: kept to a few dict and attribute
    # lookups (~5 µs with the recording; a statement costs ~300 µs of client CPU).

    def _before(
        self,
        _conn: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> tuple[str, Any]:
        operation = current_operation()
        if operation is not None:
            suffix = self._suffixes.get(operation)
            if suffix is None:
                suffix = self._suffixes[operation] = sql_comment(operation)
            statement += suffix
        if context is not None:
            setattr(context, _STATE, (perf_counter(), operation or UNNAMED))
        return statement, parameters

    def _after(
        self,
        _conn: Connection,
        _cursor: Any,
        statement: str,
        parameters: Any,
        context: ExecutionContext | None,
        _executemany: bool,
    ) -> None:
        state = getattr(context, _STATE, None)
        if state is None:
            return
        setattr(context, _STATE, None)  # an error while fetching must not count it twice
        self._record(state[1], perf_counter() - state[0], statement, parameters, None)

    def _error(self, exception_context: ExceptionContext) -> None:
        context = exception_context.execution_context
        state = getattr(context, _STATE, None)
        if state is None:
            return  # not a statement (connect, pool): the pool metrics tell that story
        setattr(context, _STATE, None)
        error = exception_context.original_exception
        self._record(
            state[1],
            perf_counter() - state[0],
            exception_context.statement or "",
            exception_context.parameters,
            f"{type(error).__name__}: {error}".splitlines()[0][:300],
        )
