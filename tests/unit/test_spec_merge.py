"""The merged document: every vendor under its own prefix, nothing colliding, every reference resolvable."""

from __future__ import annotations

from typing import Any

import pytest

from openapi import SPEC_DIR, VENDORS
from speclib import load_spec
from speclib.merge import merged_text
from speclib.refs import resolve_pointer


def refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [r for value in node.values() for r in refs(value)]
    if isinstance(node, list):
        return [r for item in node for r in refs(item)]
    return []


def test_committed_merged_file_is_current() -> None:
    assert (SPEC_DIR / "merged.yaml").read_text(encoding="utf-8") == merged_text()


@pytest.mark.parametrize("vendor", VENDORS)
def test_vendor_paths_operations_and_security_are_namespaced(vendor: str) -> None:
    merged, own = load_spec("merged").document, load_spec(vendor).document
    for path, item in own["paths"].items():
        merged_item = merged["paths"][f"/{vendor}{path}"]
        for method, operation in item.items():
            if method == "parameters":
                continue
            merged_op = merged_item[method]
            assert merged_op["operationId"] == f"{vendor}.{operation['operationId']}"
            assert merged_op["tags"] == [vendor]
            schemes = {name for requirement in merged_op["security"] for name in requirement}
            assert schemes and all(name.startswith(f"{vendor}.") for name in schemes)
    for section, entries in own.get("components", {}).items():
        for name in entries:
            assert f"{vendor}.{name}" in merged["components"][section]


def test_every_reference_resolves_inside_its_vendor() -> None:
    merged = load_spec("merged").document
    all_refs = refs(merged)
    assert all_refs
    for ref in all_refs:
        resolve_pointer(merged, ref)
    for path, item in merged["paths"].items():
        vendor = path.split("/")[1]
        assert all(r.split("/")[3].startswith(f"{vendor}.") for r in refs(item))


def test_secret_rules_point_at_merged_operation_ids() -> None:
    merged = load_spec("merged")
    names = [place["operation"] for place in _returned_places(merged.document)]
    assert names and all(name in merged.operations for name in names)


def _returned_places(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        mark = node.get("x-connmock-secret")
        found = list(mark.get("returned") or []) if isinstance(mark, dict) else []
        return found + [p for value in node.values() for p in _returned_places(value)]
    if isinstance(node, list):
        return [p for item in node for p in _returned_places(item)]
    return []
