"""A fresh world per test, with a clock the test drives: the vendors' services are called directly, no HTTP."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mock_server import Settings
from mock_server.world import World, build_world
from tests.support.clock import FakeClock

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def world(clock: FakeClock) -> World:
    return build_world(Settings(), clock=clock)
