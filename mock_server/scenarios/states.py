"""`state` scenarios: an expired token or a revoked connection, shown by the reads of that connection the way
each vendor's spec says such a connection reads.

What each vendor's read shows is its profile's `scenarios.state-shows` (`openapi/<vendor>.yaml`):

- Nango refreshes an expired OAuth token when the connection is read (`GET /connections/{id}`); when the refresh
  fails (the refresh token expired too, or the user revoked the grant) it answers the documented 424
  (`invalid_credentials`, "refresh exhausted"). Both states are that answer.
- OpenInt reads the connection with its `status`, whose documented values include `error` and `disconnected`:
  an expired token reads `status: error`, a revoked connection `status: disconnected`, each with a
  `status_message` saying so.
- xpander.ai (`active`, `pending`, `denied`) and Vercel Connect document nothing for either state, so a `state`
  scenario for them is refused when it is armed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mock_server.forced import forced_reply
from mock_server.vendors.base import Reply
from mock_server.world import World
from openapi import vendors
from speclib.loader import Operation
from speclib.profile import vendor_profile

__all__ = ["Overlay", "state_overlay", "state_reads", "state_reply", "unsupported"]

Overlay = Callable[[Reply], Reply]


def state_reads(vendor: str) -> tuple[str, ...]:
    """The reads that show the state (each names the connection in its path): the profile's
    `scenarios.state-reads`."""
    return vendor_profile(vendor).state_reads


def unsupported(vendor: str) -> str | None:
    """Why `vendor` cannot show a state (None when it can)."""
    if state_reads(vendor):
        return None
    able = sorted(v for v in vendors() if state_reads(v))
    return (f"{vendor} documents no expired or revoked state for a connection; state scenarios exist for "
            f"{', '.join(able)}")


def state_reply(vendor: str, operation: Operation, world: World) -> Reply | None:
    """The answer that replaces the read (the profile's `state-shows.answer`, a documented status), or None when
    the read is answered and then changed by `state_overlay`."""
    answer = vendor_profile(vendor).state_answer
    if answer is None:
        return None
    reply = forced_reply(operation, f"code={answer}", world)
    assert reply is not None  # the spec documents it (tests/api/test_scenarios.py holds it to that)
    reply.headers.pop("preference-applied", None)
    return reply


def state_overlay(vendor: str, state: str, object_id: str) -> Overlay | None:
    """What changes the answered read: the fields the profile's `state-shows.fields` names for the state
    (OpenInt's `status` and `status_message`)."""
    shown = vendor_profile(vendor).state_fields.get(state)
    if not shown:
        return None

    def overlay(reply: Reply) -> Reply:
        body: Any = reply.body
        if reply.status == 200 and isinstance(body, dict) and body.get("id") == object_id:
            reply.body = {**body, **shown}
        return reply

    return overlay
