"""A tiny dataset of its own for the index proof and write-cost tests.

Its own database (``perfproof_test_proof``): both switch indexes and take
table locks, which must not disturb the API tests' database. Neither changes
the data, so the dataset is reused across sessions (fingerprint).
"""

from __future__ import annotations

import pytest

from portal.datagen import load_dataset
from portal.devstack import Services, ensure_database

PROOF_DATABASE = "perfproof_test_proof"


@pytest.fixture(scope="session")
def proof_database(stack: Services, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = ensure_database(stack.database_url, PROOF_DATABASE)
    tokens = tmp_path_factory.mktemp("proof") / "tokens.csv"
    load_dataset(url, scale="tiny", seed=1, progress=False, tokens_path=tokens)
    return url
