"""Nango: the mock Connect UI behind `connect_link` (`connect?session_token=…`, with or without a trailing `/`).

It lists the session's allowed integrations (every integration when the session names none), asks for what
the auth mode needs (an API key, a username and password; OAuth-like modes get mock credentials), and then
creates the connection with the session's end user and tags. The session is used up by that: a second use,
like an expired or unknown token, answers Nango's `unknown_connect_session_token`. Like Nango's own Connect
UI, the page posts `{type: "connect", payload}` (and `{type: "close"}`) to the window that framed or opened it.

`@nangohq/frontend`'s `openConnectUI` frames this page without a token in the URL: the page then speaks the
SDK's protocol (`ready` to the parent, `session_token` back, then `connect` / `error` / `close`). The SDK's
headless `nango.auth()` sends its popup to `oauth` (via the API's `/oauth/connect/{key}`): a consent page whose
decision goes to the SDK over its WebSocket.
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

__all__ = ["TYPED", "NangoPages", "Session"]

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
    reply = error_page(VENDOR, "Session not valid", AUTH_ERRORS[code], 401, code)
    return with_script(reply, notify([sdk_error("unknown_error", AUTH_ERRORS[code])]))


def sdk_error(error_type: str, message: str) -> dict[str, Any]:
    """The Connect UI's `error` message (`errorType` from the SDK's list); the UI stays open."""
    return {"type": "error", "payload": {"errorType": error_type, "errorMessage": message}}


def with_script(reply: Reply, script: Html) -> Reply:
    assert isinstance(reply.body, bytes)
    reply.body = reply.body.replace(b"</body>", script.encode() + b"\n</body>", 1)
    return reply


# Framed by `openConnectUI` without a token: say `ready`, wait for `session_token`, reload with it.
HANDSHAKE = Html("""<script>
(function () {
  var status = document.getElementById("handshake");
  if (window.parent === window) { status.textContent = "Open this page with ?session_token=…"; return; }
  var received = false;
  window.addEventListener("message", function (event) {
    var data = event.data;
    if (received || !data || data.type !== "session_token" || typeof data.sessionToken !== "string") { return; }
    received = true;
    var query = new URLSearchParams(window.location.search);
    query.set("session_token", data.sessionToken);
    window.location.replace(window.location.pathname + "?" + query.toString());
  });
  window.parent.postMessage({type: "ready"}, "*");
  setTimeout(function () {
    if (received) { return; }
    status.textContent = "No session token arrived.";
    window.parent.postMessage({type: "error", payload: {errorType: "missing_connect_session_token",
                                                        errorMessage: "No session token arrived"}}, "*");
  }, 10000);
})();
</script>""")

# The success view's "Finish": the Connect UI asks its parent to close it (the SDK removes the iframe).
FINISH = Html("""<script>
document.getElementById("finish").addEventListener("click", function () {
  var target = window.opener || (window.parent !== window ? window.parent : null);
  if (target) { target.postMessage({type: "close"}, "*"); }
  if (window.opener) { window.close(); }
});
</script>""")


def handshake() -> Reply:
    body = Html('<p role="status" id="handshake">Waiting for the connect session…</p>')
    return page(VENDOR, "Connect an integration", body, script=HANDSHAKE)


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


class OAuthPopup:
    """`oauth?connect_session_token&ws_client_id&integration`: the consent page of `nango.auth()`'s popup.
    Allow makes the connection (mock OAuth credentials, the session's end user and tags) and sends `success`
    over the SDK's socket; Deny, or a session that is no longer valid, sends `error` there."""

    def __init__(self, world: World, sessions: ConnectSessions) -> None:
        self.world = world
        self.sessions = sessions

    async def context(self, request: PageRequest) -> tuple[str, Tenant, dict[str, Any], NangoIntegration] | Reply:
        token, client = request.arg("connect_session_token"), request.arg("ws_client_id")
        found = await self.sessions.find(token, self.world.clock.now()) if TOKEN.match(token) else None
        if found is None:
            self.tell(client, "error", error_type="unknown_connect_session_token",
                      error_desc=AUTH_ERRORS["unknown_connect_session_token"])
            return auth_error("unknown_connect_session_token")
        key = request.arg("integration")
        integration = next((i for i in self.world.seed.nango_integrations if i.unique_key == key), None)
        if integration is None:
            return error_page(VENDOR, "Not available", "That integration does not exist.", 400, "invalid_body")
        return token, found[0], found[1], integration

    def tell(self, client: str, kind: str, **fields: Any) -> None:
        self.sessions.sockets.notify(client, {"message_type": kind, **fields})

    async def show(self, request: PageRequest) -> Reply:
        found = await self.context(request)
        if isinstance(found, Reply):
            return found
        _, _, record, integration = found
        body = join([
            paragraph(f"Allow access to your {integration.display_name} account?"),
            details({"Integration": integration.display_name, "Auth": integration.auth_mode,
                     "End user": end_user_text(record)}),
            form(actions(button("Allow", "approve", primary=True), button("Deny", "deny"))),
        ])
        return page(VENDOR, f"Connect {integration.display_name}", body)

    async def submit(self, request: PageRequest) -> Reply:
        found = await self.context(request)
        if isinstance(found, Reply):
            return found
        token, tenant, _, integration = found
        client = request.arg("ws_client_id")
        if request.form.get("decision") != "approve":
            self.tell(client, "error", error_type="access_denied", error_desc="The user denied access.",
                      provider_config_key=integration.unique_key)
            return page(VENDOR, "Access denied", paragraph("Nothing was connected. You can close this window."))
        credentials, config = credentials_for(integration, {}, self.world.ids, self.world.clock.now())
        created = await self.sessions.finish(tenant, token, integration.unique_key, credentials, config)
        if created is None:
            return auth_error("unknown_connect_session_token")
        self.tell(client, "success", provider_config_key=created["provider_config_key"],
                  connection_id=created["connection_id"], is_pending=False)
        return page(VENDOR, "Connected", paragraph(f"{integration.display_name} is connected. "
                                                   "You can close this window."))


class NangoPages:
    def __init__(self, world: World, sessions: ConnectSessions) -> None:
        self.world = world
        self.sessions = sessions
        self.oauth = OAuthPopup(world, sessions)

    async def session(self, request: PageRequest) -> Session | Reply:
        if request.page != ("connect",):
            return error_page(VENDOR, "Page not found", "Nango's Connect UI is /connect.", 404)
        if "session_token" not in request.query:
            return handshake()
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
        if request.page == ("oauth",):
            return await self.oauth.show(request)
        session = await self.session(request)
        if isinstance(session, Reply):
            return session
        if len(session.integrations) == 1:
            return connect_page(session, session.integrations[0])
        return list_page(session)

    async def submit(self, request: PageRequest) -> Reply:
        if request.page == ("oauth",):
            return await self.oauth.submit(request)
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
            message = f"Fill in: {', '.join(missing)}."
            reply = error_page(VENDOR, "Missing fields", message, 400, "invalid_body")
            return with_script(reply, notify([sdk_error("missing_credentials", message)]))
        return await self.finish(session, integration, typed)

    async def finish(self, session: Session, integration: NangoIntegration, typed: dict[str, str]) -> Reply:
        credentials, config = credentials_for(integration, typed, self.world.ids, self.world.clock.now())
        try:
            created = await self.sessions.finish(session.tenant, session.token, integration.unique_key,
                                                 credentials, config)
        except ServiceError as error:
            reply = error_page(VENDOR, "Could not connect", error.message, error.status, error.code)
            return with_script(reply, notify([sdk_error("connection_validation_failed", error.message)]))
        if created is None:  # another tab finished this session first
            return auth_error("unknown_connect_session_token")
        payload = {"providerConfigKey": created["provider_config_key"], "connectionId": created["connection_id"],
                   "isPending": False}
        params = {"connection_id": created["connection_id"], "provider_config_key": created["provider_config_key"]}
        reply = Outcome("nango", VENDOR, "Connected", f"{integration.display_name} is connected.", params,
                        messages=({"type": "connect", "payload": payload},)).reply()
        assert isinstance(reply.body, bytes)  # a result page (Nango's Connect UI has no return URL)
        reply.body = reply.body.replace(b'<p class="note">You can close this window.</p>',
                                        actions(Html('<button type="button" id="finish" class="primary">'
                                                     'Finish</button>')).encode(), 1)
        return with_script(reply, FINISH)
