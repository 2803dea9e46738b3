"""A Redis that stops answering is an outage, not a bug: every vendor API answers its own envelope with 503 and
`Retry-After` at once, the admin endpoints and hosted pages say "unavailable", and nothing hangs or leaks."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator

import pytest
import redis

from fixtures import load_seed
from mock_server import Settings, create_app
from tests.store.redis_server import redis_server
from tests.support.api import ApiClient

ACME = load_seed().tenant("acme")
# One read per vendor, each needing the store, and the vendor's error envelope on a 503.
READS = {
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


@pytest.fixture
def mock_on_redis() -> Iterator[tuple[ApiClient, str]]:
    with redis_server() as url:
        client = ApiClient(create_app(Settings(store_url=url)))
        try:
            yield client, url
        finally:
            client.close()


def test_a_redis_that_is_gone_is_a_503_at_once(mock_on_redis: tuple[ApiClient, str]) -> None:
    client, url = mock_on_redis
    # Given a working mock on Redis, with a Nango connect session whose page the user will open
    session = client.post("/nango/connect/sessions", json=NANGO_SESSION,
                          headers=READS["nango"][1]).json()["data"]
    assert client.get("/__connmock/health").status_code == 200
    # When Redis goes away
    pid = redis.Redis.from_url(url).info()["process_id"]
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.2)
    # Then each answer says "unavailable, retry" in the vendor's shape
    assert_outage_answers(client, within=3.0)
    page = client.get(session["connect_link"])
    assert page.status_code == 503 and page.headers["retry-after"] == "1" and "retry shortly" in page.text


def test_a_stalled_redis_is_a_503_after_the_reply_timeout(mock_on_redis: tuple[ApiClient, str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a mock whose Redis connections wait half a second for a reply
    monkeypatch.setattr("mock_server.store.redis.REPLY_TIMEOUT", 0.5)
    _, url = mock_on_redis
    client = ApiClient(create_app(Settings(store_url=url)))
    pid = redis.Redis.from_url(url).info()["process_id"]
    try:
        assert client.get("/__connmock/health").status_code == 200
        # When Redis stops answering without closing its connections
        os.kill(pid, signal.SIGSTOP)
        # Then the answers come after the reply timeout, never a hang
        assert_outage_answers(client, within=2.0)
    finally:
        os.kill(pid, signal.SIGCONT)
        client.close()
