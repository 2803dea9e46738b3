"""What the suite runs against: a vendor's base URL, two tenants' credentials and ids of pre-existing objects.

Targets come from a TOML file (credentials by environment-variable name, never inline) or from the built-in
`local` profile, which describes a `connmock serve` started with the bundled seed records::

    [openint]
    base_path = "/v1"                        # appended to --base-url
    api_key_env = "OPENINT_API_KEY"          # the tenant the suite creates objects as
    other_api_key_env = "OPENINT_OTHER_KEY"  # a second tenant, for the isolation checks (optional)
    families = ["sdk-v1-paths"]              # optional operation families it serves (default: none)
    rate = 100                               # requests per minute to pace at (default: the spec's documented
                                             # limit; 0: no pacing)

    [openint.ids]
    connector_config_ids = {okta = "ccfg_okta_..."}

    [openint.other_ids]                      # the second tenant's own objects (optional: without them the
    connector_config_ids = {okta = "ccfg_..."}  # suite never creates as that tenant)
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fixtures import SeedData, Tenant, load_seed
from fixtures.factories import PayloadFactory
from speclib import load_spec
from speclib.profile import key_header, vendor_profile

__all__ = ["Credentials", "Target", "TargetError", "auth_headers", "load_target", "local_target"]


class TargetError(ValueError):
    """A target cannot be built: unknown vendor, missing environment variable, unreadable config."""


@dataclass(frozen=True, slots=True)
class Credentials:
    """One tenant's API credential (the value is a secret: reports redact it)."""

    tenant: str
    key: str


@dataclass(frozen=True, slots=True)
class Target:
    """A vendor API to check: where it lives, who the suite acts as, and which objects already exist."""

    vendor: str
    base_url: str
    primary: Credentials
    other: Credentials | None = None
    ids: Mapping[str, Any] = field(default_factory=dict)
    other_ids: Mapping[str, Any] | None = None  # the second tenant's objects: without them it creates nothing
    families: frozenset[str] | None = frozenset()  # optional operation families served; None: all (the mock)
    rate: float | None = None  # requests per minute to pace at; None: the spec's documented limit; 0: no pacing

    def with_base_url(self, base_url: str) -> Target:
        return replace(self, base_url=base_url.rstrip("/"))

    def ids_of(self, credentials: Credentials) -> Mapping[str, Any] | None:
        """The pre-existing objects a create as `credentials` binds to (None: unknown for that tenant)."""
        return self.ids if credentials == self.primary else self.other_ids
    def serves(self, family: str | None) -> bool:
        """Whether the target serves operations of `family` (the vendor's own API, None, always)."""
        return family is None or self.families is None or family in self.families

    @property
    def secrets(self) -> tuple[str, ...]:
        """Every configured real secret, for redaction by value."""
        return tuple(c.key for c in (self.primary, self.other) if c is not None)


def auth_headers(vendor: str, key: str) -> dict[str, str]:
    """The headers that carry `key`, from the spec's (first) security scheme."""
    header, prefix = key_header(load_spec(vendor))
    if prefix == "Basic ":
        import base64

        return {header: prefix + base64.b64encode(f"{key}:".encode()).decode()}
    return {header: prefix + key}


def seeded_ids(vendor: str, tenant: Tenant, seed: SeedData) -> dict[str, Any]:
    """Ids of the objects a fresh mock holds for `tenant` (what a real account would list in the config): the
    table the profile's `binds` names, made from the seed records its `binds.seed` names."""
    binds = vendor_profile(vendor).binds
    if binds is None or binds.seed is None:
        return {}
    return {binds.table: binds.seed.table(seed.records(binds.seed.records), tenant.id)}


def tenant_key(vendor: str, tenant: Tenant) -> str:
    return tenant.key(vendor)


def local_target(vendor: str, root_url: str) -> Target:
    """The built-in profile: a local `connmock serve` (vendor mounted at `/<vendor>`) with the bundled seed."""
    seed = load_seed()
    first, second = seed.tenants[0], seed.tenants[1] if len(seed.tenants) > 1 else None
    return Target(
        vendor=vendor,
        base_url=f"{root_url.rstrip('/')}/{vendor}",
        primary=Credentials(first.id, tenant_key(vendor, first)),
        other=Credentials(second.id, tenant_key(vendor, second)) if second else None,
        ids=seeded_ids(vendor, first, seed),
        other_ids=seeded_ids(vendor, second, seed) if second else None,
        families=None,  # the mock serves every family
        rate=0,  # and is never paced: its rate-limit headers are counted, not enforced
    )


def from_env(name: str | None, label: str) -> Credentials | None:
    if not name:
        return None
    value = os.environ.get(name)
    if not value:
        raise TargetError(f"environment variable {name} (credentials of {label}) is not set")
    return Credentials(label, value)


def load_target(vendor: str, root_url: str, config: Path | None = None) -> Target:
    """A target from `config` (TOML) when given, else the built-in `local` profile."""
    if config is None:
        return local_target(vendor, root_url)
    try:
        data = tomllib.loads(config.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TargetError(f"cannot read {config}: {exc}") from exc
    section = data.get(vendor)
    if not isinstance(section, dict):
        raise TargetError(f"{config} has no [{vendor}] table")
    if section.get("profile") == "local":
        return local_target(vendor, root_url)
    primary = from_env(section.get("api_key_env"), "primary")
    if primary is None:
        raise TargetError(f"[{vendor}] needs api_key_env")
    base = root_url.rstrip("/") + str(section.get("base_path", ""))
    other = from_env(section.get("other_api_key_env"), "other")
    other_ids = section.get("other_ids")
    families = section.get("families", [])
    known = {op.family for op in load_spec(vendor).operations.values() if op.family}
    if not isinstance(families, list) or not set(families) <= known:
        raise TargetError(f"[{vendor}] families must be a list of {', '.join(sorted(known)) or 'no'} families")
    rate = section.get("rate")
    if rate is not None and (not isinstance(rate, int | float) or rate < 0):
        raise TargetError(f"[{vendor}] rate must be a number of requests per minute (0: no pacing)")
    ids = section.get("ids", {})
    binds = vendor_profile(vendor).binds
    if binds is not None and not (isinstance(ids, dict) and isinstance(ids.get(binds.table), dict)
                                  and ids[binds.table]):
        variants = binds.variants or tuple(PayloadFactory(vendor).variants())
        raise TargetError(f"[{vendor}.ids] needs a {binds.table} table: the ids of the existing objects its creates "
                          f"refer to, by variant (any of {', '.join(variants)})")
    return Target(vendor, base.rstrip("/"), primary, other, dict(ids),
                  dict(other_ids) if isinstance(other_ids, dict) else None, frozenset(families),
                  None if rate is None else float(rate))
