"""Statements are timed through engine events, named, tagged with a stable SQL comment.

These run against a bare engine with a ``Monitor`` attached (no HTTP), so
each test reads exactly the counts its own statements made.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from portal import Settings
from portal.db.engine import create_engine
from portal.monitoring import Monitor, operation, operation_scope
from portal.monitoring.database_stats import top_statements
from portal.monitoring.db_events import UNNAMED
from tests.conftest import data_access_modules

T = TypeVar("T")


def run_monitored(
    settings: Settings, body: Callable[[Any], Awaitable[T]], **overrides: Any
) -> tuple[Monitor, T]:
    """Run ``body(engine)`` on a fresh engine with a Monitor attached."""
    monitored = settings.model_copy(update=overrides)
    monitor = Monitor(monitored)

    async def main() -> T:
        engine = create_engine(monitored)
        monitor.attach(engine)
        try:
            return await body(engine)
        finally:
            monitor.statements.detach()
            await engine.dispose()

    return monitor, asyncio.run(main())


@operation("tests.own_text")
async def own_text(conn: Any) -> str:
    # current_query(): the text the server received for this very statement.
    return str(await conn.scalar(text("SELECT current_query()")))


def test_statements_carry_their_operation_as_a_trailing_comment(settings: Settings) -> None:
    async def body(engine: Any) -> tuple[str, str]:
        async with engine.connect() as conn:
            named = await own_text(conn)
            bare = await conn.scalar(text("SELECT current_query()"))
        return named, str(bare)

    monitor, (named, bare) = run_monitored(settings, body)
    assert named == "SELECT current_query()\n/* op=tests.own_text */"
    assert bare == "SELECT current_query()"  # outside an operation: sent unchanged
    assert monitor.operations.entries["tests.own_text"].latency.count == 1
    assert monitor.operations.entries[UNNAMED].latency.count >= 1


@operation("tests.repeated")
async def repeated(conn: Any, *, n: int) -> int:
    return int(await conn.scalar(text("SELECT CAST(:n AS int) * 2"), {"n": n}))


def test_the_comment_is_stable_so_psycopg_still_prepares_the_statement(
    settings: Settings,
) -> None:
    async def body(engine: Any) -> list[str]:
        async with engine.connect() as conn:
            for n in range(10):  # past psycopg's prepare_threshold (5)
                assert await repeated(conn, n=n) == 2 * n
            rows = await conn.execute(text("SELECT statement FROM pg_prepared_statements"))
            return [str(row[0]) for row in rows]

    monitor, prepared = run_monitored(settings, body)
    assert "SELECT CAST($1 AS int) * 2\n/* op=tests.repeated */" in prepared
    assert monitor.operations.entries["tests.repeated"].latency.count == 10


# pg_stat_statements groups statements by structure (aliases and constants do
# not count): an obscure built-in makes this one nobody else's.
_DISTINCTIVE = text("SELECT int4larger(CAST(:a AS int), CAST(:b AS int)) AS monitoring_marker")


@operation("tests.pg_stat_statements")
async def distinctive(conn: Any) -> int:
    return int(await conn.scalar(_DISTINCTIVE, {"a": 1, "b": 2}))


def test_pg_stat_statements_rows_map_back_to_the_operation(settings: Settings) -> None:
    async def body(engine: Any) -> dict[str, Any]:
        async with engine.connect() as conn:
            for _ in range(3):
                await distinctive(conn)
        return await top_statements(engine, limit=5000)

    _, statements = run_monitored(settings, body)
    if not statements["available"]:
        pytest.skip(f"pg_stat_statements unavailable here: {statements['reason']}")
    (row,) = [r for r in statements["statements"] if "int4larger" in r["query"]]
    assert row["operation"] == "tests.pg_stat_statements" and row["calls"] >= 3


def test_failed_statements_count_as_errors_with_their_time(settings: Settings) -> None:
    async def body(engine: Any) -> None:
        async with engine.connect() as conn:
            with operation_scope("tests.fails"), pytest.raises(DBAPIError):
                await conn.execute(text("SELECT 1 / 0"))

    monitor, _ = run_monitored(settings, body)
    stats = monitor.operations.entries["tests.fails"]
    assert stats.errors == 1 and stats.latency.count == 1
    metrics = monitor.metrics.render().decode()
    assert 'portal_db_statement_errors_total{operation="tests.fails"} 1.0' in metrics


def test_a_statement_timeout_is_a_slow_error_in_the_ring(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    async def body(engine: Any) -> None:
        async with engine.connect() as conn:
            await conn.execute(text("SET statement_timeout = 150"))
            with operation_scope("tests.times_out"), pytest.raises(DBAPIError):
                await conn.execute(text("SELECT pg_sleep(5)"))

    monitor, _ = run_monitored(settings, body, slow_query_explain=False)
    (entry,) = [e for e in monitor.slow.ring if e.operation == "tests.times_out"]
    assert entry.error is not None and "QueryCanceled" in entry.error
    assert entry.duration_ms >= 150 and entry.route is None
    assert any("tests.times_out" in r.getMessage() for r in caplog.records)


def test_the_ring_keeps_only_the_newest(settings: Settings) -> None:
    async def body(engine: Any) -> None:
        async with engine.connect() as conn:
            with operation_scope("tests.ring"):
                for n in range(8):
                    await conn.execute(text("SELECT CAST(:n AS int)"), {"n": n})

    monitor, _ = run_monitored(
        settings, body, slow_query_ms=0.0, slow_query_log_size=5, slow_query_explain=False
    )
    assert len(monitor.slow.ring) == 5
    assert monitor.operations.entries["tests.ring"].slow == 8


def test_operation_names_are_checked() -> None:
    for bad in ("orders", "Orders.List", "orders.list */ DROP", "orders..list"):
        with pytest.raises(ValueError):
            operation(bad)


def test_every_data_access_function_is_named() -> None:
    """A new data-access function must say which operation it is (``@operation``)."""
    unnamed = []
    for module in data_access_modules():
        for name, fn in inspect.getmembers(module, inspect.iscoroutinefunction):
            public = fn.__module__ == module.__name__ and not name.startswith("_")
            if public and not getattr(fn, "operation", None):
                unnamed.append(f"{module.__name__}.{name}")
    assert not unnamed, f"decorate with @operation(...): {unnamed}"
