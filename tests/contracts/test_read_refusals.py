"""A server that checks credentials with their provider on each read (Nango's OAUTH2_CC) refuses the suite's
made-up credentials with its documented error: the profile's `read-refusal` says so, and only for those
credential types is it no failure."""

from __future__ import annotations

import pytest

from contracts.runner import RunOptions, run_vendor
from contracts.target import local_target
from mock_server import Settings, create_app
from speclib.profile import vendor_profile
from tests.contracts.unreliable import refusing_refreshes
from tests.support.server import running


def lifecycle_failures(refused_variant: str) -> list[str]:
    app = create_app(Settings(vendors=("nango",)))
    integration = local_target("nango", "http://unused").ids["integrations"][refused_variant]
    with running(refusing_refreshes(app, integration)) as url:
        result = run_vendor(local_target("nango", url), RunOptions(max_examples=4, sections=("lifecycle",)))
    return [str(r.failure) for section in result.sections for r in section.failures]


def test_the_profile_names_the_credentials_nango_refreshes_on_read() -> None:
    refusal = vendor_profile("nango").read_refusal
    assert refusal is not None and refusal.variants == ("OAUTH2_CC",)
    assert refusal.covers("OAUTH2_CC", 424, {"error": {"code": "invalid_credentials"}})
    assert not refusal.covers("OAUTH2_CC", 500, {"error": {"code": "invalid_credentials"}})
    assert not refusal.covers("OAUTH2", 400, {"error": {"code": "invalid_credentials"}})


def test_a_refused_refresh_of_client_credentials_is_no_failure() -> None:
    assert lifecycle_failures("OAUTH2_CC") == []


@pytest.mark.parametrize("variant", ["OAUTH2", "API_KEY"])
def test_the_same_refusal_of_other_credentials_is_a_failure(variant: str) -> None:
    failures = lifecycle_failures(variant)
    assert failures and all("getConnection" in line for line in failures), failures
