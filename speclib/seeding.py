"""The parts of a vendor profile that tie it to the seed records and to the credential it is called with.

- `auth`: where the tenant's API keys for the vendor live in the seed (a dotted path into the tenant's
  `credentials.<vendor>` mapping, `*` for every item of a list), and which of the tenant's other values a
  person starting the mock wants to see beside them (`show`).
- `binds.seed`: which seeded records a create binds to: the seed section `records`, the field naming the create
  variant it serves (`variant`), the field holding its id (`id`), and, for records that belong to one tenant,
  the field naming that tenant (`tenant`).
- `stored`: where the mock keeps a tenant's objects (the journal page lists them).
- `fill`: values a valid create needs that its schema cannot say: a unique identity per create
  (`{unique}` in `value`) or a constant one variant needs.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Auth", "Fill", "Role", "SeedBinding", "Stored", "auth_of", "fills_of", "pick", "role_of",
           "seed_binding_of", "stored_of"]


def pick(node: Any, dotted: str) -> list[Any]:
    """Every value at `dotted` in `node` (`*` walks every item of a list); empty when absent."""
    found = [node]
    for part in dotted.split(".") if dotted else ():
        step: list[Any] = []
        for item in found:
            if part == "*" and isinstance(item, list | tuple):
                step.extend(item)
            elif isinstance(item, Mapping) and part in item:
                step.append(item[part])
            elif isinstance(item, list | tuple) and part.isdigit() and int(part) < len(item):
                step.append(item[int(part)])
        found = step
    return [value for value in found if value is not None]


@dataclass(frozen=True, slots=True)
class Auth:
    """`keys`: the dotted path of the tenant's API keys (the first is the one a client uses by default);
    `names`: the dotted path of each key's owner, when keys belong to users; `show`: label -> dotted path of
    other values printed beside the keys (e.g. a team id)."""

    keys: str
    names: str | None = None
    show: tuple[tuple[str, str], ...] = ()

    def keys_of(self, credentials: Any) -> list[str]:
        return [str(key) for key in pick(credentials, self.keys)]

    def describe(self, credentials: Any) -> str:
        """The keys as a person reads them (`owner=key, …` when keys have owners), then the values to show."""
        keys = self.keys_of(credentials)
        owners = [str(name) for name in pick(credentials, self.names)] if self.names else []
        text = ", ".join(f"{o}={k}" for o, k in zip(owners, keys, strict=True)) if owners else ", ".join(keys)
        extra = "".join(f"  ({label} {', '.join(map(str, pick(credentials, path)))})" for label, path in self.show)
        return text + extra


@dataclass(frozen=True, slots=True)
class SeedBinding:
    records: str
    variant: str
    id: str
    tenant: str | None = None

    def pairs(self, records: tuple[Mapping[str, Any], ...], tenant_id: str) -> list[tuple[str, str]]:
        """(variant, id) of every seeded record the tenant may bind to (its own, when records have a tenant)."""
        return [(str(r[self.variant]), str(r[self.id])) for r in records
                if self.tenant is None or r.get(self.tenant) == tenant_id]

    def table(self, records: tuple[Mapping[str, Any], ...], tenant_id: str) -> dict[str, str]:
        """Variant -> the id of the first seeded record serving it."""
        table: dict[str, str] = {}
        for variant, ident in self.pairs(records, tenant_id):
            table.setdefault(variant, ident)
        return table


@dataclass(frozen=True, slots=True)
class Role:
    """How a differential run (`connmock diff`) tells the seeded objects a create binds to apart across two
    servers: the role's `name` (in `{{role:<name>:<variant>}}` tokens), the key of `/__connmock/tenants`'
    vendor entry that `listed` them, the fields of an object that `match` it to the other side's, and the request
    `fields` that hold such an id."""

    name: str
    listed: str
    match: tuple[str, ...]
    fields: frozenset[str]


def role_of(block: Any) -> Role | None:
    if not isinstance(block, dict):
        return None
    return Role(str(block["name"]), str(block["listed"]), tuple(block.get("match", ())),
                frozenset(block.get("fields", ())))


@dataclass(frozen=True, slots=True)
class Fill:
    """`value` (with `{unique}` replaced by a fresh token) goes to `into` (`request.<dotted field>`) of every
    create, or only of the creates of `variant`."""

    into: str
    value: str
    variant: str | None = None

    @property
    def unique(self) -> bool:
        """A fresh value per create: what a suite that must make new objects needs (fixtures keep their own)."""
        return "{unique}" in self.value

    def apply(self, body: dict[str, Any], variant: str | None, unique: str) -> None:
        if self.variant is not None and self.variant != variant:
            return
        *parents, last = self.into.removeprefix("request.").split(".")
        node = body
        for part in parents:
            child = node.get(part)
            node = node.setdefault(part, {}) if not isinstance(child, dict) else child
            if not isinstance(node, dict):
                return
        node[last] = FIELD.sub(lambda m: unique if m[1] == "unique" else field_text(body, m[1]), self.value)


FIELD = re.compile(r"\{([\w.]+)\}")


def field_text(body: dict[str, Any], expression: str) -> str:
    """`{request.type}` in a fill's value: that field of the body (`x` when absent)."""
    found = pick(body, expression.removeprefix("request."))
    return str(found[0]) if found else "x"


@dataclass(frozen=True, slots=True)
class Stored:
    """Where the mock keeps a tenant's objects: `kind` (what they are) in store space `space`, a template in
    which `{tenant}` is the tenant's id and `{<dotted>}` a value of its credentials for the vendor."""

    kind: str
    space: str

    def space_of(self, tenant_id: str, credentials: Any) -> str:
        def value(match: re.Match[str]) -> str:
            found = pick(credentials, match[1])
            return tenant_id if match[1] == "tenant" else str(found[0]) if found else ""

        return FIELD.sub(value, self.space)


def stored_of(block: Any) -> Stored | None:
    return Stored(str(block["kind"]), str(block["space"])) if isinstance(block, dict) else None


def auth_of(block: Any) -> Auth | None:
    if not isinstance(block, dict) or not isinstance(block.get("keys"), str):
        return None
    return Auth(block["keys"], block.get("names"), tuple((str(k), str(v)) for k, v in block.get("show", {}).items()))


def seed_binding_of(block: Any) -> SeedBinding | None:
    if not isinstance(block, dict):
        return None
    return SeedBinding(str(block["records"]), str(block["variant"]), str(block["id"]), block.get("tenant"))


def fills_of(blocks: Any) -> tuple[Fill, ...]:
    return tuple(Fill(str(b["into"]), str(b["value"]), b.get("variant")) for b in blocks or ())
