"""Fixtures of the contract-suite tests: a mock (faithful or broken) served on a free port."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest

from mock_server import Settings, create_app
from tests.contracts.broken import Broken
from tests.support.server import running

Serve = Callable[[str, str | None], AbstractContextManager[str]]


@pytest.fixture
def serve() -> Serve:
    """`serve(vendor, fault)`: the mock of one vendor (broken by `fault` unless None); yields its root URL."""

    @contextmanager
    def start(vendor: str, fault: str | None = None) -> Iterator[str]:
        app = create_app(Settings(vendors=(vendor,)))
        with running(Broken(app, vendor, fault) if fault else app) as url:
            yield url

    return start
