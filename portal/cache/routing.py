"""From an ASGI request to its cache plan: which declared route, which key, which tokens.

Built once per app at start-up from the declared tables (``policy.py``) and
the app's OpenAPI schema (public and complete for every API route, unlike the
router's internals), so the middleware can tell cached and write routes apart
before FastAPI routes the request. Paths compile as Starlette compiles them;
parameterless paths are a dict lookup, the few with parameters one regex each.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qsl, urlencode

# The path Starlette's router matches on (root_path removed): its own helper, so the cache
# and the metrics name a request exactly as the router does.
from starlette._utils import get_route_path
from starlette.routing import compile_path
from starlette.types import Scope

from portal.cache.policy import (
    CACHED_ROUTES,
    INVALIDATIONS,
    WRITE_METHODS,
    CachedRoute,
    Namespace,
    Token,
)
from portal.ids import ID_MAX, parse_id

_LONG_QUERY = 200  # longer normalised queries are hashed into the key


@dataclass(frozen=True, slots=True)
class ReadPlan:
    """A cached GET route, ready to key requests."""

    route: CachedRoute
    query_names: frozenset[str] | None  # declared query parameters; None = keep all

    @property
    def namespace(self) -> Namespace:
        return self.route.namespace


@dataclass(frozen=True, slots=True)
class WritePlan:
    """A write route and the tokens it renews; ``tokens is None`` = not declared."""

    method: str
    path: str
    tokens: tuple[Token, ...] | None


P = TypeVar("P", ReadPlan, WritePlan)


@dataclass(frozen=True, slots=True)
class Matched(Generic[P]):
    plan: P
    path_params: dict[str, int] | None  # None: a parameter is not an id the app accepts


def _id_params(groups: Mapping[str, str], maxima: Mapping[str, int]) -> dict[str, int] | None:
    """The ids as the app reads them (``portal.ids``), or None if it would refuse one."""
    params: dict[str, int] = {}
    for name, raw in groups.items():
        value = parse_id(raw, maxima.get(name, ID_MAX))
        if value is None:
            return None
        params[name] = value
    return params


def _path_maxima(operation: Mapping[str, Any]) -> dict[str, int]:
    """Each path parameter's published maximum: the cache keeps to the app's own bounds."""
    return {
        p["name"]: int(p["schema"]["maximum"])
        for p in operation.get("parameters", ())
        if p.get("in") == "path" and "maximum" in p.get("schema", {})
    }


class _Index(Generic[P]):
    """Plans by (method, path): exact paths in a dict, parameterised ones by regex."""

    def __init__(self) -> None:
        self._exact: dict[tuple[str, str], P] = {}
        self._patterns: list[tuple[str, re.Pattern[str], P, dict[str, int]]] = []

    def add(self, method: str, path: str, plan: P, maxima: dict[str, int]) -> None:
        regex, _, convertors = compile_path(path)
        if convertors:
            self._patterns.append((method, regex, plan, maxima))
        else:
            self._exact[(method, path)] = plan

    def match(self, method: str, path: str) -> Matched[P] | None:
        plan = self._exact.get((method, path))
        if plan is not None:
            return Matched(plan, {})
        for wanted, regex, candidate, maxima in self._patterns:
            if wanted == method and (found := regex.match(path)) is not None:
                return Matched(candidate, _id_params(found.groupdict(), maxima))
        return None


class RouteTable:
    """The cache's view of an app's routes."""

    def __init__(self, openapi: Mapping[str, Any]) -> None:
        paths: Mapping[str, Any] = openapi.get("paths", {})
        operations = {
            (method.upper(), path): operation
            for path, item in paths.items()
            for method, operation in item.items()
        }
        missing = [("GET", c.path) for c in CACHED_ROUTES if ("GET", c.path) not in operations]
        missing += [key for key in INVALIDATIONS if key not in operations]
        if missing:
            raise LookupError(f"cache policy names routes the app does not have: {missing}")
        self.reads: _Index[ReadPlan] = _Index()
        self.writes: _Index[WritePlan] = _Index()
        for cached in CACHED_ROUTES:
            operation = operations[("GET", cached.path)]
            plan = ReadPlan(cached, _query_names(operation))
            self.reads.add("GET", cached.path, plan, _path_maxima(operation))
        self.undeclared: list[tuple[str, str]] = []
        for method, path in sorted(operations):
            if method not in WRITE_METHODS:
                continue
            tokens = INVALIDATIONS.get((method, path))
            if tokens is None:
                self.undeclared.append((method, path))
            write = WritePlan(method, path, tokens)
            self.writes.add(method, path, write, _path_maxima(operations[(method, path)]))

    def read(self, scope: Scope) -> Matched[ReadPlan] | None:
        return self.reads.match(scope["method"], get_route_path(scope))

    def write(self, scope: Scope) -> Matched[WritePlan] | None:
        return self.writes.match(scope["method"], get_route_path(scope))


def _query_names(operation: Mapping[str, Any]) -> frozenset[str]:
    return frozenset(p["name"] for p in operation.get("parameters", ()) if p.get("in") == "query")


def normalised_query(query_string: bytes, names: frozenset[str] | None) -> str:
    """The query as a canonical string: declared parameters only, sorted by name.

    Undeclared parameters are dropped (FastAPI ignores them, so the response is
    the same, and a client cannot mint unbounded keys with them); the order of
    repeated values is kept, since the last one wins.
    """
    if not query_string:
        return ""
    pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
    if names is not None:
        pairs = [pair for pair in pairs if pair[0] in names]
    pairs.sort(key=lambda pair: pair[0])
    text = urlencode(pairs)
    if len(text) > _LONG_QUERY:
        return "h" + hashlib.sha256(text.encode()).hexdigest()
    return text
