"""The caller's cart: add, merge, change, remove, and other users' items."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tests.conftest import User


def test_adding_the_same_product_twice_gives_one_line(
    client: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    product_id = make_product(price_cents=300)
    for quantity in (2, 3):
        response = client.post(
            "/api/cart/items",
            headers=buyer.headers,
            json={"product_id": product_id, "quantity": quantity},
        )
        assert response.status_code == 201
    cart = client.get("/api/cart", headers=buyer.headers).json()
    assert [(i["product_id"], i["quantity"]) for i in cart["items"]] == [(product_id, 5)]
    assert cart["total_cents"] == 1_500


def test_change_and_remove_an_item(
    client: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    item = client.post(
        "/api/cart/items", headers=buyer.headers, json={"product_id": make_product()}
    ).json()
    changed = client.patch(
        f"/api/cart/items/{item['id']}", headers=buyer.headers, json={"quantity": 7}
    )
    assert changed.status_code == 200 and changed.json()["quantity"] == 7
    assert client.delete(f"/api/cart/items/{item['id']}", headers=buyer.headers).status_code == 204
    assert client.get("/api/cart", headers=buyer.headers).json()["items"] == []
    assert client.delete(f"/api/cart/items/{item['id']}", headers=buyer.headers).status_code == 404


def test_another_users_cart_item_is_not_found(
    client: httpx.Client, make_user: Callable[..., User], make_product: Callable[..., int]
) -> None:
    owner, other = make_user(), make_user()
    item = client.post(
        "/api/cart/items", headers=owner.headers, json={"product_id": make_product()}
    ).json()
    assert (
        client.patch(
            f"/api/cart/items/{item['id']}", headers=other.headers, json={"quantity": 1}
        ).status_code
        == 404
    )
    assert client.delete(f"/api/cart/items/{item['id']}", headers=other.headers).status_code == 404
    assert len(client.get("/api/cart", headers=owner.headers).json()["items"]) == 1


def test_unknown_and_unsold_products_cannot_be_added(
    client: httpx.Client, buyer: User, make_product: Callable[..., int]
) -> None:
    unknown = client.post(
        "/api/cart/items", headers=buyer.headers, json={"product_id": 999_999_999}
    )
    assert unknown.status_code == 404
    unsold = client.post(
        "/api/cart/items", headers=buyer.headers, json={"product_id": make_product(active=False)}
    )
    assert unsold.status_code == 409
    assert "not for sale" in unsold.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [
        {"product_id": 1, "quantity": 0},
        {"product_id": 1, "quantity": 10_001},
        {"quantity": 1},
        {"product_id": "one"},
    ],
)
def test_bad_cart_bodies_are_422(
    client: httpx.Client, buyer: User, body: dict[str, object]
) -> None:
    assert client.post("/api/cart/items", headers=buyer.headers, json=body).status_code == 422


def test_bad_quantity_change_is_422(client: httpx.Client, buyer: User) -> None:
    assert (
        client.patch("/api/cart/items/1", headers=buyer.headers, json={"quantity": -1}).status_code
        == 422
    )
    assert (
        client.patch("/api/cart/items/0", headers=buyer.headers, json={"quantity": 1}).status_code
        == 422
    )
