"""The index proof at tiny scale: every performance index is used by its query.

Index use is made deterministic with the proof's own ``force_index_use``: on
a tiny table a sequential scan is rightly cheaper than any index, which says
nothing about whether the index fits its query.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import psycopg
import pytest

from benchmarks.indexes.proof import ProofError, ProofReport, run_proof
from benchmarks.indexes.proof_report import CSV_COLUMNS, to_text
from perfproof.cli import main
from portal.db.index_file import index_specs, performance_index_names
from tests.benchmarks.indexes.conftest import PROOF_DATABASE

AGED_ROWS = "SELECT (SELECT count(*) FROM cart_items), (SELECT count(*) FROM audit_log)"


@pytest.fixture(scope="module")
def aged_rows_before(proof_database: str) -> tuple[int, ...]:
    with psycopg.connect(proof_database) as conn:
        return tuple(conn.execute(AGED_ROWS).fetchone() or ())


@pytest.fixture(scope="module")
def forced_report(proof_database: str, aged_rows_before: tuple[int, ...]) -> ProofReport:
    assert len(aged_rows_before) == 2, "the rows are counted before the proof runs"
    return run_proof(proof_database, repetitions=1, force_index_use=True)


def test_every_index_is_used_by_its_query(forced_report: ProofReport) -> None:
    assert [proof.index for proof in forced_report.proofs] == [s.name for s in index_specs()]
    assert forced_report.unused == [], to_text(forced_report)
    for proof in forced_report.proofs:
        assert any(proof.index in node for node in proof.on.nodes), proof
        assert not proof.off.used


def test_no_index_is_redundant(forced_report: ProofReport) -> None:
    assert forced_report.redundant == []


def test_both_arms_are_measured(forced_report: ProofReport) -> None:
    for proof in forced_report.proofs:
        assert len(proof.on.runs_ms) == len(proof.off.runs_ms) == 1
        assert proof.on.actual_ms > 0 and proof.off.actual_ms > 0
        assert proof.on.estimated_cost > 0 and proof.off.estimated_cost > 0
        assert proof.settings["enable_seqscan"] == "off"


@pytest.mark.usefixtures("forced_report")
def test_the_proof_changes_no_data_and_leaves_the_indexes_on(
    proof_database: str, aged_rows_before: tuple[int, ...]
) -> None:
    with psycopg.connect(proof_database) as conn:
        present = {
            row[0]
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE indexname = ANY(%s)",
                (performance_index_names(),),
            )
        }
        aged_rows = tuple(conn.execute(AGED_ROWS).fetchone() or ())
    assert present == set(performance_index_names())
    # The cleanup probes DELETE, inside rolled-back transactions.
    assert aged_rows == aged_rows_before


def test_bad_arguments_are_refused(proof_database: str) -> None:
    with pytest.raises(ProofError, match="unknown index"):
        run_proof(proof_database, names=["idx_nope"])
    with pytest.raises(ProofError, match="repetitions"):
        run_proof(proof_database, repetitions=0)


def test_command_writes_csv_and_json(
    proof_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server = proof_database.rsplit("/", 1)[0] + "/postgres"
    code = main(
        [
            "index-proof", "--scale", "tiny", "--database-url", server,
            "--database", PROOF_DATABASE, "--repetitions", "1", "--force-index-use",
            "--index", "idx_orders_user_date", "--index", "idx_products_name_trgm",
            "--output", str(tmp_path), "--json", "--strict",
        ]
    )  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0, out
    assert "Index Scan using idx_orders_user_date on orders" in out
    assert "unused: none" in out
    with (tmp_path / "index-proof-tiny.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [(r["index"], r["used"]) for r in rows] == [
        ("idx_orders_user_date", "yes"),
        ("idx_products_name_trgm", "yes"),
    ]
    document = json.loads((tmp_path / "index-proof-tiny.json").read_text())
    assert document["unused"] == [] and len(document["indexes"]) == 2


def exit_code(argv: list[str]) -> int:
    """``main``'s return value, or argparse's exit code for arguments it refuses."""
    try:
        return main(argv)
    except SystemExit as stop:
        return int(stop.code or 0)


@pytest.mark.parametrize(
    "arguments",
    [["--index", "idx_nope"], ["--repetitions", "0"], ["--scale", "huge"]],
    ids=["unknown index", "no repetitions", "unknown scale"],
)
def test_bad_input_exits_2_with_an_error_line(
    arguments: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["index-proof", *arguments]) == 2
    last = capsys.readouterr().err.strip().splitlines()[-1]
    assert "error:" in last
