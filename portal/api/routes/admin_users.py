"""User lookups for admins: by e-mail, one user's tokens and audit trail, a company's users."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from portal.api.cursors import PAGE_MAX
from portal.api.deps import ADMIN_ONLY, State
from portal.api.models import ADMIN_ERRORS, EMAIL, NOT_FOUND
from portal.api.responses import JSONBytesResponse, json_response
from portal.api.routes.users import UserProfile
from portal.auth.store import tokens_for_user
from portal.ids import IntId
from portal.queries import audit
from portal.queries import users as queries

# Every route here is for admins only.
router = APIRouter(prefix="/api/admin", tags=["admin"], dependencies=[ADMIN_ONLY])

RECENT_MAX = 20  # tokens and audit entries shown with a user


class UserSummary(BaseModel):
    id: int
    company_id: int
    email: str
    name: str
    role: Literal["buyer", "admin"]
    created_at: datetime


class TokenInfo(BaseModel):
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class AuditEntry(BaseModel):
    id: int
    action: str
    detail: dict[str, Any] | None
    created_at: datetime


class UserDetail(BaseModel):
    user: UserProfile
    tokens: list[TokenInfo] = Field(description=f"The {RECENT_MAX} newest, without digests.")
    audit: list[AuditEntry] = Field(description=f"The {RECENT_MAX} newest entries.")


class CompanyUsers(BaseModel):
    users: list[UserSummary] = Field(description="In id order.")
    next_after_id: int | None = Field(description="Pass as `after_id` for the next page.")


@router.get("/users", response_model=UserSummary, responses=ADMIN_ERRORS | NOT_FOUND)
async def user_by_email(
    state: State,
    email: Annotated[str, Query(min_length=3, max_length=254, pattern=EMAIL)],
) -> JSONBytesResponse:
    """The user with this e-mail address (compared in lower case)."""
    async with state.engine.connect() as conn:
        row = await queries.user_by_email(conn, email=email.lower())
    if row is None:
        raise HTTPException(404, f"No user with e-mail {email!r}.")
    return json_response(row)


@router.get("/users/{user_id}", response_model=UserDetail, responses=ADMIN_ERRORS | NOT_FOUND)
async def user_detail(state: State, user_id: IntId) -> JSONBytesResponse:
    """A user's profile with their newest tokens and audit entries."""
    async with state.engine.connect() as conn:
        profile = await queries.profile(conn, user_id=user_id)
        if profile is None:
            raise HTTPException(404, f"No user {user_id}.")
        tokens = await tokens_for_user(conn, user_id=user_id, limit=RECENT_MAX)
        entries = await audit.recent_for_user(conn, user_id=user_id, limit=RECENT_MAX)
    return json_response({"user": profile, "tokens": tokens, "audit": entries})


@router.get(
    "/companies/{company_id}/users", response_model=CompanyUsers, responses=ADMIN_ERRORS | NOT_FOUND
)
async def company_users(
    state: State,
    company_id: IntId,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    after_id: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
) -> JSONBytesResponse:
    """One page of a company's users in id order."""
    async with state.engine.connect() as conn:
        if not await queries.company_exists(conn, company_id=company_id):
            raise HTTPException(404, f"No company {company_id}.")
        rows = await queries.users_for_company(
            conn, company_id=company_id, limit=limit, after_id=after_id
        )
    next_after_id = rows[-1]["id"] if len(rows) == limit else None
    return json_response({"users": rows, "next_after_id": next_after_id})
