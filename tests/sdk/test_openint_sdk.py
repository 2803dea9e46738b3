"""`openint` (PyPI) 2.8.0 and 2.9.0, each in a venv of its own, against the OpenInt mount, with retries left at
the SDK's default: a final error must reach the mock once, not three times."""

from __future__ import annotations

import secrets
from collections import Counter
from typing import Any

import pytest

from tests.sdk.compat import Checks, Compat
from tests.sdk.support import canary, journal, leaks, openint_python, run_python_sdk, tenants

SDK = "openint (PyPI)"
VERSIONS = ["2.8.0", "2.9.0"]
PAGES = 3


@pytest.mark.parametrize("version", VERSIONS)
def test_openint_sdk(mock_url: str, compat: Compat, version: str) -> None:
    python = openint_python(version)
    openint = tenants(mock_url)["acme"]["openint"]
    config = next(c["id"] for c in openint["connector_configs"] if c["connector_name"] == "github")
    access, refresh = canary("openint_access"), canary("openint_refresh")
    customer = f"cus_sdk_{secrets.token_hex(4)}"
    out: dict[str, Any] = run_python_sdk(python, "openint_sdk.py", mock_url, {
        "version": version, "api_key": openint["api_key"], "config_id": config, "customer": customer,
        "pages": PAGES, "canaries": {"access_token": access, "refresh_token": refresh}})
    c = Checks(compat, SDK, version)

    def ok(name: str) -> Any:
        return out[name]["value"] if out[name]["ok"] else None

    def failed(name: str, error: str, status: int) -> None:
        outcome = out[name]
        good = not outcome["ok"] and outcome["error"]["name"] == error and outcome["error"].get("status") == status
        c.check(f"{name} → {error}", good, str(outcome)[:300])

    created = ok("create_connection") or {}
    c.check("create_connection", created.get("connector_name") == "github"
            and created.get("settings", {}).get("oauth", {}).get("credentials", {}).get("access_token") == access,
            str(out["create_connection"])[:300])
    got = ok("get_connection") or {}
    c.check("get_connection", got.get("id") == created.get("id") and "settings" not in got
            and got.get("connector_name") == "github", str(out["get_connection"])[:300])
    c.check("get_connection → the connector's model", ok("get_connection_model")
            == "ConnectorGitHubDiscriminatedConnectionSettings", str(out["get_connection_model"]))
    with_secrets = ok("get_connection_include_secrets") or {}
    c.check("get_connection(include_secrets=True)",
            with_secrets.get("settings", {}).get("oauth", {}).get("credentials", {}).get("refresh_token") == refresh)
    paged = ok("list_connections_autopaging") or []
    c.check(f"list_connections auto-paging ({PAGES} pages of 1)", len(paged) == PAGES and len(set(paged)) == PAGES
            and created.get("id") in paged, str(out["list_connections_autopaging"])[:300])
    page = ok("list_connections_page") or {}
    c.check("list_connections page (has_next_page, connector_name)", page.get("has_next") is True
            and page.get("names") == ["github", "github"], str(page)[:300])
    token = ok("create_token") or {}
    c.check("create_token", str(token.get("token", "")).count(".") == 2 and "magic_link_url" in token)
    c.check("delete_connection", (ok("delete_connection") or {}).get("id") == created.get("id"))
    failed("get_connection_deleted", "NotFoundError", 404)
    failed("delete_connection_deleted", "NotFoundError", 404)
    failed("create_connection_unknown_config", "NotFoundError", 404)
    failed("create_connection_mismatch", "BadRequestError", 400)
    failed("bad_key", "AuthenticationError", 401)
    # Settings come back on create, and on reads only with include_secrets=true.
    allowed = {"create_connection": [access, refresh], "get_connection_include_secrets": [access, refresh]}
    found = [name for name, value in out.items()
             if [v for v in leaks(value, [access, refresh]) if v not in allowed.get(name, [])]]
    c.check("secrets only where OpenInt returns them", not found, f"settings came back in {found}")
    entries = journal(mock_url)
    c.check("no secret in the request journal", not leaks(entries, [access, refresh]))
    prefix = "/openint/v2/connection" if version >= "2.9" else "/openint/v1/connection"
    c.check(f"paths the SDK sends ({prefix}…) are served", all(
        e["operation"] for e in entries if e["path"].startswith(prefix)) and any(
        e["path"].startswith(prefix) for e in entries))
    retried = [key for key, n in Counter((e["method"], e["path"], e["status"]) for e in entries
                                         if e["status"] >= 400).items() if n > 1 and key[1].startswith(prefix)]
    c.check("final errors sent once (no retries)", not retried, f"sent more than once: {retried}")
    c.verify()
