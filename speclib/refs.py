"""Inline local `$ref`s so that every schema can be walked without a resolver."""

from __future__ import annotations

from typing import Any

__all__ = ["inline_refs", "resolve_pointer"]

MAX_DEPTH = 64


def resolve_pointer(document: dict[str, Any], ref: str) -> Any:
    """Return the node a local reference (`#/a/b`) points at."""
    if not ref.startswith("#/"):
        raise ValueError(f"only local references are supported: {ref}")
    node: Any = document
    for part in ref[2:].split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def inline_refs(node: Any, document: dict[str, Any], depth: int = 0) -> Any:
    """Return a copy of `node` with every `$ref` replaced by its target (siblings of `$ref` are kept)."""
    if depth > MAX_DEPTH:
        raise ValueError("reference cycle or nesting too deep")
    if isinstance(node, dict):
        if "$ref" in node:
            target = inline_refs(resolve_pointer(document, node["$ref"]), document, depth + 1)
            extra = {k: inline_refs(v, document, depth + 1) for k, v in node.items() if k != "$ref"}
            return {**target, **extra} if extra else target
        return {k: inline_refs(v, document, depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [inline_refs(item, document, depth + 1) for item in node]
    return node
