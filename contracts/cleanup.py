"""What the run created on the target (the deleting at the end is `teardown.py`).

Every successful create the session sees is registered with the operation that deletes it (found in the spec:
the `DELETE` one path segment below the create's path) and the parameters that address it; a successful
delete unregisters it. At the end of the run whatever is left is deleted, as the tenant that created it; an
object still readable afterwards is reported as left behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from contracts.target import Credentials
from speclib import Spec
from speclib.loader import Operation

__all__ = ["GONE", "Registry", "Tracked", "deletion_for", "getter"]

GONE = (404, 410)


@dataclass(frozen=True, slots=True)
class Tracked:
    """An object on the target: the operation that deletes it, its parameters, and who created it."""

    operation_id: str
    path: tuple[tuple[str, str], ...]
    query: tuple[tuple[str, str], ...]
    tenant: Credentials | None = None

    @property
    def key(self) -> tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]:
        return self.operation_id, self.path, self.query

    def describe(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in (*self.path, *self.query))
        return f"{self.operation_id}({params})"


@dataclass(slots=True)
class Registry:
    """The objects created and not (yet) deleted, in creation order."""

    objects: dict[tuple[Any, ...], Tracked] = field(default_factory=dict)

    def add(self, tracked: Tracked) -> None:
        self.objects.setdefault(tracked.key, tracked)

    def deleted(self, operation_id: str, path: dict[str, Any]) -> None:
        wanted = tuple(sorted((str(k), str(v)) for k, v in path.items()))
        for key in [k for k, t in self.objects.items() if t.operation_id == operation_id and t.path == wanted]:
            del self.objects[key]


def snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def pick(name: str, *documents: Any) -> str | None:
    for document in documents:
        if isinstance(document, dict):
            for key in (name, snake(name)):
                if isinstance(document.get(key), str | int) and str(document[key]):
                    return str(document[key])
    return None


def delete_operation(spec: Spec, create: Operation) -> Operation | None:
    """The `DELETE` addressed one path segment (a single parameter) below `create`'s path."""
    for op in spec.operations.values():
        head, _, last = op.path.rpartition("/")
        if op.method == "DELETE" and head == create.path and last.startswith("{") and last.endswith("}"):
            return op
    return None


def deletion_for(spec: Spec, operation_id: str, query: dict[str, Any], body: Any, answer: Any,
                 tenant: Credentials | None) -> Tracked | None:
    """How to delete what a successful `operation_id` (a POST) created, or None if it created nothing deletable.

    The path parameter comes from the answer (by its name, its snake_case name, else `id`) or the request body;
    each query parameter of the delete from the create's query, else (if required) from the body or answer."""
    create = spec.operations.get(operation_id)
    delete = delete_operation(spec, create) if create is not None and create.method == "POST" else None
    if delete is None:
        return None
    path: dict[str, str] = {}
    wanted: dict[str, str] = {}
    for param in delete.parameters:
        name = str(param["name"])
        if param.get("in") == "path":
            value = pick(name, answer, body) or pick("id", answer)
            if value is None:
                return None
            path[name] = value
        elif param.get("in") == "query":
            value = str(query[name]) if name in query else (pick(name, body, answer) if param.get("required")
                                                              else None)
            if value is not None:
                wanted[name] = value
    return Tracked(delete.operation_id, tuple(sorted(path.items())), tuple(sorted(wanted.items())), tenant)


def getter(spec: Spec, delete_id: str) -> str | None:
    path = spec.operation(delete_id).path
    return next((oid for oid, op in spec.operations.items() if op.method == "GET" and op.path == path), None)
