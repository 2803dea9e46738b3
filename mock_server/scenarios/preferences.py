"""`Prefer: delay=MS` and `Prefer: drop`: one request's staging, without arming anything.

`delay=MS` answers as usual after MS milliseconds (1 to 30000); `drop` closes the connection without an answer.
Both sit beside `code=` and `example=` (`mock_server/forced.py`); a malformed delay is the vendor's 400, like a
code the operation does not document. Preferences the mock does not know are left alone (RFC 7240).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mock_server.armed.model import MAX_DELAY_MS
from mock_server.errors import BadRequest

__all__ = ["staging"]

TOKEN = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*(?:=\s*\"?([^\";,]*)\"?)?\s*(?:;[^,]*)?")
DIGITS = re.compile(r"[0-9]{1,6}")
INVALID = "prefer_invalid"  # the error code, where the vendor's envelope carries one


@dataclass(frozen=True, slots=True)
class Staging:
    """What a request's `Prefer` header stages: a delay before answering, or a dropped connection."""

    delay_ms: int | None = None
    drop: bool = False

    @property
    def applied(self) -> list[str]:
        return ([f"delay={self.delay_ms}"] if self.delay_ms is not None else []) + (["drop"] if self.drop else [])


def preferences(header: str) -> dict[str, str]:
    """Every preference of the header by name (lower-cased), its value or `""`; the first of a name wins."""
    found: dict[str, str] = {}
    for part in header.split(","):
        match = TOKEN.fullmatch(part)
        if match:
            found.setdefault(match.group(1).lower(), (match.group(2) or "").strip())
    return found


def staging(header: str) -> Staging:
    """The delay and drop a `Prefer` header asks for; raises `BadRequest` for a delay out of bounds."""
    if not header:
        return Staging()
    wanted = preferences(header)
    delay: int | None = None
    if "delay" in wanted:
        raw = wanted["delay"]
        if not DIGITS.fullmatch(raw) or not 1 <= int(raw) <= MAX_DELAY_MS:
            shown = raw if DIGITS.fullmatch(raw) else "(not a number)"
            raise BadRequest(f"Prefer: delay={shown} is not a delay; give milliseconds from 1 to {MAX_DELAY_MS}",
                             code=INVALID)
        delay = int(raw)
    return Staging(delay_ms=delay, drop="drop" in wanted)
