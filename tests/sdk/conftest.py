"""Fixtures of the SDK tests: a served mock per module, the compatibility table, and its writer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server import Settings, create_app
from tests.sdk.compat import Compat
from tests.support.server import running

COMPAT = Compat()


@pytest.fixture(scope="module")
def mock_url() -> Iterator[str]:
    with running(create_app(Settings())) as url:
        yield url


@pytest.fixture(scope="session")
def compat() -> Compat:
    return COMPAT


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    COMPAT.write()
