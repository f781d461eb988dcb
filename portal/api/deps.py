"""Dependencies as named aliases, so route signatures read like a sentence."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException

from portal.auth.bearer import principal_for_bearer
from portal.auth.principal import Principal
from portal.auth.tokens import hash_token
from portal.state import PortalState


def portal_state(request: Request) -> PortalState:
    state: PortalState = request.app.state.portal
    return state


State = Annotated[PortalState, Depends(portal_state)]

# auto_error=False: a missing header is our 401 with a readable message, not
# the security class's generic 403.
_bearer = HTTPBearer(auto_error=False, description="A token from `perfproof token`.")


async def current_principal(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 if missing or unknown."""
    token = credentials.credentials if credentials else None
    return await principal_for_bearer(state.tokens, state.engine, token)


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def admin_principal(principal: CurrentUser) -> Principal:
    if not principal.is_admin:
        raise HTTPException(403, "This operation needs the admin role.")
    return principal


AdminUser = Annotated[Principal, Depends(admin_principal)]

# For routes that need the check but not the caller: ``dependencies=[ADMIN_ONLY]``.
SIGNED_IN = Depends(current_principal)
ADMIN_ONLY = Depends(admin_principal)


async def bearer_token_hash(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bytes:
    assert credentials is not None  # current_principal ran first and checked it
    return hash_token(credentials.credentials)


TokenHash = Annotated[bytes, Depends(bearer_token_hash)]
