"""The pytest fixture that tests and benchmarks share: the session's services.

Import it into a conftest (``from benchmarks.fixtures import stack``) so both
suites start (or reuse) the same servers the same way. It lives with the
harness, not in the portal: the system under test carries no test fixtures.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from portal.devstack import Services, ServiceUnavailable, services


@pytest.fixture(scope="session")
def stack() -> Iterator[Services]:
    """Configured or embedded PostgreSQL and Redis for the whole session.

    An unreachable configured URL ends the session with its one-sentence
    message (exit code 2) instead of one error per test.
    """
    try:
        with services() as running:
            yield running
    except ServiceUnavailable as error:
        pytest.exit(f"cannot run: {error}", returncode=2)
