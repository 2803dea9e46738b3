"""Deliberately broken servers: ASGI middleware around the faithful mock, each breaking one contract rule.

Which values are secrets, which operation creates and which status means "invalid" all come from the
specs, so the same faults apply to every vendor.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connmock.spec import load_spec, secret_rules
from connmock.spec.loader import Operation
from connmock.spec.secrets import secret_values
from fixtures.factories import CREATE_OPERATIONS

FAULTS = (
    "leak-in-create",       # a secret of the request echoed in the create answer
    "leak-in-get",          # a stored secret added to every single-object read
    "leak-in-list",         # a stored secret added to every list answer
    "leak-in-error",        # the request body echoed in a validation error
    "leak-in-header",       # a secret, base64-encoded, in a header of the create answer
    "accept-missing",       # a create with a field missing is answered as a success
    "wrong-error-status",   # validation errors answered with another 4xx status
    "wrong-error-shape",    # validation errors answered with a body outside the vendor's error schema
    "drop-response-field",  # a field the create answer's schema requires is left out
)


def route_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$")


@dataclass
class Broken:
    """Wrap `app` (the mock with `vendor` mounted at `/<vendor>`) and break the rule named by `fault`."""

    app: ASGIApp
    vendor: str
    fault: str
    stored: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        spec = load_spec(self.vendor)
        self.create: Operation = spec.operation(CREATE_OPERATIONS[self.vendor])
        self.rules = secret_rules(spec).get(self.create.operation_id, ())
        self.create_path = route_regex(self.create.path)
        self.success = int(next(s for s in self.create.statuses() if s.startswith("2")))
        self.invalid = 422 if "422" in self.create.statuses() else 400
        schema = self.create.response_schema(self.success) or {}
        self.required = required_names(schema)
        self.gets = [route_regex(op.path) for op in spec.operations.values() if op.method == "GET" and "{" in op.path]
        self.lists = [route_regex(op.path) for op in spec.operations.values()
                      if op.method == "GET" and "{" not in op.path]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        prefix = f"/{self.vendor}"
        if scope["type"] != "http" or not scope["path"].startswith(prefix):
            await self.app(scope, receive, send)
            return
        path, method = scope["path"][len(prefix):], scope["method"]
        request = await read_body(receive)
        replay = replayer(request)
        status, headers, body = await capture(self.app, scope, replay)
        status, headers, body = self.break_answer(method, path, request, status, headers, body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(k, v) for k, v in headers if k.lower() != b"content-length"]
                    + [(b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    def secrets_of(self, request: bytes) -> list[str]:
        try:
            document = json.loads(request)
        except ValueError:
            return []
        return [value for _path, value, _rule in secret_values(self.rules, document)]

    def break_answer(self, method: str, path: str, request: bytes, status: int,
                     headers: list[tuple[bytes, bytes]], body: bytes) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        is_create = method == self.create.method and bool(self.create_path.match(path))
        if is_create and status == self.success:
            self.stored += self.secrets_of(request)
        fault = self.fault
        secrets = self.secrets_of(request)
        if is_create and status == self.success and secrets:
            if fault == "leak-in-create":
                return status, headers, add_field(body, "debug", secrets[0])
            if fault == "leak-in-header":
                return status, [*headers, (b"x-debug-credential", base64.b64encode(secrets[0].encode()))], body
        if is_create and status == self.success and fault == "drop-response-field" and self.required:
            document = json.loads(body)
            document.pop(self.required[0], None)
            return status, headers, json.dumps(document).encode()
        if method == "GET" and status == 200 and self.stored:
            if fault == "leak-in-get" and any(r.match(path) for r in self.gets):
                return status, headers, add_field(body, "debug", self.stored[-1])
            if fault == "leak-in-list" and any(r.match(path) for r in self.lists):
                return status, headers, add_field(body, "debug", self.stored[-1])
        if is_create and 400 <= status < 500 and fault == "leak-in-error" and secrets:
            return status, headers, add_field(body, "received", request.decode(errors="replace"))
        if is_create and status == self.invalid:
            if fault == "accept-missing":
                return self.success, headers, body
            if fault == "wrong-error-status":
                return (400 if self.invalid == 422 else 422), headers, body
            if fault == "wrong-error-shape":
                return status, headers, json.dumps({"error": "invalid"}).encode()
        return status, headers, body


def required_names(schema: dict[str, Any]) -> list[str]:
    names = list(schema.get("required", []))
    for sub in schema.get("allOf", []):
        names += required_names(sub)
    return names


def add_field(body: bytes, name: str, value: Any) -> bytes:
    document = json.loads(body)
    if isinstance(document, dict):
        document[name] = value
    return json.dumps(document).encode()


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def replayer(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


async def capture(app: ASGIApp, scope: Scope, receive: Receive) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    status, headers, chunks = 500, [], []

    async def send(message: Message) -> None:
        nonlocal status, headers
        if message["type"] == "http.response.start":
            status, headers = message["status"], list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, headers, b"".join(chunks)
