"""How failures become HTTP responses: 4xx say what to fix, 503 says what is down.

Any other exception is a bug and is logged with its traceback as a 500.
"""

from __future__ import annotations

import functools
import logging
import re
from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.routing import compile_path

from portal.api.cursors import CURSOR_PATTERN
from portal.api.models import EMAIL, TEXT
from portal.api.responses import JSONBytesResponse, error_response
from portal.db.engine import DatabaseUnavailable, is_unavailable

log = logging.getLogger("portal.api")

DATABASE_DOWN = "The database is unavailable; try again shortly."


def _field(loc: tuple[str | int, ...]) -> str:
    # ("body", "amount_cents") -> "amount_cents"; ("query", "limit") -> "limit"
    parts = (
        [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path", "header") else []
    )
    return ".".join(parts) or ".".join(str(p) for p in loc)


# Patterns people should never have to read as regular expressions.
_FORMATS = {
    CURSOR_PATTERN: "a cursor: the next_cursor of the previous page",
    TEXT: "text without the NUL character (PostgreSQL text cannot hold it)",
    EMAIL: "an e-mail address (one @, no spaces, no control or NUL character)",
}


def _error(e: dict[str, Any]) -> dict[str, Any]:
    """One validation error as a field and a sentence a client developer can act on."""
    loc = tuple(e.get("loc", ()))
    kind = e.get("type")
    message = e.get("msg", "")
    if kind == "json_invalid":
        # pydantic locates it as ("body", <character offset>): not a field.
        at = loc[1] if len(loc) > 1 else None
        where = f" (at character {at})" if isinstance(at, int) else ""
        return {"field": "body", "message": f"the body is not valid JSON{where}", "type": kind}
    if kind == "value_error":
        # Our own validators' sentences, without pydantic's "Value error, " in front.
        message = message.removeprefix("Value error, ")
    if kind == "string_pattern_mismatch":
        expected = _FORMATS.get(str(e.get("ctx", {}).get("pattern")))
        if expected is not None:
            message = f"should be {expected}"
    return {"field": _field(loc), "message": message, "type": kind}


def invalid(
    where: Literal["query", "path", "body", "header"], field: str, message: str
) -> Exception:
    """A 422 of the app's own, in pydantic's shape: ``errors`` names the field, as the
    schema declares for every 422 (hand-written ones once had ``detail`` only)."""
    return RequestValidationError([{"loc": (where, field), "msg": message, "type": "value_error"}])


async def _validation_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [_error(e) for e in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONBytesResponse(
        {"detail": f"Invalid request: {summary}", "errors": errors}, status_code=422
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = exc.headers
    if exc.status_code == 405:
        headers = {**(headers or {}), "Allow": ", ".join(allowed_methods(request))}
    return error_response(exc.status_code, str(exc.detail), headers=headers)


def allowed_methods(request: Request) -> list[str]:
    """Every method the app serves on this path, from its own OpenAPI paths (Starlette's
    405 named only the first route's, so ``/api/products`` said ``Allow: GET`` though
    POST is served too)."""
    path = request.scope["path"]
    methods = {
        method.upper()
        for template, item in request.app.openapi()["paths"].items()
        if _compiled(template).match(path)
        for method in item
    }
    if "GET" in methods:
        methods.add("HEAD")  # HeadAsGetMiddleware serves it
    return sorted(methods)


@functools.cache
def _compiled(template: str) -> re.Pattern[str]:
    return compile_path(template)[0]


async def _database_error(request: Request, exc: Exception) -> Response:
    if is_unavailable(exc):
        log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return error_response(503, DATABASE_DOWN, headers={"Retry-After": "1"})
    log.error("database error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "Internal error (a bug: see the portal's log).")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(SQLAlchemyError, _database_error)
    app.add_exception_handler(DatabaseUnavailable, _database_error)
