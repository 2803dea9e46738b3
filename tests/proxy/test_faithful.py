"""In front of the faithful mock, a scripted run of every operation of every vendor finds no violation."""

from __future__ import annotations

import json

import httpx
import pytest

from contracts.target import auth_headers
from fixtures import load_seed
from fixtures.factories import PayloadFactory, create_requests
from openapi import VENDORS
from speclib import load_spec
from tests.proxy.conftest import Proxied, run_suite, suite_target


@pytest.mark.parametrize("vendor", VENDORS)
def test_no_violation_over_every_operation(mock_url: str, proxied: Proxied, vendor: str) -> None:
    # Given the proxy in front of the faithful mock
    with proxied(f"{mock_url}/{vendor}", vendor) as (url, app):
        # When every create variant is sent (PayloadFactory), then the suite's creates, gets, lists, deletes,
        # required-field errors, other-tenant calls and bad credentials run through it
        seed = load_seed()
        tenant = seed.tenants[0]
        factory = PayloadFactory(vendor, seed=7)
        headers = auth_headers(vendor, tenant.key(vendor))
        operation = load_spec(vendor).operation(factory.operation_id)
        usable = list(dict.fromkeys(r.variant for r in create_requests(vendor, 16, tenant_id=tenant.id)))
        for variant in usable:
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
