"""What the gate asks before it runs an operation: does an armed scenario or the `Prefer` header stage this
request? The answer delays it, drops its connection, answers a documented error, or shows a connection's state.

A consumed scenario (or a staging `Prefer`) is named in the request's journal entry (`scenario`); a dropped
request has an entry of its own with status 0 (no answer, as a browser's fetch reports a network error).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from starlette.types import Scope

from mock_server.armed.model import Scenario
from mock_server.forced import forced_reply
from mock_server.journal import JournalEntry, redacted_query
from mock_server.scenarios.preferences import staging
from mock_server.scenarios.states import Overlay, state_overlay, state_reads, state_reply
from mock_server.vendors.base import Reply
from mock_server.world import World
from speclib.loader import Operation

__all__ = ["SCENARIO_KEY", "ConnectionDropped", "stage"]

SCENARIO_KEY = "connmock.scenario"  # the scope entry naming what staged the request, for its journal entry
ON_ANY_OPERATION = ("error", "delay", "drop")


class ConnectionDropped(BaseException):
    """Raised through the app to its edge (`mock_server.scenarios.dropping`), which closes the connection without
    an answer. A `BaseException`, so no `except Exception` on the way renders it as a 500."""


@dataclass(frozen=True, slots=True)
class Staged:
    """The gate's instructions for one request: an answer in place of the operation's, or what to add to it."""

    reply: Reply | None = None
    applied: tuple[str, ...] = ()  # for `Preference-Applied`
    overlay: Overlay | None = None

    def finish(self, reply: Reply) -> Reply:
        """The operation's (or a forced) answer, changed by the staged state and marked with what was applied."""
        if self.overlay is not None:
            reply = self.overlay(reply)
        if self.applied:
            before = reply.headers.get("preference-applied")
            reply.headers["preference-applied"] = ", ".join(([before] if before else []) + list(self.applied))
        return reply


NOTHING = Staged()


def scenario_reply(scenario: Scenario, operation: Operation, world: World) -> Staged:
    if scenario.kind == "error":
        reply = forced_reply(operation, f"code={scenario.status}", world)  # documented: checked when armed
        assert reply is not None
        reply.headers.pop("preference-applied", None)
        return Staged(reply=reply)
    if scenario.kind == "state" and scenario.state and scenario.object_id:
        return Staged(reply=state_reply(scenario.vendor, operation, world),
                      overlay=state_overlay(scenario.vendor, scenario.state, scenario.object_id))
    return Staged()


async def stage(world: World, vendor: str, operation: Operation, tenant: str, objects: tuple[str, ...],
                prefer: str, scope: Scope) -> Staged:
    """Consume the oldest matching scenario and apply it with the `Prefer` header's staging. Raises
    `ConnectionDropped` for a drop, `BadRequest` for a malformed `Prefer: delay`."""
    wanted = staging(prefer)
    kinds = (*ON_ANY_OPERATION, "state") if operation.operation_id in state_reads(vendor) else ON_ANY_OPERATION
    scenario = world.scenarios.take(vendor, kinds, operation.operation_id, tenant, objects)
    if scenario is None and not wanted.applied:
        return NOTHING
    labels = ([scenario.label] if scenario else []) + ([f"Prefer: {', '.join(wanted.applied)}"] if wanted.applied
                                                        else [])
    scope[SCENARIO_KEY] = "; ".join(labels)
    delays = [wanted.delay_ms or 0, (scenario.delay_ms or 0) if scenario else 0]
    if max(delays):
        await asyncio.sleep(max(delays) / 1000)
    if wanted.drop or (scenario is not None and scenario.kind == "drop"):
        journal_drop(world, vendor, operation, scope)
        raise ConnectionDropped(scope[SCENARIO_KEY])
    staged = scenario_reply(scenario, operation, world) if scenario else NOTHING
    return replace(staged, applied=tuple(wanted.applied))


def journal_drop(world: World, vendor: str, operation: Operation, scope: Scope) -> None:
    world.journal.add(JournalEntry(
        at=world.clock.now().isoformat(), vendor=vendor, operation=operation.operation_id, method=scope["method"],
        path=scope["path"], query=redacted_query(scope.get("query_string", b"").decode("latin-1")), status=0,
        duration_ms=0.0, request_body=None, response_body=None, scenario=scope.get(SCENARIO_KEY)))
