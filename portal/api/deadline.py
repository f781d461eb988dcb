"""Every request is answered within ``PORTAL_REQUEST_TIMEOUT_S``, whatever PostgreSQL does.

A frozen database (its processes stopped, its connections open) answers nothing:
``statement_timeout`` runs on the server's clock, so it never fires, and the
kernel still accepts what the portal sends. Cancelling the waiting query costs
psycopg up to 10 s more (5 s to cancel, 5 s to see it cancelled) before it gives
up on the connection. An outside tester saw an uncached request still waiting
after 40 s. So the app runs in a task of its own: if it has not begun its
response by the request's deadline (one per request, ``portal/deadlines.py``:
the cache layer's own waits count against it), the client gets a 503 at once,
and the task is cancelled in the background, where psycopg closes its
connection in its own time.

A write whose answer was this 503 may still commit (the deadline can fall after
COMMIT was sent): a client must treat it as "unknown", not "failed". docs/portal.md
says so.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portal.api.responses import error_response
from portal.deadlines import abandon, deadline_of, seconds_left

log = logging.getLogger("portal.api")

TIMED_OUT = "The database did not answer in time; try again shortly."


class RequestDeadlineMiddleware:
    def __init__(self, app: ASGIApp, timeout_s: float) -> None:
        self.app = app
        self.timeout_s = timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = answered = False

        async def send_unless_answered(message: Message) -> None:
            nonlocal started
            if answered:
                return  # the client has its 503; what the abandoned task says is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        # The request's one deadline: the cache layer may have stamped it, and waited.
        deadline = deadline_of(scope, self.timeout_s)
        task = asyncio.ensure_future(self.app(scope, receive, send_unless_answered))
        done, _ = await asyncio.wait({task}, timeout=seconds_left(deadline))
        if task in done or started:
            await task  # finished, or already answering: its own result stands
            return
        answered = True
        abandon(task, said=lambda error: log.warning("abandoned request ended with %r", error))
        log.warning("%s %s: no answer within %.1f s: 503", scope["method"], scope["path"],
                    self.timeout_s)  # fmt: skip
        await error_response(503, TIMED_OUT, headers={"Retry-After": "1"})(scope, receive, send)
