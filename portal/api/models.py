"""Response and request models shared by several routers (OpenAPI documentation)."""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, ValidationInfo, field_validator


class RequestBody(BaseModel):
    """A JSON body as the schema types it: ``"5"`` or ``false`` is no integer and ``0`` no
    boolean. pydantic's lax mode took them, so requests the published schema calls
    invalid went through (schemathesis: ``stock: false`` created a product). JSON
    Schema counts ``5.0`` as an integer, and so do integer fields here."""

    model_config = ConfigDict(strict=True)

    @field_validator("*", mode="before")
    @classmethod
    def _as_json_schema_reads_it(cls, value: object, info: ValidationInfo) -> object:
        field = cls.model_fields[info.field_name or ""]
        if isinstance(value, float) and value.is_integer() and _takes_int(field.annotation):
            return int(value)
        return value


def _takes_int(annotation: object) -> bool:
    """``int``, ``int | None``, ``Annotated[int, ...] | None``: an integer field."""
    if annotation is int:
        return True
    origin = get_origin(annotation)
    if origin is Annotated:
        return _takes_int(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return any(_takes_int(arg) for arg in get_args(annotation))
    return False


# Every text a client sends: PostgreSQL text cannot hold NUL, and one in an e-mail
# query was a 500. Published as the field's pattern, so the schema says so too.
# No class shorthand (``\s``, ``\d``, ``\w``): Python's re, the Rust regex of pydantic
# and a client's ECMA-262 (JSON Schema's) each read them differently (``\x85``, ``\x1c``
# are spaces to some): the fuzzer sent what the schema allowed and the server refused.
TEXT = r"^[^\x00]*$"
# The at sign, control characters, and every Unicode space.
_NOT_IN_AN_EMAIL = (
    r"@\x00-\x20\x7f-\x9f\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
EMAIL = rf"^[^{_NOT_IN_AN_EMAIL}]+@[^{_NOT_IN_AN_EMAIL}]+$"


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
    400: {
        "model": ErrorResponse,
        "description": "More than one Authorization (or Idempotency-Key) header.",
    },
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
