"""Mapping a recording's credentials and seeded ids onto a target's own.

A recording's `roles` say what a recorded value stands for (tenant 0's secret key, its GitHub integration,
its `acme-apikey` connector config). The target's values come from its `GET /__connmock/tenants` when it
has one, else from a TOML file:

    [values]                       # recorded value = target value, used as given
    "<SECRET_KEY>" = "f6fadfa7-…"

    [[tenants]]                    # or: what the target has, shaped like one vendor entry of /__connmock/tenants
    secret_key = "f6fadfa7-…"
    integrations = [{unique_key = "github", provider = "github", auth_mode = "OAUTH2"}]
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from connmock.fidelity.recordings import Role

__all__ = ["origin", "substitute", "substitute_whole"]

KEY_FIELDS = ("secret_key", "api_key", "token")
OBJECT_LISTS = {"integration": ("integrations", "unique_key"), "connector_config": ("connector_configs", "id")}


class SubstitutionError(LookupError):
    """A role the target has no value for."""


def origin(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


def fetch_tenants(client: httpx.Client, base_url: str, vendor: str) -> list[dict[str, Any]] | None:
    """One vendor entry per demo tenant from the target's `/__connmock/tenants`, or None if it has none."""
    try:
        response = client.get(origin(base_url) + "/__connmock/tenants")
        if response.status_code != 200:
            return None
        return [t["vendors"][vendor] for t in response.json()["tenants"] if vendor in t.get("vendors", {})]
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        return None


def load_config(path: str | Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The `[values]` table and the `[[tenants]]` entries of a TOML config file."""
    data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    return {str(k): str(v) for k, v in data.get("values", {}).items()}, list(data.get("tenants", []))


def secret_of(entry: dict[str, Any]) -> str | None:
    for name in KEY_FIELDS:
        if entry.get(name):
            return str(entry[name])
    users = entry.get("users") or []
    return str(users[0]["api_key"]) if users and users[0].get("api_key") else None


def resolve_role(role: Role, tenants: list[dict[str, Any]]) -> str:
    if role.tenant >= len(tenants):
        raise SubstitutionError(f"the target has no tenant #{role.tenant}")
    entry = tenants[role.tenant]
    if role.kind == "secret_key":
        secret = secret_of(entry)
        if secret is None:
            raise SubstitutionError(f"tenant #{role.tenant} has no secret key")
        return secret
    if role.kind not in OBJECT_LISTS:
        raise SubstitutionError(f"unknown role kind {role.kind!r}")
    list_name, id_field = OBJECT_LISTS[role.kind]
    for item in entry.get(list_name, []):
        if all(str(item.get(k)) == v for k, v in role.match.items()):
            return str(item[id_field])
    raise SubstitutionError(f"tenant #{role.tenant} has no {role.kind} matching {role.match}")


def resolve(roles: dict[str, Role], tenants: list[dict[str, Any]], values: dict[str, str]) -> dict[str, str]:
    """Recorded value -> the target's value, for every role (explicit `values` win)."""
    mapping = dict(values)
    for recorded, role in roles.items():
        if recorded not in mapping:
            mapping[recorded] = resolve_role(role, tenants)
    return {k: v for k, v in mapping.items() if k != v}


def substitute(value: Any, mapping: dict[str, str]) -> Any:
    """`value` with every occurrence of a mapped string replaced in one pass (longest first), at any depth."""
    if not mapping:
        return value
    if isinstance(value, str):
        pattern = re.compile("|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True)))
        return pattern.sub(lambda found: mapping[found.group(0)], value)
    if isinstance(value, list):
        return [substitute(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, mapping) for k, v in value.items()}
    return value


def substitute_whole(value: Any, mapping: dict[str, str]) -> Any:
    """`value` with every string that equals a key of `mapping` replaced, at any depth (object keys stay)."""
    if isinstance(value, str):
        return mapping.get(value, value)
    if isinstance(value, list):
        return [substitute_whole(v, mapping) for v in value]
    if isinstance(value, dict):
        return {k: substitute_whole(v, mapping) for k, v in value.items()}
    return value
