"""Concrete requests for the declared cached routes (``portal/cache/policy.py``).

The checks iterate over ``CACHED_ROUTES`` itself, so a route added to the
policy is checked without touching them; this module turns each route
template into a path one buyer can GET and nobody has asked for before in the
run: path parameters come from the data, and a shared route without any gets
a page size of its own (its cache key includes the normalised query).
"""

from __future__ import annotations

import string

from benchmarks.checks.context import CheckContext
from portal.cache.policy import CACHED_ROUTES, CachedRoute
from portal.datagen.tokens_file import DatasetUser

# Shared (not per-user) routes without path parameters: the query that gives
# them a fresh key, ``{n}`` from ``CheckContext.unique_number``.
FRESH_QUERY = {"/api/products": "limit={n}&sort=id"}


def parameters(template: str) -> list[str]:
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def concrete_path(route: CachedRoute, values: dict[str, int], context: CheckContext) -> str:
    """``route`` with ``values`` filled in, plus a fresh query for a shared bare route."""
    missing = [name for name in parameters(route.path) if name not in values]
    if missing:
        raise LookupError(f"no value for {missing} of {route.path}: add it to cached_paths")
    path = route.path.format(**values)
    query = FRESH_QUERY.get(route.path)
    if query is not None:
        path += "?" + query.format(n=context.unique_number())
    return path


def cached_paths(context: CheckContext, user: DatasetUser) -> dict[str, str]:
    """Route template -> a fresh concrete path ``user`` may GET, for every cached route."""
    values = {"product_id": context.product_id(), "order_id": context.newest_order(user)}
    return {route.path: concrete_path(route, values, context) for route in CACHED_ROUTES}


def namespace_of(template: str) -> str:
    (route,) = (route for route in CACHED_ROUTES if route.path == template)
    return route.namespace
