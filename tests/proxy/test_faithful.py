"""In front of the faithful mock, a scripted run of every operation of every vendor finds no violation."""

from __future__ import annotations

import json

import httpx
import pytest

from contracts.target import auth_headers
from fixtures import load_seed
from fixtures.factories import PayloadFactory
from fixtures.seed import Tenant
from speclib import load_spec
from tests.proxy.conftest import Proxied, run_suite, suite_target

VENDORS = ("xpander", "openint", "vercel", "nango")


def tenant_key(vendor: str, tenant: Tenant) -> str:
    return {"xpander": tenant.xpander_users[0].api_key, "openint": tenant.openint_api_key,
            "vercel": tenant.vercel_token, "nango": tenant.nango_secret_key}[vendor]


def usable_variants(vendor: str, factory: PayloadFactory, tenant: Tenant) -> list[str | None]:
    seed = load_seed()
    if vendor == "xpander":
        return ["api_key", "oauth2"]
    if vendor == "openint":
        return [v for v in factory.variants() if v in {c.connector_name for c in seed.connector_configs(tenant.id)}]
    if vendor == "nango":
        return [v for v in factory.variants() if v in {i.auth_mode for i in seed.nango_integrations}]
    return list(factory.variants()) or [None]


@pytest.mark.parametrize("vendor", VENDORS)
def test_no_violation_over_every_operation(mock_url: str, proxied: Proxied, vendor: str) -> None:
    # Given the proxy in front of the faithful mock
    with proxied(f"{mock_url}/{vendor}", vendor) as (url, app):
        # When every create variant is sent (PayloadFactory), then the suite's creates, gets, lists, deletes,
        # required-field errors, other-tenant calls and bad credentials run through it
        seed = load_seed()
        tenant = seed.tenants[0]
        factory = PayloadFactory(vendor, seed=7)
        headers = auth_headers(vendor, tenant_key(vendor, tenant))
        operation = load_spec(vendor).operation(factory.operation_id)
        for variant in usable_variants(vendor, factory, tenant):
            made = factory.create(tenant, seed, variant=variant)
            path = operation.path.format(**made.path_params)
            answer = httpx.post(url + path, json=made.body, headers=headers)
            assert answer.status_code < 300, (variant, answer.status_code)
        covered = run_suite(suite_target(vendor, mock_url, url))
        log = httpx.get(f"{url}/__connmock/violations").json()
    # Then every operation was exercised and nothing broke the contract
    assert covered == set(load_spec(vendor).operations)
    assert log["counts"]["violation"] == 0, json.dumps([e for e in log["entries"] if e["kind"] == "violation"][:3])
    assert log["exchanges"] > 10
    assert {e["operation"] for e in log["entries"]} <= set(load_spec(vendor).operations)
    assert len(app.inspector.vault) > 0  # secrets were remembered (hashed) along the way
