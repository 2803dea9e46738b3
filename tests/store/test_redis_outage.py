"""A Redis that stops answering is an outage, not a bug: every vendor API answers its own envelope with 503 and
`Retry-After` at once, the admin endpoints and hosted pages say "unavailable", and nothing hangs or leaks."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import redis

from fixtures import load_seed
from mock_server import Settings, create_app
from mock_server.store.redis import RedisStore
from tests.store.redis_server import redis_server, require_redis, wait_ready
from tests.support.api import ApiClient

ACME = load_seed().tenant("acme")
# One read per vendor, each needing the store, and the vendor's error envelope on a 503.
READS: dict[str, tuple[str, dict[str, str], Callable[[Any], bool]]] = {
    "xpander": ("/xpander/v1/connectors?page=1&per_page=5", {"x-api-key": ACME.xpander_users[0].api_key},
                lambda body: body == {"detail": "The service is temporarily unavailable (connmock's store does not "
                                                "answer); retry shortly"}),
    "openint": ("/openint/connection", {"Authorization": f"Bearer {ACME.openint_api_key}"},
                lambda body: body["code"] == "SERVICE_UNAVAILABLE" and body["data"]["httpStatus"] == 503),
    "vercel": ("/vercel/v2/connect/connectors", {"Authorization": f"Bearer {ACME.vercel_token}"},
               lambda body: body["error"]["code"] == "service_unavailable"),
    "nango": ("/nango/connections", {"Authorization": f"Bearer {ACME.nango_secret_key}"},
              lambda body: body["error"]["code"] == "service_unavailable"),
}
NANGO_SESSION = {"end_user": {"id": "u1"}}


def process_id(url: str) -> int:
    with redis.Redis.from_url(url) as client:
        return int(client.info()["process_id"])


def assert_outage_answers(client: ApiClient, within: float) -> None:
    for vendor, (path, headers, shaped) in READS.items():
        started = time.monotonic()
        answer = client.get(path, headers=headers)
        assert time.monotonic() - started < within, vendor
        assert answer.status_code == 503 and answer.headers["retry-after"] == "1", (vendor, answer.text)
        assert shaped(answer.json()), (vendor, answer.text)
        assert "redis://" not in answer.text
    health = client.get("/__connmock/health")
    assert health.status_code == 503 and health.json()["status"] == "unavailable"
    assert health.headers["retry-after"] == "1" and "redis://" not in health.text
    assert client.post("/__connmock/reset", json={}).status_code == 503


@contextmanager
def mock_on(url: str) -> Iterator[ApiClient]:
    """The mock in-process on the Redis at `url`; its connections closed afterwards."""
    store = RedisStore(url)
    client = ApiClient(create_app(Settings(store_url=url), store=store))
    try:
        yield client
    finally:
        client.loop.run_until_complete(store.close())
        client.close()


@pytest.fixture
def mock_on_redis() -> Iterator[tuple[ApiClient, str]]:
    with redis_server() as url, mock_on(url) as client:
        yield client, url


def test_a_redis_that_is_gone_is_a_503_at_once(mock_on_redis: tuple[ApiClient, str]) -> None:
    client, url = mock_on_redis
    # Given a working mock on Redis, with a Nango connect session whose page the user will open
    session = client.post("/nango/connect/sessions", json=NANGO_SESSION,
                          headers=READS["nango"][1]).json()["data"]
    assert client.get("/__connmock/health").status_code == 200
    # When Redis goes away
    os.kill(process_id(url), signal.SIGKILL)
    time.sleep(0.2)
    # Then each answer says "unavailable, retry" in the vendor's shape
    assert_outage_answers(client, within=3.0)
    page = client.get(session["connect_link"])
    assert page.status_code == 503 and page.headers["retry-after"] == "1" and "retry shortly" in page.text
    # And once a Redis answers on that address again, so does the mock (its pool reconnects)
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    back = subprocess.Popen([require_redis(), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_ready(port, back)
        assert client.get("/__connmock/health").status_code == 200
        assert client.get(READS["nango"][0], headers=READS["nango"][1]).status_code == 200
    finally:
        back.terminate()
        back.wait(timeout=10)


def test_a_stalled_redis_is_a_503_after_the_reply_timeout(mock_on_redis: tuple[ApiClient, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a mock whose Redis connections wait half a second for a reply
    monkeypatch.setattr("mock_server.store.redis.REPLY_TIMEOUT", 0.5)
    _, url = mock_on_redis
    pid = process_id(url)
    with mock_on(url) as client:
        try:
            assert client.get("/__connmock/health").status_code == 200
            # When Redis stops answering without closing its connections
            os.kill(pid, signal.SIGSTOP)
            # Then the answers come after the reply timeout, never a hang
            assert_outage_answers(client, within=2.0)
        finally:
            os.kill(pid, signal.SIGCONT)
