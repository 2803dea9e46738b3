"""`openint` (PyPI) against connmock's OpenInt mount, run by the SDK's own interpreter (a venv per version).

Usage: python openint_sdk.py <base_url> <json>; prints one JSON document: operation -> outcome. Retries are left
at the SDK's default (2), so an error the mock sends as retryable would arrive three times in the journal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import openint


def outcome(call: Callable[[], Any], pick: Callable[[Any], Any] = lambda v: v) -> dict[str, Any]:
    try:
        return {"ok": True, "value": pick(call())}
    except openint.APIStatusError as err:
        return {"ok": False, "error": {"name": type(err).__name__, "status": err.status_code, "body": err.body}}
    except Exception as err:  # anything else the SDK raises is a failure the test reports
        return {"ok": False, "error": {"name": type(err).__name__, "message": str(err)}}


def dump(model: Any) -> Any:
    return model.to_dict() if hasattr(model, "to_dict") else model


def main() -> None:
    base_url, raw = sys.argv[1], sys.argv[2]
    a = json.loads(raw)  # {version, api_key, config_id, customer, canaries: {access_token, refresh_token}, pages}
    # 2.9.0 sends absolute /v1/… and /v2/… paths: base …/openint. 2.8.0 appends relative paths to its /v1 base.
    base = f"{base_url}/openint" if a["version"] >= "2.9" else f"{base_url}/openint/v1"
    client = openint.Openint(token=a["api_key"], base_url=base)
    c = a["canaries"]
    results: dict[str, Any] = {}

    def settings(token: str, refresh: str) -> dict[str, Any]:
        return {"connector_name": "github",
                "settings": {"oauth": {"credentials": {"access_token": token, "refresh_token": refresh}}}}

    created = outcome(lambda: client.create_connection(
        connector_config_id=a["config_id"], customer_id=a["customer"],
        data=settings(c["access_token"], c["refresh_token"]), metadata={"team": "sdk"}), dump)
    results["create_connection"] = created
    conn_id = created["value"]["id"] if created["ok"] else "conn_missing"
    results["get_connection"] = outcome(lambda: client.get_connection(conn_id), dump)
    results["get_connection_include_secrets"] = outcome(
        lambda: client.get_connection(conn_id, include_secrets=True), dump)
    results["get_connection_model"] = outcome(lambda: type(client.get_connection(conn_id)).__name__)
    for index in range(a["pages"] - 1):  # more of the customer's connections, one per page
        client.create_connection(connector_config_id=a["config_id"], customer_id=a["customer"],
                                 data=settings(f"{c['access_token']}_{index}", f"{c['refresh_token']}_{index}"))
    results["list_connections_autopaging"] = outcome(
        lambda: [item.id for item in client.list_connections(customer_id=a["customer"], limit=1)])
    results["list_connections_page"] = outcome(
        lambda: client.list_connections(customer_id=a["customer"], limit=2), lambda p: {
            "ids": [i.id for i in p.items], "has_next": p.has_next_page(),
            "names": [i.connector_name for i in p.items]})
    results["create_token"] = outcome(lambda: client.create_token(
        a["customer"], connect_options={"connector_names": ["github"]}, validity_in_seconds=3600), dump)
    results["delete_connection"] = outcome(lambda: client.delete_connection(conn_id), dump)
    results["get_connection_deleted"] = outcome(lambda: client.get_connection(conn_id), dump)
    results["delete_connection_deleted"] = outcome(lambda: client.delete_connection(conn_id), dump)
    results["create_connection_unknown_config"] = outcome(lambda: client.create_connection(
        connector_config_id="ccfg_github_00000000000000000000000000", customer_id=a["customer"],
        data=settings("x", "y")), dump)
    results["create_connection_mismatch"] = outcome(lambda: client.create_connection(
        connector_config_id=a["config_id"], customer_id=a["customer"],
        data={"connector_name": "slack", "settings": {"oauth": {"credentials": {"access_token": "x"}}}}), dump)
    results["bad_key"] = outcome(lambda: openint.Openint(token="oik_not_a_key", base_url=base).list_connections())
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main()
