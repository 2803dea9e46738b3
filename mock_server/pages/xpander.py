"""xpander.ai: the OAuth2 consent page behind `connector_page_url` (`connect/<connector_id>/<connection_id>`).

Approve makes the pending connection `active` (its operations answer), Deny makes it `denied`. xpander has no
return URL: the page shows the result and tells the window that opened it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fixtures import XpanderConnector
from mock_server.pages.base import PageRequest
from mock_server.pages.render import Outcome, actions, button, details, error_page, form, join, page, paragraph
from mock_server.vendors.base import Reply
from mock_server.vendors.xpander.service import XpanderService
from mock_server.world import World

__all__ = ["XpanderPages"]

VENDOR = "xpander.ai"
DECISIONS = {"approve": "active", "deny": "denied"}


@dataclass(frozen=True, slots=True)
class Consent:
    """A connection waiting for the user's consent (or already decided)."""

    tenant_id: str
    connector: XpanderConnector
    connection: dict[str, Any]

    @property
    def pending(self) -> bool:
        return bool(self.connection["status"] == "pending")


def not_found() -> Reply:
    return error_page(VENDOR, "Link not found", "This authorization link does not name a connection.", 404)


def decided(consent: Consent) -> Reply:
    message = f"This connection is already {consent.connection['status']}; the link works once."
    return error_page(VENDOR, "Already decided", message, 409)


def consent_page(consent: Consent) -> Reply:
    connection = consent.connection
    body = join([
        paragraph(f"Allow xpander.ai to connect to {consent.connector.name} on your behalf?"),
        details({"Connector": consent.connector.name, "Connection": connection["name"],
                 "Access": connection["access_scope"], "Connection id": connection["id"]}),
        form(actions(button("Approve", "approve", primary=True), button("Deny", "deny"))),
    ])
    return page(VENDOR, f"Authorize {consent.connector.name}", body)


class XpanderPages:
    def __init__(self, world: World, service: XpanderService) -> None:
        self.world = world
        self.service = service

    async def consent(self, request: PageRequest) -> Consent | None:
        if len(request.page) != 3 or request.page[0] != "connect":
            return None
        _, connector_id, connection_id = request.page
        connector = self.world.seed.xpander_connector(connector_id)
        found = await self.service.find_connection(connection_id) if connector else None
        if connector is None or found is None or found[1]["connector_id"] != connector.id:
            return None
        return Consent(found[0], connector, found[1])

    async def show(self, request: PageRequest) -> Reply:
        consent = await self.consent(request)
        if consent is None:
            return not_found()
        return consent_page(consent) if consent.pending else decided(consent)

    async def submit(self, request: PageRequest) -> Reply:
        consent = await self.consent(request)
        status = DECISIONS.get(request.form.get("decision", ""))
        if consent is None:
            return not_found()
        if status is None:
            return error_page(VENDOR, "No decision", "Choose Approve or Deny.", 400)
        record = await self.service.set_status(consent.tenant_id, consent.connection["id"], status)
        if record is None:
            return not_found()
        if record["status"] != status:  # someone decided first
            return decided(Consent(consent.tenant_id, consent.connector, record))
        verb = "connected" if status == "active" else "not connected (you denied access)"
        return Outcome("xpander", VENDOR, "Authorization complete" if status == "active" else "Access denied",
                       f"{consent.connector.name} is {verb}.",
                       {"connector_id": consent.connector.id, "connection_id": record["id"], "status": status},
                       ).reply()
