"""The caller's profile and token."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from portal.api.deps import SIGNED_IN, CurrentUser, State, TokenHash
from portal.api.models import AUTH_ERRORS, NOT_FOUND
from portal.api.responses import JSONBytesResponse, json_response
from portal.auth.revocations import announce_revocation
from portal.auth.store import revoke_token
from portal.queries import users as queries

router = APIRouter(prefix="/api", tags=["users"])


class UserProfile(BaseModel):
    id: int
    email: str
    name: str
    role: Literal["buyer", "admin"]
    created_at: datetime
    company_id: int
    company_name: str
    region_id: int
    region_code: str


@router.get("/users/me", response_model=UserProfile, responses=AUTH_ERRORS | NOT_FOUND)
async def me(state: State, user: CurrentUser) -> JSONBytesResponse:
    async with state.engine.connect() as conn:
        row = await queries.profile(conn, user_id=user.user_id)
    if row is None:
        raise HTTPException(404, "Your user no longer exists.")
    return json_response(row)


# SIGNED_IN runs first: only a valid token is revoked (and TokenHash may assume one).
@router.post("/auth/revoke", status_code=204, responses=AUTH_ERRORS, dependencies=[SIGNED_IN])
async def revoke(state: State, token_hash: TokenHash) -> Response:
    """Revoke the token this request carries; it stops working at once here and,
    through a Redis announcement, in other worker processes (without Redis: within
    ``PORTAL_TOKEN_CACHE_SECONDS``)."""
    async with state.engine.begin() as conn:
        await revoke_token(conn, token_hash=token_hash)
    state.tokens.forget(token_hash)
    await announce_revocation(state.redis, token_hash)
    return Response(status_code=204)
