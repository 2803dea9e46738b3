"""One side of a differential run: where a server lives, its two tenants' keys, and its seeded objects by role.

A side comes from a `connmock check` target TOML (keys by environment variable, never inline; seeded ids in
`[<vendor>.ids]`) or, with no file, from the server's own `GET /__connmock/tenants` (a connmock mock). Seeded
objects are named by role -- a Nango integration by its auth mode, an OpenInt connector config by its
connector name -- so each side's own object is used whatever its name.

Printing a side never shows a key: `placeholders` name the environment variable (or a `$<SIDE>_KEY` stand-in)
that curl lines use instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from connmock.fidelity import substitution
from contracts.target import Target, load_target
from speclib.profile import vendor_profile

__all__ = ["Side", "from_server", "load_side"]


@dataclass(slots=True)
class Side:
    """A server as a differential run sees it. `roles`: role name (`integration:OAUTH2`) -> this side's id."""

    name: str
    base_url: str
    keys: tuple[str, ...]
    placeholders: tuple[str, ...]
    roles: dict[str, str] = field(default_factory=dict)

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(k for k in self.keys if k)


def role_name(kind: str, selector: str) -> str:
    return f"{kind}:{selector}"


def roles_of_entry(vendor: str, entry: dict[str, Any]) -> dict[str, str]:
    """Roles of one `/__connmock/tenants` vendor entry (first object per role wins), as the profile's
    `binds.role` lists them."""
    binds = vendor_profile(vendor).binds
    if binds is None or binds.role is None or binds.seed is None:
        return {}
    roles: dict[str, str] = {}
    for item in entry.get(binds.role.listed, []):
        roles.setdefault(role_name(binds.role.name, str(item[binds.seed.variant])), str(item[binds.seed.id]))
    return roles


def roles_of_target(vendor: str, target: Target) -> dict[str, str]:
    binds = vendor_profile(vendor).binds
    if binds is None or binds.role is None:
        return {}
    ids = target.ids.get(binds.table, {})
    return {role_name(binds.role.name, str(selector)): str(value) for selector, value in ids.items()}


def is_target_file(path: str | Path, vendor: str) -> bool:
    """A `connmock check` target (a `[<vendor>]` table) rather than a replay config (`[[tenants]]`)."""
    import tomllib

    return isinstance(tomllib.loads(Path(path).read_text(encoding="utf-8")).get(vendor), dict)


def from_target(name: str, vendor: str, url: str, config: str | Path) -> Side:
    """A side from a check target; `url` is the server root (the target's `base_path` is appended) or already
    the vendor's base URL."""
    import tomllib

    section = tomllib.loads(Path(config).read_text(encoding="utf-8")).get(vendor)
    if not isinstance(section, dict):
        raise ValueError(f"{config} has no [{vendor}] table: --config-a/--config-b take a `connmock check` target "
                         "TOML (a replay config's [[tenants]] is for `connmock replay`)")
    base_path = str(section.get("base_path", ""))
    root = url.rstrip("/")
    if base_path and root.endswith(base_path.rstrip("/")):
        root = root[: -len(base_path.rstrip("/"))]
    target = load_target(vendor, root, Path(config))
    names = [f"${section['api_key_env']}"]
    keys = [target.primary.key]
    if target.other is not None:
        keys.append(target.other.key)
        names.append(f"${section['other_api_key_env']}")
    return Side(name, target.base_url, tuple(keys), tuple(names), roles_of_target(vendor, target))


def from_server(name: str, vendor: str, url: str, client: httpx.Client) -> Side:
    """A side from a connmock mock's `/__connmock/tenants` (its demo tenants' keys and seeded objects)."""
    tenants = substitution.fetch_tenants(client, url, vendor)
    if not tenants:
        raise ValueError(f"{url} has no /__connmock/tenants: give --config-{name.lower()} (a check target TOML)")
    keys = tuple(substitution.secret_of(t) or "" for t in tenants[:2])
    placeholders = tuple(f"${name.upper()}_{vendor.upper()}_{'KEY' if i == 0 else 'OTHER_KEY'}"
                         for i in range(len(keys)))
    return Side(name, url.rstrip("/"), keys, placeholders, roles_of_entry(vendor, tenants[0]))


def load_side(name: str, vendor: str, url: str, config: str | None, client: httpx.Client) -> Side:
    if config is not None:
        return from_target(name, vendor, url, config)
    return from_server(name, vendor, url, client)
