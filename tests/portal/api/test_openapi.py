"""The OpenAPI schema is complete enough to generate a client from."""

from __future__ import annotations

import httpx


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
