"""Headers a request may carry once, or a 400, at the edge: before the cache or the app.

HTTP allows repeating a field only when its value is a comma-separated list
(RFC 9110 §5.3). For the headers of :data:`SINGLE_HEADERS` which of two
values the client meant cannot be known, and layers that read different ones
disagree:

* ``Authorization`` (not a list, §11.6.2): the cache layer read the last and
  the app the first. With ``[B, A]`` B's wallet was stored under A's key and
  served to A's next plain request; with ``[A, garbage]`` A's write went
  through but invalidated nothing, so A read a stale balance for up to the TTL.
* ``Idempotency-Key`` (one string, draft-ietf-httpapi-idempotency-key-header):
  the app used the first and ignored the second, so a client repeating with
  the keys in another order, or one of them, was charged again (three
  requests gave two top-ups).

So the request is refused, whatever the route, and no layer behind this one
ever sees two.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from portal.api.responses import error_response

SINGLE_HEADERS = ("Authorization", "Idempotency-Key")
_LOWER = {name.lower().encode("latin-1"): name for name in SINGLE_HEADERS}  # ASGI lower-cases


def repeated_header(scope: Scope) -> tuple[str, int] | None:
    """The first header of :data:`SINGLE_HEADERS` sent more than once, and how often."""
    found = [name for name, _ in scope["headers"] if name in _LOWER]
    for name, spelled in _LOWER.items():
        if (count := found.count(name)) > 1:
            return spelled, count
    return None


class SingleHeadersMiddleware:
    """The outermost layer: a request with one of these headers more than once gets a 400."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (repeated := repeated_header(scope)) is not None:
            name, count = repeated
            detail = f"Send one {name} header, not {count}: which one is meant is unknown."
            await error_response(400, detail)(scope, receive, send)
            return
        await self.app(scope, receive, send)
