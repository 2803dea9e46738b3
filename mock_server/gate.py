"""The gate: the one place every API operation runs.

The router (`mock_server/router.py`) hands it an operation's plan and the request. The gate reads the request
into a `ParsedRequest` (`parsing.py`: screen, authentication, path, query and body validated against the
operation, every offending field named), applies what a scenario or a `Prefer` stages, calls the vendor's
handler, sends the reply, any failure rendered in the vendor's own envelope (`replies.py`), and journals and
logs the exchange (`recording.py`). It answers every operation itself: Connexion's validation and
problem+json never run.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from starlette.types import Receive, Scope, Send

from mock_server.forced import forced_reply
from mock_server.parsing import ParsedRequest, parse_request
from mock_server.plans import OperationPlan
from mock_server.recording import Recorder
from mock_server.replies import failure_reply, send_reply
from mock_server.scenarios.staging import stage
from mock_server.vendors.base import Reply, RequestContext
from mock_server.world import World

__all__ = ["Gate"]


class Gate:
    """Runs operations: parse, stage, handle, reply, record."""

    def __init__(self, world: World, mounts: dict[str, str], recorder: Recorder) -> None:
        self.world = world
        self.mounts = mounts  # vendor -> mount path
        self.recorder = recorder

    async def __call__(self, plan: OperationPlan, path_params: dict[str, Any], scope: Scope, receive: Receive,
                       send: Send) -> None:
        started = time.perf_counter()
        if self.world.settings.latency_ms:
            await asyncio.sleep(self.world.settings.latency_ms / 1000)
        parsed: ParsedRequest | None = None
        try:
            parsed = await parse_request(plan, scope, receive, path_params, self.world.settings.max_body_bytes)
            reply = await self.run(plan, parsed, scope)
        except Exception as error:
            reply = failure_reply(plan, error)
        payload = await send_reply(reply, send, plan.adapter.response_headers())
        raw_body = parsed.raw_body if parsed is not None and parsed.body is not None else None
        self.recorder.operation(plan, scope, reply, payload, raw_body, started)

    async def run(self, plan: OperationPlan, parsed: ParsedRequest, scope: Scope) -> Reply:
        """The staged reply, a forced one, or the handler's."""
        prefer = parsed.headers.get("prefer", "")
        staged = await stage(self.world, plan.vendor, plan.operation, parsed.principal.tenant.id,
                             tuple(parsed.path_params.values()), prefer, scope)
        if staged.reply is not None:
            return staged.reply
        forced = forced_reply(plan.operation, prefer, self.world)
        if forced is not None:
            return staged.finish(forced)
        origin = self.world.settings.public_url or \
            f"{scope.get('scheme', 'http')}://{parsed.headers.get('host', 'localhost')}"
        ctx = RequestContext(
            vendor=plan.vendor,
            operation_id=plan.operation_id,
            principal=parsed.principal,
            path_params=parsed.path_params,
            query=parsed.query,
            body=parsed.body,
            headers=parsed.headers,
            base_url=origin + self.mounts[plan.vendor],
            origin=origin,
            deferred=parsed.deferred,
        )
        return staged.finish(await plan.handler(ctx))
