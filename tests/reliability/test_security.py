"""Security: loopback by default, constant-time key and token checks, CORS without credentials, no secret in logs."""

from __future__ import annotations

import inspect
import json
import logging
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn

from connmock.cli import build_parser
from mock_server import Settings, create_app
from mock_server.admin import Admin
from mock_server.vendors import build_adapter
from mock_server.vendors.base import VendorAdapter
from mock_server.world import build_world
from tests.reliability.canaries import Canaries, canary_creates
from tests.reliability.listing import listed_nango, listed_openint, listed_vercel, listed_xpander
from tests.reliability.support import SEED, VENDORS, auth_headers, create_path
from tests.support.server import free_port

LOGGERS = ("connmock", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "connexion")


def test_serve_binds_loopback_unless_told_otherwise() -> None:
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"


def test_admin_token_is_required_and_compared_in_constant_time() -> None:
    assert "hmac.compare_digest" in inspect.getsource(Admin.authorized)
    from tests.support.api import ApiClient

    client = ApiClient(create_app(Settings(admin_token="s3cret-admin")))
    try:
        assert client.get("/__connmock/health").status_code == 401
        assert client.get("/__connmock/health", headers={"x-connmock-admin-token": "s3cret-admix"}).status_code == 401
        assert client.get("/__connmock/health", headers={"x-connmock-admin-token": "s3cret-admin"}).status_code == 200
    finally:
        client.close()


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_adapter_compares_keys_in_constant_time(vendor: str) -> None:
    adapter = build_adapter(vendor, build_world(Settings(vendors=(vendor,))))
    source = inspect.getsource(type(adapter).authenticate)
    assert "self.tenant_by(" in source or "hmac.compare_digest(" in source
    assert "hmac.compare_digest(" in inspect.getsource(VendorAdapter.tenant_by)


def test_cors_never_pairs_a_wildcard_origin_with_credentials() -> None:
    from tests.support.api import ApiClient

    client = ApiClient(create_app(Settings()))
    try:
        preflight = client.request("OPTIONS", "/nango/connections", headers={
            "origin": "https://app.example", "access-control-request-method": "POST",
            "access-control-request-headers": "authorization"})
        simple = client.get("/nango/connections", headers={"origin": "https://app.example", "cookie": "a=b",
                                                           **auth_headers("nango", SEED.tenants[0])})
        for response in (preflight, simple):
            assert response.headers.get("access-control-allow-origin") == "*"
            assert response.headers.get("access-control-allow-credentials") is None
    finally:
        client.close()


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def logged() -> Iterator[tuple[str, Capture]]:
    """A real server whose every log line (DEBUG, access log on) is captured."""
    capture, saved = Capture(), {name: (logging.getLogger(name).level, logging.getLogger(name).propagate)
                                 for name in LOGGERS}
    for name in LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
        logging.getLogger(name).addHandler(capture)
        logging.getLogger(name).propagate = False
    port = free_port()
    config = uvicorn.Config(create_app(Settings()), host="127.0.0.1", port=port, log_level="debug",
                            access_log=True, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}", capture
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        for name, (level, propagate) in saved.items():
            logging.getLogger(name).setLevel(level)
            logging.getLogger(name).removeHandler(capture)
            logging.getLogger(name).propagate = propagate


def test_no_secret_reaches_any_log_line(logged: tuple[str, Capture]) -> None:
    base, capture = logged
    canaries, tenant = Canaries(), SEED.tenants[0]
    requests = canary_creates(tenant, canaries)
    with httpx.Client(base_url=base, timeout=10) as client:
        for request in requests:
            path, headers = create_path(request), auth_headers(request.vendor, tenant)
            created = client.post(path, json=request.body, headers=headers)
            assert created.status_code in (200, 201), created.text
            text = json.dumps(request.body)
            wrong = {**request.body, "unexpected": {"deep": [1]}, "name": 12345}
            for extra in ({"json": wrong}, {"content": text[: len(text) // 2], "headers": headers},
                          {"content": text, "headers": {**headers, "content-type": "text/plain"}},
                          {"content": text.encode() + b"\xff"}):
                sent_headers = extra.pop("headers", headers)
                assert client.post(path, headers=sent_headers, **extra).status_code < 500  # type: ignore[arg-type]
            canary_key = f"CANARYkey{request.vendor}"
            canaries.all.add(canary_key)
            bad = {"x-api-key": canary_key, "authorization": f"Bearer {canary_key}"}
            assert client.post(path, json=request.body, headers=bad).status_code in (401, 403)
            if request.vendor == "vercel":
                connector = created.json()["id"]
                client.post(f"/vercel/v1/connect/token/{connector}", json={}, headers=headers)
                client.get(f"/vercel/v1/connect/connectors/{connector}", headers=headers)
            if request.vendor == "nango":
                body = created.json()
                client.get(f"/nango/connections/{body['connection_id']}", headers=headers,
                           params={"provider_config_key": body["provider_config_key"], "refresh_token": "true"})
            if request.vendor == "openint":
                client.get(f"/openint/connection/{created.json()['id']}", params={"include_secrets": "true"},
                           headers=headers)
        listed_xpander(client, tenant, 0)
        listed_openint(client, tenant)
        listed_vercel(client, tenant)
        listed_nango(client, tenant)
        client.get("/__connmock/requests")
    lines = "\n".join(capture.lines)
    keys = {t.nango_secret_key for t in SEED.tenants} | {t.openint_api_key for t in SEED.tenants} | \
        {t.vercel_token for t in SEED.tenants} | {u.api_key for t in SEED.tenants for u in t.xpander_users}
    assert len(capture.lines) > len(requests) * 6  # the access log and the gate's line for every exchange
    assert [c for c in canaries.all | keys if c in lines] == []
    print(f"\nlogs: {len(capture.lines)} lines captured, {len(canaries.all)} canaries and {len(keys)} keys "
          "searched, none found")
