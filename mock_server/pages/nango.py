"""Nango: the mock Connect UI behind `connect_link` (`connect?session_token=…`, with or without a trailing `/`).

It lists the session's allowed integrations (every integration when the session names none), asks for what
the auth mode needs (an API key, a username and password; OAuth-like modes get mock credentials), and then
creates the connection with the session's end user and tags. The session is used up by that: a second use,
like an expired or unknown token, answers Nango's `unknown_connect_session_token`. Like Nango's own Connect
UI, the page posts `{type: "connect", payload}` (and `{type: "close"}`) to the window that framed or opened it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fixtures import NangoIntegration, Tenant
from mock_server.errors import ServiceError
from mock_server.pages.base import PageRequest
from mock_server.pages.render import (
    Html,
    Outcome,
    actions,
    button,
    choices,
    details,
    error_page,
    field,
    form,
    join,
    notify,
    page,
    paragraph,
)
from mock_server.vendors.base import Reply
from mock_server.vendors.nango.credentials import js_date
from mock_server.vendors.nango.sessions import TOKEN, ConnectSessions
from mock_server.world import IdSource, World

VENDOR = "Nango"
# What the user types per auth mode: (form field, label, secret); the other modes need nothing typed.
TYPED: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "API_KEY": (("apiKey", "API key", True),),
    "BASIC": (("username", "Username", False), ("password", "Password", True)),
    "TBA": (("accountId", "Account ID", False),),
}
AUTH_ERRORS = {  # Nango's connect-session auth errors (401), as its API answers them
    "invalid_connect_session_token_format": "Authentication failed. The provided connect session token is not "
                                            "following correct format: nango_connect_session_RANDOM)",
    "unknown_connect_session_token": "Authentication failed. The provided connect session token does not match "
                                     "any account.",
}


@dataclass(frozen=True, slots=True)
class Session:
    token: str
    tenant: Tenant
    record: dict[str, Any]
    integrations: tuple[NangoIntegration, ...]

    def integration(self, key: str) -> NangoIntegration | None:
        return next((i for i in self.integrations if i.unique_key == key), None)


def credentials_for(integration: NangoIntegration, typed: dict[str, str], ids: IdSource, now: datetime
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
    """The credentials (and connection config) a finished connect flow stores, by auth mode."""
    mode = integration.auth_mode
    minted: dict[str, dict[str, Any]] = {
        "OAUTH2": {"access_token": f"mock_{ids.hex(40)}", "refresh_token": f"mock_refresh_{ids.hex(40)}",
                   "expires_at": js_date(now + timedelta(hours=1))},
        "OAUTH1": {"oauth_token": f"mock_{ids.hex(32)}", "oauth_token_secret": ids.hex(32)},
        "OAUTH2_CC": {"token": f"mock_{ids.hex(40)}", "client_id": f"mock_client_{ids.hex(8)}",
                      "client_secret": ids.hex(32)},
        "API_KEY": {"apiKey": typed.get("apiKey", "")},
        "BASIC": {"username": typed.get("username", ""), "password": typed.get("password", "")},
        "TBA": {"token_id": f"mock_{ids.hex(32)}", "token_secret": ids.hex(32)},
        "APP": {"app_id": "100001", "installation_id": str(int(ids.hex(6), 16))},
    }
    config = {"accountId": typed["accountId"]} if mode == "TBA" else {}
    return {"type": mode, **minted.get(mode, {})}, config


def auth_error(code: str) -> Reply:
    return error_page(VENDOR, "Session not valid", AUTH_ERRORS[code], 401, code)


def end_user_text(record: dict[str, Any]) -> str | None:
    end_user = record.get("end_user") or {}
    return end_user.get("display_name") or end_user.get("email") or end_user.get("id")


def list_page(session: Session) -> Reply:
    body = join([
        paragraph("Choose the integration to connect."),
        form(choices("Integration", "integration", [(i.unique_key, i.display_name) for i in session.integrations]),
             actions(button("Continue", "choose", primary=True, name="step"), button("Cancel", "cancel", name="step"))),
    ])
    return page(VENDOR, "Connect an integration", body)


def connect_page(session: Session, integration: NangoIntegration) -> Reply:
    typed = TYPED.get(integration.auth_mode, ())
    intro = (f"Enter your {integration.display_name} credentials." if typed
             else f"Allow access to your {integration.display_name} account?")
    body = join([
        paragraph(intro),
        details({"Integration": integration.display_name, "Auth": integration.auth_mode,
                 "End user": end_user_text(session.record),
                 "Reconnecting": session.record.get("connection_id")}),
        form(Html("".join(field(label, f"credential.{name}", secret) for name, label, secret in typed)),
             actions(button("Connect", "connect", primary=True, name="step"), button("Cancel", "cancel", name="step")),
             hidden={"integration": integration.unique_key}),
    ])
    return page(VENDOR, f"Connect {integration.display_name}", body)


def closed() -> Reply:
    body = join([Html('<p role="status">Nothing was connected.</p>'), paragraph("You can close this window.", "note")])
    return page(VENDOR, "Cancelled", body, script=notify([{"type": "close"}]))


class NangoPages:
    def __init__(self, world: World, sessions: ConnectSessions) -> None:
        self.world = world
        self.sessions = sessions

    async def session(self, request: PageRequest) -> Session | Reply:
        if request.page != ("connect",):
            return error_page(VENDOR, "Page not found", "Nango's Connect UI is /connect.", 404)
        token = request.arg("session_token")
        if not TOKEN.match(token):
            return auth_error("invalid_connect_session_token_format")
        found = await self.sessions.find(token, self.world.clock.now())
        if found is None:  # unknown, expired, or already used
            return auth_error("unknown_connect_session_token")
        tenant, record = found
        allowed = record.get("allowed_integrations")
        integrations = tuple(i for i in self.world.seed.nango_integrations if not allowed or i.unique_key in allowed)
        return Session(token, tenant, record, integrations)

    async def show(self, request: PageRequest) -> Reply:
        session = await self.session(request)
        if isinstance(session, Reply):
            return session
        if len(session.integrations) == 1:
            return connect_page(session, session.integrations[0])
        return list_page(session)

    async def submit(self, request: PageRequest) -> Reply:
        session = await self.session(request)
        if isinstance(session, Reply):
            return session
        step = request.form.get("step")
        if step == "cancel":
            return closed()
        integration = session.integration(request.form.get("integration", ""))
        if integration is None:
            return error_page(VENDOR, "Not available", "That integration is not offered by this session.", 400,
                              "invalid_body")
        if step != "connect":
            return connect_page(session, integration)
        typed = {k.removeprefix("credential."): v for k, v in request.form.items() if k.startswith("credential.")}
        missing = [label for name, label, _ in TYPED.get(integration.auth_mode, ()) if not typed.get(name)]
        if missing:
            return error_page(VENDOR, "Missing fields", f"Fill in: {', '.join(missing)}.", 400, "invalid_body")
        return await self.finish(session, integration, typed)

    async def finish(self, session: Session, integration: NangoIntegration, typed: dict[str, str]) -> Reply:
        credentials, config = credentials_for(integration, typed, self.world.ids, self.world.clock.now())
        try:
            created = await self.sessions.finish(session.tenant, session.token, integration.unique_key,
                                                 credentials, config)
        except ServiceError as error:
            return error_page(VENDOR, "Could not connect", error.message, error.status, error.code)
        if created is None:  # another tab finished this session first
            return auth_error("unknown_connect_session_token")
        payload = {"providerConfigKey": created["provider_config_key"], "connectionId": created["connection_id"],
                   "isPending": False}
        params = {"connection_id": created["connection_id"], "provider_config_key": created["provider_config_key"]}
        return Outcome("nango", VENDOR, "Connected", f"{integration.display_name} is connected.", params,
                       messages=({"type": "connect", "payload": payload},)).reply()
