"""A 422 says, per field, what to fix, in words a client developer can act on."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import User


def test_a_body_that_is_not_json_is_named_as_such(client: httpx.Client, buyer: User) -> None:
    response = client.post(
        "/api/cart/items",
        headers={**buyer.headers, "Content-Type": "application/json"},
        content=b'{"product_id": ',
    )
    assert response.status_code == 422
    body = response.json()
    assert body["errors"] == [
        {
            "field": "body",
            "message": "the body is not valid JSON (at character 15)",
            "type": "json_invalid",
        }
    ]
    assert body["detail"] == "Invalid request: body: the body is not valid JSON (at character 15)"


def test_a_bad_cursor_is_explained_not_shown_as_a_regular_expression(
    client: httpx.Client, buyer: User
) -> None:
    response = client.get("/api/orders", params={"before": "yesterday"}, headers=buyer.headers)
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["field"] == "before"
    assert error["message"] == "should be a cursor: the next_cursor of the previous page"


def test_every_field_error_is_listed(client: httpx.Client, buyer: User) -> None:
    response = client.post(
        "/api/cart/items", headers=buyer.headers, json={"product_id": "x", "quantity": -1}
    )
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"product_id", "quantity"}


# Each reads as 12 to int() or pydantic, or passes str.isdigit(): ², ①, Arabic-Indic
# and full-width digits, a sign, an underscore, a space. Percent-encoded as sent.
NOT_ASCII_DIGITS = ["%C2%B2", "%E2%91%A0", "%D9%A1%D9%A2", "%EF%BC%91%EF%BC%92", "+12", "1_2",
                    "%2012"]  # fmt: skip


@pytest.mark.parametrize("raw", NOT_ASCII_DIGITS)
def test_an_id_not_written_with_the_digits_0_to_9_is_a_422_on_every_kind_of_route(
    client: httpx.Client, buyer: User, admin: User, raw: str
) -> None:
    """The cache and the app read a path alike: once /api/products/12 is cached, a path that
    a looser reading takes for 12 must still be refused, not served product 12."""
    assert client.get("/api/products/12", headers=buyer.headers).status_code == 200
    assert client.get("/api/products/12", headers=buyer.headers).headers["X-Cache"] == "HIT"
    tries = [
        ("GET", f"/api/products/{raw}", buyer, None),
        ("PATCH", f"/api/products/{raw}", admin, {"price_cents": 100}),
        ("GET", f"/api/orders/{raw}", buyer, None),
        ("DELETE", f"/api/cart/items/{raw}", buyer, None),
        ("GET", f"/api/admin/users/{raw}", admin, None),
    ]
    for method, path, user, body in tries:
        response = client.request(method, path, headers=user.headers, json=body)
        assert response.status_code == 422, (method, path, response.text)
        (error,) = response.json()["errors"]
        assert error["message"] == "an id is a whole number written with the digits 0-9"
        assert response.headers.get("connection") != "close"  # the connection is kept
    anonymous = client.get(f"/api/products/{raw}")  # was a plain-text 500 from the cache layer
    assert anonymous.status_code in (401, 422), anonymous.text
    assert anonymous.json()["detail"]


def test_text_with_a_nul_character_is_a_422_in_a_body_and_in_a_query(
    client: httpx.Client, admin: User
) -> None:
    """PostgreSQL text cannot hold NUL: once a 500 from the database, now refused at the edge."""
    body = {"region_id": 1, "category": "tools", "sku": "NUL-1", "name": "a\x00b",
            "price_cents": 100, "stock": 1}  # fmt: skip
    created = client.post("/api/products", headers=admin.headers, json=body)
    query = client.get("/api/admin/users?email=a%00b%40example.test", headers=admin.headers)
    for response, field in ((created, "name"), (query, "email")):
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["field"] == field and "NUL character" in error["message"]


def test_json_integers_are_integers_whatever_their_spelling_but_never_strings_or_booleans(
    client: httpx.Client, buyer: User
) -> None:
    top_up = "/api/wallet/top-up"
    assert client.post(top_up, headers=buyer.headers, json={"amount_cents": 500.0}).is_success
    for not_an_integer in ("500", True, 500.5):
        refused = client.post(top_up, headers=buyer.headers, json={"amount_cents": not_an_integer})
        assert refused.status_code == 422, (not_an_integer, refused.text)


def test_head_is_get_without_the_body_and_a_405_names_every_method(
    client: httpx.Client, buyer: User
) -> None:
    get = client.get("/api/products/1", headers=buyer.headers)
    head = client.head("/api/products/1", headers=buyer.headers)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"]
    assert head.headers["content-type"] == "application/json"
    refused = client.delete("/api/products", headers=buyer.headers)
    assert refused.status_code == 405
    assert refused.headers["allow"] == "GET, HEAD, POST"


def test_an_optional_integer_takes_its_float_spelling_too(
    client: httpx.Client, admin: User
) -> None:
    """``user_id`` is ``int | None`` with bounds: 83.0 is the integer 83 (schemathesis sent it)."""
    response = client.post(
        "/api/performance/cache/clear", headers=admin.headers, json={"user_id": 83.0}
    )
    assert response.status_code == 200, response.text
