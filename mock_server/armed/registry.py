"""The armed scenarios of one mock, in the order they were armed; the oldest match is consumed first.

Kept in the process, like the journal: with `connmock serve --workers N` each worker has its own (arm them on a
single-worker mock). Every method is synchronous, so on the event loop each one is atomic.
"""

from __future__ import annotations

from dataclasses import replace

from mock_server.armed.model import MAX_ARMED, Scenario

__all__ = ["Scenarios", "TooManyArmed"]


class TooManyArmed(Exception):
    """The mock already holds `MAX_ARMED` scenarios."""


class Scenarios:
    def __init__(self, limit: int = MAX_ARMED) -> None:
        self._armed: list[Scenario] = []
        self._serial = 0
        self.limit = limit

    def new_id(self) -> str:
        self._serial += 1
        return f"scn_{self._serial}"

    def arm(self, scenario: Scenario) -> Scenario:
        if len(self._armed) >= self.limit:
            raise TooManyArmed(f"{self.limit} scenarios are armed already; clear some first")
        self._armed.append(scenario)
        return replace(scenario)

    def listing(self) -> list[Scenario]:
        return [replace(scenario) for scenario in self._armed]

    def remove(self, scenario_id: str) -> bool:
        kept = [scenario for scenario in self._armed if scenario.id != scenario_id]
        removed = len(kept) != len(self._armed)
        self._armed = kept
        return removed

    def clear(self) -> int:
        count = len(self._armed)
        self._armed = []
        return count

    def armed(self, vendor: str, kind: str) -> bool:
        """Whether any scenario of this kind waits for `vendor` (a cheap test before matching in full)."""
        return any(s.vendor == vendor and s.kind == kind for s in self._armed)

    def take(self, vendor: str, kinds: tuple[str, ...], operation: str | None, tenant: str | None,
             objects: tuple[str, ...] = ()) -> Scenario | None:
        """Consume the oldest scenario matching the request: one use off its count, gone at zero. Returns it as
        it is after this use (`remaining` already counted down)."""
        for scenario in self._armed:
            if any(scenario.matches(vendor, kind, operation, tenant, objects) for kind in kinds):
                scenario.remaining -= 1
                if scenario.remaining <= 0:
                    self._armed.remove(scenario)
                return replace(scenario)
        return None
