"""Who a database statement works for: the operation, the route, the user.

The data-access functions in ``portal/queries`` are named for what they answer;
``@operation("orders.list_for_user")`` puts that name in a context variable
while the function runs, and the statement listener (``db_events.py``) reads it.
A context variable, not an argument, because the listener sits under
SQLAlchemy and sees only the cursor; SQLAlchemy's greenlets run inside the
caller's context, so the value arrives intact. The innermost operation wins:
a statement belongs to the most specific function that issued it, which keeps
each SQL text under one name in ``pg_stat_statements``.

The request side is a mutable ``RequestContext`` the HTTP middleware binds per
request; routing and authentication fill it in later (the route template is
only known after routing, the user after the token lookup), so a statement can
still name both. Nothing here costs more than a context-variable set and reset.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, ParamSpec, TypeVar

from starlette.types import Scope

P = ParamSpec("P")
R = TypeVar("R")

_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")

_OPERATION: ContextVar[str | None] = ContextVar("portal_operation", default=None)
REQUEST: ContextVar[RequestContext | None] = ContextVar("portal_request", default=None)
"""The request being served; the HTTP middleware sets and resets it (plain calls, not
a ``with``: it runs on every request, where a generator-based context manager
costs more than the work it wraps)."""


class RequestContext:
    """The request a statement runs for: its ASGI scope and, once known, the user."""

    __slots__ = ("scope", "user_id")

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.user_id: int | None = None


def check_name(name: str) -> str:
    """``name`` if it is a dotted lower-case operation name, else ValueError.

    Names end up inside SQL comments and metric labels: restricting them to
    ``[a-z0-9_.]`` means neither can be broken out of.
    """
    if not _NAME.match(name):
        raise ValueError(f"not an operation name (resource.what, lower case): {name!r}")
    return name


def operation(
    name: str,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Coroutine[Any, Any, R]]]:
    """Decorate an async data-access function: its statements run as ``name``."""
    check_name(name)

    def decorate(fn: Callable[P, Awaitable[R]]) -> Callable[P, Coroutine[Any, Any, R]]:
        @functools.wraps(fn)
        async def named(*args: P.args, **kwargs: P.kwargs) -> R:
            token = _OPERATION.set(name)
            try:
                return await fn(*args, **kwargs)
            finally:
                _OPERATION.reset(token)

        named.__dict__["operation"] = name
        return named

    return decorate


@contextmanager
def operation_scope(name: str) -> Iterator[None]:
    """The same as ``@operation`` for a block (tests, start-up, ad-hoc statements)."""
    token = _OPERATION.set(check_name(name))
    try:
        yield
    finally:
        _OPERATION.reset(token)


def current_operation() -> str | None:
    return _OPERATION.get()


def current_request() -> RequestContext | None:
    return REQUEST.get()


def bind_user(user_id: int) -> None:
    """Record the authenticated user on the current request, if there is one."""
    context = REQUEST.get()
    if context is not None:
        context.user_id = user_id
