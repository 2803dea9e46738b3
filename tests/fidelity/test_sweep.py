"""The sweep after a sequence that may have left an object behind: what a tenant lists beyond its baseline goes,
what was there before the run stays."""

from __future__ import annotations

import httpx

from connmock.fidelity.differential import Runner
from connmock.fidelity.generation import Model
from connmock.fidelity.sides import load_side


def test_objects_made_after_the_baseline_are_swept_and_earlier_ones_kept(servers: tuple[str, str, str]) -> None:
    a, b, _ = servers
    with httpx.Client(timeout=30) as client:
        side_a = load_side("A", "openint", f"{a}/openint", None, client)
        side_b = load_side("B", "openint", f"{b}/openint", None, client)
        headers = {"Authorization": f"Bearer {side_a.keys[0]}"}
        ccfg = next(v for k, v in side_a.roles.items() if k.endswith(":acme-apikey"))
        body = {"connector_config_id": ccfg, "customer_id": "c",
                "data": {"connector_name": "acme-apikey", "settings": {"api_key": "k"}}}

        def made() -> str:
            return str(client.post(f"{a}/openint/connection", headers=headers, json=body).json()["id"])

        def listed() -> set[str]:
            return {i["id"] for i in client.get(f"{a}/openint/connection", headers=headers).json()["items"]}

        before = made()  # the server's own connection, there before the run
        runner = Runner("openint", side_a, side_b, client, Model("openint", set(side_a.roles) & set(side_b.roles)))
        stray = made()  # a connection no sequence knows of (stored, then a 500)
        assert {before, stray} <= listed()

        swept = runner.sweepers["A"].sweep(lambda item: runner.delete_url(side_a, item))

        assert swept == 1 and before in listed() and stray not in listed()
        client.delete(f"{a}/openint/connection/{before}", headers={**headers, "Content-Type": "application/json"})
