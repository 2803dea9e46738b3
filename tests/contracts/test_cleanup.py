"""What the run creates on the target is deleted at the end; what cannot be deleted is listed."""

from __future__ import annotations

from typing import Any

import requests

from contracts.report import Redactor, render_summary
from contracts.runner import RunOptions, run_vendor
from contracts.session import Session
from contracts.target import Target, auth_headers, local_target
from mock_server import Settings, create_app
from tests.contracts.conftest import Serve
from tests.contracts.unreliable import refusing_deletes
from tests.support.server import running

SECTIONS = ("valid-requests", "lifecycle", "cross-tenant")


def listed(target: Target, path: str, key: str) -> set[str]:
    answer = requests.get(target.base_url + path, headers=auth_headers(target.vendor, target.primary.key),
                          params={"limit": 100} if target.vendor == "openint" else {}, timeout=10)
    return {str(item["id"]) for item in answer.json()[key]}


def test_the_run_leaves_nothing_behind(serve: Serve) -> None:
    with serve("openint", None) as url:
        target = local_target("openint", url)
        before = listed(target, "/connection", "items")
        result = run_vendor(target, RunOptions(max_examples=2, sections=(*SECTIONS, "generated")))
        after = listed(target, "/connection", "items")
    assert after == before
    assert result.leftovers == []


def test_explicitly_tracked_objects_are_deleted(serve: Serve) -> None:
    with serve("vercel", None) as url:
        target = local_target("vercel", url)
        body: dict[str, Any] = {"type": "custom", "uid": "custom/tracked-by-hand", "name": "by hand",
                "data": {"clientId": "abc", "clientSecret": "s3cret-value"}}
        made = requests.post(f"{target.base_url}/v1/connect/connectors", json=body,
                             headers=auth_headers("vercel", target.primary.key), timeout=10)
        assert made.status_code == 201, made.text
        session = Session(target)
        session.track("deleteConnector", {"connector": made.json()["id"]})
        run_vendor(target, RunOptions(sections=()), session=session)
        again = requests.get(f"{target.base_url}/v1/connect/connectors/{made.json()['id']}",
                             headers=auth_headers("vercel", target.primary.key), timeout=10)
    assert again.status_code == 404


def test_objects_that_cannot_be_deleted_are_listed() -> None:
    # Given a server whose deletes fail with a 500
    with running(refusing_deletes(create_app(Settings(vendors=("openint",))), "openint")) as url:
        target = local_target("openint", url)
        redact = Redactor()
        result = run_vendor(target, RunOptions(sections=("valid-requests",)), redact)
    summary = render_summary([result], redact)
    # Then every connection the valid creates made is listed as left behind, once
    assert len(result.leftovers) == 10, summary
    assert all(line.startswith("deleteConnection(id=conn_") and line.endswith(": got 500") for line in
               result.leftovers)
    assert summary.count("   not deleted: deleteConnection(id=conn_") == 10
    assert "10 object(s) not deleted" in summary.splitlines()[-1]
