"""Response and request models shared by several routers (OpenAPI documentation)."""

from __future__ import annotations

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
        if isinstance(value, float) and value.is_integer():
            annotation = cls.model_fields[info.field_name or ""].annotation
            if annotation is int or annotation == int | None:
                return int(value)
        return value


# Every text a client sends: PostgreSQL text cannot hold NUL, and one in an e-mail
# query was a 500. Published as the field's pattern, so the schema says so too.
TEXT = r"^[^\x00]*$"
EMAIL = r"^[^@\s\x00]+@[^@\s\x00]+$"


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
