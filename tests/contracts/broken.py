"""Deliberately broken servers for the tests: the product's fault zoo (`connmock.faults`) around the mock.

`Broken(app, vendor, fault)` is the mock broken by the zoo's fault `fault`; `stored` collects every secret of
the creates it accepted, so a test can check that no output holds any of them.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from connmock.faults import FAULTS, fault_names
from connmock.faults.asgi import Answer, FaultyApp, Forward, Request
from connmock.faults.model import model_of

__all__ = ["FAULTS", "Broken"]

FAULT_NAMES = fault_names()


class Broken:
    """Wrap `app` (the mock with `vendor` mounted at `/<vendor>`) and break the rule named by `fault`."""

    def __init__(self, app: ASGIApp, vendor: str, fault: str) -> None:
        self.vendor, self.fault = vendor, fault
        self.stored: list[str] = []
        model = model_of(vendor)
        inner = FAULTS[fault].build(model)

        async def handle(request: Request, forward: Forward) -> Answer:
            answer = await inner(request, forward)
            if model.is_create(request.method, request.path) and answer.status == model.success:
                self.stored += model.secrets_in(request.json())
            return answer

        self.app = FaultyApp(app, vendor, handle)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
