"""A dropped connection over a real socket: the client gets no status line at all (a reset or an empty reply),
the server keeps serving, and the journal records the request with status 0. With uvicorn's own protocol the
same request would be a `500 Internal Server Error`; `connmock serve`'s protocol closes the socket instead."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from mock_server import Settings, create_app
from tests.reliability.support import SEED, auth_headers
from tests.support.server import running

NANGO = auth_headers("nango", SEED.tenant("acme"))


@pytest.fixture(scope="module")
def base() -> Iterator[str]:
    with running(create_app(Settings(vendors=("nango",)))) as url:
        yield url


def raw_exchange(base: str, headers: dict[str, str]) -> bytes:
    """What the server sends back on a socket for one GET of the connection list, up to its close."""
    parts = urlsplit(base)
    lines = ["GET /nango/connections HTTP/1.1", f"Host: {parts.netloc}",
             *(f"{name}: {value}" for name, value in headers.items()), "", ""]
    received = b""
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), timeout=5) as sock:
        sock.sendall("\r\n".join(lines).encode())
        try:
            while chunk := sock.recv(4096):
                received += chunk
        except ConnectionResetError:
            pass
    return received


def test_prefer_drop_closes_the_socket_without_a_byte(base: str) -> None:
    assert raw_exchange(base, {**NANGO, "Prefer": "drop"}) == b""
    # and the same socket-level request without it is answered
    assert raw_exchange(base, {**NANGO, "Connection": "close"}).startswith(b"HTTP/1.1 200 ")


def test_an_armed_drop_is_a_transport_error_for_an_http_client_then_the_mock_answers(base: str) -> None:
    armed = httpx.post(f"{base}/__connmock/scenarios",
                       json={"kind": "drop", "vendor": "nango", "operation": "listConnections", "times": 2})
    assert armed.status_code == 201
    with httpx.Client(base_url=base) as client:
        for _ in range(2):
            with pytest.raises(httpx.RemoteProtocolError, match="without sending a response"):
                client.get("/nango/connections", headers=NANGO)
        assert client.get("/nango/connections", headers=NANGO).status_code == 200
    statuses = [e["status"] for e in httpx.get(f"{base}/__connmock/requests").json()["requests"]
                if (e["scenario"] or "").startswith("scn_")]
    assert statuses == [0, 0]
