"""`GET /integrations` (`@nangohq/node` `listIntegrations`): the seeded integrations, in every environment, as
the Nango 0.71.4 server lists them (`integrationToPublicApi`, ordered by provider)."""

from __future__ import annotations

from typing import Any

from fixtures import NangoIntegration
from mock_server.vendors.nango.credentials import js_date
from mock_server.world import World

__all__ = ["NangoIntegrations"]


def public(integration: NangoIntegration, origin: str, seeded_at: str) -> dict[str, Any]:
    return {"unique_key": integration.unique_key, "provider": integration.provider,
            "display_name": integration.display_name,
            "logo": f"{origin}/images/template-logos/{integration.provider}.svg", "forward_webhooks": True,
            "created_at": seeded_at, "updated_at": seeded_at}


class NangoIntegrations:
    def __init__(self, world: World) -> None:
        self.world = world
        self.seeded_at = js_date(world.clock.now())  # the integrations exist from the start

    def listing(self, origin: str) -> dict[str, Any]:
        ordered = sorted(self.world.seed.nango_integrations, key=lambda i: (i.provider, i.unique_key))
        return {"data": [public(integration, origin, self.seeded_at) for integration in ordered]}
