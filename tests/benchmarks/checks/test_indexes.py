"""indexes: every performance index is used at tiny (sequential scans off); an index that
keeps its name but cannot serve its query fails the check."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from benchmarks.checks import CheckResult
from benchmarks.checks.indexes import ASKED_CAN_USE, CLAIMED_COUNT
from portal.datagen import SCALES
from portal.db.index_file import performance_index_names
from portal.db.indexes import set_indexes
from tests.benchmarks.checks.conftest import RunChecks, failed_with

IMPOSTOR = "idx_orders_user_date"


def test_the_real_database_uses_every_index(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["indexes"]
    assert result.passed, result
    seen = result.observed
    assert seen["present"] == seen["proved"] == seen["used"] == len(performance_index_names())
    assert seen["used"] >= CLAIMED_COUNT and seen["sequential_scans_off"] is True
    orders = seen["plans"][IMPOSTOR]
    assert orders["operation"] == "orders.list_for_user" and orders["used"] is True
    assert f"using {IMPOSTOR} on orders" in orders["plan"]


def test_the_forced_sizes_are_sizes() -> None:
    assert ASKED_CAN_USE.issubset(SCALES) and "large" not in ASKED_CAN_USE


@pytest.fixture
def impostor_index(checks_database: str) -> Iterator[None]:
    """``idx_orders_user_date`` replaced by an index of that name no query can use."""
    with psycopg.connect(checks_database, autocommit=True) as conn:
        conn.execute(f"DROP INDEX IF EXISTS {IMPOSTOR}")
        conn.execute(f"CREATE INDEX {IMPOSTOR} ON orders (total_cents) WHERE false")
    try:
        yield
    finally:
        set_indexes(checks_database, "off")  # the real definition back, whatever happened
        set_indexes(checks_database, "on")


@pytest.mark.usefixtures("impostor_index")
def test_an_index_its_query_cannot_use_fails(run: RunChecks) -> None:
    result = run("indexes")["indexes"]
    failed_with(result, f"not used by their query: {IMPOSTOR}")
    assert result.observed["unused"] == [IMPOSTOR]
