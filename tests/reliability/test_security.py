"""Security: loopback by default, constant-time key and token checks, CORS without credentials, no secret in logs."""

from __future__ import annotations

import base64
import hmac
import json
import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn

from connmock.cli import build_parser
from fixtures import Tenant
from mock_server import Settings, create_app
from tests.reliability.canaries import Canaries, canary_creates
from tests.reliability.listing import listed_nango, listed_openint, listed_vercel, listed_xpander
from tests.reliability.support import SEED, VENDORS, auth_headers, create_path
from tests.support.server import free_port

LOGGERS = ("connmock", "uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi", "connexion")


def test_serve_binds_loopback_unless_told_otherwise() -> None:
    assert build_parser().parse_args(["serve"]).host == "127.0.0.1"


class DigestSpy:
    """Stands in for `hmac.compare_digest` (and `secrets.compare_digest`, the same function): records every pair
    compared, as bytes, and answers as the real one does."""

    def __init__(self) -> None:
        self.real = hmac.compare_digest
        self.pairs: list[tuple[bytes, bytes]] = []

    def __call__(self, a: str | bytes, b: str | bytes) -> bool:
        self.pairs.append((as_bytes(a), as_bytes(b)))
        return self.real(a, b)  # type: ignore[arg-type]

    def compared_with(self, presented: bytes) -> set[bytes]:
        """Everything `presented` was compared against, in constant time."""
        return {b if a == presented else a for a, b in self.pairs if presented in (a, b)}


def as_bytes(value: str | bytes) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


@pytest.fixture
def digest_spy(monkeypatch: pytest.MonkeyPatch) -> DigestSpy:
    spy = DigestSpy()
    monkeypatch.setattr(hmac, "compare_digest", spy)
    monkeypatch.setattr(secrets, "compare_digest", spy)
    return spy


def near_miss(key: str) -> str:
    """`key` with its last character changed: the right length and shape, one character wrong."""
    return key[:-1] + ("1" if key[-1] == "0" else "0")


def bearer(key: str) -> dict[str, str]:
    return {"authorization": f"Bearer {key}"}


# Per vendor: an authenticated read, the header carrying a key, and every key of that kind a tenant holds.
KEYED: dict[str, tuple[str, Callable[[str], dict[str, str]], Callable[[Tenant], list[str]]]] = {
    "xpander": ("/xpander/v1/connectors", lambda k: {"x-api-key": k}, lambda t: [u.api_key for u in t.xpander_users]),
    "openint": ("/openint/connection", bearer, lambda t: [t.openint_api_key]),
    "vercel": ("/vercel/v2/connect/connectors", bearer, lambda t: [t.vercel_token]),
    "nango": ("/nango/connections", bearer, lambda t: [t.nango_secret_key]),
}


def test_admin_token_is_required_and_compared_in_constant_time(digest_spy: DigestSpy) -> None:
    from tests.support.api import ApiClient

    client = ApiClient(create_app(Settings(admin_token="s3cret-admin")))
    try:
        assert client.get("/__connmock/health").status_code == 401
        assert client.get("/__connmock/health", headers={"x-connmock-admin-token": "s3cret-admix"}).status_code == 401
        assert digest_spy.compared_with(b"s3cret-admix") == {b"s3cret-admin"}
        assert client.get("/__connmock/health", headers={"x-connmock-admin-token": "s3cret-admin"}).status_code == 200
    finally:
        client.close()


@pytest.mark.parametrize("vendor", VENDORS)
def test_every_adapter_compares_keys_in_constant_time(vendor: str, digest_spy: DigestSpy) -> None:
    from tests.support.api import ApiClient

    path, header, keys_of = KEYED[vendor]
    known = {key.encode() for tenant in SEED.tenants for key in keys_of(tenant)}
    client = ApiClient(create_app(Settings(vendors=(vendor,))))
    try:
        # Given a key one character off a real one, When it is presented, Then it is refused, and it was
        # compared with every key of its kind through compare_digest (no `==`, no early exit)
        right = keys_of(SEED.tenants[0])[0]
        assert client.get(path, headers=header(near_miss(right))).status_code in (401, 403)
        assert digest_spy.compared_with(near_miss(right).encode()) == known
        # And the real key is found the same way
        digest_spy.pairs.clear()
        assert client.get(path, headers=header(right)).status_code == 200
        assert digest_spy.compared_with(right.encode()) == known
    finally:
        client.close()


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def test_customer_token_signatures_are_compared_in_constant_time(digest_spy: DigestSpy) -> None:
    from tests.support.api import ApiClient

    client = ApiClient(create_app(Settings(vendors=("openint",))))
    try:
        made = client.post("/openint/customer/cus_1/token", json={}, headers=auth_headers("openint", SEED.tenants[0]))
        head, payload, signature = made.json()["token"].split(".")
        # A signature of the right length with its first character changed (the last one holds padding bits)
        forged = ("B" if signature[0] == "A" else "A") + signature[1:]
        assert client.get("/openint/connection", headers=bearer(f"{head}.{payload}.{forged}")).status_code == 401
        assert digest_spy.compared_with(b64decode(forged)) == {b64decode(signature)}
    finally:
        client.close()


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
