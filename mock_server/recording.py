"""Journalling and logging each request: an operation's exchange, or a request no operation takes.

A request no operation takes is usually a call an SDK makes that the mock's spec does not have
(`createIntegration`, say), so it is never silent: it is journalled (`GET /__connmock/requests`, with
`operation: null`) and logged at the level of the per-request lines, naming vendor, method and path (never the
query or body, which may hold secrets).
"""

from __future__ import annotations

import functools
import logging
import time
from typing import Any

import orjson
from starlette.types import Scope

from mock_server.access_log import AccessLog
from mock_server.journal import Exchange, JournalEntry, redacted_query
from mock_server.parsing import TENANT_KEY
from mock_server.plans import OperationPlan
from mock_server.scenarios.staging import SCENARIO_KEY
from mock_server.vendors.base import Reply
from mock_server.world import World
from speclib.validation import apply_defaults

__all__ = ["Recorder"]


def journalled_body(plan: OperationPlan, raw: bytes) -> Any:
    """What the journal shows of a validated request body: as the gate read it (the vendor's reading, the
    schema's defaults), its secrets redacted."""
    assert plan.body_validator is not None
    schema = plan.body_validator.schema
    body = plan.adapter.body_input(orjson.loads(raw), schema) if raw.strip() else {}
    return plan.redact(apply_defaults(schema, body))


class Recorder:
    """Writes the journal entry and the log line of every request the vendor APIs answer."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.log = AccessLog(logging.getLogger("connmock"))

    def operation(self, plan: OperationPlan, scope: Scope, reply: Reply, payload: bytes, raw_body: bytes | None,
                  started: float) -> None:
        """`raw_body`: the request body as sent, when the operation read and accepted one; `payload`: the reply
        as sent (journalled for errors only: success bodies may carry secrets the vendor returns)."""
        elapsed = (time.perf_counter() - started) * 1000
        method, path = scope["method"], scope["path"]
        self.log(f"{plan.vendor} {method} {path} -> {reply.status} ({elapsed:.1f} ms)")
        journal = self.world.journal
        if journal.keeping:
            error = payload if reply.status >= 400 and isinstance(reply.body, dict) else None
            journal.add_exchange(Exchange(
                self.world.clock.now(), plan.vendor, plan.operation_id, method, path,
                scope.get("query_string", b"").decode("latin-1"), reply.status, round(elapsed, 2),
                scope.get(SCENARIO_KEY), scope.get(TENANT_KEY), raw_body, functools.partial(journalled_body, plan),
                error))

    def unrouted(self, vendor: str, scope: Scope, reply: Reply) -> None:
        method, path = scope["method"], scope["path"]
        what = "a method" if reply.status == 405 else "an operation"
        self.log(f"{vendor} {method} {path} -> {reply.status}: not {what} of the mock's {vendor} spec")
        self.world.journal.add(JournalEntry(
            at=self.world.clock.now().isoformat(), vendor=vendor, operation=None, method=method, path=path,
            query=redacted_query(scope.get("query_string", b"").decode("latin-1")), status=reply.status,
            duration_ms=0.0, request_body=None, response_body=reply.body))
