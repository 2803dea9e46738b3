"""The routes `@nangohq/frontend` calls on the API host itself (not the Connect UI): the OAuth popup's start
and the API-key credential post. Both authenticate with the connect session token in the query, as Nango's
`connectSessionOrPublicKeyAuth` does; the session's end user and tags go to the connection it makes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from fixtures import NangoIntegration, Tenant
from mock_server.errors import BadRequest, InvalidRequest, NotFound, ServiceError, Unauthorized
from mock_server.vendors.nango.sessions import TOKEN, ConnectSessions
from mock_server.world import World
from speclib import FieldError

__all__ = ["BrowserAuth"]

OAUTH_PAGE = "/__connmock/pages/nango/oauth"
OAUTH_MODES = frozenset({"OAUTH1", "OAUTH2", "OAUTH2_CC", "APP", "CUSTOM"})
AUTH_MODE_MESSAGE = "Invalid auth mode. The provider does not support this auth mode."
MESSAGES = {
    "invalid_connect_session_token_format": "Authentication failed. The provided connect session token is not "
                                            "following correct format: nango_connect_session_RANDOM)",
    "unknown_connect_session_token": "Authentication failed. The provided connect session token does not match "
                                     "any account.",
    # connectSessionOrPublicKeyAuth: no token at all falls back to the (deprecated) public key, also absent.
    "missing_public_key": "Authentication failed. The request is missing a valid public key parameter.",
}


class BrowserAuth:
    def __init__(self, world: World, sessions: ConnectSessions, counted: Callable[[str], None]) -> None:
        self.world = world
        self.sessions = sessions
        self.counted = counted  # Nango's rate limiter runs right after the session auth, for the session's account

    def refuse(self, code: str, query: dict[str, Any]) -> Unauthorized:
        """Nango's 401 for a session token, the popup's socket told so."""
        if query.get("ws_client_id"):
            self.sessions.sockets.notify(str(query["ws_client_id"]), {
                "message_type": "error", "error_type": code, "error_desc": MESSAGES[code]})
        return Unauthorized(MESSAGES[code], code=code)

    def check_format(self, query: dict[str, Any]) -> None:
        """The token's shape, checked before anything else of the request."""
        if "connect_session_token" not in query:
            raise self.refuse("missing_public_key", query)
        if not TOKEN.match(str(query.get("connect_session_token") or "")):
            raise self.refuse("invalid_connect_session_token_format", query)

    async def session(self, query: dict[str, Any]) -> tuple[str, Tenant, dict[str, Any]]:
        """The live session the query's token opens, or Nango's 401 (and the popup's socket told so)."""
        self.check_format(query)
        token = str(query.get("connect_session_token") or "")
        found = await self.sessions.find(token, self.world.clock.now())
        if found is None:
            raise self.refuse("unknown_connect_session_token", query)
        self.counted(found[0].id)
        return token, found[0], found[1]

    def allowed(self, record: dict[str, Any], key: str, modes: frozenset[str]) -> NangoIntegration:
        integration = self.sessions.connections.integration(key)
        offered = record.get("allowed_integrations")
        if integration is None:
            raise BadRequest("Integration does not exist", code="unknown_provider_config")
        if offered and key not in offered:  # utils/auth.ts isIntegrationAllowed: a code and no message
            raise BadRequest("", code="integration_not_allowed")
        if integration.auth_mode not in modes:
            # The OAuth route's errorManager writes NangoError's message; the API-key route sends the code alone.
            raise BadRequest(AUTH_MODE_MESSAGE if modes is OAUTH_MODES else "", code="invalid_auth_mode")
        return integration

    async def start_oauth(self, key: str, query: dict[str, Any], origin: str) -> str:
        """Where the popup goes: the mock's consent page for this session, integration and socket."""
        token, _, record = await self.session(query)
        self.allowed(record, key, OAUTH_MODES)
        params = {"connect_session_token": token, "ws_client_id": query.get("ws_client_id") or "", "integration": key}
        return f"{origin}{OAUTH_PAGE}?{urlencode(params)}"

    async def api_key(self, key: str, query: dict[str, Any], body: dict[str, Any] | None,
                      invalid: tuple[ServiceError, ...] = ()) -> dict[str, Any]:
        """Nango's order: the session token (401), the body (400), the query (400), the integration (404, 400).
        `invalid`: what the gate found wrong with the body and the query, judged once the session is known."""
        token, tenant, record = await self.session(query)
        for error in invalid:
            if getattr(error, "location", None) == "body":
                raise error
        if body is None:  # an empty body (`Content-Length: 0`): body-parser's `{}` (no body at all is the gate's)
            raise InvalidRequest("Invalid request body", location="body", errors=[FieldError(
                ("apiKey",), "missing", "Required", expected="string", received="undefined")])
        if invalid:
            raise invalid[0]
        api_key = str(body["apiKey"])
        if query.get("connection_id"):
            raise InvalidRequest("Invalid query parameters", location="query", errors=[FieldError(
                ("connection_id",), "custom", "connection_id is forbidden when using session token")])
        # postApiKey.ts: an unknown integration is a 404 and a wrong auth mode a 400, both before the session's
        # allowed integrations (the OAuth route checks those first)
        integration = self.sessions.connections.integration(key)
        if integration is None:
            raise NotFound("", code="unknown_provider_config")
        if integration.auth_mode != "API_KEY":
            raise BadRequest("", code="invalid_auth_mode")
        self.allowed(record, key, frozenset({"API_KEY"}))
        created = await self.sessions.finish(tenant, token, key, {"type": "API_KEY", "apiKey": api_key},
                                             dict(query.get("params") or {}), consume=False)
        if created is None:  # used up by a concurrent call
            raise Unauthorized(MESSAGES["unknown_connect_session_token"], code="unknown_connect_session_token")
        return {"connectionId": created["connection_id"], "providerConfigKey": created["provider_config_key"]}
