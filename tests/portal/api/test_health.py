"""/healthz says whether each dependency answers."""

from __future__ import annotations

import httpx


def test_healthz_reports_both_dependencies_up(client: httpx.Client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "redis": "up"}
