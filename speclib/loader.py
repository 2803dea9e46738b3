"""Load the vendor specs shipped in the `openapi` package and index their operations."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from openapi import SPEC_DIR, VENDORS, entry, vendors
from speclib.refs import inline_refs

HTTP_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")

__all__ = ["VENDORS", "Operation", "Spec", "load_merged", "load_spec", "spec_path"]


def spec_path(name: str, spec_dir: Path | None = None) -> Path:
    """Path of a vendor spec (`nango`, or a registered vendor's own file) or of the merged one (`merged`)."""
    if spec_dir is None and name in vendors():
        return entry(name).spec
    return (spec_dir or SPEC_DIR) / f"{name}.yaml"


def read_yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not an OpenAPI document")
    return data


@dataclass(frozen=True, slots=True)
class Operation:
    """One operation of a spec, with every `$ref` inlined."""

    operation_id: str
    method: str
    path: str
    parameters: tuple[dict[str, Any], ...]
    request_body: dict[str, Any] | None
    responses: dict[str, Any]
    raw: dict[str, Any]

    def body_schema(self) -> dict[str, Any] | None:
        if not self.request_body:
            return None
        media = self.request_body.get("content", {}).get("application/json")
        return media.get("schema") if media else None

    def response_schema(self, status: int | str) -> dict[str, Any] | None:
        response = self.responses.get(str(status)) or self.responses.get("default")
        if not response:
            return None
        media = response.get("content", {}).get("application/json")
        return media.get("schema") if media else None

    def statuses(self) -> list[str]:
        return list(self.responses)

    @property
    def family(self) -> str | None:
        """The optional family (`x-connmock-family: {name: …}`) this operation belongs to; None for the vendor's
        own API, which every implementation serves."""
        mark = self.raw.get("x-connmock-family")
        return str(mark["name"]) if isinstance(mark, dict) and mark.get("name") else None


@dataclass(slots=True)
class Spec:
    """A loaded OpenAPI document and its operations by operationId."""

    name: str
    document: dict[str, Any]
    operations: dict[str, Operation] = field(default_factory=dict)

    @property
    def vendor(self) -> str:
        return str(self.document.get("info", {}).get("x-connmock-vendor", self.name))

    def operation(self, operation_id: str) -> Operation:
        return self.operations[operation_id]

    def raw_operation(self, operation_id: str) -> dict[str, Any]:
        return self.operations[operation_id].raw


def build_operations(document: dict[str, Any]) -> dict[str, Operation]:
    operations: dict[str, Operation] = {}
    for path, item in document.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method in HTTP_METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            params = inline_refs(shared + raw.get("parameters", []), document)
            op = Operation(
                operation_id=raw["operationId"],
                method=method.upper(),
                path=path,
                parameters=tuple(params),
                request_body=inline_refs(raw.get("requestBody"), document),
                responses=inline_refs(raw.get("responses", {}), document),
                raw=raw,
            )
            operations[op.operation_id] = op
    return operations


@functools.cache
def load_spec(name: str) -> Spec:
    """Load a vendor spec (cached: specs are read-only data)."""
    if name not in vendors() and name != "merged":
        raise KeyError(f"unknown spec {name!r}; expected one of {', '.join(vendors())} or merged")
    document = read_yaml(spec_path(name))
    return Spec(name=name, document=document, operations=build_operations(document))


def load_merged() -> Spec:
    return load_spec("merged")
