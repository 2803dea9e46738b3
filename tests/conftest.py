"""Shared fixtures: a fresh mock per test (in-process), seed records, and a real server when a socket matters."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fixtures import SeedData, load_seed
from mock_server import Settings, create_app
from tests.support.api import ApiClient
from tests.support.pages import Forms
from tests.support.server import running

pytest_plugins = [
    "tests.support.profiles",  # the Hypothesis profiles: dev (default), ci, deep
    "tests.support.browser",  # the `browser` and `page` fixtures of the Chromium tests
]


@pytest.fixture
def seed() -> SeedData:
    return load_seed()


@pytest.fixture
def api() -> Iterator[ApiClient]:
    """A client on a fresh app with all four vendors at /xpander, /openint, /vercel, /nango."""
    client = ApiClient(create_app(Settings()))
    yield client
    client.close()


@pytest.fixture
def forms(api: ApiClient) -> Forms:
    """A user's browser on the hosted pages of `api` (a test module's own `api` where it has one)."""
    return Forms(api)


@pytest.fixture
def live_url() -> Iterator[str]:
    """Base URL of a fresh mock served by uvicorn on a free loopback port."""
    with running(create_app(Settings())) as url:
        yield url
