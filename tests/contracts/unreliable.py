"""Servers that misbehave at the transport level, for the tests: the mock behind a wrapper that hides an
operation family, rate-limits, dies, or hangs. Built on the fault zoo's plumbing (`FaultyApp`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp

from connmock.faults.asgi import Answer, Dropped, FaultyApp, Forward, Request
from contracts.target import local_target

__all__ = ["Counter", "dying", "hanging", "hiding", "rate_limiting", "refusing_deletes", "refusing_refreshes",
           "target_file"]

JSON = [(b"content-type", b"application/json")]


def hiding(app: ASGIApp, vendor: str, prefix: str) -> ASGIApp:
    """`app` without the routes under `/<vendor><prefix>`: every method answers 404, credentials or not."""

    async def handle(request: Request, forward: Forward) -> Answer:
        if request.path.startswith(prefix + "/") or request.path == prefix:
            return Answer(404, list(JSON), b'{"message":"Not Found"}')
        return await forward(request)

    return FaultyApp(app, vendor, handle)


@dataclass(slots=True)
class Counter:
    """How many requests a wrapper answered itself."""

    count: int = 0
    seen: list[str] = field(default_factory=list)


def rate_limiting(app: ASGIApp, vendor: str, counter: Counter, limited: Callable[[int], bool],
                  body: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> ASGIApp:
    """Request number n (from 0) answers 429 with `body` and `headers` when `limited(n)`."""

    async def handle(request: Request, forward: Forward) -> Answer:
        number = counter.count
        counter.count += 1
        if limited(number):
            counter.seen.append(f"{request.method} {request.path}")
            return Answer(429, [*JSON, *headers], json.dumps(body).encode())
        return await forward(request)

    return FaultyApp(app, vendor, handle)


def dying(app: ASGIApp, vendor: str) -> ASGIApp:
    """The first DELETE kills the server for good: that request and every later one is dropped."""
    dead: list[bool] = []

    async def handle(request: Request, forward: Forward) -> Answer:
        if dead or request.method == "DELETE":
            dead.append(True)
            raise Dropped
        return await forward(request)

    return FaultyApp(app, vendor, handle)


def refusing_deletes(app: ASGIApp, vendor: str) -> ASGIApp:
    """Every DELETE fails with a 500."""

    async def handle(request: Request, forward: Forward) -> Answer:
        if request.method == "DELETE":
            return Answer(500, list(JSON), b'{"message":"Internal Server Error"}')
        return await forward(request)

    return FaultyApp(app, vendor, handle)


def refusing_refreshes(app: ASGIApp, integration: str) -> ASGIApp:
    """Nango whose reads of `integration`'s connections refresh the credentials with a provider that refuses them:
    400 `invalid_credentials`, as the real server answers with made-up credentials (recorded)."""
    refused = {"error": {"code": "invalid_credentials", "message": "The external API returned an error when trying "
                         "to refresh the access token. Please try again later.", "payload": {}}}

    async def handle(request: Request, forward: Forward) -> Answer:
        if (request.method == "GET" and request.path.startswith("/connections/")
                and f"provider_config_key={integration}".encode() in request.query):
            return Answer(400, list(JSON), json.dumps(refused).encode())
        return await forward(request)

    return FaultyApp(app, "nango", handle)


def hanging(app: ASGIApp, vendor: str, seconds: float) -> ASGIApp:
    """A DELETE is held for `seconds` before it is answered (longer than the client waits)."""

    async def handle(request: Request, forward: Forward) -> Answer:
        if request.method == "DELETE":
            await asyncio.sleep(seconds)
        return await forward(request)

    return FaultyApp(app, vendor, handle)


def toml_value(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return json.dumps(value)


def target_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, vendor: str, *, base_path: str | None = None,
                key: str | None = None, other: bool = True, **settings: Any) -> Path:
    """A target TOML for the mock of `vendor` (its seed's keys, by environment variable, and ids), as a vendor
    would write one for their own server; `settings` are more keys of the vendor's table."""
    local = local_target(vendor, "http://unused")
    monkeypatch.setenv("CONTRACT_TEST_KEY", key if key is not None else local.primary.key)
    lines = [f"[{vendor}]", f"base_path = {json.dumps(base_path if base_path is not None else '/' + vendor)}",
             'api_key_env = "CONTRACT_TEST_KEY"']
    if other and local.other is not None:
        monkeypatch.setenv("CONTRACT_TEST_OTHER_KEY", local.other.key)
        lines.append('other_api_key_env = "CONTRACT_TEST_OTHER_KEY"')
    lines += [f"{name} = {toml_value(value)}" for name, value in settings.items()]
    lines += [f"[{vendor}.ids]"] + [f"{name} = {toml_value(value)}" for name, value in local.ids.items()]
    path = tmp_path / f"{vendor}-target.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


