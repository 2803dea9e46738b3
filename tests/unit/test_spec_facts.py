"""Each vendor's create operation, checked against the facts of the vendors' own documents.

The expectations below are copied from the vendors' pages and specs named in `openapi/README.md` (and from the
recorded exchanges in `fixtures/recordings/` where the server disagrees with its published spec): the specs must
say the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from speclib import load_spec, secret_rules
from speclib.secrets import SecretRule


@dataclass(frozen=True)
class CreateFacts:
    vendor: str
    operation: str
    required: frozenset[str]
    success: str
    error_status: str
    error_required: tuple[str, ...]  # a path of required keys into the error body
    write_only: frozenset[tuple[str, ...]] = frozenset()
    returned_by: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    never_returned_by: frozenset[str] = frozenset()


FACTS = [
    CreateFacts("xpander", "connectConnector", frozenset({"name"}), "200", "422", ("detail",),
                write_only=frozenset({("security",), ("headers",)})),
    CreateFacts("openint", "createConnection", frozenset({"connector_config_id", "customer_id", "data"}),
                "200", "400", ("message", "code"),
                returned_by={("data", "settings"): frozenset(
                    {f"{op}{version}" for op in ("createConnection", "getConnection", "listConnections")
                     for version in ("", "V1", "V2")})}),  # the paths the SDK generations call
    # The June page requires `type` and `data`; SDK 1.28.35's preset form (`service` + `connectionMethod`) has no
    # `type`, so only `data` is required of every shape (the typed variants still require `type`, tested below).
    CreateFacts("vercel", "createConnector", frozenset({"data"}), "201", "400", ("error",),
                write_only=frozenset({("data", "clientSecret"), ("data", "privateKeyPem"), ("data", "webhookSecret"),
                                      ("data", "signingSecret"), ("data", "consumerSecret")}),
                never_returned_by=frozenset({"createConnector", "getConnector", "listConnectors"})),
    CreateFacts("nango", "createConnection", frozenset({"provider_config_key", "credentials"}), "201", "400",
                ("error",),
                returned_by={("credentials",): frozenset({"createConnection", "getConnection"})},
                never_returned_by=frozenset({"listConnections"})),
]
IDS = [f.vendor for f in FACTS]


def required_of(schema: dict[str, Any]) -> set[str]:
    """Fields required by every shape a body may take (through allOf, and across oneOf variants)."""
    found = set(schema.get("required", []))
    for sub in schema.get("allOf", []):
        found |= required_of(sub)
    variants = schema.get("oneOf") or schema.get("anyOf") or []
    if variants:
        found |= set.intersection(*(required_of(v) for v in variants))
    return found


def rules_of(facts: CreateFacts) -> tuple[SecretRule, ...]:
    return secret_rules(load_spec(facts.vendor)).get(facts.operation, ())


@pytest.mark.parametrize("facts", FACTS, ids=IDS)
def test_required_request_fields(facts: CreateFacts) -> None:
    schema = load_spec(facts.vendor).operation(facts.operation).body_schema()
    assert schema is not None
    assert required_of(schema) == facts.required


@pytest.mark.parametrize("facts", FACTS, ids=IDS)
def test_success_status_is_the_one_the_vendor_sends(facts: CreateFacts) -> None:
    statuses = load_spec(facts.vendor).operation(facts.operation).statuses()
    assert [s for s in statuses if s.startswith("2")] == [facts.success]


@pytest.mark.parametrize("facts", FACTS, ids=IDS)
def test_error_schema_is_the_vendor_envelope(facts: CreateFacts) -> None:
    schema = load_spec(facts.vendor).operation(facts.operation).response_schema(facts.error_status)
    assert schema is not None
    # FastAPI's generated HTTPValidationError declares `detail` without requiring it: declared is what counts.
    declared = set(schema.get("required", [])) | set(schema.get("properties", {}))
    assert set(facts.error_required) <= declared


@pytest.mark.parametrize("facts", FACTS, ids=IDS)
def test_write_only_fields_are_never_returned(facts: CreateFacts) -> None:
    rules = {rule.path: rule for rule in rules_of(facts)}
    for path in facts.write_only:
        assert path in rules, f"{'/'.join(path)} is not marked"
        assert rules[path].write_only


@pytest.mark.parametrize("facts", FACTS, ids=IDS)
def test_returned_secrets_come_back_only_where_documented(facts: CreateFacts) -> None:
    rules = rules_of(facts)
    for path, operations in facts.returned_by.items():
        marked = [r for r in rules if r.path == path]
        assert marked, f"{'/'.join(path)} is not marked"
        assert {place.operation for place in marked[0].returned} == operations
    for rule in rules:
        assert not {p.operation for p in rule.returned} & facts.never_returned_by


def test_openint_secrets_on_reads_need_include_secrets() -> None:
    rule = next(r for r in rules_of(FACTS[1]) if r.path == ("data", "settings"))
    for place in rule.returned:
        if not place.operation.startswith("createConnection"):
            assert place.when_query == (("include_secrets", ("true",)),)


def test_nango_refresh_token_on_get_needs_refresh_token_flag() -> None:
    rule = next(r for r in rules_of(FACTS[3]) if r.path[-1] == "refresh_token")
    get = [p for p in rule.returned if p.operation == "getConnection"]
    assert get and all(p.when_query == (("refresh_token", ("true", "1", "yes", "on", "y", "enabled")),) for p in get)
    # a spelling the server reads as true allows the refresh token back; false, empty or absent do not
    assert get[0].applies("getConnection", {"refresh_token": "YES"})
    assert not any(get[0].applies("getConnection", q) for q in ({"refresh_token": "false"}, {"refresh_token": ""}, {}))


def test_openint_connector_config_id_must_start_with_ccfg() -> None:
    schema = load_spec("openint").operation("createConnection").body_schema()
    assert schema is not None
    assert schema["properties"]["connector_config_id"]["pattern"] == "^ccfg_"


def test_xpander_access_scope_enum_and_defaults() -> None:
    props = load_spec("xpander").operation("connectConnector").body_schema()["properties"]  # type: ignore[index]
    assert [v for v in props["access_scope"]["enum"] if v] == ["personal", "organizational"]
    assert props["access_scope"]["default"] == "personal"
    assert props["is_service_account"]["default"] is False


def test_vercel_typed_bodies_require_type_and_data() -> None:
    schema = load_spec("vercel").operation("createConnector").body_schema()
    assert schema is not None
    variants = schema.get("anyOf") or schema.get("oneOf") or [schema]
    typed = [v for v in variants if "connectionMethod" not in required_of(v)]
    assert typed and all({"type", "data"} <= required_of(v) for v in typed)
