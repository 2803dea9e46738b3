"""Vercel Connect: the hosted consent page behind the `url` of an authorization (`authorize?request=…`) or
installation (`install?request=…`) request.

Allow turns the request into a grant (`FlowService.approve`), so `POST /v1/connect/token/{connector}` answers;
Deny closes it. Both go back to the request's `returnUrl` when it has one, with `request` and `status=approved`
or `error=access_denied` in the query (Connect documents no parameters; apps confirm by asking for the token).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fixtures import VercelTeam
from mock_server.errors import ServiceError
from mock_server.pages.base import PageRequest
from mock_server.pages.render import Outcome, actions, button, details, error_page, form, join, page, paragraph
from mock_server.vendors.base import Reply
from mock_server.vendors.vercel.flows import FlowService
from mock_server.vendors.vercel.service import ConnectorService, now_ms
from mock_server.world import World

__all__ = ["VercelPages"]

VENDOR = "Vercel Connect"
KINDS = {"authorize": "authorization", "install": "installation"}


@dataclass(frozen=True, slots=True)
class ConsentRequest:
    team: VercelTeam
    request: dict[str, Any]
    connector: dict[str, Any]


def subject_text(subject: dict[str, Any]) -> str:
    kind = subject.get("type", "user")
    return f"{kind} {subject['id']}" if subject.get("id") else str(kind)


def unusable(state: str) -> Reply:
    if state == "expired":
        return error_page(VENDOR, "Request expired", "This request has expired; start again from the app.", 410,
                          "request_expired")
    if state in ("approved", "denied"):
        return error_page(VENDOR, "Already decided", f"This request was already {state}.", 409, "request_used")
    return error_page(VENDOR, "Request not found", "This link does not name a Connect request.", 404, "not_found")


def consent_page(found: ConsentRequest) -> Reply:
    connector, request = found.connector, found.request
    service = connector.get("typeName") or connector.get("service") or connector["type"]
    body = join([
        paragraph(f"Allow access to {connector['name']} ({service}) for team {found.team.slug}?"),
        details({"Connector": connector["name"], "Service": service, "Subject": subject_text(request["subject"]),
                 "Scopes": ", ".join(request["scopes"]) or "default", "Request": request["id"]}),
        form(actions(button("Allow", "approve", primary=True), button("Deny", "deny"))),
    ])
    title = "Install" if request["kind"] == "install" else "Authorize"
    return page(VENDOR, f"{title} {connector['name']}", body)


class VercelPages:
    def __init__(self, world: World, connectors: ConnectorService, flows: FlowService) -> None:
        self.world = world
        self.connectors = connectors
        self.flows = flows

    async def find(self, request: PageRequest) -> ConsentRequest | str:
        """The pending request the URL names, or why there is none (`missing`, `expired`, `approved`…)."""
        kind = request.page[0] if len(request.page) == 1 else ""
        found = await self.flows.find(request.arg("request")) if kind in KINDS else None
        if found is None or found[1]["kind"] != kind:
            return "missing"
        team, pending = found
        if pending["status"] != "pending":
            return str(pending["status"])
        if pending["expiresAt"] <= now_ms(self.world):
            return "expired"
        try:
            connector = await self.connectors.get(team, pending["connectorId"])
        except ServiceError:
            return "missing"
        return ConsentRequest(team, pending, connector)

    async def show(self, request: PageRequest) -> Reply:
        found = await self.find(request)
        return consent_page(found) if isinstance(found, ConsentRequest) else unusable(found)

    async def submit(self, request: PageRequest) -> Reply:
        found = await self.find(request)
        if not isinstance(found, ConsentRequest):
            return unusable(found)
        decision = request.form.get("decision", "")
        if decision not in ("approve", "deny"):
            return error_page(VENDOR, "No decision", "Choose Allow or Deny.", 400)
        request_id = found.request["id"]
        done = await (self.flows.approve(request_id) if decision == "approve" else self.flows.deny(request_id))
        if done is None:  # decided or expired in between
            return unusable("approved")
        name = found.connector["name"]
        if decision == "approve":
            title, message = "Access allowed", f"{name} is connected."
            params = {"request": request_id, "connector": done["connectorId"], "status": "approved"}
        else:
            title, message = "Access denied", f"{name} was not connected."
            params = {"request": request_id, "connector": done["connectorId"], "error": "access_denied"}
        return Outcome("vercel", VENDOR, title, message, params, done["returnUrl"]).reply()
