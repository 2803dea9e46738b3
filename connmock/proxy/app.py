"""The validation proxy: an ASGI app that forwards every request to the upstream and checks the exchange.

Requests go out unchanged (method, raw path, query, body, headers minus hop-by-hop ones) through one
streaming `httpx.AsyncClient`. A JSON response up to `max_body_bytes` is buffered and checked; anything
else (event streams, other media types, larger or oddly encoded bodies) is streamed through untouched and
logged as "not checked". `GET /__connmock/violations` answers the log; `DELETE` empties it.
"""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Literal

import httpx
import orjson
from starlette.types import Message, Receive, Scope, Send

from connmock.proxy.errors import error_body
from connmock.proxy.inspector import Exchange, Inspector
from connmock.proxy.recorder import Recorder
from connmock.proxy.violations import HEADER, ViolationLog, header_value
from connmock.spec import load_spec

__all__ = ["ProxyApp", "ProxySettings"]

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade", "host", "content-length"})
CLIENT_DEFAULTS = ("accept", "accept-encoding", "user-agent")
LOG_PATH = "/__connmock/violations"


@dataclass(frozen=True, slots=True)
class ProxySettings:
    vendor: str
    upstream: str
    mode: Literal["report", "enforce"] = "report"
    max_body_bytes: int = 1024 * 1024
    timeout: float = 30.0


def forwardable(headers: list[tuple[bytes, bytes]]) -> list[tuple[str, str]]:
    pairs = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers]
    named = {t.strip().lower() for k, v in pairs if k.lower() == "connection" for t in v.split(",")}
    return [(k, v) for k, v in pairs if k.lower() not in HOP_BY_HOP and k.lower() not in named]


def decoded(body: bytes, encoding: str, limit: int) -> bytes | None:
    """The body as the application sent it (gzip/deflate undone, bounded); None when it cannot be read."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in ("gzip", "deflate"):
        return None
    try:
        inflater = zlib.decompressobj(wbits=47 if encoding == "gzip" else 15)
        out = inflater.decompress(body, limit + 1)
    except zlib.error:
        return None
    return out if len(out) <= limit else None


@dataclass(slots=True)
class ProxyApp:
    settings: ProxySettings
    log: ViolationLog = field(init=False)
    inspector: Inspector = field(init=False)
    client: httpx.AsyncClient | None = None
    recorder: Recorder | None = None  # `--record`: every exchange also goes to a recording

    def __post_init__(self) -> None:
        spec = load_spec(self.settings.vendor)
        self.inspector = Inspector(spec)
        self.log = ViolationLog(self.settings.vendor)

    def http(self) -> httpx.AsyncClient:
        if self.client is None:
            self.client = httpx.AsyncClient(timeout=self.settings.timeout, follow_redirects=False, trust_env=False,
                                            limits=httpx.Limits(max_keepalive_connections=64))
        return self.client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] == "http":
            if scope["path"] == LOG_PATH:
                await self.answer_log(scope, send)
            else:
                await self.forward(scope, receive, send)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.client is not None:
                    await self.client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def answer_log(self, scope: Scope, send: Send) -> None:
        if scope["method"] == "DELETE":
            self.log.clear()
        await respond(send, 200, [("content-type", "application/json")], orjson.dumps(self.log.as_json()))

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.settings.max_body_bytes
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query_string = scope.get("query_string", b"").decode("latin-1")
        headers = forwardable(scope["headers"])
        prefix, more = await read_up_to(receive, limit)
        query = httpx.QueryParams(query_string).multi_items()
        exchange = self.inspector.begin(scope["method"], raw_path, query, headers, prefix, body_checked=not more)
        content: bytes | AsyncIterator[bytes] = prefix if not more else chain(prefix, receive)
        url = self.settings.upstream.rstrip("/") + raw_path + (f"?{query_string}" if query_string else "")
        client = self.http()
        request = client.build_request(scope["method"], url, headers=headers, content=content)
        sent = {k.lower() for k, _v in headers}
        for name in CLIENT_DEFAULTS:
            if name not in sent:
                request.headers.pop(name, None)
        checking = asyncio.ensure_future(asyncio.to_thread(self.inspector.request_problems, exchange))
        try:
            response = await client.send(request, stream=True)
        except httpx.HTTPError as error:
            await checking
            self.log.add(self.inspector.not_checked(exchange, "upstream-error", type(error).__name__, None))
            body = orjson.dumps(error_body(self.inspector.spec, "connmock proxy: the upstream did not answer"))
            await respond(send, 502, [("content-type", "application/json")], body)
            self.record(exchange, raw_path, query_string, headers, prefix if not more else None, None, [], None)
            return
        try:
            self.inspector.record_request(exchange, await checking)
            answer = await self.relay(exchange, response, send, limit)
            response_headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw]
            self.record(exchange, raw_path, query_string, headers, prefix if not more else None,
                        response.status_code, response_headers, answer)
        finally:
            await response.aclose()

    def record(self, exchange: Exchange, raw_path: str, query_string: str, headers: list[tuple[str, str]],
               body: bytes | None, status: int | None, response_headers: list[tuple[str, str]],
               answer: bytes | None) -> None:
        """Hand the exchange to the recorder (`--record`); a status of None: the upstream gave no answer."""
        if self.recorder is not None:
            path = raw_path + (f"?{query_string}" if query_string else "")
            self.recorder.add(exchange.operation, exchange.method, path, headers, body, status, response_headers,
                              answer)

    async def relay(self, exchange: Exchange, response: httpx.Response, send: Send, limit: int) -> bytes | None:
        """Pass the answer on; returns its (decoded) body when it was read whole, None when streamed."""
        out = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
               if k.decode("latin-1").lower() not in HOP_BY_HOP - {"content-length"}]
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        empty = response.headers.get("content-length") == "0" or response.status_code in (204, 304)
        reason = None if empty or media.endswith("json") else f"not JSON ({media or 'no content type'})"
        length = response.headers.get("content-length")
        if reason is None and length is not None and length.isdigit() and int(length) > limit:
            reason = f"larger than {limit} bytes"
        stream = response.aiter_raw()
        buffered = b""
        if reason is None:
            async for chunk in stream:
                buffered += chunk
                if len(buffered) > limit:
                    reason = f"larger than {limit} bytes"
                    break
        body = decoded(buffered, response.headers.get("content-encoding", ""), limit) if reason is None else None
        if reason is None and body is None:
            reason = f"content encoding {response.headers.get('content-encoding')} not inspected"
        if reason is not None:
            self.log.add(self.inspector.not_checked(exchange, "not-checked", reason, response.status_code))
            await send({"type": "http.response.start", "status": response.status_code, "headers": encode(out)})
            await send({"type": "http.response.body", "body": buffered, "more_body": True})
            kept: bytes | None = buffered if self.recorder is not None else None  # a small text body is recorded
            async for chunk in stream:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
                kept = kept + chunk if kept is not None and len(kept) + len(chunk) <= limit else None
            await send({"type": "http.response.body", "body": b""})
            plain = response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity")
            return kept if plain else None
        entries = self.inspector.finish(exchange, response.status_code, out, body or b"")
        self.log.add(entries)
        violations = [e for e in entries if e.kind == "violation"]
        if not violations:
            await respond(send, response.status_code, out, buffered)
            return body
        summary = header_value(violations)
        if self.settings.mode == "enforce":
            message = f"connmock proxy: the upstream answer ({response.status_code}) broke the " \
                      f"{self.settings.vendor} contract: {summary}"
            payload = orjson.dumps(error_body(self.inspector.spec, message))
            await respond(send, 502, [("content-type", "application/json"), (HEADER, summary)], payload)
            return body
        await respond(send, response.status_code, [*out, (HEADER, summary)], buffered)
        return body


def encode(headers: list[tuple[str, str]]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]


async def respond(send: Send, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != "content-length"] + [("content-length", str(len(body)))]
    await send({"type": "http.response.start", "status": status, "headers": encode(headers)})
    await send({"type": "http.response.body", "body": body})


async def read_up_to(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body up to `limit` bytes, and whether more follows (then left in `receive`)."""
    body = b""
    while True:
        message: Message = await receive()
        body += message.get("body", b"")
        if not message.get("more_body"):
            return body, False
        if len(body) > limit:
            return body, True


async def chain(prefix: bytes, receive: Receive) -> AsyncIterator[bytes]:
    yield prefix
    while True:
        message = await receive()
        yield message.get("body", b"")
        if not message.get("more_body"):
            return
