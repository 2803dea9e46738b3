"""`connmock proxy --record`: traffic through the proxy becomes a recording that replays against another
server with no difference, and that holds no key, no secret field and no generated token."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import httpx
import pytest

from connmock.fidelity import recordings
from connmock.fidelity.replay import replay
from connmock.fidelity.sides import from_server
from connmock.proxy import ProxyApp, ProxySettings
from connmock.proxy.command import make_recorder
from connmock.proxy.recorder import masked
from mock_server import Settings, create_app
from tests.support.server import running

API_KEY = "sk_live_record_me_not_4f1d2c3b4a5968778695a4b3"
SETTINGS_KEY = "acme_apikey_secret_value_9d8c7b6a5f4e3d2c"


def recorder_args(directory: Path, vendor: str, upstream: str) -> argparse.Namespace:
    return argparse.Namespace(record=directory, record_name="traffic", record_config=None, vendor=vendor,
                              upstream=upstream)


def nango_traffic(client: httpx.Client, keys: tuple[str, ...], roles: dict[str, str]) -> list[str]:
    """A lifecycle with secrets in both directions; returns every secret value it used or received."""
    auth = {"Authorization": f"Bearer {keys[0]}"}
    api_key_integration = roles["integration:API_KEY"]
    body = {"provider_config_key": api_key_integration, "connection_id": "rec-1",
            "credentials": {"type": "API_KEY", "apiKey": API_KEY}}
    assert client.post("/connections", json=body, headers=auth).status_code == 201
    got = client.get(f"/connections/rec-1?provider_config_key={api_key_integration}", headers=auth)
    assert got.status_code == 200 and API_KEY in got.text  # the vendor returns it here: must not be recorded
    assert client.get("/connections", headers={"Authorization": f"Bearer {keys[1]}"}).status_code == 200
    assert client.get("/connections", headers={"Authorization": "Bearer not-a-uuid"}).status_code == 401
    session = client.post("/connect/sessions", json={"tags": {"end_user_id": "u1"}}, headers=auth)
    token = session.json()["data"]["token"]
    assert client.post(f"/api-auth/api-key/{api_key_integration}?connect_session_token={token}",
                       json={"apiKey": API_KEY}).status_code == 200
    assert client.delete(f"/connections/rec-1?provider_config_key={api_key_integration}",
                         headers=auth).status_code == 200
    assert client.get("/connections", headers=auth).status_code == 200
    return [*keys, API_KEY, token]


def openint_traffic(client: httpx.Client, keys: tuple[str, ...], roles: dict[str, str]) -> list[str]:
    auth = {"Authorization": f"Bearer {keys[0]}"}
    body = {"connector_config_id": roles["connector_config:acme-apikey"], "customer_id": "cus-rec",
            "data": {"connector_name": "acme-apikey", "settings": {"api_key": SETTINGS_KEY}}}
    created = client.post("/connection", json=body, headers=auth)
    assert created.status_code == 200 and SETTINGS_KEY in created.text
    conn = created.json()["id"]
    assert SETTINGS_KEY in client.get(f"/connection/{conn}?include_secrets=true", headers=auth).text
    token = client.post("/customer/cus-rec/token", json={}, headers=auth).json()["token"]
    assert client.get("/connection", headers={"Authorization": f"Bearer {keys[1]}"}).status_code == 200
    assert client.delete(f"/connection/{conn}", headers={**auth, "Content-Type": "application/json"}).status_code == 200
    assert client.get(f"/connection/{conn}", headers=auth).status_code == 404
    return [*keys, SETTINGS_KEY, token]


@pytest.mark.parametrize("vendor", ["nango", "openint"])
def test_recorded_traffic_replays_against_a_fresh_mock_and_holds_no_secret(vendor: str, tmp_path: Path) -> None:
    with running(create_app(Settings())) as upstream_root, running(create_app(Settings())) as other_root:
        upstream = f"{upstream_root}/{vendor}"
        app = ProxyApp(ProxySettings(vendor, upstream))
        app.recorder = make_recorder(app, recorder_args(tmp_path, vendor, upstream))
        with httpx.Client() as plain:
            side = from_server("upstream", vendor, upstream, plain)
        with running(app) as proxy_url, httpx.Client(base_url=proxy_url, timeout=30) as client:
            traffic = nango_traffic if vendor == "nango" else openint_traffic
            secrets = traffic(client, side.keys, side.roles)
        path = tmp_path / vendor / "traffic.json"
        text = path.read_text(encoding="utf-8")
        leaked = [s[:6] for s in secrets if s in text or json.dumps(s)[1:-1] in text]
        assert leaked == []
        recording = recordings.load(path)
        assert {r.kind for r in recording.roles.values()} >= {"secret_key"}
        assert "<SECRET_KEY>" in text and "<SECRET_KEY_2>" in text
        assert any(placeholder.startswith(("<integration:", "<connector_config:")) for placeholder in recording.roles)
        report = replay(recording, f"{other_root}/{vendor}")
    assert len(report.results) == len(recording.exchanges) >= 6
    assert [d.describe() for d in report.differences] == []


def test_a_masked_value_keeps_its_shape_and_not_its_content() -> None:
    token = "nango_connect_session_" + "ab12" * 16
    assert masked(token, 7).startswith("nango_connect_session_") and len(masked(token, 7)) == len(token)
    assert "ab12" not in masked(token, 7) and masked(token, 7) != masked(token, 8)
    assert masked("6f1c2e1a-4b2d-4c8e-9f0a-1b2c3d4e5f60", 3) == "00000000-0000-4000-8000-000000000003"


def test_a_short_secret_is_masked_where_it_stands_not_inside_other_words(tmp_path: Path) -> None:
    from connmock.proxy.inspector import credential_headers
    from connmock.proxy.recorder import Recorder, Seeded
    from speclib import load_spec

    spec = load_spec("openint")
    recorder = Recorder(spec, tmp_path / "r.json", credential_headers(spec), Seeded(["org-key-0123456789"]))
    body = {"connector_config_id": "ccfg_okta_1", "customer_id": "c1",
            "data": {"connector_name": "okta", "settings": {"subdomain": "acme", "oauth": {}}}}
    answer = {"settings": {"subdomain": "acme"}, "message": "Expected string, received acme-corp"}
    recorder.add("createConnection", "POST", "/connection", [("Authorization", "Bearer org-key-0123456789")],
                 json.dumps(body).encode(), 200, [("Content-Type", "application/json")], json.dumps(answer).encode())
    exchange = recordings.load(tmp_path / "r.json").exchanges[0]
    stand_in = exchange.request.body["data"]["settings"]["subdomain"]
    assert stand_in != "acme" and len(stand_in) == 4
    assert exchange.response.body == {"settings": {"subdomain": stand_in},
                                      "message": "Expected string, received acme-corp"}
    assert exchange.request.headers == {"Authorization": "Bearer <SECRET_KEY>"}
    minted = {"token": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjMSJ9.c2lnbmF0dXJlc2lnbg",
              "api_key": "key_cus_01M9158KG1RQVF9C50G6MH3D7N"}
    recorder.add("createToken", "POST", "/customer/c1/token", [], b"{}", 200, [], json.dumps(minted).encode())
    text = (tmp_path / "r.json").read_text()
    assert minted["token"] not in text and minted["api_key"] not in text and "org-key-0123456789" not in text
