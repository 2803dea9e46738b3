"""The webhook parts that need no server: Nango's payload and signatures, targets, and the delivery queue
(driven through httpx's mock transport, with delays of a few milliseconds)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import io
import json

import httpx
import pytest

from connmock.cli import main
from mock_server.journal import Journal
from mock_server.webhooks import Deliveries, TargetError, Webhook
from mock_server.webhooks.nango import auth_body, headers, stable_json
from mock_server.webhooks.targets import shown_url, target_from, targets_from_flags

RECORD = {"connection_id": "c1", "provider_config_key": "github", "provider": "github", "tags": {"b": "2", "a": "1"},
          "end_user": {"id": "u1", "email": None, "display_name": "U", "organization": None, "tags": None},
          "credentials": {"access_token": "gho_never_sent"}}


def test_the_body_is_nangos_stable_json_with_sorted_keys_at_every_level() -> None:
    body = auth_body(RECORD, "OAUTH2", "creation", with_end_user=True)
    assert stable_json(body) == (
        b'{"authMode":"OAUTH2","connectionId":"c1","endUser":{"endUserEmail":null,"endUserId":"u1","tags":{}},'
        b'"environment":"dev","from":"nango","operation":"creation","provider":"github",'
        b'"providerConfigKey":"github","success":true,"tags":{"a":"1","b":"2"},"type":"auth"}')
    assert stable_json({"é": "✓"}) == '{"é":"✓"}'.encode()  # JSON.stringify leaves non-ASCII as is


def test_a_failure_carries_its_error_and_the_api_import_no_end_user() -> None:
    body = auth_body(RECORD, "OAUTH2", "refresh", with_end_user=False, error={"type": "t", "description": "d"})
    assert body["success"] is False and body["error"] == {"type": "t", "description": "d"}
    assert "endUser" not in body and "credentials" not in json.dumps(body)


def test_both_signatures_are_nangos() -> None:
    payload = b'{"a":1}'
    signed = headers("key-1", payload)
    assert signed["X-Nango-Signature"] == hashlib.sha256(b"key-1" + payload).hexdigest()
    assert signed["X-Nango-Hmac-Sha256"] == hmac.new(b"key-1", payload, hashlib.sha256).hexdigest()
    assert signed["X-Nango-Hmac-Sha256"] != headers("key-2", payload)["X-Nango-Hmac-Sha256"]


def test_urls_are_shown_without_credentials() -> None:
    assert shown_url("http://u:p@[::1]:8080/h?api_key=k&x=1#f") == "http://[::1]:8080/h?api_key=[redacted]&x=1"


def test_a_target_names_every_offending_field() -> None:
    with pytest.raises(TargetError) as caught:
        target_from({"url": "nope", "secondary_url": 3, "on_auth_creation": "no", "extra": 1})
    assert set(caught.value.fields) == {"url", "secondary_url", "on_auth_creation", "extra"}
    assert target_from({"url": "https://h.example/x", "secondary_url": None}).secondary_url is None


@pytest.mark.parametrize("flag", ["openint=http://h/x", "nango", "nobody:nango=http://h/x", "nango=ftp://h"])
def test_bad_webhook_flags_are_refused(flag: str) -> None:
    with pytest.raises(TargetError, match="--webhook-url"):
        targets_from_flags((flag,), ["acme", "globex"])


def test_a_flag_without_tenant_is_for_every_tenant() -> None:
    found = targets_from_flags(("nango=http://h/a", "globex:nango=http://h/b"), ["acme", "globex"])
    assert {k: t.url for k, t in found.items()} == {("acme", "nango"): "http://h/a", ("globex", "nango"): "http://h/b"}


def test_serve_refuses_a_bad_webhook_flag_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--port", "1", "--webhook-url", "vercel=http://h/x"], io.StringIO()) == 2
    assert capsys.readouterr().err.startswith("connmock serve: --webhook-url vercel=http://h/x: expected")


def webhook(url: str = "http://receiver.test/h") -> Webhook:
    return Webhook("nango", "acme", "auth.creation", (url,), b"{}", {"content-type": "application/json"}, {})


async def deliver(statuses: list[int], delays: tuple[float, ...], **options: int) -> Journal:
    journal = Journal(100)
    answers = iter(statuses)
    transport = httpx.MockTransport(lambda request: httpx.Response(next(answers)))
    deliveries = Deliveries(journal, lambda: "now", delays, transport=transport, **options)
    deliveries.enqueue(webhook())
    await asyncio.wait_for(deliveries.idle(), 5)
    await deliveries.aclose()
    return journal


def test_backoff_delays_are_injected_and_bound_the_attempts() -> None:
    journal = asyncio.run(deliver([500, 500, 500, 500], (0.001, 0.002, 0.003)))
    assert [(d.attempt, d.outcome) for d in journal.deliveries()] == [
        (1, "retrying"), (2, "retrying"), (3, "retrying"), (4, "failed")]
    assert [d.outcome for d in asyncio.run(deliver([500], ())).deliveries()] == ["failed"]  # no delay: no retry


def test_a_full_queue_drops_and_journals_instead_of_waiting() -> None:
    async def flood() -> Journal:
        journal = Journal(100)
        deliveries = Deliveries(journal, lambda: "now", (), queue_size=1,
                                transport=httpx.MockTransport(lambda request: httpx.Response(200)))
        deliveries.enqueue(webhook())
        deliveries.enqueue(webhook())  # the dispatcher has not run yet: the queue holds one
        await asyncio.wait_for(deliveries.idle(), 5)
        await deliveries.aclose()
        return journal

    assert sorted(d.outcome for d in asyncio.run(flood()).deliveries()) == ["delivered", "dropped"]


def test_shutdown_stops_a_delivery_waiting_to_retry() -> None:
    async def stop() -> tuple[Journal, float]:
        journal = Journal(100)
        deliveries = Deliveries(journal, lambda: "now", (60.0,),
                                transport=httpx.MockTransport(lambda request: httpx.Response(503)))
        deliveries.enqueue(webhook())
        while not journal.deliveries():
            await asyncio.sleep(0.005)
        started = asyncio.get_running_loop().time()
        await deliveries.aclose(grace=0.05)
        return journal, asyncio.get_running_loop().time() - started

    journal, took = asyncio.run(stop())
    assert took < 2 and [d.outcome for d in journal.deliveries()] == ["retrying"]


def test_while_every_slot_is_busy_webhooks_wait_in_the_queue_then_are_dropped() -> None:
    async def busy() -> tuple[list[str], int]:
        journal, release, seen = Journal(100), asyncio.Event(), []

        async def slow(request: httpx.Request) -> httpx.Response:
            seen.append(request.url.path)
            await release.wait()
            return httpx.Response(200)

        deliveries = Deliveries(journal, lambda: "now", (), queue_size=1, concurrency=1,
                                transport=httpx.MockTransport(slow))
        deliveries.enqueue(webhook("http://r.test/first"))
        while not seen:
            await asyncio.sleep(0.005)
        deliveries.enqueue(webhook("http://r.test/second"))  # waits in the queue: the one slot is busy
        deliveries.enqueue(webhook("http://r.test/third"))  # the queue is full: dropped
        await asyncio.sleep(0.05)
        busy_while_blocked = len(seen)
        release.set()
        await asyncio.wait_for(deliveries.idle(), 5)
        await deliveries.aclose()
        return [f"{d.url} {d.outcome}" for d in journal.deliveries()], busy_while_blocked

    outcomes, started = asyncio.run(busy())
    assert started == 1
    assert sorted(outcomes) == ["http://r.test/first delivered", "http://r.test/second delivered",
                                "http://r.test/third dropped"]
