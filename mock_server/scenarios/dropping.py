"""The app's edge for `drop`: a `ConnectionDropped` raised by the gate closes the connection without an answer.

Closing needs the server's help (ASGI has no message for it): `connmock serve` and `mock_server.serving` run
uvicorn with `mock_server.http_edge`'s protocol, which puts a `connmock.drop` callable in the scope's
extensions. Under another server the exception goes on to it (uvicorn's own protocol answers 500); driven
in-process (httpx's `ASGITransport`) the client sees `ConnectionDropped` raised.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from mock_server.http_edge import DROP_EXTENSION
from mock_server.scenarios.staging import ConnectionDropped

__all__ = ["Dropping"]


class Dropping:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await self.app(scope, receive, send)
        except ConnectionDropped:
            drop = scope.get("extensions", {}).get(DROP_EXTENSION)
            if drop is None:
                raise
            drop()
