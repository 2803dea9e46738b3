"""The fidelity tests' servers: two equal mocks and one altered on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mock_server import Settings, create_app
from tests.fidelity.altered import Altered
from tests.support.server import running


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[str, str, str]]:
    """(mock a, mock b, the altered mock): base URLs, fresh for each test module."""
    with running(create_app(Settings())) as a, running(create_app(Settings())) as b, \
            running(Altered(create_app(Settings()))) as altered:
        yield a, b, altered
