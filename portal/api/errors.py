"""How failures become HTTP responses: 4xx say what to fix, 503 says what is down.

Any other exception is a bug and is logged with its traceback as a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from portal.api.responses import JSONBytesResponse, error_response
from portal.db.engine import DatabaseUnavailable, is_unavailable

log = logging.getLogger("portal.api")

DATABASE_DOWN = "The database is unavailable; try again shortly."


def _field(loc: tuple[str | int, ...]) -> str:
    # ("body", "amount_cents") -> "amount_cents"; ("query", "limit") -> "limit"
    parts = [str(p) for p in loc[1:]] if loc and loc[0] in ("body", "query", "path") else []
    return ".".join(parts) or ".".join(str(p) for p in loc)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {
            "field": _field(tuple(e.get("loc", ()))),
            "message": e.get("msg", ""),
            "type": e.get("type"),
        }
        for e in exc.errors()
    ]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return JSONBytesResponse(
        {"detail": f"Invalid request: {summary}", "errors": errors}, status_code=422
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=exc.headers)


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
