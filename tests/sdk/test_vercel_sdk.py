"""`@vercel/sdk` 1.27.0, 1.28.16 and 1.28.35 (one npm alias each, pinned in node/package.json): every Connect
operation each version has, success and error paths, against the Vercel mount."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from tests.sdk.compat import Checks, Compat
from tests.sdk.support import canary, journal, leaks, run_node, tenants

SDK = "@vercel/sdk"
VERSIONS = ["1.27.0", "1.28.16", "1.28.35"]


def error_code(outcome: dict[str, Any]) -> str | None:
    """`error.code` as the version surfaces it: ConnectError's parsed `error` (1.24+), else SDKError's raw body."""
    if outcome["ok"]:
        return None
    error = outcome["error"]
    if isinstance(error.get("error"), dict):
        return str(error["error"].get("code"))
    try:
        return str(json.loads(error.get("body", ""))["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return None


@pytest.mark.parametrize("version", VERSIONS)
def test_vercel_sdk(mock_url: str, compat: Compat, version: str) -> None:
    vercel = tenants(mock_url)["acme"]["vercel"]
    c_ = {k: canary(f"vercel_{k}") for k in ("clientSecret", "signingSecret", "apiKey", "accessToken",
                                              "refreshToken")}
    out: dict[str, Any] = run_node("vercel.mjs", mock_url, {
        "version": version, "token": vercel["token"], "teamId": vercel["team_id"], "suffix": secrets.token_hex(4),
        "canaries": c_})
    c = Checks(compat, SDK, version)
    typed = "ConnectError" if version == "1.28.35" else "SDKError"

    def ok(name: str) -> Any:
        return out[name]["value"] if out[name]["ok"] else None

    def failed(name: str, status: int, code: str) -> None:
        outcome = out[name]
        good = not outcome["ok"] and outcome["error"]["name"] == typed \
            and outcome["error"].get("statusCode") == status and error_code(outcome) == code
        c.check(f"{name} → {typed} {status} {code}", good, str(outcome)[:300])

    created = ok("createConnector") or {}
    c.check("createConnector", created.get("type") == "slack" and created.get("id", "").startswith("scl_"),
            str(out["createConnector"])[:300])
    c.check("createConnector (api-key)", (ok("createConnectorApiKey") or {}).get("type") == "api-key")
    failed("createConnectorDuplicateUid", 409, "conflict")
    failed("createConnectorBadToken", 403, "forbidden")
    if version == "1.27.0":
        flow = ok("createConnectorAuthorizationRequest") or {}
        c.check("createConnectorAuthorizationRequest", str(flow.get("url", "")).startswith(mock_url)
                and flow.get("request", "").startswith("creq_"), str(out["createConnectorAuthorizationRequest"])[:300])
        failed("createConnectorAuthorizationRequestUnknown", 404, "not_found")
        c.check("getConnectorToken", (ok("getConnectorToken") or {}).get("token") == c_["apiKey"])
        failed("getConnectorTokenBeforeConsent", 422, "user_authorization_required")
    if version == "1.28.16":
        flow = ok("createConnectorInstallationRequest") or {}
        c.check("createConnectorInstallationRequest", flow.get("connector", {}).get("uid") == created.get("uid"),
                str(out["createConnectorInstallationRequest"])[:300])
        c.check("importConnectorTokens", (ok("importConnectorTokens") or {}).get("imported") == 1,
                str(out["importConnectorTokens"])[:300])
        failed("importConnectorTokensUnknown", 404, "not_found")
    if version == "1.28.35":
        preset = ok("createConnectorPreset") or {}
        c.check("createConnector (preset: service + connectionMethod)", preset.get("type") == "slack",
                str(out["createConnectorPreset"])[:300])
        c.check("getConnector (uid)", (ok("getConnector") or {}).get("id") == created.get("id"))
        c.check("getConnector (id)", (ok("getConnectorById") or {}).get("uid") == created.get("uid"))
        page = ok("listConnectors") or {}
        c.check("listConnectors (limit, teamId)", len(page.get("uids", [])) == 1 and bool(page.get("next")),
                str(out["listConnectors"])[:300])
        c.check("listConnectors (type, search, sort)", (ok("listConnectorsFiltered") or {}).get("uids")
                == [created.get("uid")], str(out["listConnectorsFiltered"])[:300])
        updated = ok("updateConnector") or {}
        c.check("updateConnector", str(updated.get("name", "")).startswith("renamed-"),
                str(out["updateConnector"])[:300])
        failed("updateConnectorUnknown", 404, "not_found")
        c.check("deleteConnector (204)", out["deleteConnector"]["ok"], str(out["deleteConnector"])[:300])
        failed("getConnectorAfterDelete", 404, "not_found")
        failed("deleteConnectorAgain", 404, "not_found")
    # Write-only secrets never come back; an api key only as getConnectorToken's token; imported tokens never.
    allowed = {"getConnectorToken": [c_["apiKey"]]}
    found = [name for name, value in out.items()
             if [v for v in leaks(value, list(c_.values())) if v not in allowed.get(name, [])]]
    c.check("secrets only where Vercel returns them", not found, f"a secret came back in {found}")
    c.check("no secret in the request journal", not leaks(journal(mock_url), list(c_.values())))
    c.verify()
