"""The fidelity gate: every recording in the project, replayed against a fresh mock, differs from it only
where `fixtures/recordings/allowlist.toml` says why."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from connmock.fidelity import allowlist, recordings, substitution
from connmock.fidelity.recordings import Role
from connmock.fidelity.replay import replay
from mock_server import Settings, create_app
from speclib import Spec, load_spec
from tests.support.server import running

ALL = recordings.bundled()


def test_the_recordings_are_bundled_with_their_provenance() -> None:
    assert {p.relative_to(recordings.bundled_dir()).as_posix() for p in ALL} >= {
        "nango/connections.json", "openint/connections.json"}
    assert (recordings.bundled_dir() / "README.md").exists()
    for path in ALL:
        recording = recordings.load(path)
        assert recording.source["commit"] and recording.source["recorded"]
        assert recordings.parse(json.loads(json.dumps(recordings.to_data(recording)))) == recording


@pytest.mark.parametrize("path", ALL, ids=[f"{p.parent.name}/{p.stem}" for p in ALL])
def test_replaying_a_recording_against_the_mock_shows_only_allowed_differences(path: Path) -> None:
    recording = recordings.load(path)
    with running(create_app(Settings())) as url:
        report = replay(recording, f"{url}/{recording.vendor}")
    verdict = allowlist.judge(recording.key, report.differences, allowlist.load())
    assert [d.describe() for d in verdict.unexplained] == []
    assert [a.describe() for a in verdict.stale] == []
    assert all(r.answer is not None for r in report.results if not r.skipped)


def test_every_allowance_names_a_bundled_recording_and_gives_a_reason() -> None:
    keys = {recordings.load(p).key for p in ALL}
    generated = {f"{vendor}/diff" for vendor in ("nango", "openint", "vercel", "xpander")}
    for allowance in allowlist.load():
        assert allowance.reason
        if allowance.recording in generated:  # a generated-diff entry names the requests or answers it covers
            scope = (allowance.operation, allowance.variation, allowance.query, allowance.body)
            assert (any(x is not None for x in scope) or allowance.status_a) and not allowance.exchanges
        else:
            assert allowance.recording in keys and allowance.exchanges


def test_roles_resolve_from_the_tenants_table_or_a_config_file(tmp_path: Path) -> None:
    roles = {"<SECRET_KEY>": Role("secret_key", 0),
             "github-import-test": Role("integration", 0, {"provider": "github", "auth_mode": "OAUTH2"})}
    tenants = [{"secret_key": "k0", "integrations": [{"unique_key": "gh", "provider": "github",
                                                      "auth_mode": "OAUTH2"}]}]
    assert substitution.resolve(roles, tenants, {}) == {"<SECRET_KEY>": "k0", "github-import-test": "gh"}
    config = tmp_path / "target.toml"
    config.write_text('[values]\n"<SECRET_KEY>" = "explicit"\n\n[[tenants]]\nsecret_key = "k1"\n'
                      'integrations = [{unique_key = "g2", provider = "github", auth_mode = "OAUTH2"}]\n')
    values, from_file = substitution.load_config(config)
    assert substitution.resolve(roles, from_file, values) == {"<SECRET_KEY>": "explicit", "github-import-test": "g2"}
    with pytest.raises(substitution.SubstitutionError):
        substitution.resolve({"x": Role("connector_config", 0, {"connector_name": "nope"})}, tenants, {})


def operation_of(spec: Spec, method: str, path: str) -> str | None:
    """The operation a recorded request reached: its method and path matched against the spec's templates."""
    bare = path.split("?")[0]
    for op in spec.operations.values():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(op.path))
        if op.method == method and re.fullmatch(pattern, bare):
            return op.operation_id
    return None


@pytest.mark.parametrize("vendor", ["nango", "openint"])
def test_the_recordings_cover_every_operation_with_its_error_paths(vendor: str) -> None:
    spec = load_spec(vendor)
    statuses: dict[str, set[int]] = {oid: set() for oid in spec.operations}
    for path in ALL:
        recording = recordings.load(path)
        if recording.vendor != vendor:
            continue
        for exchange in recording.exchanges:
            found = operation_of(spec, exchange.request.method, exchange.request.path)
            if found is not None and exchange.response.status is not None:
                statuses[found].add(exchange.response.status)
    assert [oid for oid, seen in statuses.items() if not seen] == []
    aliases = {oid for oid in spec.operations if re.search(r"V\d$", oid) and oid[:-2] in spec.operations}
    without_errors = [oid for oid, seen in statuses.items() if oid not in aliases and not any(s >= 400 for s in seen)]
    assert without_errors == []
