"""indexes: every performance index is used at tiny (sequential scans off); an index that
keeps its name but cannot serve its query is counted out and named, and the claim is
judged by its number."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import psycopg
import pytest

from benchmarks.checks import CheckResult
from benchmarks.checks.indexes import ASKED_CAN_USE
from benchmarks.manifest import Manifest
from portal.datagen import SCALES
from portal.db.index_file import performance_index_names
from portal.db.indexes import set_indexes
from reports.claims import load_claims
from reports.evaluate import judge
from reports.run_folder import RunFolder
from tests.benchmarks.checks.conftest import SCALE, RunChecks

IMPOSTOR = "idx_orders_user_date"


def test_the_real_database_uses_every_index(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["indexes"]
    assert result.passed, result
    seen = result.observed
    assert seen["present"] == seen["proved"] == seen["used"] == len(performance_index_names())
    assert seen["unused"] == [] and seen["sequential_scans_off"] is True
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
def test_an_index_its_query_cannot_use_is_counted_out_and_named(
    run: RunChecks, tmp_path: Path
) -> None:
    result = run("indexes")["indexes"]
    assert result.passed, result  # the count is complete: every index was proved
    present = len(performance_index_names())
    assert (result.observed["used"], result.observed["unused"]) == (present - 1, [IMPOSTOR])
    assert result.tried.endswith(f"{present - 1} of {present} were in their query's plan; "
                                 f"not used: {IMPOSTOR}.")  # fmt: skip
    # The write-up's claim as the claims file states it: judged by its number, not by all.
    (claim,) = [claim for claim in load_claims().claims if claim.id == "indexes"]
    checks = {"checks": [result.as_dict()], "scale": SCALE}
    run_folder = RunFolder(path=tmp_path, manifest=Manifest(finished=True), tidy=pd.DataFrame(),
                           growth=None, load_path=None, load_manifest=None, validity=None,
                           checks=checks, faults=None)  # fmt: skip
    verdict = judge(claim, run_folder)
    assert claim.claimed is not None and present - 1 >= claim.claimed.low  # 21 of 22, "20+"
    assert verdict.verdict == "met"
    assert f"{present - 1} of {present} indexes used by their queries at {SCALE}" in verdict.reason
    assert f"unused: {IMPOSTOR}." in verdict.reason
