"""Scenarios through `/__connmock/scenarios`: armed, listed, consumed oldest first by the requests they match
(vendor, operation, tenant, object), used up after `times`, cleared by reset; a documented error answers in the
vendor's shape, a delay delays, a drop gives no answer; every consumption is in the journal. Arming something the
spec does not document is a clear 400, never a 500. (States and consent: test_scenario_effects.py; the dropped
connection over a socket: tests/reliability/test_dropped_connection.py.)"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from mock_server import Settings
from mock_server.scenarios.staging import ConnectionDropped
from speclib import SchemaValidator, load_spec
from tests.reliability.support import SEED, VENDORS, ErrorShapes, auth_headers, create_path, valid_creates
from tests.support.api import ApiClient, SharedMock, in_process, shared_mock

ACME, GLOBEX = SEED.tenant("acme"), SEED.tenant("globex")
NANGO, NANGO_GLOBEX = auth_headers("nango", ACME), auth_headers("nango", GLOBEX)
ADMIN = {"x-connmock-admin-token": "admin-only"}
START = datetime(2026, 6, 8, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def shared() -> Iterator[SharedMock]:
    with shared_mock(Settings(admin_token="admin-only"), START) as mock:
        yield mock


@pytest.fixture
def api(shared: SharedMock) -> ApiClient:
    return shared.reset()


def arm(api: ApiClient, expect: int = 201, **body: Any) -> dict[str, Any]:
    armed = api.post("/__connmock/scenarios", headers=ADMIN, json=body)
    assert armed.status_code == expect, armed.text
    return armed.json()  # type: ignore[no-any-return]


def armed(api: ApiClient) -> list[dict[str, Any]]:
    return api.get("/__connmock/scenarios", headers=ADMIN).json()["scenarios"]  # type: ignore[no-any-return]


def journal(api: ApiClient) -> list[dict[str, Any]]:
    return api.get("/__connmock/requests", headers=ADMIN).json()["requests"]  # type: ignore[no-any-return]


def nango_list(api: ApiClient, headers: dict[str, str] = NANGO) -> httpx.Response:
    return api.get("/nango/connections", headers=headers)


def test_an_armed_error_answers_the_documented_status_in_the_vendors_shape_then_is_used_up(api: ApiClient) -> None:
    # Given the next Nango list is armed to answer its documented 403
    made = arm(api, kind="error", vendor="nango", operation="listConnections", status=403)
    assert made["id"].startswith("scn_") and (made["times"], made["remaining"]) == (1, 1)
    assert armed(api) == [made]
    # When the list is asked twice
    failed, normal = nango_list(api), nango_list(api)
    # Then the first answers 403 in Nango's error schema, without a Preference-Applied, the second as usual
    schema = load_spec("nango").operations["listConnections"].response_schema("403")
    assert failed.status_code == 403 and schema is not None and SchemaValidator(schema).errors(failed.json()) == []
    assert "preference-applied" not in failed.headers
    assert normal.status_code == 200 and armed(api) == []
    # And the journal names the scenario on the request that consumed it, and on no other
    entries = journal(api)
    assert [(e["status"], e["scenario"]) for e in entries] == [(403, f"{made['id']} error 403"), (200, None)]


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_vendor_answers_an_armed_create_error_in_its_envelope(shared: SharedMock, vendor: str) -> None:
    api = shared.reset()
    request = valid_creates(vendor, ACME, 1)[0]
    operation = load_spec(vendor).operation(request.operation_id)
    error = max(status for status in operation.responses if status >= "400")  # a 5xx, else a 409 or 422
    arm(api, kind="error", vendor=vendor, operation=request.operation_id, status=int(error))
    failed = api.post(create_path(request), json=request.body, headers=auth_headers(vendor, ACME))
    assert failed.status_code == int(error) and ErrorShapes(vendor).check(request.operation_id, failed).ok
    assert api.get("/__connmock/health", headers=ADMIN).json()["records"] == 0  # nothing was created


def test_times_and_fifo_per_match(api: ApiClient) -> None:
    # Given two scenarios on the same operation, the older one for two requests
    first = arm(api, kind="error", vendor="nango", operation="listConnections", status=400, times=2)
    second = arm(api, kind="error", vendor="nango", operation="listConnections", status=401)
    # Then they are consumed in the order armed, each as many times as it says
    assert [nango_list(api).status_code for _ in range(4)] == [400, 400, 401, 200]
    assert [e["scenario"].split()[0] for e in journal(api)[:3]] == [first["id"], first["id"], second["id"]]


def test_the_count_goes_down_in_the_listing(api: ApiClient) -> None:
    made = arm(api, kind="error", vendor="nango", operation="listConnections", status=400, times=3)
    nango_list(api)
    listed = api.get(f"/__connmock/scenarios/{made['id']}", headers=ADMIN).json()
    assert (listed["times"], listed["remaining"]) == (3, 2)


def test_tenant_and_object_narrow_the_match(api: ApiClient) -> None:
    # Given an error only for globex (named by its name), and one only for one connection id
    arm(api, kind="error", vendor="nango", operation="listConnections", status=400, tenant=GLOBEX.name)
    arm(api, kind="error", vendor="nango", operation="getConnection", status=403, object_id="conn-x")
    # Then acme's list and another connection's read are untouched, and the matching requests consume them
    assert nango_list(api).status_code == 200 and nango_list(api, NANGO_GLOBEX).status_code == 400
    assert api.get("/nango/connections/conn-y?provider_config_key=github", headers=NANGO).status_code == 404
    assert len(armed(api)) == 1
    assert api.get("/nango/connections/conn-x?provider_config_key=github", headers=NANGO).status_code == 403
    assert armed(api) == []


def test_an_operation_of_another_vendor_or_an_invalid_request_does_not_consume_it(api: ApiClient) -> None:
    arm(api, kind="error", vendor="nango", operation="listConnections", status=400)
    assert api.get("/nango/connections", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert api.get("/openint/connection", headers=auth_headers("openint", ACME)).status_code == 200
    assert len(armed(api)) == 1


def test_a_delay_answers_as_usual_after_the_delay(api: ApiClient) -> None:
    arm(api, kind="delay", vendor="nango", operation="listConnections", delay_ms=300)
    started = time.monotonic()
    delayed = nango_list(api)
    assert delayed.status_code == 200 and delayed.json() == {"connections": []}
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    nango_list(api)
    assert time.monotonic() - started < 0.3
    assert journal(api)[0]["scenario"].endswith("delay 300ms")


def test_an_armed_drop_sends_no_answer_and_is_journalled_with_status_0(api: ApiClient) -> None:
    made = arm(api, kind="drop", vendor="nango", operation="listConnections")
    # In-process there is no connection to close: the client sees the drop raised (a socket: see reliability)
    with pytest.raises(ConnectionDropped):
        nango_list(api)
    assert nango_list(api).status_code == 200
    dropped = journal(api)[0]
    assert (dropped["status"], dropped["scenario"], dropped["operation"]) == (0, f"{made['id']} drop",
                                                                              "listConnections")


def test_reset_and_delete_disarm(api: ApiClient) -> None:
    one = arm(api, kind="error", vendor="nango", operation="listConnections", status=400)
    arm(api, kind="delay", vendor="nango", operation="listConnections", delay_ms=10)
    assert api.delete(f"/__connmock/scenarios/{one['id']}", headers=ADMIN).json() == {"removed": one["id"]}
    assert api.delete(f"/__connmock/scenarios/{one['id']}", headers=ADMIN).status_code == 404
    assert api.get(f"/__connmock/scenarios/{one['id']}", headers=ADMIN).status_code == 404
    assert len(armed(api)) == 1
    assert api.post("/__connmock/reset", headers=ADMIN, json={}).status_code == 200
    assert armed(api) == [] and nango_list(api).status_code == 200
    arm(api, kind="drop", vendor="nango", operation="listConnections", times=5)
    assert api.delete("/__connmock/scenarios", headers=ADMIN).json() == {"cleared": 1}
    assert nango_list(api).status_code == 200


REFUSED = [
    pytest.param({"kind": "error", "vendor": "nango", "operation": "listConnections", "status": 418}, "status",
                 "documented errors: 400, 401, 403, 429", id="undocumented-status"),
    pytest.param({"kind": "error", "vendor": "nango", "operation": "listConnections", "status": 200}, "status",
                 "documents no 200", id="success-is-no-error"),
    pytest.param({"kind": "error", "vendor": "nango", "operation": "nope", "status": 400}, "operation",
                 "operationIds: listConnections, createConnection", id="unknown-operation"),
    pytest.param({"kind": "error", "vendor": "stripe", "operation": "x", "status": 400}, "vendor",
                 "one of: xpander, openint, vercel, nango", id="unknown-vendor"),
    pytest.param({"kind": "boom", "vendor": "nango"}, "kind", "one of: error, delay", id="unknown-kind"),
    pytest.param({"kind": "delay", "vendor": "nango", "operation": "listConnections", "delay_ms": 30001},
                 "delay_ms", "from 1 to 30000", id="delay-too-long"),
    pytest.param({"kind": "delay", "vendor": "nango", "operation": "listConnections", "delay_ms": True},
                 "delay_ms", "integer", id="delay-boolean"),
    pytest.param({"kind": "drop", "vendor": "nango", "operation": "listConnections", "times": 0}, "times",
                 "from 1 to 1000", id="zero-times"),
    pytest.param({"kind": "drop", "vendor": "nango", "operation": "listConnections", "status": 500}, "status",
                 "does not apply to a drop", id="field-of-another-kind"),
    pytest.param({"kind": "drop", "vendor": "nango", "operation": "listConnections", "tenant": "initech"},
                 "tenant", "tenants: acme", id="unknown-tenant"),
    pytest.param({"kind": "drop", "vendor": "nango", "operation": "listConnections", "colour": "red"}, "colour",
                 "unknown field", id="unknown-field"),
    pytest.param({"kind": "drop", "vendor": "nango"}, "operation", "operation is required", id="no-operation"),
    pytest.param({"kind": "drop", "vendor": "nango", "operation": "x" * 500}, "operation", "at most 200",
                 id="long-operation"),
]


@pytest.mark.parametrize(("body", "field", "says"), REFUSED)
def test_arming_what_cannot_happen_is_a_clear_400(api: ApiClient, body: dict[str, Any], field: str,
                                                  says: str) -> None:
    refused = arm(api, 400, **body)
    assert refused["field"] == field and says in refused["error"], refused
    assert armed(api) == []


@pytest.mark.parametrize("raw", [b"not json", b"[1, 2]", b"null", b"", b'{"kind": ' + b"[" * 5000],
                         ids=["not-json", "array", "null", "empty", "deep"])
def test_a_body_that_is_no_scenario_is_a_400(api: ApiClient, raw: bytes) -> None:
    refused = api.post("/__connmock/scenarios", headers={**ADMIN, "content-type": "application/json"}, content=raw)
    assert refused.status_code == 400 and "error" in refused.json()


def test_a_huge_body_is_refused(api: ApiClient) -> None:
    refused = api.post("/__connmock/scenarios", headers=ADMIN, json={"kind": "drop", "pad": "x" * 100_000})
    assert refused.status_code == 400 and "larger than" in refused.json()["error"]


def test_wrong_methods_and_the_admin_token(shared: SharedMock) -> None:
    api = shared.reset()
    put = api.request("PUT", "/__connmock/scenarios", headers=ADMIN, json={})
    assert put.status_code == 405 and put.headers["allow"] == "GET, POST, DELETE"
    assert api.request("PATCH", "/__connmock/scenarios/scn_1", headers=ADMIN).status_code == 405
    assert api.get("/__connmock/scenarios").status_code == 401
    body = {"kind": "drop", "vendor": "nango", "operation": "listConnections"}
    assert api.post("/__connmock/scenarios", json=body).status_code == 401

def test_a_form_post_another_site_could_send_cannot_arm() -> None:
    with in_process(Settings(vendors=("nango",))) as api:  # no admin token: the content type is the guard
        refused = api.post("/__connmock/scenarios", data={"kind": "drop", "vendor": "nango",
                                                          "operation": "listConnections"})
        assert refused.status_code == 403 and armed(api) == []


def test_too_many_armed_is_a_409(api: ApiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    world_scenarios = registry_of(api)
    monkeypatch.setattr(world_scenarios, "limit", 2)
    body: dict[str, Any] = {"kind": "drop", "vendor": "nango", "operation": "listConnections"}
    arm(api, **body)
    arm(api, **body)
    assert "armed already" in arm(api, 409, **body)["error"]


def registry_of(api: ApiClient) -> Any:
    """The app's scenario registry, reached through the app object the test client drives."""
    app: Any = api.client._transport.app  # type: ignore[attr-defined]
    while not hasattr(app, "admin"):  # Dropping, CORS, Connexion's app, its middleware stack, the router
        app = getattr(app, "app", None) or getattr(app, "middleware", None) or app.without
    return app.admin.world.scenarios


# Prefer: delay / drop ------------------------------------------------------------------------------------------

def test_prefer_delay_delays_and_says_so(api: ApiClient) -> None:
    started = time.monotonic()
    delayed = api.get("/nango/connections", headers={**NANGO, "Prefer": "delay=200"})
    assert time.monotonic() - started >= 0.2
    assert delayed.status_code == 200 and delayed.headers["preference-applied"] == "delay=200"
    assert journal(api)[0]["scenario"] == "Prefer: delay=200"


def test_prefer_delay_with_a_code_applies_both(api: ApiClient) -> None:
    forced = api.get("/nango/connections", headers={**NANGO, "Prefer": "code=401, delay=10"})
    assert forced.status_code == 401 and forced.headers["preference-applied"] == "code=401, delay=10"


@pytest.mark.parametrize("value", ["0", "30001", "abc", "", "-5", "1e3"])
def test_a_delay_out_of_bounds_is_the_vendors_400(api: ApiClient, value: str) -> None:
    refused = api.get("/nango/connections", headers={**NANGO, "Prefer": f"delay={value}"})
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "prefer_invalid"
    assert "from 1 to 30000" in refused.text and "preference-applied" not in refused.headers


def test_prefer_drop_sends_no_answer(api: ApiClient) -> None:
    with pytest.raises(ConnectionDropped):
        api.get("/nango/connections", headers={**NANGO, "Prefer": "drop"})
    assert journal(api)[0]["status"] == 0 and journal(api)[0]["scenario"] == "Prefer: drop"


def test_unknown_preferences_still_perform_the_operation(api: ApiClient) -> None:
    answered = api.get("/nango/connections", headers={**NANGO, "Prefer": "return=minimal, respond-async"})
    assert answered.status_code == 200 and "preference-applied" not in answered.headers
