"""OpenInt: the Connect page behind `magic_link_url` (`connect?token=<customer token>`).

The customer picks one of the organization's connector configs (only those of `connector_names`, from the
token's signed `connect_options`, else from the query as `@openint/connect` sends it), fills what the
connector needs (OAuth2 connectors get mock credentials), and a healthy connection is created for the
token's customer. With a `return_url` the browser goes back there with `connection_id`, `customer_id` and
`connector_name` in the query: the token's signed one, never merely one the link's query names
(`return_target`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from fixtures import OpenIntConnectorConfig
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
    page,
    paragraph,
    same_origin,
)
from mock_server.vendors.base import Principal, Reply
from mock_server.vendors.openint.connectors import ConnectorCatalog
from mock_server.vendors.openint.service import OpenIntService
from mock_server.vendors.openint.tokens import CustomerClaims
from mock_server.world import World

__all__ = ["OpenIntPages", "input_fields"]

VENDOR = "OpenInt"
SECRET_NAME = re.compile(r"key|password|secret|token", re.IGNORECASE)
MOCK_TOKEN_SECONDS = 3600
IGNORED_RETURN_URL = ("The return_url in this link was not followed: only the customer token's own "
                      "(connect_options.return_url), or another page on its origin, is.")


@dataclass(frozen=True, slots=True)
class Session:
    """What a customer token opens: who connects, to which configs, and where to go afterwards."""

    claims: CustomerClaims
    configs: tuple[OpenIntConnectorConfig, ...]
    return_url: str | None
    return_note: str | None = None  # why the query's `return_url` was not followed

    @property
    def principal(self) -> Principal:
        return Principal(tenant=self.claims.tenant, kind="customer", customer_id=self.claims.customer_id)

    def config(self, config_id: str) -> OpenIntConnectorConfig | None:
        return next((c for c in self.configs if c.id == config_id), None)


def connector_names(claims: CustomerClaims, request: PageRequest) -> list[str]:
    """The connectors to offer: the token's signed `connector_names` win over the page's query (comma-joined)."""
    names = claims.connect_options.get("connector_names") or request.arg("connector_names")
    if isinstance(names, str):
        return [part for part in names.split(",") if part]
    return [str(name) for name in names] if isinstance(names, list) else []


def return_target(claims: CustomerClaims, request: PageRequest) -> tuple[str | None, str | None]:
    """Where the browser goes after connecting, and why the query's `return_url` is not followed, if it is not.

    The `return_url` signed into the token (`connect_options`, set by the backend that holds the API key) is
    followed. One in the query (where `@openint/connect` puts its `returnUrl`) is followed only on the signed
    one's origin: else anyone could make the page send a customer, with the new connection's ids, to a site
    of their choosing (an open redirect)."""
    signed = claims.connect_options.get("return_url")
    signed = signed if isinstance(signed, str) and signed else None
    given = request.arg("return_url")
    if not given or given == signed or (signed and same_origin(given, signed)):
        return given or signed, None
    return signed, IGNORED_RETURN_URL


def input_fields(catalog: ConnectorCatalog, connector_name: str) -> list[str]:
    """The settings a user types in: the required ones, except the OAuth state the mock mints."""
    schema = catalog.settings_schema(connector_name)
    return [name for name in schema.get("required", []) if name not in ("oauth", "access_token")]


def settings_for(catalog: ConnectorCatalog, connector_name: str, typed: dict[str, str], token: str
                 ) -> dict[str, Any]:
    """The settings of the new connection: what the user typed, plus mock OAuth2 credentials for OAuth2."""
    settings: dict[str, Any] = {name: typed[name] for name in input_fields(catalog, connector_name)}
    if catalog.is_oauth(connector_name):
        settings["oauth"] = {"credentials": {"access_token": token, "token_type": "bearer",
                                             "expires_in": MOCK_TOKEN_SECONDS}}
    return settings


def label_of(name: str) -> str:
    words = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).replace("_", " ")
    return words[:1].upper() + words[1:]


def choose_page(session: Session, catalog: ConnectorCatalog) -> Reply:
    options = [(c.id, catalog.connector(c.connector_name)["display_name"]) for c in session.configs]
    body = join([
        paragraph(f"Connect an integration for {session.claims.tenant.name}."),
        form(choices("Integration", "connector_config_id", options),
             actions(button("Continue", "choose", primary=True, name="step"))),
    ])
    return page(VENDOR, "Choose an integration", body)


def connect_page(session: Session, catalog: ConnectorCatalog, config: OpenIntConnectorConfig) -> Reply:
    connector = catalog.connector(config.connector_name)
    names = input_fields(catalog, config.connector_name)
    intro = (f"Authorize {connector['display_name']} for {session.claims.tenant.name}." if catalog.is_oauth(
        config.connector_name) else f"Enter your {connector['display_name']} credentials.")
    fields = [field(label_of(n), f"setting.{n}", secret=bool(SECRET_NAME.search(n))) for n in names]
    body = join([
        paragraph(intro),
        details({"Integration": connector["display_name"], "Connector config": config.id,
                 "Customer": session.claims.customer_id}),
        form(Html("".join(fields)), actions(button("Connect", "connect", primary=True, name="step")),
             hidden={"connector_config_id": config.id}),
    ])
    return page(VENDOR, f"Connect {connector['display_name']}", body)


class OpenIntPages:
    def __init__(self, world: World, service: OpenIntService) -> None:
        self.world = world
        self.service = service

    def session(self, request: PageRequest) -> Session | Reply:
        if request.page != ("connect",):
            return error_page(VENDOR, "Page not found", "OpenInt's Connect page is /connect.", 404)
        try:
            claims = self.service.tokens.verify(request.arg("token"), int(self.world.clock.now().timestamp()))
        except ServiceError as error:  # jose's wording, as OpenInt's API answers the same token
            return error_page(VENDOR, "Link not valid", error.message, 401, "UNAUTHORIZED")
        names = connector_names(claims, request)
        configs = tuple(c for c in self.world.seed.connector_configs(claims.tenant.id)
                        if not names or c.connector_name in names)
        if not configs:
            return error_page(VENDOR, "Nothing to connect", "No connector config matches this link.", 404,
                              "NOT_FOUND")
        return Session(claims, configs, *return_target(claims, request))

    async def show(self, request: PageRequest) -> Reply:
        session = self.session(request)
        if isinstance(session, Reply):
            return session
        if len(session.configs) == 1:
            return connect_page(session, self.service.catalog, session.configs[0])
        return choose_page(session, self.service.catalog)

    async def submit(self, request: PageRequest) -> Reply:
        session = self.session(request)
        if isinstance(session, Reply):
            return session
        config = session.config(request.form.get("connector_config_id", ""))
        if config is None:
            return error_page(VENDOR, "Not available", "That connector config is not offered by this link.", 404,
                              "NOT_FOUND")
        if request.form.get("step") != "connect":
            return connect_page(session, self.service.catalog, config)
        typed = {k.removeprefix("setting."): v for k, v in request.form.items() if k.startswith("setting.")}
        missing = [n for n in input_fields(self.service.catalog, config.connector_name) if not typed.get(n)]
        if missing:
            return error_page(VENDOR, "Missing fields", f"Fill in: {', '.join(map(label_of, missing))}.", 400,
                              "BAD_REQUEST")
        return await self.connect(session, config, typed)

    async def connect(self, session: Session, config: OpenIntConnectorConfig, typed: dict[str, str]) -> Reply:
        catalog = self.service.catalog
        settings = settings_for(catalog, config.connector_name, typed, f"mock_oauth_{self.world.ids.hex(32)}")
        body = {"connector_config_id": config.id, "customer_id": session.claims.customer_id,
                "check_connection": True, "data": {"connector_name": config.connector_name, "settings": settings}}
        try:
            record = await self.service.create(session.principal, body)
        except ServiceError as error:
            return error_page(VENDOR, "Could not connect", error.message, error.status, error.code)
        name = catalog.connector(config.connector_name)["display_name"]
        params = {"connection_id": record["id"], "customer_id": record["customer_id"],
                  "connector_name": record["connector_name"]}
        return Outcome("openint", VENDOR, "Connected", f"{name} is connected.", params, session.return_url,
                       note=session.return_note).reply()
