"""Replay a recording against a live server and compare every answer with the recorded one.

Requests go out in order with the target's own credentials and seeded ids (`substitution`), and with the
ids the target itself produced earlier in the replay (`shapes.Carried`). Setup exchanges (objects the
recorded server had to be given, that a target already has seeded) are skipped unless asked for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx

from connmock.fidelity import substitution
from connmock.fidelity.recordings import RecordedRequest, Recording
from connmock.fidelity.shapes import Carried, Difference, compare

__all__ = ["Answer", "ReplayReport", "parse_body", "replay", "send"]

DROPPED_REQUEST_HEADERS = frozenset({"content-length", "host", "connection"})


@dataclass(frozen=True, slots=True)
class Answer:
    """What a server answered (status None: no HTTP response)."""

    status: int | None
    headers: dict[str, str]
    body: Any


@dataclass(slots=True)
class ExchangeResult:
    index: int
    label: str
    skipped: bool
    answer: Answer | None = None
    differences: list[Difference] = field(default_factory=list)


@dataclass(slots=True)
class ReplayReport:
    recording: str
    base_url: str
    results: list[ExchangeResult] = field(default_factory=list)

    @property
    def differences(self) -> list[Difference]:
        return [d for r in self.results for d in r.differences]


def parse_body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text


def send(client: httpx.Client, base_url: str, request: RecordedRequest) -> Answer:
    """Send one request as recorded (a JSON body, or raw text for a malformed one)."""
    headers = {k: v for k, v in request.headers.items() if k.lower() not in DROPPED_REQUEST_HEADERS}
    content: bytes | None = None
    if request.body_text is not None:
        content = request.body_text.encode()
    elif request.body is not None:
        content = json.dumps(request.body).encode()
    try:
        response = client.request(request.method, base_url.rstrip("/") + request.path, headers=headers,
                                  content=content)
    except (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError, httpx.ReadTimeout):
        return Answer(None, {}, None)
    return Answer(response.status_code, dict(response.headers), parse_body(response))


def substituted(request: RecordedRequest, mapping: dict[str, str]) -> RecordedRequest:
    sub = substitution.substitute
    return RecordedRequest(request.method, sub(request.path, mapping), sub(request.headers, mapping),
                           sub(request.body, mapping), sub(request.body_text, mapping))


def moved(recording: Recording, base_url: str) -> dict[str, str]:
    """The recorded server's origin -> the target's, when the recording names it (links in answers)."""
    server = str(recording.source.get("server", ""))
    if not server.startswith(("http://", "https://")):
        return {}
    return {substitution.origin(server): substitution.origin(base_url)}


def replay(recording: Recording, base_url: str, *, client: httpx.Client | None = None,
           tenants: list[dict[str, Any]] | None = None, values: dict[str, str] | None = None,
           vendor: str | None = None, setup: bool = False) -> ReplayReport:
    """Send every exchange of `recording` to `base_url` in order; the report holds every difference."""
    own = client is None
    http = client or httpx.Client(timeout=30)
    try:
        if tenants is None:
            tenants = substitution.fetch_tenants(http, base_url, vendor or recording.vendor) or []
        carried = Carried(substitution.resolve(recording.roles, tenants, {**moved(recording, base_url),
                                                                          **(values or {})}))
        report = ReplayReport(recording.key, base_url)
        for index, exchange in enumerate(recording.exchanges):
            if exchange.setup and not setup:
                report.results.append(ExchangeResult(index, exchange.label, skipped=True))
                continue
            answer = send(http, base_url, substituted(exchange.request, carried.values))
            want = exchange.response
            diffs = compare(index, want.status, want.headers, substitution.substitute(want.body, carried.values),
                            answer.status, answer.headers, answer.body, carried)
            report.results.append(ExchangeResult(index, exchange.label, False, answer, diffs))
        return report
    finally:
        if own:
            http.close()
