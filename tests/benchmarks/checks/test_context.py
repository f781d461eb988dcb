"""CheckContext and cached_paths: every check gets users, products and keys of its own."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from benchmarks.checks.cached_paths import cached_paths, concrete_path
from benchmarks.checks.context import CheckContext
from portal.cache.policy import CACHED_ROUTES, CachedRoute
from portal.devstack import Services
from tests.benchmarks.checks.conftest import SCALE, SEED


@pytest.fixture
def context(stack: Services, checks_database: str) -> Iterator[CheckContext]:
    with CheckContext(
        database_url=checks_database, redis_url=stack.redis_url, scale=SCALE, seed=SEED
    ) as made:
        yield made


def test_users_and_products_are_handed_out_once(context: CheckContext) -> None:
    buyers = [context.buyer() for _ in range(3)]
    assert len({buyer.user_id for buyer in buyers}) == 3
    assert all(buyer.role == "buyer" for buyer in buyers) and context.admin.role == "admin"
    assert context.product_id() != context.product_id()
    assert context.unique_number() != context.unique_number()


def test_an_empty_cart_is_an_empty_cart(context: CheckContext, checks_database: str) -> None:
    buyer = context.buyer(empty_cart=True)
    with psycopg.connect(checks_database) as conn:
        row = conn.execute("SELECT count(*) FROM cart_items WHERE user_id = %s", (buyer.user_id,))
        assert row.fetchone() == (0,)


def test_every_cached_route_gets_a_fresh_path(context: CheckContext) -> None:
    buyer = context.buyer()
    first, second = cached_paths(context, buyer), cached_paths(context, buyer)
    assert list(first) == [route.path for route in CACHED_ROUTES]
    assert all("{" not in path for path in first.values())
    # Shared routes differ between calls (fresh keys); the caller's own are the caller's.
    assert first["/api/products"] != second["/api/products"]
    assert first["/api/products/{product_id}"] != second["/api/products/{product_id}"]
    assert first["/api/wallet"] == second["/api/wallet"] == "/api/wallet"


def test_a_route_with_an_unknown_parameter_is_named(context: CheckContext) -> None:
    route = CachedRoute("/api/things/{thing_id}", "products", per_user=False, depends_on=())
    with pytest.raises(LookupError, match="thing_id"):
        concrete_path(route, {"product_id": 1}, context)
