"""What Vercel derives from a connector's `type`, and what of its `data` may be shown.

The derived fields (`typeName`, `supportedSubjectTypes`, `supports*`) are what Vercel computes per type; the
mock keeps one row per type of the June 2026 enum (the closed enum @vercel/sdk 1.27.0 enforces on responses).
Which `data` fields are secrets is read from the spec's marks, never listed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from speclib.secrets import SecretRule, rule_for

__all__ = [
    "KINDS", "NAME_SOURCES", "SLUG", "ConnectorKind", "default_name", "derived_fields", "kind_of", "preset_type",
    "resolved", "service_of", "slugify", "without_secrets",
]


@dataclass(frozen=True, slots=True)
class ConnectorKind:
    type_name: str
    service: str | None  # the fixed service of the type; None: taken from the body or the data
    subjects: tuple[str, ...]
    installation: bool
    revocation: bool
    triggers: bool
    icon: str  # "false" | "maybe" | "true", a string on the wire


KINDS = {
    "api-key": ConnectorKind("API Key", None, ("app",), False, False, False, "maybe"),
    "custom": ConnectorKind("Custom", None, ("app", "user"), False, False, False, "maybe"),
    "github": ConnectorKind("GitHub", "github", ("app", "user"), True, True, True, "false"),
    "oauth": ConnectorKind("OAuth", None, ("user",), False, True, False, "maybe"),
    "salesforce": ConnectorKind("Salesforce", "salesforce", ("user",), False, True, False, "false"),
    "slack": ConnectorKind("Slack", "slack", ("app", "user"), True, True, True, "false"),
    "snowflake": ConnectorKind("Snowflake", "snowflake", ("app",), False, False, False, "false"),
}
NAME_SOURCES = ("appSlug", "appName", "clientName", "accountIdentifier")  # data fields a default name comes from
SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return SLUG.sub("-", text.lower()).strip("-")


def kind_of(connector_type: str) -> ConnectorKind:
    return KINDS[connector_type]


def preset_type(body: dict[str, Any]) -> str:
    """The type of a preset create (`service` + `connectionMethod`, `type` optional): the service's own type
    when it is one of the seven, else the body's `type` when it is, else `oauth` (what most presets are)."""
    for candidate in (body.get("service"), body.get("type")):
        if candidate in KINDS:
            return str(candidate)
    return "oauth"


def resolved(body: dict[str, Any]) -> dict[str, Any]:
    """A create body with its connector `type` settled (presets name a service and a connection method)."""
    if body.get("connectionMethod") and (body.get("type") not in KINDS):
        return {**body, "type": preset_type(body)}
    return body


def service_of(body: dict[str, Any]) -> str:
    """Vercel's "always non-empty" service: the body's, the type's own, the OAuth server's host, or the type."""
    kind = KINDS[body["type"]]
    if body.get("service"):
        return str(body["service"])
    if kind.service:
        return kind.service
    server = body.get("data", {}).get("serverUrl")
    host = urlparse(server).hostname if isinstance(server, str) else None
    return host or str(body["type"])


def default_name(body: dict[str, Any], fallback: str) -> str:
    """A name from the data (`appSlug`, `appName`…), else `fallback` (a part of the new id, so never taken)."""
    data = body.get("data", {})
    for field in NAME_SOURCES:
        value = data.get(field)
        if isinstance(value, str) and slugify(value):
            return slugify(value)
    return fallback


def derived_fields(connector_type: str) -> dict[str, Any]:
    kind = KINDS[connector_type]
    return {
        "typeName": kind.type_name,
        "supportedSubjectTypes": list(kind.subjects),
        "supportsInstallation": kind.installation,
        "supportsRevocation": kind.revocation,
        "supportsTriggers": kind.triggers,
        "supportsIcon": kind.icon,
    }


def without_secrets(value: Any, rules: tuple[SecretRule, ...], path: tuple[str, ...]) -> Any:
    """`value` (found at `path` of the create body) without any subtree a secret mark covers.

    Connector responses are no place any mark lists, so both write-only values and values returned only by
    getConnectorToken (api-key `values[].value`) are dropped, whole (a secret object goes with its children).
    """
    if isinstance(value, dict):
        return {k: without_secrets(v, rules, (*path, str(k))) for k, v in value.items()
                if rule_for(rules, (*path, str(k))) is None}
    if isinstance(value, list):
        return [without_secrets(v, rules, (*path, str(i))) for i, v in enumerate(value)
                if rule_for(rules, (*path, str(i))) is None]
    return value
