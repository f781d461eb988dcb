"""A tiny dataset of the checks' own, and a way to run checks against a portal variant.

Its own database (``perfproof_test_checks``): the index check switches the
indexes off and on, and the invalidation check writes, neither of which may
disturb the API tests' database. The dataset is reused across sessions
(fingerprint); the checks' writes do not matter to later checks, which take
buyers with an empty cart where they need one. Every run of checks forgets the
fingerprint (they wrote), so each run here starts from freshly loaded data.

The real portal's results are the session's real quick bench's (``quick_run``):
every check ran there against the portal as shipped, so only the broken
variants are run here.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from benchmarks.checks import CHECK_IDS, CheckResult, run_checks
from portal.cli.serve import APP
from portal.datagen import load_dataset
from portal.devstack import Services, ensure_database

CHECKS_DATABASE = "perfproof_test_checks"
SCALE, SEED = "tiny", 1

RunChecks = Callable[..., dict[str, CheckResult]]


@pytest.fixture(scope="session")
def load_checks_data(
    stack: Services, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[], str]:
    """The checks' database, its dataset loaded: skipped when it is there, reloaded when
    a run of checks before forgot it (they wrote)."""
    url = ensure_database(stack.database_url, CHECKS_DATABASE)
    tokens = tmp_path_factory.mktemp("checks") / "tokens.csv"

    def load() -> str:
        load_dataset(url, scale=SCALE, seed=SEED, progress=False, tokens_path=tokens)
        return url

    return load


@pytest.fixture
def checks_database(load_checks_data: Callable[[], str]) -> str:
    return load_checks_data()


@pytest.fixture(scope="session")
def run(stack: Services, load_checks_data: Callable[[], str]) -> RunChecks:
    """``run("ttl", portal_env={...})``: those checks against that variant, by id."""

    def run(
        *ids: str, portal_env: Mapping[str, str] | None = None, app: str = APP
    ) -> dict[str, CheckResult]:
        results = run_checks(
            load_checks_data(),
            stack.redis_url,
            scale=SCALE,
            seed=SEED,
            only=ids,
            portal_env=portal_env,
            app=app,
        )
        return {result.id: result for result in results}

    return run


@pytest.fixture(scope="session")
def real_portal(quick_run: Path) -> dict[str, CheckResult]:
    """Every check once against the real portal: as the session's real quick bench ran them."""
    document = json.loads((quick_run / "checks.json").read_text())
    results = {entry["id"]: CheckResult(**entry) for entry in document["checks"]}
    assert document["finished"] is True and set(results) == set(CHECK_IDS)
    return results


def failed_with(result: CheckResult, *fragments: str) -> None:
    """``result`` failed, and its problems say each of ``fragments``."""
    assert not result.passed, result
    said = " ".join(result.problems)
    for fragment in fragments:
        assert fragment in said, (fragment, result.problems)
