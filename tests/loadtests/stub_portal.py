"""A stand-in portal for the load generator's own tests: it answers every persona's request.

Not the portal (the real one is measured by ``test_run.py``): a catch-all app
with the shapes the personas read, which can stall on purpose, so the
generator's timing can be checked against a known delay.
"""

from __future__ import annotations

import asyncio
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

BODY = {"products": [{"id": 1}], "orders": [{"id": 1}], "items": [], "id": 1}
STATUS = {"GET": 200, "PATCH": 200, "POST": 201, "DELETE": 204}


def stub_app(
    *,
    delay_s: float = 0.0,
    stall_after_s: float | None = None,
    stall_s: float = 0.0,
    arrivals: list[float] | None = None,
) -> Starlette:
    """Every request waits ``delay_s``; from ``stall_after_s`` on, for ``stall_s``, the app
    answers nothing until the stall is over (a server that froze, then recovered). Each
    request's arrival time (``time.monotonic()``) is appended to ``arrivals`` if given."""
    started = time.monotonic()

    async def answer(request: Request) -> Response:
        if arrivals is not None:
            arrivals.append(time.monotonic())
        if stall_after_s is not None:
            now = time.monotonic() - started
            if stall_after_s <= now < stall_after_s + stall_s:
                await asyncio.sleep(stall_after_s + stall_s - now)
        if delay_s:
            await asyncio.sleep(delay_s)
        status = STATUS.get(request.method, 200)
        if status == 204:
            return Response(status_code=204)
        return JSONResponse(BODY, status_code=status, headers={"X-Cache": "MISS"})

    methods = list(STATUS)
    return Starlette(routes=[Route("/{path:path}", answer, methods=methods)])
