"""What every fault is made of: a name, the vendors it applies to, and a handler factory (one per app)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from connmock.faults.asgi import Answer, Forward, Handler, Request
from connmock.faults.model import VendorModel

__all__ = ["Fault", "Memory", "add_field", "b64", "forward_and_remember", "minimal", "renamed"]


@dataclass(frozen=True, slots=True)
class Fault:
    """One way to break the contract. `build(model)` makes a fresh handler (with its own memory) per app."""

    name: str
    summary: str
    applies: Callable[[VendorModel], bool]
    build: Callable[[VendorModel], Handler]
    sections: tuple[str, ...]  # the contract-suite sections that exercise the broken rule


@dataclass(slots=True)
class Memory:
    """What a faulty server remembers of the successful creates it has seen (as a buggy server would)."""

    secrets: list[str] = field(default_factory=list)
    idents: list[str] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)


async def forward_and_remember(model: VendorModel, memory: Memory, request: Request, forward: Forward) -> Answer:
    answer = await forward(request)
    if model.is_create(request.method, request.path) and answer.status == model.success:
        memory.secrets += model.secrets_in(request.json())
        memory.bodies.append(request.body)
        document = answer.json()
        if isinstance(document, dict) and isinstance(document.get(model.identity), str | int):
            memory.idents.append(str(document[model.identity]))
    return answer


def add_field(answer: Answer, name: str, value: Any) -> Answer:
    document = answer.json()
    if not isinstance(document, dict):
        return answer
    document[name] = value
    return answer.with_json(document)


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def renamed(name: str) -> str:
    """`client_secret` → `clientSecret`, `clientSecret` → `client_secret`; a one-word name → `<name>Value`."""
    if "_" in name:
        head, *rest = name.split("_")
        return head + "".join(part.title() for part in rest)
    snake = "".join(f"_{c.lower()}" if c.isupper() else c for c in name)
    return snake if snake != name else f"{name}Value"


def minimal(schema: dict[str, Any], ident: str) -> Any:
    """The smallest instance of `schema`: its required properties only, strings set to `ident`."""
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("allOf", "oneOf", "anyOf"):
        if schema.get(key):
            merged: dict[str, Any] = {}
            for sub in schema[key] if key == "allOf" else schema[key][:1]:
                part = minimal(sub, ident)
                if isinstance(part, dict):
                    merged.update(part)
            return merged
    kind = schema.get("type", "object" if "properties" in schema else None)
    if kind == "object":
        props = schema.get("properties", {})
        return {name: minimal(props.get(name, {}), ident) for name in schema.get("required", [])}
    return {"boolean": True, "integer": 0, "number": 0, "array": [], "string": ident}.get(str(kind), ident)

