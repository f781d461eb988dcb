"""Dependencies as named aliases, so route signatures read like a sentence."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from fastapi.security.utils import get_authorization_scheme_param
from starlette.exceptions import HTTPException

from portal.api.state import PortalState
from portal.auth.principal import Principal
from portal.auth.tokens import hash_token
from portal.monitoring import bind_user
from portal.queries.auth import principal_for_token


def portal_state(request: Request) -> PortalState:
    state: PortalState = request.app.state.portal
    return state


State = Annotated[PortalState, Depends(portal_state)]

# auto_error=False: a missing header is our 401 with a readable message, not
# the security class's generic 403.
_bearer = HTTPBearer(auto_error=False, description="A token from `python -m portal token`.")
_CHALLENGE = {"WWW-Authenticate": "Bearer"}


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, as HTTPBearer parses it."""
    scheme, token = get_authorization_scheme_param(authorization)
    if not (authorization and scheme and token) or scheme.lower() != "bearer":
        return None
    return token


async def principal_for_bearer(state: PortalState, token: str | None) -> Principal:
    """The caller owning ``token``; 401 if there is none, unknown or revoked.

    The one authentication path: the route dependency and the cache middleware
    (which must authenticate before it serves a stored response) both use it.
    """
    if token is None:
        raise HTTPException(
            401, "Missing bearer token (Authorization: Bearer <token>).", _CHALLENGE
        )
    token_hash = hash_token(token)
    found, principal = state.tokens.get(token_hash)
    if not found:
        async with state.engine.connect() as conn:
            principal = await principal_for_token(conn, token_hash=token_hash)
        state.tokens.put(token_hash, principal)
    if principal is None:
        raise HTTPException(401, "Invalid, expired or revoked token.", _CHALLENGE)
    bind_user(principal.user_id)  # slow-statement records name the user
    return principal


async def authenticate(state: PortalState, authorization: str | None) -> Principal:
    """The caller of a request with this ``Authorization`` header value (or 401)."""
    return await principal_for_bearer(state, bearer_token(authorization))


async def current_principal(
    state: State,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller, from ``Authorization: Bearer <token>``; 401 if missing or unknown."""
    return await principal_for_bearer(state, credentials.credentials if credentials else None)


CurrentUser = Annotated[Principal, Depends(current_principal)]


async def admin_principal(principal: CurrentUser) -> Principal:
    if not principal.is_admin:
        raise HTTPException(403, "This operation needs the admin role.")
    return principal


AdminUser = Annotated[Principal, Depends(admin_principal)]


async def bearer_token_hash(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> bytes:
    assert credentials is not None  # current_principal ran first and checked it
    return hash_token(credentials.credentials)


TokenHash = Annotated[bytes, Depends(bearer_token_hash)]
