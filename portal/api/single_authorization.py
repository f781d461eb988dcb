"""One ``Authorization`` header per request, or a 400, at the edge: before the cache or the app.

With two, the cache layer read the last and the app the first. With ``[B, A]``
B's wallet was stored under A's key and served to A's next plain request; with
``[A, garbage]`` A's write went through but invalidated nothing, so A read a
stale balance for up to the TTL. Which credential a client meant cannot be
known, and HTTP allows repeating only a field whose value is a comma-separated
list, which ``Authorization`` is not (RFC 9110 §5.3, §11.6.2): so the request
is refused, whatever the route, and no layer behind this one ever sees two.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from portal.api.responses import error_response

AUTHORIZATION = b"authorization"  # ASGI servers lower-case header names


def authorization_count(scope: Scope) -> int:
    return sum(1 for name, _ in scope["headers"] if name == AUTHORIZATION)


class SingleAuthorizationMiddleware:
    """The outermost layer: a request with more than one Authorization header gets a 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (count := authorization_count(scope)) > 1:
            detail = f"Send one Authorization header, not {count}: which one is meant is unknown."
            await error_response(400, detail)(scope, receive, send)
            return
        await self.app(scope, receive, send)
