"""`@nangohq/node` 0.71.10 (pinned in node/package.json), used as its users use it, against the Nango mount."""

from __future__ import annotations

from typing import Any

from tests.sdk.compat import Checks, Compat
from tests.sdk.support import canary, journal, leaks, run_node, tenants

SDK, VERSION = "@nangohq/node", "0.71.10"


def test_nango_node_sdk(mock_url: str, compat: Compat) -> None:
    nango = tenants(mock_url)["acme"]["nango"]
    access, refresh = canary("nango_access"), canary("nango_refresh")
    integration = next(i["unique_key"] for i in nango["integrations"] if i["auth_mode"] == "OAUTH2")
    out: dict[str, Any] = run_node("nango_node.mjs", mock_url, {
        "secretKey": nango["secret_key"], "integration": integration, "connectionId": "sdk-node-1",
        "endUser": "u_sdk_node", "canaries": {"accessToken": access, "refreshToken": refresh}})
    c = Checks(compat, SDK, VERSION)

    def ok(name: str) -> Any:
        return out[name]["value"] if out[name]["ok"] else None

    def status(name: str) -> int | None:
        return None if out[name]["ok"] else out[name]["error"].get("response", {}).get("status")

    created = ok("createConnection") or {}
    c.check("http.post /connections (create)", created.get("status") == 201
            and created["data"]["connection_id"] == "sdk-node-1", str(out["createConnection"])[:300])
    got = ok("getConnection") or {}
    c.check("getConnection", got.get("connection_id") == "sdk-node-1"
            and got.get("end_user", {}).get("id") == "u_sdk_node" and got["credentials"]["access_token"] == access)
    c.check("getConnection(forceRefresh, refreshToken)", (ok("getConnectionRefresh") or {}).get("connection_id")
            == "sdk-node-1")
    c.check("getToken", ok("getToken") == access, str(out["getToken"])[:300])
    raw = ok("getRawTokenResponse")
    c.check("getRawTokenResponse", isinstance(raw, dict) and raw.get("access_token") == access, str(raw)[:300])
    c.check("getMetadata", ok("getMetadata") == {"team": "sdk"})
    c.check("setMetadata", (ok("setMetadata") or {}).get("status") == 201, str(out["setMetadata"])[:300])
    c.check("updateMetadata", (ok("updateMetadata") or {}).get("status") == 200
            and ok("getMetadataAfterUpdate") == {"team": "set", "plan": "team"},
            str(out["getMetadataAfterUpdate"])[:300])
    c.check("setMetadata of an unknown connection → AxiosError 404 unknown_connection",
            status("setMetadataUnknown") == 404
            and out["setMetadataUnknown"]["error"]["response"]["data"]["error"]["code"] == "unknown_connection")
    configs = (ok("listIntegrations") or {}).get("configs") or []
    c.check("listIntegrations", integration in [i.get("unique_key") for i in configs],
            str(out["listIntegrations"])[:300])
    for name, label in (("listConnections", "listConnections()"),
                        ("listConnectionsOldSignature", "listConnections(connectionId, search, filters)"),
                        ("listConnectionsFilters", "listConnections({connectionId, userId, integrationId, tags})")):
        listed = ok(name) or {}
        ids = [x["connection_id"] for x in listed.get("connections", [])]
        c.check(label, ids == ["sdk-node-1"], str(out[name])[:300])
    for name in ("createConnectSession", "createReconnectSession"):
        data = (ok(name) or {}).get("data", {})
        c.check(name, str(data.get("token", "")).startswith("nango_connect_session_") and "connect_link" in data)
    c.check("deleteConnection", (ok("deleteConnection") or {}).get("status") == 200)
    c.check("getConnection after delete → AxiosError 404", status("getConnectionAfterDelete") == 404)
    c.check("deleteConnection again → AxiosError 400 unknown_connection",
            status("deleteConnectionAgain") == 400
            and out["deleteConnectionAgain"]["error"]["response"]["data"]["error"]["code"] == "unknown_connection")
    c.check("bad secret key → AxiosError 401", status("badKey") == 401)
    # Nango returns credentials on create and get only; the refresh token on get only with refresh_token=true.
    allowed = {"createConnection": [access, refresh], "getConnectionRefresh": [access, refresh],
               "getConnection": [access], "getToken": [access], "getRawTokenResponse": [access]}
    found = [name for name, value in out.items()
             if [v for v in leaks(value, [access, refresh]) if v not in allowed.get(name, [])]]
    c.check("secrets only where Nango returns them", not found, f"a credential came back in {found}")
    c.check("no secret in the request journal", not leaks(journal(mock_url), [access, refresh]))
    c.verify()
