"""The HTTP edge of `connmock serve` against slow and idle clients: a request must arrive whole within
`--request-timeout` (else 408 and the connection closes), while well-behaved clients keep being served and an
idle keep-alive connection outlives the clients' own reuse window (Node's fetch reuses idle sockets ~4 s)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from fixtures import load_seed
from tests.support.server import connmock_serve

NANGO_KEY = load_seed().tenant("acme").nango_secret_key
TIMEOUT = 1.0  # the served mock's --request-timeout


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, int]]:
    with connmock_serve(NANGO_KEY, "--vendor", "nango", "--request-timeout", str(TIMEOUT)) as (base, _):
        yield base, int(base.rsplit(":", 1)[1])


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes, and how long that took."""
    started, received = time.monotonic(), b""
    while chunk := sock.recv(4096):
        received += chunk
    return received, time.monotonic() - started


def read_response(sock: socket.socket) -> bytes:
    """One whole answer (headers and its Content-Length of body), leaving the connection open."""
    received = b""
    while b"\r\n\r\n" not in received:
        received += sock.recv(4096)
    head, _, body = received.partition(b"\r\n\r\n")
    length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                  if line.lower().startswith(b"content-length:"))
    while len(body) < length:
        body += sock.recv(4096)
    return head + b"\r\n\r\n" + body


def list_request(extra: str = "") -> bytes:
    return (f"GET /connections HTTP/1.1\r\nHost: mock\r\nAuthorization: Bearer {NANGO_KEY}\r\n{extra}\r\n").encode()


def test_half_sent_headers_are_timed_out_while_others_are_served(served: tuple[str, int]) -> None:
    base, port = served
    # Given 100 clients that send half a request each and then nothing (slowloris)
    slow = [connect(port) for _ in range(100)]
    for sock in slow:
        sock.sendall(b"GET /connections HTTP/1.1\r\nHost: mock\r\nX-Slow: ")
    # Then a well-behaved client is served meanwhile
    assert httpx.get(f"{base}/connections", headers={"Authorization": f"Bearer {NANGO_KEY}"}).status_code == 200
    # And every slow one gets a 408 and is closed once its time is up, not held
    for sock in slow:
        answer, waited = read_until_closed(sock)
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:60]
        assert waited < TIMEOUT + 3
        sock.close()


def test_a_body_shorter_than_its_content_length_is_timed_out(served: tuple[str, int]) -> None:
    _, port = served
    with connect(port) as sock:
        started = time.monotonic()
        sock.sendall(b"POST /connect/sessions HTTP/1.1\r\nHost: mock\r\nContent-Type: application/json\r\n"
                     b"Authorization: Bearer " + NANGO_KEY.encode() + b"\r\nContent-Length: 100\r\n\r\n{\"end_user\"")
        answer, _ = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and time.monotonic() - started < TIMEOUT + 3


def test_a_connection_that_never_sends_is_closed(served: tuple[str, int]) -> None:
    _, port = served
    with connect(port) as sock:
        answer, waited = read_until_closed(sock)
    assert answer.startswith(b"HTTP/1.1 408 ") and TIMEOUT * 0.8 < waited < TIMEOUT + 3


def test_an_idle_keep_alive_connection_outlasts_the_clients_reuse_window(served: tuple[str, int]) -> None:
    # A request, then 6 s idle (past uvicorn's own 5 s, past Node's ~4 s reuse), then a second on the same socket:
    # the idle time between requests is not the request deadline, and the server does not close first
    _, port = served
    with connect(port) as sock:
        sock.sendall(list_request())
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
        time.sleep(6)
        sock.sendall(list_request("Connection: close\r\n"))
        second, _ = read_until_closed(sock)
    assert second.startswith(b"HTTP/1.1 200 "), second[:60]
