"""`connmock diff --sequences`: generated sequences find nothing between two equal mocks, find and shrink an
alteration, print curl lines without a key, and let the allow-list explain a difference."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from connmock.fidelity import allowlist
from connmock.fidelity.differential import Campaign, Runner, Signature, fuzz
from connmock.fidelity.generation import Model
from connmock.fidelity.sides import from_server, load_side
from tests.fidelity.commands import cli


def keys_of(url: str, vendor: str) -> tuple[str, ...]:
    with httpx.Client() as client:
        return from_server("X", vendor, f"{url}/{vendor}", client).secrets


@pytest.mark.parametrize("vendor", ["nango", "openint"])
def test_two_equal_mocks_differ_in_nothing(servers: tuple[str, str, str], vendor: str) -> None:
    a, b, _ = servers
    code, text = cli(["diff", "--vendor", vendor, "--a", f"{a}/{vendor}", "--b", f"{b}/{vendor}",
                      "--sequences", "40", "--seed", "3", "--json"])
    report = json.loads(text)
    assert (code, report["differences"], report["sequences"]) == (0, [], 40)
    assert report["requests"] > 80


def test_an_alteration_is_found_shrunk_and_printed_without_keys(servers: tuple[str, str, str]) -> None:
    a, _, altered = servers
    code, text = cli(["diff", "--vendor", "nango", "--a", f"{a}/nango", "--b", f"{altered}/nango",
                      "--sequences", "60", "--seed", "1", "--json", "--no-allowlist"])
    report = json.loads(text)
    assert code == 1
    found = {d["signature"] for d in report["differences"]}
    assert any(s.startswith("createConnection [valid") and s.endswith("status: status") for s in found)
    creates = [d for d in report["differences"] if d["signature"].startswith("createConnection [valid")
               and d["signature"].endswith("status: status")]
    assert min(d["steps"] for d in creates) == 1  # shrunk to the one create that shows it
    secrets = keys_of(a, "nango") + keys_of(altered, "nango")
    assert secrets and not any(secret in text for secret in secrets)
    assert "$A_NANGO_KEY" in text and "$B_NANGO_KEY" in text


def test_an_allow_list_entry_explains_a_generated_difference(servers: tuple[str, str, str], tmp_path: Path) -> None:
    a, _, altered = servers
    entries = tmp_path / "allow.toml"
    entries.write_text('[[allow]]\nrecording = "nango/diff"\noperation = "createConnection"\nvariation = "valid*"\n'
                       'path = "status"\nkind = "status"\nreason = "the altered copy answers 200"\n')
    with httpx.Client(timeout=30) as client:
        side_a = load_side("A", "nango", f"{a}/nango", None, client)
        side_b = load_side("B", "nango", f"{altered}/nango", None, client)
        runner = Runner("nango", side_a, side_b, client, Model("nango", set(side_a.roles) & set(side_b.roles)))
        campaign = fuzz(runner, Campaign("nango"), allowlist.load(entries), sequences=40, seed=1)
    statuses = [f for f in campaign.findings.values()
                if f.signature.operation == "createConnection" and f.signature.path == "status"
                and f.signature.variation.startswith("valid")]
    assert statuses and all(f.allowance is not None for f in statuses)
    assert Signature("createConnection", "valid (OAUTH2)", "status", "status") not in {
        f.signature for f in campaign.unexplained}


def test_a_check_target_file_gives_keys_by_environment_variable(servers: tuple[str, str, str], tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    a, b, _ = servers
    primary, other = keys_of(a, "openint")
    monkeypatch.setenv("MY_OPENINT_KEY", primary)
    monkeypatch.setenv("MY_OPENINT_OTHER", other)
    with httpx.Client() as client:
        configs = from_server("A", "openint", f"{a}/openint", client).roles
    ids = ", ".join(f'"{role.split(":", 1)[1]}" = "{value}"' for role, value in configs.items())
    target = tmp_path / "target.toml"
    target.write_text(f'[openint]\napi_key_env = "MY_OPENINT_KEY"\nother_api_key_env = "MY_OPENINT_OTHER"\n'
                      f'base_path = "/openint"\n\n[openint.ids]\nconnector_config_ids = {{{ids}}}\n')
    code, text = cli(["diff", "--vendor", "openint", "--a", a, "--config-a", str(target), "--b", f"{b}/openint",
                      "--sequences", "30", "--seed", "5", "--json"])
    assert code == 0, text
    assert json.loads(text)["sequences"] == 30
    unset = tmp_path / "unset.toml"
    unset.write_text('[openint]\napi_key_env = "NO_SUCH_VARIABLE_SET"\n')
    assert cli(["diff", "--vendor", "openint", "--a", a, "--config-a", str(unset), "--b", f"{b}/openint",
                "--sequences", "1"])[0] == 2


def test_allow_list_paths_take_index_and_subtree_wildcards() -> None:
    from connmock.fidelity.allowlist import path_matches

    assert path_matches("$.items[*].org_id", "$.items[3].org_id")
    assert path_matches("$.items[*].org_id", "$.items[*].org_id")
    assert not path_matches("$.items[*].org_id", "$.items[3].org_idx")
    assert path_matches("$.connector.*", "$.connector") and path_matches("$.connector.*", "$.connector.schemas.a")
    assert not path_matches("$.connector.*", "$.connectors") and not path_matches("$.*", "status")
    assert path_matches("status", "status") and not path_matches("status", "header:status")


def test_an_allow_list_entry_can_be_limited_to_some_queries(tmp_path: Path) -> None:
    from connmock.fidelity.allowlist import load
    from connmock.fidelity.shapes import Difference

    entries = tmp_path / "allow.toml"
    entries.write_text('[[allow]]\nrecording = "openint/diff"\noperation = "getConnection"\npath = "$.settings"\n'
                       'query = "*include_secrets=[!t&]*"\nreason = "the server reveals them for any value"\n')
    (entry,) = load(entries)
    missing = Difference(0, "$.settings", "missing", "object", None)
    assert entry.explains_generated("openint/diff", "getConnection", "valid", missing, "include_secrets=false")
    assert entry.explains_generated("openint/diff", "getConnection", "valid", missing, "expand=x&include_secrets=0")
    assert not entry.explains_generated("openint/diff", "getConnection", "valid", missing, "include_secrets=true")
    assert not entry.explains_generated("openint/diff", "getConnection", "valid", missing, "")


def test_after_an_explained_create_made_on_one_side_only_later_steps_are_not_judged(tmp_path: Path) -> None:
    from connmock.fidelity.differential import Outcome, judge
    from connmock.fidelity.replay import Answer
    from connmock.fidelity.shapes import Difference
    from connmock.fidelity.steps import Step

    entries = tmp_path / "allow.toml"
    entries.write_text('[[allow]]\nrecording = "openint/diff"\noperation = "createConnection"\npath = "status"\n'
                       'reason = "the mock refuses bodies over its limit"\n')
    steps = [Step("createConnection", "body of 1100000 bytes", "POST", "/connection"),
             Step("listConnections", "valid", "GET", "/connection")]
    outcome = Outcome(steps, answers_a=[Answer(200, {}, {}), Answer(200, {}, {})],
                      answers_b=[Answer(413, {}, {}), Answer(200, {}, {})],
                      differences=[Difference(0, "status", "status", 200, 413),
                                   Difference(1, "$.items", "length", 2, 1)])
    judged = [(signature.operation, allowance is not None)
              for signature, _, allowance in judge("openint", outcome, allowlist.load(entries))]
    assert judged == [("createConnection", True)]

    # an unexplained create difference leaves the rest judged
    judged = [(signature.operation, allowance is not None)
              for signature, _, allowance in judge("openint", outcome, [])]
    assert judged == [("createConnection", False), ("listConnections", False)]
