"""HTTP metrics as pure ASGI middleware, and route templates as bounded labels.

Pure ASGI (it wraps ``send`` to see the status, like Starlette's GZip
middleware): ``BaseHTTPMiddleware`` would add a task and a body stream to
every request, which on a ~150 µs cache hit is most of the monitoring budget.

The label is the route *template* (``/api/orders/{order_id}``), never the raw
path: a client requesting ten thousand ids must not mint ten thousand series.
Routing stores the matched route in ``scope["route"]``; a response served
before routing (a cache hit) or for no route at all gets the template from the
app's documented paths, or ``<unmatched>``.

With the response cache on, the cache middleware sits outside this one and
records its hits itself (see ``portal/cache/middleware.py``); for everything
it passes on, it leaves the time it began under ``REQUEST_STARTED`` in the
scope, and that is where this middleware's clock starts.
"""

from __future__ import annotations

import re
from contextlib import suppress
from time import perf_counter
from typing import TYPE_CHECKING, Any

# The path Starlette's router matches on (root_path removed): its own helper, so the cache
# and the metrics name a request exactly as the router does.
from starlette._utils import get_route_path
from starlette.routing import Route, compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.monitoring.operations import REQUEST, RequestContext

if TYPE_CHECKING:
    from portal.monitoring.monitor import Monitor

UNMATCHED = "<unmatched>"
REQUEST_STARTED = "portal.request_started"
"""Scope key: ``perf_counter()`` when an outer portal layer began the request."""
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
STATUS_CLASSES = {1: "1xx", 2: "2xx", 3: "3xx", 4: "4xx", 5: "5xx"}


class RouteTemplates:
    """Request → route template, from the router's choice or the app's route table."""

    def __init__(self) -> None:
        self._exact: dict[str, str] | None = None
        self._patterns: list[tuple[re.Pattern[str], str]] = []

    def _learn(self, app: Any) -> None:
        # FastAPI keeps included routers as private branches rather than a flat
        # list, so the documented paths are the public table of templates; the
        # top-level routes add the undocumented ones (/docs, /openapi.json).
        templates = {route.path for route in getattr(app, "routes", ()) if isinstance(route, Route)}
        with suppress(Exception):  # no schema: routed requests still carry their template
            templates.update(app.openapi().get("paths", {}))
        exact: dict[str, str] = {}
        for template in sorted(templates):
            if "{" in template:
                self._patterns.append((compile_path(template)[0], template))
            else:
                exact[template] = template
        self._exact = exact

    def template(self, scope: Scope) -> str:
        path = getattr(scope.get("route"), "path", None)
        if isinstance(path, str):
            return path
        if self._exact is None:
            self._learn(scope.get("app"))
            assert self._exact is not None
        requested = get_route_path(scope)
        found = self._exact.get(requested)
        if found is not None:
            return found
        for regex, template in self._patterns:
            if regex.match(requested):
                return template
        return UNMATCHED


class HttpMetricsMiddleware:
    """Times every HTTP request from the first byte in to the last byte out."""

    def __init__(self, app: ASGIApp, monitor: Monitor) -> None:
        self.app = app
        self.monitor = monitor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = scope.get(REQUEST_STARTED) or perf_counter()
        status = 500  # kept if no response starts: the error handler outside sends a 500

        async def send_and_note_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = REQUEST.set(RequestContext(scope))
        try:
            await self.app(scope, receive, send_and_note_status)
        finally:
            REQUEST.reset(token)
            self.monitor.record_request(scope, status, perf_counter() - start)
