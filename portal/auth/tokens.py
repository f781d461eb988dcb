"""Bearer tokens: how they are made and how they are stored (digests only)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_PREFIX = "pp_"


def hash_token(token: str) -> bytes:
    """The SHA-256 digest stored in ``api_tokens.token_hash``.

    Tokens are 192 random bits, so a fast unsalted digest is enough: there is
    nothing to brute-force, and a slow KDF would cost every uncached request.
    """
    return hashlib.sha256(token.encode()).digest()


def new_token() -> str:
    """A fresh random token, for tokens minted on demand."""
    return TOKEN_PREFIX + secrets.token_urlsafe(24)


def dataset_token(seed: int, user_id: int) -> str:
    """The token the data generator gives ``user_id`` in the dataset of ``seed``.

    Derived, not random, so the tokens file can be rewritten for a dataset that
    was loaded earlier (regeneration is skipped when the fingerprint matches).
    Generated data is test data: anyone who knows the seed knows these tokens.
    """
    digest = hmac.new(f"perfproof-dataset-{seed}".encode(), str(user_id).encode(), "sha256")
    return TOKEN_PREFIX + base64.urlsafe_b64encode(digest.digest()[:24]).decode().rstrip("=")
