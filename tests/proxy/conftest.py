"""Fixtures of the proxy tests: the faithful mock on a free port, and the proxy in front of any upstream."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

import pytest
from starlette.types import ASGIApp

from connmock.proxy import ProxyApp, ProxySettings
from contracts.report import Redactor
from contracts.runner import RunOptions, run_vendor
from contracts.target import Target, local_target
from mock_server import Settings, create_app
from tests.contracts.broken import Broken
from tests.support.server import running

Proxied = Callable[..., AbstractContextManager[tuple[str, ProxyApp]]]
SECTIONS = ("valid-requests", "required-fields", "lifecycle", "cross-tenant", "auth")


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    with running(create_app(Settings())) as url:
        yield url


@contextmanager
def proxy_of(upstream: str, vendor: str, mode: str = "report", **options: float) -> Iterator[tuple[str, ProxyApp]]:
    app = ProxyApp(ProxySettings(vendor, upstream, mode, **options))  # type: ignore[arg-type]
    with running(app) as url:
        yield url, app


@pytest.fixture
def proxied() -> Proxied:
    return proxy_of


@contextmanager
def broken_behind_proxy(vendor: str, fault: str | None = None, mode: str = "report",
                        wrap: Callable[[ASGIApp], ASGIApp] | None = None,
                        ) -> Iterator[tuple[str, ProxyApp, str, ASGIApp]]:
    """The mock of `vendor` (broken by `fault` and/or `wrap`) behind the proxy: (proxy URL, proxy, root, upstream)."""
    app: ASGIApp = create_app(Settings(vendors=(vendor,)))
    if fault:
        app = Broken(app, vendor, fault)
    if wrap:
        app = wrap(app)
    with running(app) as root, proxy_of(f"{root}/{vendor}", vendor, mode) as (url, proxy):
        yield url, proxy, root, app


def suite_target(vendor: str, mock_root: str, proxy_url: str) -> Target:
    """The contract suite's built-in profile, pointed at the proxy instead of the mock."""
    return local_target(vendor, mock_root).with_base_url(proxy_url)


def run_suite(target: Target, sections: tuple[str, ...] = SECTIONS) -> set[str]:
    """Run the suite's hand-built scenarios (through whatever `target` points at); the operations covered."""
    result = run_vendor(target, RunOptions(sections=sections), Redactor())
    return result.covered
