"""Response and request models shared by several routers (OpenAPI documentation)."""

from __future__ import annotations

from pydantic import BaseModel


class ErrorResponse(BaseModel):
    detail: str


class FieldError(BaseModel):
    field: str
    message: str
    type: str | None = None


class ValidationErrorResponse(BaseModel):
    detail: str
    errors: list[FieldError]


AUTH_ERRORS: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorResponse, "description": "More than one Authorization header."},
    401: {"model": ErrorResponse, "description": "Missing, invalid or revoked token."},
    422: {"model": ValidationErrorResponse, "description": "Invalid input, field by field."},
    503: {"model": ErrorResponse, "description": "The database is unavailable."},
}
ADMIN_ERRORS: dict[int | str, dict[str, object]] = AUTH_ERRORS | {
    403: {"model": ErrorResponse, "description": "The caller is not an admin."},
}
NOT_FOUND: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorResponse, "description": "No such resource (or not the caller's)."},
}
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"model": ErrorResponse, "description": "The request conflicts with the current state."},
}
