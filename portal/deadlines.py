"""One deadline per request, shared by every layer that waits on the request's behalf.

The first layer that sees a request stamps its deadline into the ASGI scope
(event-loop time, ``PORTAL_REQUEST_TIMEOUT_S`` ahead); every later wait — the
cache authenticating a token it has not seen, joining a computation another
request has in flight, the app behind ``portal/api/deadline.py`` — lasts at
most until then. With a budget per layer the budgets added up: with
PostgreSQL frozen, ``perfproof faults`` saw a 503 after 6 s and a 200 after
9.9 s behind a 5 s deadline.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from starlette.types import Scope

DEADLINE = "portal.deadline"

T = TypeVar("T")

# Tasks given up on: a reference keeps them from being collected while they unwind.
_abandoned: set[asyncio.Task[Any]] = set()


def deadline_of(scope: Scope, timeout_s: float) -> float:
    """The request's deadline in event-loop time; stamped now if no layer has yet."""
    deadline: float | None = scope.get(DEADLINE)
    if deadline is None:
        deadline = scope[DEADLINE] = asyncio.get_running_loop().time() + timeout_s
    return deadline


def seconds_left(deadline: float) -> float:
    return max(0.0, deadline - asyncio.get_running_loop().time())


async def within(deadline: float, work: Coroutine[Any, Any, T]) -> T:
    """``work``'s result, or ``TimeoutError`` at the deadline — at the deadline, not later.

    ``asyncio.timeout`` would wait for the cancelled work to unwind, and psycopg
    unwinding a query to a frozen server takes up to 10 s more (it asks the
    server to cancel it first). So the work runs in a task of its own, which is
    cancelled and left to finish unwinding in the background.
    """
    task = asyncio.ensure_future(work)
    done, _ = await asyncio.wait({task}, timeout=seconds_left(deadline))
    if task in done:
        return task.result()
    abandon(task)
    raise TimeoutError


def abandon(
    task: asyncio.Task[Any], *, said: Callable[[BaseException], object] | None = None
) -> None:
    """Cancel ``task`` and let it unwind in the background, held until it has.

    The loop keeps only weak references to tasks: one nobody holds may be
    collected mid-unwind. Its error, if it ends with one, goes to ``said`` (or
    is retrieved and dropped: an abandoned task's error is no one's to raise).
    """
    task.cancel()
    _abandoned.add(task)

    def forget(ended: asyncio.Task[Any]) -> None:
        _abandoned.discard(ended)
        if not ended.cancelled():
            error = ended.exception()
            if error is not None and said is not None:
                said(error)

    task.add_done_callback(forget)
