"""The `X-RateLimit-*` headers Nango puts on every authenticated answer (never on a 401).

Counted per tenant in fixed 60-second windows that open on the tenant's first request, as the recorded
server shows (`Reset` stays put while `Remaining` counts down). The mock never refuses a request for it:
the headers are there so that clients reading them see plausible values. The reading of the current
request lives in a context variable, because the gate renders errors without the caller at hand.
"""

from __future__ import annotations

from contextvars import ContextVar

from mock_server.world import Clock

__all__ = ["RateWindows"]

LIMIT = 200  # the limit the recorded server announces
WINDOW_SECONDS = 60
current: ContextVar[dict[str, str] | None] = ContextVar("nango_rate_limit", default=None)


class RateWindows:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.windows: dict[str, tuple[float, int]] = {}  # tenant id -> (reset at, requests in window)

    def count(self, tenant_id: str) -> None:
        """Count one request of a tenant; its headers become the current request's."""
        now = self.clock.now().timestamp()
        reset, used = self.windows.get(tenant_id, (0.0, 0))
        if now >= reset:
            reset, used = now + WINDOW_SECONDS, 0
        used += 1
        self.windows[tenant_id] = (reset, used)
        current.set({"X-RateLimit-Limit": str(LIMIT), "X-RateLimit-Remaining": str(max(LIMIT - used, 0)),
                     "X-RateLimit-Reset": str(int(reset))})

    @staticmethod
    def forget() -> None:
        """A new request: nothing counted yet (an unauthenticated answer carries no rate-limit headers)."""
        current.set(None)

    @staticmethod
    def headers() -> dict[str, str]:
        return dict(current.get() or {})
