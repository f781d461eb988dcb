"""HEAD is GET without the body, on every GET route (RFC 9110 §9.3.2).

FastAPI routes a HEAD request only where HEAD is declared, so every GET route
answered HEAD with a 405. This layer hands HEAD on as GET, outermost, so the
cache and the app treat both alike (same status, same headers, same
``Content-Length``); the ASGI server sends no body for a HEAD request.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "HEAD":
            scope = {**scope, "method": "GET"}
        await self.app(scope, receive, send)
