"""`connmock spec validate`: the five documents pass, and the lint catches what it exists to catch."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from connmock.cli import main
from openapi import SPEC_DIR, VENDORS
from speclib.lint import lint_all, lint_document
from speclib.merge import write_merged


def test_all_five_documents_validate() -> None:
    assert [str(p) for p in lint_all(VENDORS)] == []


def test_cli_validate_reports_success(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", "validate"]) == 0
    assert "all 5 documents valid" in capsys.readouterr().out


@pytest.fixture
def spec_copy(tmp_path: Path) -> Path:
    for name in (*VENDORS, "merged"):
        shutil.copy(SPEC_DIR / f"{name}.yaml", tmp_path / f"{name}.yaml")
    return tmp_path


def edit(path: Path, change: Callable[[Any], object]) -> None:
    document = yaml.safe_load(path.read_text())
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_stale_merged_file_is_reported(spec_copy: Path) -> None:
    # Given a vendor spec changed after the last merge
    edit(spec_copy / "nango.yaml", lambda d: d["info"].update(version="2099-01-01"))
    # Then the lint says the merged file is out of date, and a fresh merge cures it
    problems = [str(p) for p in lint_all(VENDORS, spec_copy)]
    assert any("out of date" in p for p in problems)
    write_merged(spec_copy)
    assert [str(p) for p in lint_all(VENDORS, spec_copy)] == []


def minimal_document(prop: dict[str, object], response_required: list[str] | None = None) -> dict[str, object]:
    response_schema: dict[str, object] = {"type": "object", "properties": {"client_secret": prop}}
    if response_required:
        response_schema["required"] = response_required
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/things": {"post": {
            "operationId": "createThing",
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "properties": {"name": {"type": "string"}, "client_secret": prop}}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": response_schema}}}},
        }}},
    }


def test_unmarked_secret_is_reported() -> None:
    problems = lint_document("bad", minimal_document({"type": "string"}))
    assert [p.where for p in problems] == ["createThing request/client_secret"]
    assert "not marked" in problems[0].message


@pytest.mark.parametrize("mark", [{"writeOnly": True}, {"x-connmock-not-secret": "a public id"},
                                  {"x-connmock-secret": {"returned": [{"operation": "createThing", "at": "/"}]}}],
                         ids=["writeOnly", "not-secret", "returned"])
def test_marked_secret_passes(mark: dict[str, object]) -> None:
    assert lint_document("good", minimal_document({"type": "string", **mark})) == []


def test_write_only_in_response_required_is_reported() -> None:
    problems = lint_document("bad", minimal_document({"type": "string", "writeOnly": True}, ["client_secret"]))
    assert [p.message for p in problems] == ["writeOnly property in a response-side required list"]


def test_unknown_operation_in_secret_rule_is_reported() -> None:
    mark = {"x-connmock-secret": {"returned": [{"operation": "noSuchOperation", "at": "/"}]}}
    problems = lint_document("bad", minimal_document({"type": "string", **mark}))
    assert any("unknown operation 'noSuchOperation'" in p.message for p in problems)


def test_invalid_openapi_is_reported() -> None:
    problems = lint_document("bad", {"openapi": "3.0.3", "info": {"title": "t"}, "paths": {}})
    assert problems and "not a valid OpenAPI document" in problems[0].message


@pytest.mark.parametrize(("change", "message"), [
    ({"delete": "noSuchOperation"}, "unknown operations ['noSuchOperation']"),
    ({"binds": {"table": "integrations", "into": "header.x"}}, "binds.into must be request.<field> or path."),
    ({"repeat-create": "sometimes"}, "repeat-create must be one of"),
    ({"auth": None}, "needs auth.keys"),
    ({"scenarios": {"state-reads": ["noSuchRead"]}}, "unknown operations ['noSuchRead']"),
    ({"scenarios": {"state-reads": ["getConnection"]}}, "state-shows needs either an answer"),
    ({"scenarios": {"state-reads": ["getConnection"], "state-shows": {"answer": "424", "fields": {"expired": {}}}}},
     "state-shows needs either an answer"),
])
def test_a_broken_vendor_profile_is_reported(change: dict[str, object], message: str) -> None:
    document = yaml.safe_load((SPEC_DIR / "nango.yaml").read_text(encoding="utf-8"))
    assert lint_document("nango", document) == []
    document["x-connmock-profile"] = {**document["x-connmock-profile"], **change}
    assert any(message in p.message for p in lint_document("nango", document))
