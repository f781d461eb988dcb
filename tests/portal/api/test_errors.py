"""A 422 says, per field, what to fix, in words a client developer can act on."""

from __future__ import annotations

import httpx

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
