"""Fixtures of the SDK tests: a served mock per module, the compatibility table, and its check (or writer)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from mock_server import Settings, create_app
from tests.sdk.compat import DOC, WRITE_ENV, Compat
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
    """Write the table when asked; otherwise fail the run when the committed one no longer says what ran."""
    if os.environ.get(WRITE_ENV) == "1":
        COMPAT.write()
    elif COMPAT.stale():
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        message = (f"{DOC.relative_to(DOC.parents[1])} is stale: the SDK tests found other results; "
                   f"rewrite it with `{WRITE_ENV}=1 pytest tests/sdk` and commit it")
        if reporter is not None:
            reporter.ensure_newline()
            reporter.write_line(message, red=True)
