"""The profile's seed-facing parts, the per-vendor credentials of the seed, and the vendor registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixtures import load_seed
from fixtures.factories import create_requests, seeded_table
from fixtures.seed import parse_tenant
from openapi import VENDORS, VendorEntry, entry, register, unregister, vendors
from openapi.registry import RegistryError
from speclib.profile import vendor_profile
from speclib.seeding import Fill, SeedBinding, Stored, auth_of, pick

SEED = load_seed()
ACME = SEED.tenant("acme")


def test_pick_walks_maps_lists_and_stars() -> None:
    node = {"users": [{"key": "a", "id": 1}, {"key": "b"}], "team": {"id": "t"}}
    assert pick(node, "users.*.key") == ["a", "b"]
    assert pick(node, "users.1.key") == ["b"]
    assert pick(node, "team.id") == ["t"]
    assert pick(node, "team.slug") == [] and pick(node, "users.*.id") == [1]


def test_auth_describes_keys_with_their_owners_and_shown_values() -> None:
    auth = auth_of({"keys": "users.*.key", "names": "users.*.id", "show": {"team": "team.id"}})
    assert auth is not None
    credentials = {"users": [{"id": "u1", "key": "k1"}, {"id": "u2", "key": "k2"}], "team": {"id": "t9"}}
    assert auth.keys_of(credentials) == ["k1", "k2"]
    assert auth.describe(credentials) == "u1=k1, u2=k2  (team t9)"


def test_a_fill_sets_a_nested_field_only_for_its_variant() -> None:
    body: dict[str, object] = {"type": "slack"}
    Fill("request.config.account", "ACC", variant="TBA").apply(body, "OAUTH2", "u")
    assert body == {"type": "slack"}
    Fill("request.config.account", "ACC", variant="TBA").apply(body, "TBA", "u")
    Fill("request.uid", "{request.type}/c-{unique}").apply(body, None, "1234")
    assert body == {"type": "slack", "config": {"account": "ACC"}, "uid": "slack/c-1234"}


def test_a_seed_binding_keeps_the_first_record_per_variant_of_the_tenant() -> None:
    binding = SeedBinding("things", "kind", "id", tenant="owner")
    records = ({"id": "1", "kind": "a", "owner": "t"}, {"id": "2", "kind": "a", "owner": "t"},
               {"id": "3", "kind": "b", "owner": "other"})
    assert binding.table(records, "t") == {"a": "1"}
    assert binding.pairs(records, "t") == [("a", "1"), ("a", "2")]


def test_stored_spaces_read_the_tenant_and_its_credentials() -> None:
    assert Stored("connectors", "vercel:{team.id}:connectors").space_of("acme", ACME.of("vercel")) == \
        f"vercel:{ACME.vercel_team.id}:connectors"
    assert Stored("connections", "nango:{tenant}:connections").space_of("acme", {}) == "nango:acme:connections"


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_bundled_vendor_finds_each_tenants_keys_in_the_seed(vendor: str) -> None:
    for tenant in SEED.tenants:
        assert tenant.keys(vendor) and all(tenant.keys(vendor))
    assert len({t.key(vendor) for t in SEED.tenants}) == len(SEED.tenants)


@pytest.mark.parametrize("vendor", [v for v in VENDORS if vendor_profile(v).binds is not None])
def test_fixtures_bind_to_the_seeded_object_of_their_variant(vendor: str) -> None:
    binds = vendor_profile(vendor).binds
    assert binds is not None
    table = seeded_table(vendor, ACME, SEED)
    assert table, "binds.seed names no seed records"
    for request in create_requests(vendor, 6):
        source, name = binds.place
        bound = (request.path_params if source == "path" else request.body)[name]
        assert bound == table[str(request.variant)]


def test_a_seed_file_in_the_flat_layout_still_loads() -> None:
    tenant = parse_tenant({"id": "t", "name": "T", "nango_secret_key": "k", "vercel_team": {"id": "i", "slug": "s"},
                           "xpander_users": [{"id": "u", "email": "u@x", "api_key": "x"}]})
    assert tenant.key("nango") == "k" and tenant.vercel_team.slug == "s" and tenant.key("xpander") == "x"


def test_the_registry_refuses_to_shadow_a_vendor_or_a_missing_spec(tmp_path: Path) -> None:
    with pytest.raises(RegistryError):
        register(VendorEntry("nango", entry("xpander").spec, "x:Y"))
    with pytest.raises(RegistryError):
        register(VendorEntry("ghost", tmp_path / "ghost.yaml", "x:Y"))
    assert "ghost" not in vendors()
    unregister("nango")  # bundled vendors stay
    assert vendors() == VENDORS
