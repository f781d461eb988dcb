"""Write cost at tiny scale: the shape of the result, positive rates, an unchanged dataset.

No wall-clock assertions: which arm is faster on a few hundred rows is noise.
"""

from __future__ import annotations

import csv
from pathlib import Path

import psycopg
import pytest

from benchmarks.indexes.write_cost import (
    SHAPES,
    WriteCostError,
    WriteCostReport,
    measure_write_cost,
)
from benchmarks.indexes.write_cost_report import CSV_COLUMNS, to_text
from perfproof.cli import main
from tests.benchmarks.indexes.conftest import PROOF_DATABASE

COUNTS = (
    "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM wallet_transactions),"
    " (SELECT last_value FROM orders_id_seq)"
)


@pytest.fixture(scope="module")
def before(proof_database: str) -> tuple[int, ...]:
    with psycopg.connect(proof_database) as conn:
        row = conn.execute(COUNTS).fetchone()
    assert row is not None
    return tuple(row)


@pytest.fixture(scope="module")
def report(proof_database: str, before: tuple[int, ...]) -> WriteCostReport:
    assert len(before) == 3, "the rows are counted before the measurement"
    return measure_write_cost(proof_database, rows=200, repetitions=2)


def test_both_tables_both_shapes_both_arms(report: WriteCostReport) -> None:
    assert [(r.table, r.shape) for r in report.results] == [
        (table, shape) for shape in SHAPES for table in ("orders", "wallet_transactions")
    ]
    for result in report.results:
        assert len(result.on_rates) == len(result.off_rates) == 2
        assert result.on_rate > 0 and result.off_rate > 0
        assert result.ratio > 0
        assert result.rows == 200
    assert {r.table: r.indexes for r in report.results} == {
        "orders": 3,
        "wallet_transactions": 2,
    }


@pytest.mark.usefixtures("report")
def test_the_dataset_is_unchanged(proof_database: str, before: tuple[int, ...]) -> None:
    with psycopg.connect(proof_database) as conn:
        assert tuple(conn.execute(COUNTS).fetchone() or ()) == before
        present = conn.execute(
            "SELECT count(*) FROM pg_indexes WHERE tablename IN ('orders', 'wallet_transactions')"
            " AND indexname LIKE 'idx\\_%'"
        ).fetchone()
    assert present == (5,)


def test_text_table_has_a_row_per_table_and_shape(report: WriteCostReport) -> None:
    text = to_text(report)
    assert text.count("orders ") == 2 and text.count("wallet_transactions") == 2
    assert "rolled back" in text


def test_bad_arguments_are_refused(proof_database: str) -> None:
    with pytest.raises(WriteCostError):
        measure_write_cost(proof_database, rows=0)
    with pytest.raises(WriteCostError):
        measure_write_cost(proof_database, shapes=["sideways"])  # type: ignore[list-item]


def test_command_prints_and_writes_csv(
    proof_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = proof_database.rsplit("/", 1)[0] + "/postgres"
    code = main(
        [
            "write-cost", "--scale", "tiny", "--database-url", server,
            "--database", PROOF_DATABASE, "--rows", "100", "--repetitions", "1",
            "--shape", "bulk", "--output", str(tmp_path),
        ]
    )  # fmt: skip
    assert code == 0
    assert "indexed rows/s" in capsys.readouterr().out
    with (tmp_path / "write-cost-tiny.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["table"], r["shape"]) for r in rows] == [
        ("orders", "bulk"),
        ("wallet_transactions", "bulk"),
    ]
    assert all(float(r["rows_per_s_on"]) > 0 and float(r["rows_per_s_off"]) > 0 for r in rows)
