"""Faults of a server that stops answering: the process dies on one kind of request."""

from __future__ import annotations

from connmock.faults.asgi import Answer, Dropped, Forward, Handler, Request
from connmock.faults.base import Fault
from connmock.faults.model import VendorModel

__all__ = ["CRASH"]


def dies_on_bare_delete(model: VendorModel) -> Handler:
    """A DELETE without a `Content-Type` header gets no answer: the connection is dropped (the real OpenInt
    server exits on exactly that request; a supervisor restarts it, so the next request is served again)."""

    async def handle(request: Request, forward: Forward) -> Answer:
        if request.method == "DELETE" and request.header("content-type") is None:
            raise Dropped
        return await forward(request)

    return handle


CRASH = (
    Fault("crash-on-delete", "a DELETE without Content-Type drops the connection (the server dies and restarts)",
          lambda m: m.delete is not None, dies_on_bare_delete, ("lifecycle",)),
)
