"""Streams and non-JSON answers pass through untouched, each noted as "not checked" (answers too large to check:
test_limits.py)."""

from __future__ import annotations

import httpx

from tests.proxy.conftest import Proxied
from tests.proxy.upstreams import odd_upstream
from tests.support.server import running


def test_unchecked_answers_pass_through(proxied: Proxied) -> None:
    with running(odd_upstream) as upstream, proxied(upstream, "nango", mode="enforce") as (url, _app):
        text = httpx.get(f"{url}/text")
        with httpx.stream("GET", f"{url}/events") as events:
            chunks = list(events.iter_text())
        log = httpx.get(f"{url}/__connmock/violations").json()
    assert (text.status_code, text.text) == (200, "hello, not JSON")
    assert "".join(chunks) == "data: one\n\ndata: two\n\n"
    notes = [e["detail"] for e in log["entries"] if e["kind"] == "not checked"]
    assert notes == ["not JSON (text/plain)", "not JSON (text/event-stream)"]
    assert log["counts"]["violation"] == 0


def test_request_is_forwarded_unchanged(proxied: Proxied) -> None:
    seen: dict[str, object] = {}

    async def echo(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] != "http":
            return
        message = await receive()  # type: ignore[operator]
        seen.update(method=scope["method"], raw_path=scope["raw_path"], query=scope["query_string"],
                    headers=dict(scope["headers"]), body=message["body"])  # type: ignore[call-overload]
        await send({"type": "http.response.start", "status": 204, "headers": []})  # type: ignore[operator]
        await send({"type": "http.response.body", "body": b""})  # type: ignore[operator]

    with running(echo) as upstream, proxied(upstream + "/base", "vercel") as (url, _app):  # type: ignore[arg-type]
        answer = httpx.request("DELETE", f"{url}/v1/connect/connectors/slack%2Fmy-bot?teamId=t1",
                               headers={"Authorization": "Bearer vct_x_0123456789", "X-Custom": "1"}, content=b"{}")
    assert answer.status_code == 204
    assert seen["method"] == "DELETE" and seen["raw_path"] == b"/base/v1/connect/connectors/slack%2Fmy-bot"
    assert seen["query"] == b"teamId=t1" and seen["body"] == b"{}"
    headers = seen["headers"]
    assert isinstance(headers, dict)
    assert headers[b"x-custom"] == b"1" and headers[b"authorization"] == b"Bearer vct_x_0123456789"
    assert b"user-agent" in headers and headers[b"user-agent"].startswith(b"python-httpx")  # the client's own
