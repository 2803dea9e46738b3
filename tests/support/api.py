"""A synchronous client for the ASGI app in-process (no socket), on its own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
from starlette.types import ASGIApp

from mock_server import Settings, create_app
from tests.support.clock import FakeClock


class ApiClient:
    def __init__(self, app: ASGIApp, base_url: str = "http://testserver") -> None:
        self.loop = asyncio.new_event_loop()
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return self.loop.run_until_complete(self.client.request(method, url, **kwargs))

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)

    def close(self) -> None:
        self.loop.run_until_complete(self.client.aclose())
        self.loop.close()


@dataclass
class SharedMock:
    """One app for a whole test module (building one takes about half a second); each test resets it."""

    client: ApiClient
    clock: FakeClock
    start: datetime
    admin_headers: dict[str, str] = field(default_factory=dict)

    def reset(self, rewind: bool = True) -> ApiClient:
        """Empty the store and journal; with `rewind`, also put the clock back at the start."""
        assert self.client.post("/__connmock/reset", headers=self.admin_headers, json={}).status_code == 200
        if rewind:
            self.clock.current, self.clock.tick = self.start, timedelta(milliseconds=1)
        return self.client


@contextmanager
def shared_mock(settings: Settings, start: datetime) -> Iterator[SharedMock]:
    clock = FakeClock(start)
    client = ApiClient(create_app(settings, clock=clock))
    admin = {"x-connmock-admin-token": settings.admin_token} if settings.admin_token else {}
    try:
        yield SharedMock(client, clock, start, admin)
    finally:
        client.close()


@contextmanager
def in_process(settings: Settings) -> Iterator[ApiClient]:
    """A fresh app built from `settings`, driven in-process; closed afterwards."""
    client = ApiClient(create_app(settings))
    try:
        yield client
    finally:
        client.close()
