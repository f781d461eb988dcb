"""``ttl``: the write-up's lifetimes, read back from Redis on entries a request just stored.

``CLAIMED_TTL_S`` is the write-up's own list ("Products API: 5-minute cache",
"Wallet API: 2-minute cache", "Orders API: 3-minute cache", "User Data:
10-minute cache"); the portal's settings are never read. For every cached
route of a claimed namespace, one GET (a MISS: the key is fresh) stores an
entry; the new key is found by comparing the portal's entry keys before and
after, and Redis's ``TTL`` of it must be the claim, give or take the seconds
between storing and asking (TTL rounds down).
"""

from __future__ import annotations

from collections.abc import Mapping

import redis

from benchmarks.checks.cached_paths import cached_paths, namespace_of
from benchmarks.checks.context import CheckContext
from benchmarks.checks.portal_server import client
from benchmarks.checks.result import Outcome

CLAIMED_TTL_S: Mapping[str, int] = {"products": 300, "wallet": 120, "orders": 180, "users": 600}
TOLERANCE_S = 5


def entry_keys(store: redis.Redis, prefix: str, namespace: str) -> set[bytes]:
    """The portal's stored entries of ``namespace`` (its prefix is unique to it)."""
    return set(store.scan_iter(match=f"{prefix}:e:{namespace}:*", count=1000))


def check_ttl(context: CheckContext) -> Outcome:
    portal = context.portal()
    user = context.buyer()
    paths = cached_paths(context, user)
    outcome = Outcome(tried="")
    ttls: dict[str, int] = {}
    with client(portal, user) as http, redis.Redis.from_url(portal.redis_url) as store:
        for template, path in paths.items():
            namespace = namespace_of(template)
            claimed = CLAIMED_TTL_S.get(namespace)
            if claimed is None:
                continue  # the cart's lifetime is the portal's own, not the write-up's
            before = entry_keys(store, portal.prefix, namespace)
            response = http.get(path)
            label = response.headers.get("x-cache", "none")
            if not outcome.expect(
                response.status_code == 200 and label == "MISS",
                f"GET {path} answered {response.status_code} with X-Cache {label}, not a MISS",
            ):
                continue
            new = entry_keys(store, portal.prefix, namespace) - before
            if not outcome.expect(len(new) == 1, f"GET {path} stored {len(new)} new keys, not 1"):
                continue
            ttl = ttls[template] = int(store.ttl(new.pop()))
            outcome.expect(
                claimed - TOLERANCE_S <= ttl <= claimed,
                f"{template} ({namespace}): TTL {ttl} s, the write-up says {claimed} s",
            )
    unchecked = set(CLAIMED_TTL_S) - {namespace_of(template) for template in ttls}
    outcome.expect(not unchecked, f"no TTL read back for {sorted(unchecked)}")
    outcome.observed = {"ttl_s": ttls, "claimed_s": dict(CLAIMED_TTL_S), "tolerance_s": TOLERANCE_S}
    shown = ", ".join(f"{template} {ttl} s" for template, ttl in ttls.items())
    outcome.tried = (
        f"Stored one entry per cached route of {', '.join(CLAIMED_TTL_S)} with a GET as buyer "
        f"{user.user_id} and read each key's TTL from Redis: {shown or 'none read'}; "
        f"claimed {', '.join(f'{ns} {ttl} s' for ns, ttl in CLAIMED_TTL_S.items())}."
    )
    return outcome
