"""SIGINT, SIGTERM and SIGHUP end a proxy run the same way: the server stops, then the summary and report are written.

uvicorn catches both signals while it serves, shuts down, then restores the handlers it found and raises the
signal again "to trigger the expected behaviour": with Python's defaults SIGTERM then kills the process before
the proxy has written anything (and SIGINT unwinds as KeyboardInterrupt). CI runners, `timeout` and container
stops all send SIGTERM. So for the whole run -- from before the server exists until the report is written --
both signals go to `StopSignals`, which only asks the server to exit; uvicorn's re-raise lands there too.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn

__all__ = ["STOP_SIGNALS", "StopSignals"]

# SIGHUP: the terminal the proxy runs in was closed; where the platform has it, the report is written all the same.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, *((signal.SIGHUP,) if hasattr(signal, "SIGHUP") else ()))


@dataclass(slots=True)
class StopSignals:
    """While entered (main thread only), SIGINT and SIGTERM ask `server` to exit, even one not yet running."""

    requested: bool = False
    server: uvicorn.Server | None = None
    previous: dict[int, Any] = field(default_factory=dict)

    def __enter__(self) -> StopSignals:
        for number in STOP_SIGNALS:
            self.previous[number] = signal.signal(number, self.handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        for number, handler in self.previous.items():
            signal.signal(number, handler)

    def handle(self, number: int, frame: FrameType | None) -> None:
        self.requested = True
        if self.server is not None:
            self.server.should_exit = True

    def serve(self, server: uvicorn.Server) -> None:
        """Run `server` until a stop signal (one that came during start-up stops it right after it starts)."""
        self.server = server
        if self.requested:
            server.should_exit = True
        server.run()
