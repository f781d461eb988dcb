"""The caller's wallet."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel, Field

from portal.api.deps import CurrentUser, State
from portal.api.idempotency import IdempotencyKey, once
from portal.api.models import AUTH_ERRORS, RequestBody
from portal.api.responses import JSONBytesResponse, json_response
from portal.queries import wallet as queries

router = APIRouter(prefix="/api/wallet", tags=["wallet"])

TOP_UP_MAX_CENTS = 100_000_000  # 1,000,000.00 per top-up


class WalletTransaction(BaseModel):
    id: int
    amount_cents: int
    kind: Literal["top_up", "purchase", "refund"]
    order_id: int | None
    created_at: datetime


class Wallet(BaseModel):
    balance_cents: int
    updated_at: datetime | None
    transactions: list[WalletTransaction] = Field(description="Newest first.")


class TopUp(RequestBody):
    amount_cents: int = Field(gt=0, le=TOP_UP_MAX_CENTS)


class TopUpResult(BaseModel):
    balance_cents: int
    transaction: WalletTransaction


@router.get("", response_model=Wallet, responses=AUTH_ERRORS)
async def get_wallet(state: State, user: CurrentUser) -> JSONBytesResponse:
    async with state.engine.connect() as conn:
        wallet = await queries.wallet_for_user(
            conn, user_id=user.user_id, recent=state.settings.wallet_recent
        )
    return json_response(wallet)


@router.post("/top-up", response_model=TopUpResult, status_code=201, responses=AUTH_ERRORS)
async def top_up(
    state: State, user: CurrentUser, body: TopUp, idempotency_key: IdempotencyKey = None
) -> JSONBytesResponse:
    """Add money; with an ``Idempotency-Key``, a repeat adds nothing and gets the first answer."""
    async with state.engine.begin() as conn:

        async def write() -> Any:
            return await queries.top_up(conn, user_id=user.user_id, amount_cents=body.amount_cents)

        return await once(
            conn, user_id=user.user_id, key=idempotency_key, route="POST /api/wallet/top-up",
            request=body.model_dump(), write=write, status_code=201,
        )  # fmt: skip
