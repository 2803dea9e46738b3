"""The connectors the contract carries, read from the spec's `ConnectionData` union: their settings schemas,
auth types (for `expand=connector`), and zod-like stripping of the keys a connector does not declare."""

from __future__ import annotations

from typing import Any

from speclib import Spec
from speclib.validation import discriminator_values

__all__ = ["ConnectorCatalog", "strip_undeclared"]

DISPLAY_NAMES = {
    "acme-apikey": "Acme API Key",
    "acme-oauth2": "Acme OAuth2",
    "github": "GitHub",
    "sharepoint-onprem": "SharePoint On-Premise",
}
LOGO_URL = "https://cdn.jsdelivr.net/gh/openintegrations/openint@main/apps/web/public/_assets/logo-{name}.svg"


def public_schema(schema: Any) -> Any:
    """A schema as OpenInt publishes it: without connmock's `x-` marks and the contract's descriptions."""
    if isinstance(schema, dict):
        return {k: public_schema(v) if k != "properties" else {n: public_schema(s) for n, s in v.items()}
                for k, v in schema.items() if not str(k).startswith("x-") and k != "description"}
    if isinstance(schema, list):
        return [public_schema(item) for item in schema]
    return schema


def strip_undeclared(schema: dict[str, Any], value: Any) -> Any:
    """`value` without the object keys its schema does not declare, in declaration order, as `z.object` parses.

    Objects that say `additionalProperties: true` (or a schema) keep every key, as `z.record` does.
    """
    if isinstance(value, list):
        items = schema.get("items")
        return [strip_undeclared(items, v) for v in value] if isinstance(items, dict) else value
    if not isinstance(value, dict):
        return value
    if "oneOf" in schema and "discriminator" in schema:
        prop = schema["discriminator"]["propertyName"]
        chosen = next((v for v in schema["oneOf"] if value.get(prop) in discriminator_values(v, prop)), None)
        return strip_undeclared(chosen, value) if chosen is not None else value
    properties: dict[str, Any] = schema.get("properties", {})
    extra = schema.get("additionalProperties")
    if not properties or extra is True or isinstance(extra, dict):
        return value
    return {k: strip_undeclared(properties[k], value[k]) for k in properties if k in value}


class ConnectorCatalog:
    def __init__(self, spec: Spec) -> None:
        body = spec.operation("createConnection").body_schema() or {}
        self.body_schema: dict[str, Any] = body
        union = body.get("properties", {}).get("data", {})
        prop = union.get("discriminator", {}).get("propertyName", "connector_name")
        self.variants = {name: variant for variant in union.get("oneOf", [])
                         for name in discriminator_values(variant, prop)}

    def settings_schema(self, name: str) -> dict[str, Any]:
        schema: dict[str, Any] = self.variants.get(name, {}).get("properties", {}).get("settings", {})
        return schema

    def checks_connection(self, name: str) -> bool:
        """Whether the connector's server can check a connection (`x-connmock-check-connection`, measured)."""
        return self.variants.get(name, {}).get("x-connmock-check-connection", True) is not False

    def is_oauth(self, name: str) -> bool:
        return "oauth" in self.settings_schema(name).get("properties", {})

    def auth_type(self, name: str) -> str:
        declared = self.settings_schema(name).get("properties", {})
        if "oauth" in declared:
            return "OAUTH2"
        return "BASIC" if "password" in declared else "API_KEY"

    def connector(self, name: str) -> dict[str, Any]:
        """What `expand=connector` adds: OpenInt's `core.connector` for this connector.

        Shaped as the recorded server answers for acme-apikey: all seven schemas (the ones the contract does
        not carry are plain objects; an API-key connector's connect output is its settings) and no
        `platforms`, which OpenInt sends only for connectors that declare them.
        """
        settings = public_schema(self.settings_schema(name))
        closed = {"type": "object", "additionalProperties": False}
        config: dict[str, Any] = {"type": "object"}
        if self.auth_type(name) == "API_KEY":  # OpenInt's shared API-key connector config schema
            config["description"] = "Base configuration for api key connector"
        return {
            "name": name,
            "display_name": DISPLAY_NAMES.get(name, name.replace("-", " ").title()),
            "logo_url": LOGO_URL.format(name=name),
            "stage": "ga",
            "schemas": {
                "connector_config": config,
                "connection_settings": settings,
                "integration_data": closed,
                "webhook_input": dict(closed),
                "pre_connect_input": {"type": "object"},
                "connect_input": {"type": "object"},
                "connect_output": {"type": "object"} if self.is_oauth(name) else settings,
            },
            "auth_type": self.auth_type(name),
            "has_openint_credentials": False,
        }
