"""Create calls with a canary value in every secret field of every variant, and which canaries are write-only."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from fixtures import Tenant
from fixtures.factories import CreateRequest, create_requests
from speclib.secrets import SecretRule, rule_for
from tests.reliability.support import SEED, VENDORS, factory


@dataclass(slots=True)
class Canaries:
    """Every canary planted, and those in write-only fields (which nothing may ever store or send back)."""

    all: set[str] = field(default_factory=set)
    write_only: set[str] = field(default_factory=set)


def canary_creates(tenant: Tenant, canaries: Canaries, tag: str = "c") -> list[CreateRequest]:
    """One create per vendor variant for `tenant`, every secret field holding a fresh canary."""
    counter = itertools.count()
    out = []
    for vendor in VENDORS:
        made = factory(vendor, seed=7)
        variants = list(dict.fromkeys(r.variant for r in create_requests(vendor, 24, tenant_id=tenant.id)))

        def secret(path: tuple[str, ...], rules: tuple[SecretRule, ...] = made.rules) -> str:
            value = f"CANARY{tag}{next(counter):04d}x{'_'.join(path)[-12:]}".replace("-", "_")
            canaries.all.add(value)
            rule = rule_for(rules, path)
            if rule is not None and rule.write_only:
                canaries.write_only.add(value)
            return value

        for variant in variants:
            request = made.create(tenant, SEED, variant, secret=secret)
            if vendor == "vercel":
                request.body["uid"] = f"canary/{tag}-{variant}-{tenant.id}"
            if vendor == "nango":
                request.body["connection_id"] = f"canary-{tag}-{variant}"
            out.append(request)
    return out
