"""What the run created on the target, and deleting it at the end.

Every successful create the session sees is registered with the operation that deletes it (found in the spec:
the `DELETE` one path segment below the create's path) and the parameters that address it; a successful
delete unregisters it. At the end of the run whatever is left is deleted, as the tenant that created it; an
object still readable afterwards is reported as left behind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from contracts.target import Credentials
from contracts.transport import NoAnswer
from speclib import Spec
from speclib.loader import Operation

if TYPE_CHECKING:
    from contracts.session import Session

__all__ = ["Registry", "Tracked", "clean_up", "deletion_for"]

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


def remove(session: Session, tracked: Tracked, headers: dict[str, str]) -> int:
    """The status of the delete, then (when that is not plainly a success) of reading the object back."""
    who = tracked.tenant or session.target.primary
    delete = session.worked_around(session.case(tracked.operation_id, as_tenant=who, path=dict(tracked.path),
                                                query=dict(tracked.query), headers=headers), tracked.operation_id)
    status = session.transport.call(delete, session.target.base_url).status_code
    read = getter(session.spec, tracked.operation_id)
    if status < 300 or status in GONE or read is None:
        return status
    again = session.case(read, as_tenant=who, path=dict(tracked.path), query=dict(tracked.query))
    return 404 if session.transport.call(again, session.target.base_url).status_code in GONE else status


def clean_up(session: Session) -> list[str]:
    """Delete everything the run left on the target; one line per object that could not be deleted.

    A delete operation that got no answer even when retried the way a picky server expects is not tried again
    for the other objects: against a target that hangs on it, each try would cost the full timeout."""
    left: list[str] = []
    unanswered: dict[str, str] = {}  # delete operation -> why it got no answer
    for tracked in reversed(list(session.registry.objects.values())):
        if session.down:
            left.append(f"{tracked.describe()}: the target does not answer")
            continue
        if tracked.operation_id in unanswered:
            left.append(f"{tracked.describe()}: not tried ({tracked.operation_id} got no answer: "
                        f"{unanswered[tracked.operation_id]})")
            continue
        try:
            status = remove_or_retry(session, tracked)
        except NoAnswer as exc:
            if session.down:
                left.append(f"{tracked.describe()}: no answer")
            else:
                unanswered[tracked.operation_id] = exc.reason
                left.append(f"{tracked.describe()}: {exc.reason}")
            continue
        if not (status < 300 or status in GONE):
            left.append(f"{tracked.describe()}: got {status}")
    session.registry.objects.clear()
    return left


def remove_or_retry(session: Session, tracked: Tracked) -> int:
    """`remove`; when the target dropped the request (a server that dies on a DELETE without a body type), once
    it is back, once more the way such a server expects, and so from then on (as the suite's own requests are).
    Raises `NoAnswer` (with `session.down` set when the target did not come back)."""
    try:
        return remove(session, tracked, {})
    except NoAnswer:
        if not session.wait_for_target():
            session.down = True
            raise
    session.bare_killers.add(tracked.operation_id)
    return remove(session, tracked, {})
