"""A vendor's profile: the facts about the object its create makes that an OpenAPI document cannot say.

Read from the spec's top-level `x-connmock-profile` block (documented in `openapi/README.md`, "Vendor
profile"): which operations create, read, list, update and delete it, what a repeated create does, how the
object is identified and addressed, and how its list pages and filters. The contract suite's state machine is
built from it, so no vendor name is branched on there.

Expressions name a value of the create exchange: `request.<dotted path>` (the create's JSON body) or
`response.<dotted path>` (its JSON answer).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any, Literal

from speclib.loader import Spec, load_spec
from speclib.seeding import (
    Auth,
    Fill,
    Role,
    SeedBinding,
    Stored,
    auth_of,
    fills_of,
    role_of,
    seed_binding_of,
    stored_of,
)

__all__ = [
    "Auth",
    "Binds",
    "Fill",
    "Filter",
    "Listing",
    "Pagination",
    "Profile",
    "ProfileError",
    "ReadRefusal",
    "SeedBinding",
    "evaluate",
    "profile_of",
    "vendor_profile",
]

Repeat = Literal["upsert", "conflict", "new"]
REPEATS = ("upsert", "conflict", "new")
STYLES = ("page", "offset", "cursor")


class ProfileError(ValueError):
    """The `x-connmock-profile` block is missing, malformed, or names an operation the spec lacks."""


@dataclass(frozen=True, slots=True)
class Pagination:
    """How the list pages: `page` (page number from `first`), `offset` (with `total` and `has-next` fields of
    the answer), or `cursor` (the next cursor at the answer's `next` path)."""

    style: str
    size: str
    page: str | None = None
    first: int = 0
    offset: str | None = None
    total: str | None = None
    has_next: str | None = None
    cursor: str | None = None
    next: str | None = None


@dataclass(frozen=True, slots=True)
class Filter:
    """A list filter: query parameter `param` matches an object whose `value` expression equals it; `none`, when
    given, is a value that matches nothing the suite creates."""

    param: str
    value: str
    none: str | None = None


@dataclass(frozen=True, slots=True)
class Listing:
    items: str
    item_id: str
    pagination: Pagination | None
    filters: tuple[Filter, ...] = ()


@dataclass(frozen=True, slots=True)
class Binds:
    """How a create refers to an object that must exist before it: the target's `[vendor.ids]` table `table`
    maps each create variant to that object's id, which goes to `into` (`request.<field>` of the body or
    `path.<parameter>`). `variants`, when given, are the variants to create (else the fixtures' own). `seed`
    says which seed records make that table on a mock started with the seed."""

    table: str
    into: str
    variants: tuple[str, ...] = ()
    seed: SeedBinding | None = None
    role: Role | None = None  # how `connmock diff` matches these objects across two servers

    @property
    def place(self) -> tuple[str, str]:
        """(`request` or `path`, the field or parameter name)."""
        source, _, name = self.into.partition(".")
        return source, name


@dataclass(frozen=True, slots=True)
class ReadRefusal:
    """A read the server may refuse for objects of `variants` without breaking its contract: it checks the
    credentials with their provider on each read, and a target the suite drives holds made-up credentials (and
    may not reach the provider). The refusal is one of `statuses` whose answer has one of `values` at `code_at`
    (`at` in the block)."""

    variants: tuple[str, ...]
    statuses: tuple[int, ...]
    code_at: str
    values: tuple[str, ...]

    def covers(self, variant: str | None, status: int, answer: Any) -> bool:
        return variant in self.variants and status in self.statuses and at(answer, self.code_at) in self.values


@dataclass(frozen=True, slots=True)
class Profile:
    vendor: str
    create: str
    identity: str
    repeat: Repeat
    read: str | None = None
    list: str | None = None
    update: tuple[str, ...] = ()
    delete: str | None = None
    address_path: dict[str, str] = field(default_factory=dict)
    address_query: dict[str, str] = field(default_factory=dict)
    listing: Listing | None = None
    also_read: tuple[str, ...] = ()  # parameterless reads whose answers mention every live object
    binds: Binds | None = None
    read_refusal: ReadRefusal | None = None
    auth: Auth | None = None  # where the tenant's keys live in the seed
    fills: tuple[Fill, ...] = ()  # values every valid create needs that the schema cannot say
    stored: Stored | None = None  # where the mock keeps a tenant's objects
    consent: tuple[str, ...] = ()  # the decisions its hosted consent page offers (none: no such page)
    consent_refusal: str | None = None  # why a decision it lacks is refused, in the vendor's terms
    consent_pages: tuple[str, ...] = ()  # hosted pages that ask for the decision: `connect/*/*`, `connect?token`
    state_reads: tuple[str, ...] = ()  # reads that show an expired or revoked connection (`state` scenarios)
    state_answer: str | None = None  # the documented status such a read answers instead (Nango's 424)
    state_fields: dict[str, dict[str, str]] = field(default_factory=dict)  # or: state -> fields its answer shows
    unfit_checks: tuple[str, ...] = ()  # Schemathesis checks the vendor's documented behaviour cannot pass

    @property
    def operations(self) -> tuple[str, ...]:
        named = (self.create, self.read, self.list, *self.update, self.delete, *self.also_read)
        return tuple(op for op in named if op)


def evaluate(expression: str, request: Any, response: Any) -> Any:
    """The value `expression` names in a create exchange (None when absent)."""
    source, _, dotted = expression.partition(".")
    node: Any = {"request": request, "response": response}.get(source)
    for part in dotted.split(".") if dotted else ():
        node = node.get(part) if isinstance(node, dict) else None
    return node


def at(document: Any, dotted: str) -> Any:
    """The value at a dotted path of a JSON answer (None when absent)."""
    return evaluate(f"response.{dotted}", None, document)


def text(block: dict[str, Any], key: str, vendor: str) -> str:
    value = block.get(key)
    if not isinstance(value, str) or not value:
        raise ProfileError(f"{vendor}: x-connmock-profile needs a string {key!r}")
    return value


def pagination_of(block: Any) -> Pagination | None:
    if block is None:
        return None
    if block.get("style") not in STYLES:
        raise ProfileError(f"pagination style must be one of {STYLES}, not {block.get('style')!r}")
    return Pagination(style=block["style"], size=block["size"], page=block.get("page"),
                      first=int(block.get("first", 0)), offset=block.get("offset"), total=block.get("total"),
                      has_next=block.get("has-next"), cursor=block.get("cursor"), next=block.get("next"))


def listing_of(block: Any) -> Listing | None:
    if block is None:
        return None
    filters = tuple(Filter(f["param"], f["value"], f.get("none")) for f in block.get("filters", []))
    return Listing(block["items"], block["item-id"], pagination_of(block.get("pagination")), filters)


def binds_of(block: Any, vendor: str) -> Binds | None:
    if block is None:
        return None
    binds = Binds(text(block, "table", vendor), text(block, "into", vendor), tuple(block.get("variants", ())),
                  seed_binding_of(block.get("seed")), role_of(block.get("role")))
    if binds.place[0] not in ("request", "path") or not binds.place[1]:
        raise ProfileError(f"{vendor}: binds.into must be request.<field> or path.<parameter>, not {binds.into!r}")
    return binds


def read_refusal_of(block: Any) -> ReadRefusal | None:
    if block is None:
        return None
    return ReadRefusal(tuple(block["variants"]), tuple(int(s) for s in block["statuses"]), block["at"],
                       tuple(block["values"]))


def profile_of(spec: Spec) -> Profile:
    """The profile of `spec`, checked against its operations."""
    vendor = spec.vendor
    block = spec.document.get("x-connmock-profile")
    if not isinstance(block, dict):
        raise ProfileError(f"{vendor}: the spec has no x-connmock-profile block")
    repeat = block.get("repeat-create", "new")
    if repeat not in REPEATS:
        raise ProfileError(f"{vendor}: repeat-create must be one of {REPEATS}, not {repeat!r}")
    address, scenarios = block.get("address", {}), block.get("scenarios", {})
    state_shows = scenarios.get("state-shows", {})
    profile = Profile(
        vendor=vendor, create=text(block, "create", vendor), identity=text(block, "identity", vendor),
        repeat=repeat, read=block.get("read"), list=block.get("list"), update=tuple(block.get("update", ())),
        delete=block.get("delete"), address_path=dict(address.get("path", {})),
        address_query=dict(address.get("query", {})), listing=listing_of(block.get("listing")),
        also_read=tuple(block.get("also-read", ())), binds=binds_of(block.get("binds"), vendor),
        read_refusal=read_refusal_of(block.get("read-refusal")), auth=auth_of(block.get("auth")),
        fills=fills_of(block.get("fill")), stored=stored_of(block.get("stored")),
        consent=tuple(scenarios.get("consent", ())), consent_refusal=scenarios.get("consent-refusal"),
        consent_pages=tuple(scenarios.get("consent-pages", ())),
        state_reads=tuple(scenarios.get("state-reads", ())), unfit_checks=tuple(block.get("unfit-checks", ())),
        state_answer=state_shows.get("answer"),
        state_fields={state: dict(shown) for state, shown in state_shows.get("fields", {}).items()},
    )
    unknown = [op for op in (*profile.operations, *profile.state_reads) if op not in spec.operations]
    if unknown:
        raise ProfileError(f"{vendor}: x-connmock-profile names unknown operations {unknown}")
    if profile.state_reads and (profile.state_answer is None) == (not profile.state_fields):
        raise ProfileError(f"{vendor}: scenarios.state-shows needs either an answer (a documented status) or "
                           "fields (per state, what the read's answer shows)")
    if profile.auth is None:
        raise ProfileError(f"{vendor}: x-connmock-profile needs auth.keys (where the tenants' keys are in the seed)")
    if profile.list and profile.listing is None:
        raise ProfileError(f"{vendor}: x-connmock-profile has a list operation but no listing block")
    return profile


def key_header(spec: Spec) -> tuple[str, str]:
    """(header, prefix) that carry a key, from the spec's (first) security scheme: `("x-api-key", "")`,
    `("Authorization", "Bearer ")`, or `("Authorization", "Basic ")` (the key then is the user name)."""
    document = spec.document
    schemes: dict[str, Any] = document.get("components", {}).get("securitySchemes", {})
    requirement = next(iter(document.get("security", [{}])[0]), None)
    scheme = schemes.get(requirement or "", next(iter(schemes.values()), {}))
    if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
        return str(scheme["name"]), ""
    if scheme.get("type") == "http" and scheme.get("scheme", "").lower() == "basic":
        return "Authorization", "Basic "
    return "Authorization", "Bearer "


@functools.cache
def vendor_profile(vendor: str) -> Profile:
    """The profile of a vendor's spec, bundled or registered (read once)."""
    return profile_of(load_spec(vendor))
