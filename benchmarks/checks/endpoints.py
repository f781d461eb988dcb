"""``monitoring-endpoints``: the four endpoints the write-up lists answer, and the three
``/api/performance/*`` ones only to admins (no token 401, a buyer's 403, an admin's 200).

``ENDPOINTS`` is the write-up's list with the portal's route paths
(``portal/api/routes/monitoring.py`` and ``performance.py``). An answer must
also be what the endpoint is for, not merely a 200: Prometheus text with the
portal's series, monitoring that is on, database statistics, a cache clear
that renewed something. ``/metrics`` is public, like the write-up's "basic
system metrics" (scrapers carry no portal token).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from benchmarks.checks.context import CheckContext
from benchmarks.checks.portal_server import client
from benchmarks.checks.prometheus_text import portal_sample_count
from benchmarks.checks.result import Outcome


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _prometheus(response: httpx.Response) -> str | None:
    if portal_sample_count(response.text) == 0:
        return "no portal_* samples in the exposition"
    return None


def _monitoring_on(response: httpx.Response) -> str | None:
    body = _json(response)
    if body.get("monitoring") != "on" or not body.get("operations"):
        return f"monitoring {body.get('monitoring')!r} with {len(body.get('operations') or {})} ops"
    return None


def _database_stats(response: httpx.Response) -> str | None:
    body = _json(response)
    if not body.get("tables") or "pool" not in body:
        return "no tables or no pool in the answer"
    return None


def _cache_cleared(response: httpx.Response) -> str | None:
    body = _json(response)
    if body.get("cache") != "on" or not body.get("cleared"):
        return f"cache {body.get('cache')!r}, cleared {body.get('cleared')!r}"
    return None


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    admin_only: bool
    serves: Callable[[httpx.Response], str | None]  # what is wrong with a 200, or None

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("GET", "/metrics", admin_only=False, serves=_prometheus),
    Endpoint("GET", "/api/performance/metrics", admin_only=True, serves=_monitoring_on),
    Endpoint("GET", "/api/performance/database/stats", admin_only=True, serves=_database_stats),
    Endpoint("POST", "/api/performance/cache/clear", admin_only=True, serves=_cache_cleared),
)


def check_monitoring_endpoints(context: CheckContext) -> Outcome:
    portal = context.portal()
    buyer = context.buyer()
    callers = {"none": {}, "buyer": buyer.headers, "admin": context.admin.headers}
    outcome = Outcome(tried="")
    statuses: dict[str, dict[str, int]] = {}
    with client(portal) as http:
        for endpoint in ENDPOINTS:
            wanted = {"none": 401, "buyer": 403, "admin": 200} if endpoint.admin_only else {}
            wanted = wanted or {"none": 200}
            answers = {
                who: http.request(endpoint.method, endpoint.path, headers=callers[who])
                for who in wanted
            }
            statuses[endpoint.name] = {who: r.status_code for who, r in answers.items()}
            outcome.expect(
                statuses[endpoint.name] == wanted,
                f"{endpoint.name}: {statuses[endpoint.name]}, wanted {wanted}",
            )
            ok = answers["admin" if endpoint.admin_only else "none"]
            wrong = endpoint.serves(ok) if ok.status_code == 200 else None
            outcome.expect(wrong is None, f"{endpoint.name} answered 200 but {wrong}")
    outcome.observed = {"statuses": statuses}
    outcome.tried = (
        f"Called {', '.join(e.name for e in ENDPOINTS)} without a token, as buyer "
        f"{buyer.user_id} and as admin {context.admin.user_id}: "
        + "; ".join(
            f"{name} " + ", ".join(f"{who} {code}" for who, code in codes.items())
            for name, codes in statuses.items()
        )
        + "."
    )
    return outcome
