"""The SQL index files: the drop file matches the add file, each index names its operation."""

from __future__ import annotations

import re

import pytest

from portal.db.index_file import (
    ADD_FILE,
    dropped_index_names,
    index_specs,
    parse_index_specs,
    performance_index_names,
)
from portal.db.sqlfiles import sql_file
from tests.conftest import data_access_modules

NAMED_IN_THE_WRITE_UP = {
    "idx_orders_user_date",
    "idx_products_region_active",
    "idx_wallet_transactions_user_date",
    "idx_cart_items_user",
}


def test_the_drop_file_drops_exactly_the_indexes_the_add_file_creates() -> None:
    created = [spec.name for spec in index_specs()]
    assert dropped_index_names() == created
    assert performance_index_names() == created


def test_at_least_twenty_indexes_including_the_four_named_ones() -> None:
    names = {spec.name for spec in index_specs()}
    assert len(names) >= 20
    assert names >= NAMED_IN_THE_WRITE_UP


def test_every_create_index_is_idempotent() -> None:
    lines = sql_file(ADD_FILE).read_text().splitlines()
    text = "\n".join(line for line in lines if not line.lstrip().startswith("--"))
    creates = re.findall(r"CREATE\s+INDEX", text, re.IGNORECASE)
    assert len(creates) == len(re.findall(r"CREATE\s+INDEX\s+IF\s+NOT\s+EXISTS", text, re.I))


def test_every_index_names_a_resource_dot_query_operation() -> None:
    for spec in index_specs():
        assert re.fullmatch(r"[a-z_]+\.[a-z_]+", spec.operation), spec
        assert spec.why, f"{spec.name} says why it exists"


def test_parser_reads_operation_table_and_definition() -> None:
    sql = (
        "-- header\n\n"
        "-- orders.list_for_user: history, newest first\n"
        "-- (second line of the reason)\n"
        "CREATE INDEX IF NOT EXISTS idx_a\n    ON orders (user_id, created_at DESC);\n"
    )
    (spec,) = parse_index_specs(sql)
    assert (spec.name, spec.table, spec.operation) == ("idx_a", "orders", "orders.list_for_user")
    assert spec.why == "history, newest first (second line of the reason)"
    assert spec.definition == (
        "CREATE INDEX IF NOT EXISTS idx_a ON orders (user_id, created_at DESC);"
    )


@pytest.mark.parametrize(
    "sql",
    [
        "CREATE INDEX IF NOT EXISTS idx_a ON orders (user_id);\n",
        "-- just a remark\nCREATE INDEX IF NOT EXISTS idx_a ON orders (user_id);\n",
        "-- orders.list_for_user: why\n\nCREATE INDEX IF NOT EXISTS idx_a ON orders (user_id);\n",
    ],
    ids=["no comment", "no operation", "blank line between"],
)
def test_parser_refuses_an_index_without_its_operation(sql: str) -> None:
    with pytest.raises(ValueError, match="idx_a"):
        parse_index_specs(sql)


def portal_operations() -> set[str]:
    """Operation names of the data-access functions (``@operation`` marks them)."""
    found: set[str] = set()
    for module in data_access_modules():
        for value in vars(module).values():
            name = getattr(value, "operation", None)
            if callable(value) and isinstance(name, str):
                found.add(name)
    return found


def test_every_operation_an_index_serves_exists_in_the_portal() -> None:
    missing = {spec.operation for spec in index_specs()} - portal_operations()
    assert not missing, f"indexes name operations no data-access function has: {missing}"
