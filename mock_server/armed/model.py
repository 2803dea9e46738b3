"""One armed scenario: what it does, what requests it matches, and how many more it will answer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from speclib.profile import vendor_profile

__all__ = ["DECISIONS", "KINDS", "MAX_ARMED", "MAX_DELAY_MS", "MAX_TIMES", "STATES", "Scenario", "refused_decision"]

KINDS = ("error", "delay", "drop", "state", "consent")
REQUEST_KINDS = ("error", "delay", "drop", "state")  # consumed by an API request (consent: by a hosted page)
STATES = ("expired", "revoked")
DECISIONS = ("approve", "deny")
MAX_DELAY_MS = 30_000
MAX_TIMES = 1000
MAX_ARMED = 1000


def refused_decision(vendor: str, decision: str) -> str | None:
    """Why `vendor`'s hosted flow cannot take `decision` (None when it can): its profile's `scenarios.consent`
    lists the decisions its page offers, `consent-refusal` says why another is refused."""
    profile = vendor_profile(vendor)
    if decision in profile.consent:
        return None
    if profile.consent:
        return profile.consent_refusal or f"{vendor}'s hosted page cannot {decision}"
    return f"{vendor} has no hosted consent page"


@dataclass(slots=True)
class Scenario:
    """An armed behaviour; `remaining` counts down with every request (or hosted page) that consumes it."""

    id: str
    kind: str
    vendor: str
    operation: str | None  # None: a consent (hosted page), or a state on every read the vendor has for it
    tenant: str | None  # the seeded tenant's id
    object_id: str | None
    times: int
    remaining: int
    armed_at: str
    status: int | None = None  # error
    delay_ms: int | None = None  # delay
    state: str | None = None  # state: expired | revoked
    decision: str | None = None  # consent: approve | deny

    @property
    def label(self) -> str:
        """How the journal names it: `scn_1 error 500`, `scn_2 delay 3000ms`…"""
        detail = {"error": str(self.status), "delay": f"{self.delay_ms}ms", "drop": "", "state": self.state,
                  "consent": self.decision}[self.kind]
        return f"{self.id} {self.kind} {detail}".strip()

    def as_dict(self) -> dict[str, Any]:
        fields = ("id", "kind", "vendor", "operation", "tenant", "object_id", "times", "remaining", "armed_at",
                  "status", "delay_ms", "state", "decision")
        return {name: getattr(self, name) for name in fields if getattr(self, name) is not None}

    def matches(self, vendor: str, kind: str, operation: str | None, tenant: str | None,
                objects: tuple[str, ...]) -> bool:
        """Whether a request of `vendor`'s `operation` (by `tenant`, naming `objects` in its path) consumes it."""
        return (self.vendor == vendor and self.kind == kind
                and (self.operation is None or self.operation == operation)
                and (self.tenant is None or self.tenant == tenant)
                and (self.object_id is None or self.object_id in objects))
