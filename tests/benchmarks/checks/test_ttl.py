"""ttl: the lifetimes read back from Redis are the write-up's; a portal with another fails."""

from __future__ import annotations

from benchmarks.checks import CheckResult
from benchmarks.checks.ttl import CLAIMED_TTL_S, TOLERANCE_S
from tests.benchmarks.checks.conftest import RunChecks, failed_with


def test_the_real_portal_stores_the_claimed_ttls(real_portal: dict[str, CheckResult]) -> None:
    result = real_portal["ttl"]
    assert result.passed, result
    ttls = result.observed["ttl_s"]
    assert set(ttls) == {
        "/api/products", "/api/products/{product_id}", "/api/wallet", "/api/orders",
        "/api/orders/{order_id}", "/api/users/me",
    }  # fmt: skip
    assert CLAIMED_TTL_S["wallet"] - TOLERANCE_S <= ttls["/api/wallet"] <= CLAIMED_TTL_S["wallet"]


def test_a_wrong_wallet_ttl_fails(run: RunChecks) -> None:
    result = run("ttl", portal_env={"PORTAL_CACHE_TTL_WALLET_S": "30"})["ttl"]
    failed_with(result, "/api/wallet (wallet): TTL")
    assert len(result.problems) == 1  # the other namespaces still hold
    assert result.observed["ttl_s"]["/api/wallet"] <= 30
