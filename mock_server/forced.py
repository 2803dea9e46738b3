"""`Prefer: code=NNN` and `Prefer: example=NAME`: answer with a documented response instead of the state,
as Stoplight Prism does, so a frontend can see every documented case on demand."""

from __future__ import annotations

import re
from typing import Any

from connmock.spec.loader import Operation
from mock_server.examples import synthesize
from mock_server.vendors.base import Reply
from mock_server.world import World

PREFER_PART = re.compile(r"\s*(code|example)\s*=\s*\"?([^\";,\s]+)\"?")


def parse_prefer(header: str) -> dict[str, str]:
    return {m.group(1): m.group(2) for m in PREFER_PART.finditer(header)}


def named_example(response: dict[str, Any], name: str | None) -> tuple[bool, Any]:
    media = response.get("content", {}).get("application/json", {})
    examples = media.get("examples", {})
    if name is not None:
        if name in examples:
            return True, examples[name].get("value")
        return False, None
    if examples:
        return True, next(iter(examples.values())).get("value")
    if "example" in media:
        return True, media["example"]
    return False, None


def forced_reply(operation: Operation, prefer: str, world: World) -> Reply | None:
    """The documented response a `Prefer` header asks for, or None when it asks for nothing we have."""
    wanted = parse_prefer(prefer) if prefer else {}
    if not wanted:
        return None
    code = wanted.get("code")
    statuses = [code] if code else [s for s in operation.responses if s.startswith("2")] or list(operation.responses)
    for status in statuses:
        response = operation.responses.get(status)
        if response is None or not status.isdigit():
            continue
        found, body = named_example(response, wanted.get("example"))
        if not found and "example" in wanted:
            continue
        if not found:
            schema = operation.response_schema(status)
            body = synthesize(schema, world.faker) if schema else None
        return Reply(status=int(status), body=body)
    return None
