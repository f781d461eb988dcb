"""The OpenAPI schema is complete enough to generate a client from."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import schemathesis

from tests.conftest import User


def test_every_operation_documents_its_success_body_and_errors(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    operations = [
        (path, method, op) for path, item in spec["paths"].items() for method, op in item.items()
    ]
    assert len(operations) >= 13
    for path, method, op in operations:
        success = [code for code in op["responses"] if code.startswith("2")]
        assert success, f"{method} {path} documents no success response"
        for code in success:
            if code != "204":
                schema = op["responses"][code]["content"]["application/json"]["schema"]
                assert schema, f"{method} {path} {code} has no schema"
        if path.startswith("/api/"):
            assert "401" in op["responses"], f"{method} {path} does not document 401"
            assert op.get("security"), f"{method} {path} does not declare bearer auth"
        if method in ("post", "patch") and path not in ("/api/orders", "/api/auth/revoke"):
            assert "requestBody" in op, f"{method} {path} has no request body schema"


def test_responses_are_json_with_one_content_type(client: httpx.Client) -> None:
    for path in ("/healthz", "/api/products", "/openapi.json"):
        assert client.get(path).headers["content-type"] == "application/json"


def _tour(client: httpx.Client, buyer: User, admin: User, leaving: User) -> list[httpx.Response]:
    """One successful call of every operation, as a client generated from the schema makes them.

    In an order that makes each possible: a product to put in the cart, a cart
    to check out, an order to read, and the revocation last, with a user of its own.
    """
    b, a = buyer.headers, admin.headers
    calls = [client.get("/healthz"), client.get("/api/products?limit=3", headers=b)]
    product = calls[-1].json()["products"][0]
    sku = f"OPENAPI-{uuid.uuid4().hex[:12]}"
    new = {"region_id": product["region_id"], "category": product["category"], "sku": sku,
           "name": "Schema tour", "price_cents": 1_00, "stock": 50}  # fmt: skip
    calls.append(client.post("/api/products", headers=a, json=new))
    created = calls[-1].json()["id"]
    calls += [
        client.get(f"/api/products/{created}", headers=b),
        client.patch(f"/api/products/{created}", headers=a, json={"price_cents": 2_00}),
        client.get("/api/wallet", headers=b),
        client.post("/api/wallet/top-up", headers=b, json={"amount_cents": 10_000}),
        client.post("/api/cart/items", headers=b, json={"product_id": created, "quantity": 1}),
    ]
    item = calls[-1].json()["id"]
    calls += [
        client.patch(f"/api/cart/items/{item}", headers=b, json={"quantity": 2}),
        client.get("/api/cart", headers=b),
        client.post("/api/orders", headers=b),
    ]
    order = calls[-1].json()["id"]
    calls.append(client.post("/api/cart/items", headers=b, json={"product_id": created}))
    calls += [
        client.delete(f"/api/cart/items/{calls[-1].json()['id']}", headers=b),
        client.get("/api/orders", headers=b),
        client.get(f"/api/orders/{order}", headers=b),
        client.get("/api/users/me", headers=b),
    ]
    email = calls[-1].json()["email"]
    calls += [
        client.get("/api/admin/orders", headers=a),
        client.get("/api/admin/orders/daily-sales?since=2026-01-01&until=2026-12-31", headers=a),
        client.get(f"/api/admin/orders/{order}/transactions", headers=a),
        client.get(f"/api/admin/products/by-sku/{sku}", headers=a),
        client.get(f"/api/admin/products/{created}/sales", headers=a),
        client.get("/api/admin/users", params={"email": email}, headers=a),
        client.get(f"/api/admin/users/{buyer.id}", headers=a),
        client.get("/api/admin/companies/1/users", headers=a),
        client.get("/api/performance/cache/stats", headers=a),
        client.get("/api/performance/metrics", headers=a),
        client.get("/api/performance/database/stats", headers=a),
        client.post("/api/performance/cache/clear", headers=a, json={}),
        client.get("/api/performance/cache/mode", headers=a),
        client.post("/api/auth/revoke", headers=leaving.headers),
    ]
    return calls


# Succeeds only with PORTAL_CACHE_SWITCH=on, on a portal of its own: its bodies are
# validated the same way in tests/portal/cache/test_runtime_switch.py.
TOURED_ELSEWHERE = {("POST", "/api/performance/cache/mode")}


def test_every_success_body_is_what_the_published_schema_says(
    client: httpx.Client, buyer: User, admin: User, make_user: Callable[..., User]
) -> None:
    """A client generated from /openapi.json can read every answer (each body once was
    declared ``{"type": "string"}``). Validated by schemathesis against the served schema."""
    schema = schemathesis.openapi.from_url(str(client.base_url.join("/openapi.json")))
    operations = {
        (method.upper(), path)
        for path, item in client.get("/openapi.json").json()["paths"].items()
        for method in item
    }
    toured = set()
    for response in _tour(client, buyer, admin, make_user("buyer")):
        request = response.request
        assert response.is_success, (request.method, request.url, response.text)
        operation = schema.find_operation_by_path(request.method, request.url.path)
        assert operation is not None, (request.method, request.url.path)
        operation.validate_response(response)  # raises, naming the violation
        toured.add((request.method, operation.path))
    # A route added later needs its call in the tour (or a test of its own that does this).
    assert toured == operations - TOURED_ELSEWHERE


def _keys(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _keys(value)
    elif isinstance(node, list):
        for value in node:
            yield from _keys(value)


def test_bounds_are_published_in_json_schema_words(client: httpx.Client) -> None:
    """pydantic's ``ge``/``le`` leak into the schema when a bound sits on a union or after a
    validator; no client or fuzzer reads them, so the bound would be as good as absent."""
    leaked = {"ge", "le", "gt", "lt"} & set(_keys(client.get("/openapi.json").json()))
    assert leaked == set()


def test_a_boolean_field_takes_true_or_false_only(client: httpx.Client, admin: User) -> None:
    for not_a_boolean in (0, 1, "yes", "false"):
        response = client.patch(
            "/api/products/1", headers=admin.headers, json={"active": not_a_boolean}
        )
        assert response.status_code == 422, (not_a_boolean, response.text)
        assert response.json()["errors"][0]["field"] == "active"


def test_the_apps_own_422s_list_their_fields_as_the_schema_says(
    client: httpx.Client, buyer: User, admin: User
) -> None:
    cases = [
        (client.get("/api/products?min_price_cents=5&max_price_cents=1", headers=buyer.headers),
         "min_price_cents"),
        (client.patch("/api/products/1", headers=admin.headers, json={}), "body"),
        (client.patch("/api/products/1", headers=admin.headers, json={"name": None}), "name"),
        (client.patch("/api/products/1", headers=admin.headers, json={"region_id": 10**6}),
         "region_id"),
        (client.get("/api/admin/orders/daily-sales?since=2026-02-01&until=2026-01-01",
                    headers=admin.headers), "until"),
    ]  # fmt: skip
    for response, field in cases:
        assert response.status_code == 422, response.text
        body = response.json()
        assert [error["field"] for error in body["errors"]] == [field], body
        assert body["detail"].startswith(f"Invalid request: {field}: ")
