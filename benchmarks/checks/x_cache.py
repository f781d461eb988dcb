"""``x-cache``: the first GET of a cached route answers ``X-Cache: MISS``, the next one ``HIT``.

Every route of the cache policy, not only one per namespace: a route that is
declared but never stores (or never serves what it stored) fails here. The
two answers must also carry the same bytes: a HIT is the MISS's body replayed.
"""

from __future__ import annotations

from benchmarks.checks.cached_paths import cached_paths, namespace_of
from benchmarks.checks.context import CheckContext
from benchmarks.checks.portal_server import client
from benchmarks.checks.result import Outcome

WANTED = ("MISS", "HIT")


def check_x_cache(context: CheckContext) -> Outcome:
    portal = context.portal()
    user = context.buyer()
    paths = cached_paths(context, user)
    outcome = Outcome(tried="")
    seen: dict[str, str] = {}
    with client(portal, user) as http:
        for template, path in paths.items():
            first, second = http.get(path), http.get(path)
            labels = (first.headers.get("x-cache", "none"), second.headers.get("x-cache", "none"))
            seen[template] = " then ".join(labels)
            statuses = (first.status_code, second.status_code)
            outcome.expect(statuses == (200, 200), f"GET {path} answered {statuses}")
            if outcome.expect(labels == WANTED, f"GET {path} twice: X-Cache {seen[template]}"):
                outcome.expect(second.content == first.content, f"GET {path}: HIT body differs")
    namespaces = sorted({namespace_of(template) for template in paths})
    good = sum(1 for labels in seen.values() if labels == " then ".join(WANTED))
    outcome.observed = {
        "routes": len(paths),
        "miss_then_hit": good,
        "namespaces": namespaces,
        "x_cache": seen,
    }
    outcome.tried = (
        f"Sent two identical GETs to each of the {len(paths)} cached routes "
        f"({', '.join(namespaces)}) as buyer {user.user_id}: {good} of {len(paths)} answered "
        f"X-Cache MISS, then HIT with the same body."
    )
    return outcome
