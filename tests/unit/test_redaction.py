"""The compiled redaction of the journal answers exactly what the plain definition (`secrets.redact`) does."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fixtures import load_seed
from fixtures.factories import CREATE_OPERATIONS, PayloadFactory
from openapi import VENDORS
from speclib import load_spec, secret_rules
from speclib.redaction import redaction
from speclib.secrets import redact

SEED = load_seed()
KEYS = st.sampled_from(["security", "headers", "credentials", "settings", "data", "oauth", "access_token",
                        "clientSecret", "values", "value", "raw", "name", "0", "1", "api_key", "type"])
JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)


def create_rules(vendor: str) -> Any:
    return secret_rules(load_spec(vendor))[CREATE_OPERATIONS[vendor]]


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_factory_body_is_redacted_the_same(vendor: str) -> None:
    rules = create_rules(vendor)
    compiled = redaction(rules)
    factory = PayloadFactory(vendor, 3)
    variants: list[str | None] = [*factory.variants()] or [None]
    for variant in variants:
        body = factory.create(SEED.tenants[0], SEED, variant=variant).body
        assert compiled(body) == redact(body, rules)


@pytest.mark.parametrize("vendor", VENDORS)
@given(body=JSON)
def test_any_json_is_redacted_the_same(vendor: str, body: Any) -> None:
    rules = create_rules(vendor)
    assert redaction(rules)(body) == redact(body, rules)
