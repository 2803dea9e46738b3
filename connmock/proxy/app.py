"""The validation proxy: an ASGI app that forwards every request to the upstream and checks the exchange.

Requests go out unchanged (method, raw path, query, body, headers minus hop-by-hop ones) through one
streaming `httpx.AsyncClient`. A JSON response up to `max_body_bytes` is buffered and checked; other media
types and encodings the proxy cannot undo are streamed through untouched and logged as "not checked". A JSON
response larger than `max_body_bytes` (as sent, or once decompressed) is a violation: the proxy cannot vouch
for it, so enforce mode answers 502 instead (fail closed) and report mode passes it on with the header.
An answer that breaks off (bad chunked encoding, a body shorter than its Content-Length, a connection closed
or stalled mid-body) is a violation too: the client gets the 502, or a closed connection when the head of the
answer had already gone out. `GET /__connmock/violations` answers the log; `DELETE` empties it.
"""

from __future__ import annotations

import asyncio
import logging
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
from connmock.proxy.reply import Reply
from connmock.proxy.violations import HEADER, Entry, Kind, ViolationLog, header_value
from speclib import load_spec

__all__ = ["ProxyApp", "ProxySettings"]

HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer",
                        "trailers", "transfer-encoding", "upgrade", "host", "content-length"})
CLIENT_DEFAULTS = ("accept", "accept-encoding", "user-agent")
LOG_PATH = "/__connmock/violations"
TOO_LARGE = "response-too-large"
logger = logging.getLogger(__name__)


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


DECODABLE = ("gzip", "deflate")  # the content encodings the proxy undoes to check an answer (`decoded`)


def readable_only(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The client's `Accept-Encoding` narrowed to what the proxy can undo and check (enforce mode): otherwise a
    brotli or zstd answer would pass unchecked, secrets and all. What the client accepts of those stays; none
    left is `identity`."""
    out = []
    for name, value in headers:
        if name.lower() == "accept-encoding":
            tokens = [t.split(";", 1)[0].strip().lower() for t in value.split(",")]
            kept = list(DECODABLE) if "*" in tokens else [t for t in tokens if t in (*DECODABLE, "identity")]
            value = ", ".join(dict.fromkeys(kept)) or "identity"
        out.append((name, value))
    return out


def decoded(body: bytes, encoding: str, limit: int) -> bytes | None:
    """The body as the application sent it (gzip/deflate undone, at most `limit` + 1 bytes: more means too large);
    None when it cannot be read."""
    encoding = encoding.strip().lower()
    if encoding in ("", "identity"):
        return body
    if encoding not in DECODABLE:
        return None
    try:
        return zlib.decompressobj(wbits=47 if encoding == "gzip" else 15).decompress(body, limit + 1)
    except zlib.error:
        return None


def declared_larger(response: httpx.Response, limit: int) -> bool:
    length = response.headers.get("content-length")
    return length is not None and length.isdigit() and int(length) > limit


def broken_off(error: httpx.TransportError, response: httpx.Response) -> str:
    """Why an answer's body could not be read, in one line built from its headers and the error's type only:
    an error's message may quote what the upstream sent (h11 quotes a bad chunk header whole)."""
    length = response.headers.get("content-length")
    if isinstance(error, httpx.TimeoutException):
        what = "the upstream stopped sending mid-body"
    elif "chunked" in response.headers.get("transfer-encoding", "").lower():
        what = "its chunked encoding is malformed or unfinished"
    elif length is not None and length.isdigit():
        what = f"its body ended before its Content-Length ({int(length)} bytes)"
    else:
        what = "the connection broke mid-body"
    return f"the answer broke off: {what} ({type(error).__name__})"


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
        await Reply(send).whole(200, [("content-type", "application/json")], orjson.dumps(self.log.as_json()))

    async def forward(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.settings.max_body_bytes
        raw_path = (scope.get("raw_path") or scope["path"].encode()).decode("latin-1")
        query_string = scope.get("query_string", b"").decode("latin-1")
        headers = forwardable(scope["headers"])
        if self.settings.mode == "enforce":
            headers = readable_only(headers)
        prefix, more = await read_up_to(receive, limit)
        query = httpx.QueryParams(query_string).multi_items()
        exchange = self.inspector.begin(scope["method"], raw_path, query, headers, prefix, body_checked=not more)
        reply = Reply(send, on_start=lambda: self.log.add(exchange.entries), head=scope["method"] == "HEAD")
        content: bytes | AsyncIterator[bytes] = prefix if not more else chain(prefix, receive)
        url = self.settings.upstream.rstrip("/") + raw_path + (f"?{query_string}" if query_string else "")
        client = self.http()
        request = client.build_request(scope["method"], url, headers=headers, content=content)
        sent = {k.lower() for k, _v in headers}
        for name in CLIENT_DEFAULTS:
            if name not in sent:
                request.headers.pop(name, None)
        try:
            status, response_headers, answer = await self.round_trip(exchange, request, reply)
        except asyncio.CancelledError:
            # The server is stopping and its grace period is over. This task is the request's outermost one (no
            # timeout or task group above it counts on the cancellation), so it ends the exchange like any other
            # failure instead of leaving uvicorn a traceback, and the report says what was still in flight.
            await self.fail(exchange, reply, "not checked", "proxy-stopped", "the proxy stopped before the answer "
                            "was complete", None)
            status, response_headers, answer = None, [], None
        self.record(exchange, raw_path, query_string, headers, prefix if not more else None, status,
                    response_headers, answer)

    async def round_trip(self, exchange: Exchange, request: httpx.Request, reply: Reply,
                         ) -> tuple[int | None, list[tuple[str, str]], bytes | None]:
        """Send the request, pass the answer on; its status (None: no whole answer), headers and readable body."""
        checking = asyncio.ensure_future(asyncio.to_thread(self.inspector.request_problems, exchange))
        try:
            response = await self.http().send(request, stream=True)
        except httpx.HTTPError as error:
            await checking
            await self.fail(exchange, reply, "not checked", "upstream-error",
                            f"the upstream did not answer ({type(error).__name__})", None)
            return None, [], None
        try:
            self.inspector.record_request(exchange, await checking)
            answer = await self.relay(exchange, response, reply)
        except httpx.TransportError as error:
            await self.fail(exchange, reply, "violation", "malformed-response", broken_off(error, response),
                            response.status_code)
            return None, [], None
        finally:
            await response.aclose()
        return response.status_code, [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw], \
            answer

    async def fail(self, exchange: Exchange, reply: Reply, kind: Kind, rule: str, detail: str,
                   status: int | None) -> None:
        """End an exchange that cannot end as it began: one log line, an entry, and the 502 -- or, when the head
        of the answer already went out, a closed connection (uvicorn adds a line saying so)."""
        entry = self.inspector.entry(exchange, kind, rule, "body", detail, status)
        logger.warning("connmock proxy: %s (%s %s)", entry.line(), entry.method, entry.path)
        if reply.started:
            self.log.amend([entry])
            return
        await self.bad_gateway(reply, f"connmock proxy: {entry.detail}", [entry])

    async def bad_gateway(self, reply: Reply, message: str, entries: list[Entry]) -> None:
        """The 502 in the vendor's error shape; the header names the violations among `entries`, if any."""
        violations = [e for e in entries if e.kind == "violation"]
        named = [(HEADER, header_value(violations))] if violations else []
        payload = orjson.dumps(error_body(self.inspector.spec, message))
        await reply.whole(502, [("content-type", "application/json"), *named], payload)

    def record(self, exchange: Exchange, raw_path: str, query_string: str, headers: list[tuple[str, str]],
               body: bytes | None, status: int | None, response_headers: list[tuple[str, str]],
               answer: bytes | None) -> None:
        """Hand the exchange to the recorder (`--record`); a status of None: no whole answer (none, or broken off)."""
        if self.recorder is not None:
            path = raw_path + (f"?{query_string}" if query_string else "")
            self.recorder.add(exchange.operation, exchange.method, path, headers, body, status, response_headers,
                              answer)

    async def relay(self, exchange: Exchange, response: httpx.Response, reply: Reply) -> bytes | None:
        """Pass the answer on (a broken body raises httpx.TransportError); returns its decoded body when it was
        read whole, None when streamed."""
        limit = self.settings.max_body_bytes
        status = response.status_code
        out = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers.raw
               if k.decode("latin-1").lower() not in HOP_BY_HOP - {"content-length"}]
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        empty = response.headers.get("content-length") == "0" or status in (204, 304) \
            or response.request.method == "HEAD"  # its Content-Length is that of a body it does not send
        reason = None if empty or media.endswith("json") else f"not JSON ({media or 'no content type'})"
        stream = response.aiter_raw()
        buffered = b""
        too_large = reason is None and not empty and declared_larger(response, limit)
        if reason is None and not too_large:
            async for chunk in stream:
                buffered += chunk
                if len(buffered) > limit:
                    too_large = True
                    break
        encoding = response.headers.get("content-encoding", "")
        body = decoded(buffered, encoding, limit) if reason is None and not too_large else None
        if too_large or (body is not None and len(body) > limit):
            await self.too_large(exchange, reply, status, out, buffered, stream)
            return None
        if reason is None and body is None:
            reason = f"content encoding {encoding} not inspected"
        if reason is not None:
            self.inspector.not_checked(exchange, "not-checked", reason, status)
            plain = response.headers.get("content-encoding", "identity").strip().lower() in ("", "identity")
            kept = await self.stream_through(reply, status, out, buffered, stream)
            return kept if plain else None
        entries = self.inspector.finish(exchange, status, out, body or b"")
        violations = [e for e in entries if e.kind == "violation"]
        if not violations:
            await reply.whole(status, out, buffered)
            return body
        summary = header_value(violations)
        if self.settings.mode == "enforce":
            message = f"connmock proxy: the upstream answer ({status}) broke the {self.settings.vendor} contract: " \
                      f"{summary}"
            await self.bad_gateway(reply, message, violations)
            return body
        await reply.whole(status, [*out, (HEADER, summary)], buffered)
        return body

    async def too_large(self, exchange: Exchange, reply: Reply, status: int, headers: list[tuple[str, str]],
                        first: bytes, stream: AsyncIterator[bytes]) -> None:
        """A JSON answer too large to check. Whatever it holds (a secret, an error) went unseen, so it is a
        violation; enforce mode fails closed (the 502, the answer unread), report mode passes it on."""
        limit = self.settings.max_body_bytes
        entry = self.inspector.entry(exchange, "violation", TOO_LARGE, "body",
                                     f"not checked: larger than --max-body-bytes ({limit} bytes)", status)
        if self.settings.mode == "enforce":
            message = f"connmock proxy: the upstream answer ({status}) was {entry.detail}, so not passed on"
            await self.bad_gateway(reply, message, [entry])
            return
        await self.stream_through(reply, status, [*headers, (HEADER, header_value([entry]))], first, stream)

    async def stream_through(self, reply: Reply, status: int, headers: list[tuple[str, str]], first: bytes,
                             stream: AsyncIterator[bytes]) -> bytes | None:
        """Pass an unchecked answer on as it comes; returns it when `--record` wants it and it is small."""
        limit = self.settings.max_body_bytes
        await reply.start(status, headers)
        await reply.body(first)
        kept: bytes | None = first if self.recorder is not None else None  # a small text body is recorded
        async for chunk in stream:
            await reply.body(chunk)
            kept = kept + chunk if kept is not None and len(kept) + len(chunk) <= limit else None
        await reply.body(b"", more=False)
        return kept


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
