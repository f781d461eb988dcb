"""Schemathesis over every route, as a buyer and as an admin: no 5xx, nothing off the schema.

Every check schemathesis has is on (server errors, status codes, content types,
bodies and headers against /openapi.json, valid input accepted, invalid input
refused). The number of examples per operation is bounded so that ``nox -s
tests`` stays quick (``PERFPROOF_FUZZ_EXAMPLES``, default 15); ``nox -s fuzz``
runs the long version. The suite's run is derandomised (the same examples every
time: a test suite that fails one run in twenty on a new example is a flaky
suite, not a fuzzer); ``nox -s fuzz`` draws new ones each time. Each role has
users of its own, so what the fuzzer writes (products, carts, top-ups) never
reaches another test's rows.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import positive_data_acceptance

from portal import Settings, create_app
from tests.conftest import User

EXAMPLES = int(os.environ.get("PERFPROOF_FUZZ_EXAMPLES", "15"))
EXPLORING = "PERFPROOF_FUZZ_EXAMPLES" in os.environ  # nox -s fuzz
# Revoking the fuzzer's own token would leave it nothing but 401s: revocation has
# tests of its own (test_auth.py).
NOT_FUZZED = "/api/auth/revoke"


# The app's own schema, as it serves it at /openapi.json (a test checks they agree).
schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi()).exclude(path=NOT_FUZZED)


# The rules the schema cannot state (one field against another, or a reference to a
# row): a schema-valid request may be refused for these, with this 422 and no other.
CROSS_FIELD_RULES: dict[tuple[str, str], tuple[str, ...]] = {
    ("GET", "/api/products"): ("min_price_cents: must not exceed max_price_cents",),
    ("GET", "/api/admin/orders/daily-sales"): (
        "until: must not be before since",
        "until: the range may span at most",
    ),
    ("POST", "/api/products"): ("region_id: no region",),
    ("PATCH", "/api/products/{product_id}"): ("region_id: no region",),
    ("POST", "/api/performance/cache/clear"): ("body: products are shared, not per user",),
    # The fuzzer reuses short keys for other bodies: the key's own rule.
    ("POST", "/api/wallet/top-up"): ("Idempotency-Key: was used for another request",),
}

FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=not EXPLORING,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _call_and_validate(case: Case[Any], base_url: str, user: User) -> None:
    """All checks, with the caller's token unless the case is about leaving it out."""
    negated = case.operation.schema.is_security_param_negated(case)
    response = case.call(base_url=base_url, headers=None if negated else user.headers)
    rules = CROSS_FIELD_RULES.get((case.method.upper(), case.path), ())
    detail = response.json().get("detail", "") if response.status_code == 422 else ""
    by_rule = any(detail.startswith(f"Invalid request: {rule}") for rule in rules)
    case.validate_response(response, excluded_checks=[positive_data_acceptance] if by_rule else [])


@schema.parametrize()
@FUZZ
def test_every_route_keeps_to_its_schema_for_a_buyer(
    case: Case[Any], base_url: str, buyer: User
) -> None:
    _call_and_validate(case, base_url, buyer)


@schema.parametrize()
@FUZZ
def test_every_route_keeps_to_its_schema_for_an_admin(
    case: Case[Any], base_url: str, admin: User
) -> None:
    _call_and_validate(case, base_url, admin)
