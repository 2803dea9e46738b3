"""The app's webhooks: each tenant's targets and the vendor events that become signed, queued webhooks."""

from __future__ import annotations

from typing import Any

from fixtures import SeedData, Tenant
from mock_server.webhooks import nango
from mock_server.webhooks.delivery import Deliveries, Webhook
from mock_server.webhooks.targets import Target, targets_from_flags

__all__ = ["Webhooks"]


class Webhooks:
    def __init__(self, seed: SeedData, deliveries: Deliveries, flags: tuple[str, ...] = ()) -> None:
        self.seed = seed
        self.deliveries = deliveries
        self.targets: dict[tuple[str, str], Target] = targets_from_flags(flags, [t.id for t in seed.tenants])

    def listing(self) -> list[dict[str, Any]]:
        return [{"tenant": tenant, "vendor": vendor, **target.public()}
                for (tenant, vendor), target in sorted(self.targets.items())]

    def nango_auth(self, tenant: Tenant, record: dict[str, Any], auth_mode: str, operation: str, *,
                   with_end_user: bool, error: dict[str, str] | None = None) -> bool:
        """Queue Nango's `auth` webhook of `operation` on connection `record`, where the tenant's settings ask
        for it (`shouldSend`); a connection's `webhook_url_override` replaces both of the tenant's URLs
        (`resolveWebhookSettings`). Whether one was queued."""
        target = self.targets.get((tenant.id, "nango"))
        if target is None or not wanted(target, operation):
            return False
        override = record.get("webhook_url_override")
        urls = (override,) if override else tuple(u for u in (target.url, target.secondary_url) if u)
        body = nango.auth_body(record, auth_mode, operation, with_end_user=with_end_user, error=error)
        payload = nango.stable_json(body)
        key = target.signing_key or tenant.nango_secret_key
        self.deliveries.enqueue(Webhook("nango", tenant.id, f"auth.{operation}", urls, payload,
                                        nango.headers(key, payload), body))
        return True


def wanted(target: Target, operation: str) -> bool:
    """`shouldSend` for auth webhooks: creation and refresh each have a switch; an override always goes."""
    if operation == "creation":
        return target.on_auth_creation
    if operation == "refresh":
        return target.on_auth_refresh_error
    return True
