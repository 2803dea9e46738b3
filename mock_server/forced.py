"""`Prefer: code=NNN` and `Prefer: example=NAME`: answer with a documented response instead of the state,
as Stoplight Prism does, so a frontend can see every documented case on demand.

A forced answer says so in `Preference-Applied` (RFC 7240). A preference the operation cannot honour (a code
it does not document, an example it does not have) is never silently dropped: performing the real operation
would hand a developer who is staging an error a success instead. It is the vendor's 400, naming what the
operation documents.
"""

from __future__ import annotations

import re
from typing import Any

from mock_server.errors import BadRequest
from mock_server.examples import synthesize
from mock_server.vendors.base import Reply
from mock_server.world import World
from speclib.loader import Operation

__all__ = ["documented_codes", "forced_reply"]

PREFER_PART = re.compile(r"\s*(code|example)\s*=\s*\"?([^\";,\s]+)\"?")
STATUS = re.compile(r"[1-5][0-9][0-9]")
NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
UNDOCUMENTED = "prefer_not_documented"  # the error code, where the vendor's envelope carries one


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


def documented_codes(operation: Operation) -> list[str]:
    """The statuses the operation documents (`default` is not one a client can ask for)."""
    return [status for status in operation.responses if status.isdigit()]


def example_names(operation: Operation, statuses: list[str]) -> list[str]:
    return [name for status in statuses
            for name in operation.responses[status].get("content", {}).get("application/json", {})
            .get("examples", {})]


def shown(value: str, pattern: re.Pattern[str], otherwise: str) -> str:
    """A requested value as an error message may quote it: only when it looks like what was asked for."""
    return value if pattern.fullmatch(value) else otherwise


def undocumented(operation: Operation, what: str, offered: list[str]) -> BadRequest:
    where = f"{operation.method.upper()} {operation.path} ({operation.operation_id})"
    listing = ", ".join(offered) if offered else "none"
    return BadRequest(f"Prefer: {what} is not documented for {where}; it documents: {listing}",
                      code=UNDOCUMENTED)


def applied(wanted: dict[str, str]) -> str:
    return ", ".join(f"{name}={value}" for name, value in wanted.items())


def forced_reply(operation: Operation, prefer: str, world: World) -> Reply | None:
    """The documented response a `Prefer` header asks for; None when it asks for nothing (no `code` or
    `example`). Raises `BadRequest` when the operation documents no such code or example."""
    wanted = parse_prefer(prefer) if prefer else {}
    if not wanted:
        return None
    codes = documented_codes(operation)
    code, name = wanted.get("code"), wanted.get("example")
    if code is not None and code not in codes:
        raise undocumented(operation, f"code={shown(code, STATUS, '(not a status code)')}", codes)
    # Without a code, a named example is looked for in the successes first, then in the other answers.
    statuses = [code] if code else sorted(codes, key=lambda status: not status.startswith("2"))
    for status in statuses:
        found, body = named_example(operation.responses[status], name)
        if not found and name is not None:
            continue
        if not found:
            schema = operation.response_schema(status)
            body = synthesize(schema, world.faker) if schema else None
        return Reply(status=int(status), body=body, headers={"preference-applied": applied(wanted)})
    asked = f"example={shown(name or '', NAME, '(not an example name)')}"
    if code:
        asked = f"code={code}, {asked}"
    raise undocumented(operation, asked, [f"example={n}" for n in example_names(operation, statuses)])
