"""Optional operation families (`x-connmock-family`): served by the mock, called on a target only when its file
says so, and an operation a target does not have is one `not served` line, never a string of failures."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from connmock.cli import main
from contracts.runner import RunOptions, run_vendor
from contracts.target import TargetError, load_target, local_target
from mock_server import Settings, create_app
from speclib import load_merged, load_spec
from speclib.lint import lint_document
from tests.contracts.unreliable import hiding, target_file
from tests.support.server import running

SECTIONS = ("lifecycle", "auth")


def test_openint_sdk_aliases_are_marked_as_families_of_their_operation() -> None:
    spec = load_spec("openint")
    families = {oid: op.family for oid, op in spec.operations.items() if op.family}
    assert set(families.values()) == {"sdk-v1-paths", "sdk-v2-paths"}
    assert {oid for oid in families} == {oid for oid in spec.operations if oid.endswith(("V1", "V2"))}
    for oid in families:
        assert spec.raw_operation(oid)["x-connmock-family"]["alias-of"] == oid[:-2]
    merged = load_merged().raw_operation("openint.listConnectionsV1")["x-connmock-family"]
    assert merged == {"name": "sdk-v1-paths", "alias-of": "openint.listConnections"}


def test_lint_rejects_an_alias_of_an_unknown_operation() -> None:
    document = load_spec("openint").document
    broken = {**document, "paths": {**document["paths"]}}
    item = dict(broken["paths"]["/v1/connection"])
    item["get"] = {**item["get"], "x-connmock-family": {"name": "sdk-v1-paths", "alias-of": "nothing"}}
    broken["paths"]["/v1/connection"] = item
    assert any("alias-of names unknown operation 'nothing'" in str(p) for p in lint_document("openint", broken))


def test_a_target_file_serves_no_family_by_default_and_the_mock_all(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    config = target_file(tmp_path, monkeypatch, "openint")
    assert load_target("openint", "http://x", config).families == frozenset()
    assert local_target("openint", "http://x").families is None
    with pytest.raises(TargetError, match="families"):
        load_target("openint", "http://x", target_file(tmp_path, monkeypatch, "openint", families=["sdk-v9"]))


def test_families_a_target_does_not_serve_are_not_called(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a server without the /v1 and /v2 aliases, described by a target file that lists no family
    config = target_file(tmp_path, monkeypatch, "openint")
    app = create_app(Settings(vendors=("openint",)))
    with running(hiding(hiding(app, "openint", "/v1"), "openint", "/v2")) as url:
        result = run_vendor(load_target("openint", url, config), RunOptions(sections=SECTIONS))
    # Then no alias is called, none is missing from the coverage, and nothing fails
    called = result.covered
    assert called and not any(oid.endswith(("V1", "V2")) for oid in called)
    assert not any(oid.endswith(("V1", "V2")) for oid in result.operations)
    assert result.failures == 0 and result.not_served == []


def test_an_operation_the_target_does_not_serve_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a target file claiming both alias families, for a server that has only /v1
    config = target_file(tmp_path, monkeypatch, "openint", families=["sdk-v1-paths", "sdk-v2-paths"])
    app = create_app(Settings(vendors=("openint",)))
    with running(hiding(app, "openint", "/v2")) as url:
        args = ["check", "--vendor", "openint", "--base-url", url, "--config", str(config), "--max-examples", "2"]
        out, strict = io.StringIO(), io.StringIO()
        code = main(args, out=out)
        strict_code = main([*args, "--strict"], out=strict)
    report = out.getvalue()
    # Then each /v2 operation is one line, its 404s are no failures, and only --strict fails the run
    assert "   not served: listConnectionsV2 (GET /v2/connection)" in report.splitlines()
    assert report.count("not served: ") == 4
    assert "V2" not in "".join(line for line in report.splitlines() if line.lstrip().startswith("FAIL"))
    assert code == 0, report
    assert strict_code == 1
    assert "4 operation(s) not served" in report.splitlines()[-1]
