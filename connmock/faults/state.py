"""Faults against the state and its owners: persistence, listing, deletion, authentication, isolation."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from connmock.faults.asgi import Answer, Forward, Handler, Request
from connmock.faults.base import Fault, Memory, forward_and_remember, minimal
from connmock.faults.model import VendorModel

__all__ = ["STATE"]


def unknown(ident: str) -> str:
    """An id of the same shape that names nothing: its last character changed within its class."""
    if not ident:
        return ident
    last = ident[-1]
    if last.isdigit():
        other = str((int(last) + 1) % 10)
    elif last.isalpha():
        other = ("B" if last in "Aa" else "A") if last.isupper() else ("b" if last == "a" else "a")
    else:
        other = "0"
    return ident[:-1] + other


def not_persisted(model: VendorModel) -> Handler:
    """Every single-object read answers as if the object did not exist (the create stored nothing)."""

    async def handle(request: Request, forward: Forward) -> Answer:
        if model.is_op(model.get, request.method, request.path):
            head, _, last = request.path.rpartition("/")
            return await forward(replace(request, path=f"{head}/{unknown(last)}"))
        return await forward(request)

    return handle


def without(document: Any, field: str, idents: set[str]) -> Any:
    """`document` with every array item whose `field` names one of `idents` left out."""
    if isinstance(document, dict):
        return {k: without(v, field, idents) for k, v in document.items()}
    if isinstance(document, list):
        return [without(item, field, idents) for item in document
                if not (isinstance(item, dict) and str(item.get(field)) in idents)]
    return document


def missing_from_list(model: VendorModel) -> Handler:
    """Lists leave out every object created through the API (they read a stale index)."""
    memory = Memory()

    async def handle(request: Request, forward: Forward) -> Answer:
        answer = await forward_and_remember(model, memory, request, forward)
        if model.is_list(request.method, request.path) and answer.status == 200 and memory.idents:
            return answer.with_json(without(answer.json(), model.identity, set(memory.idents)))
        return answer

    return handle


def delete_noop(model: VendorModel) -> Handler:
    """A delete of an existing object answers its documented success and deletes nothing."""
    delete, get = model.delete, model.get
    assert delete is not None and get is not None
    status = int(next(s for s in delete.statuses() if s.startswith("2")))
    schema = delete.response_schema(status)

    async def handle(request: Request, forward: Forward) -> Answer:
        if model.is_op(delete, request.method, request.path):
            exists = await forward(replace(request, method="GET", body=b""))
            if exists.status == 200:
                if schema is None:
                    return Answer(status)
                return Answer(status).with_json(minimal(schema, request.path.rsplit("/", 1)[-1]))
        return await forward(request)

    return handle


def credential(model: VendorModel, request: Request) -> str | None:
    name, prefix = model.auth_header
    value = request.header(name)
    return value[len(prefix):] if value is not None and value.startswith(prefix) else value


def with_key(model: VendorModel, request: Request, key: str) -> Request:
    name, prefix = model.auth_header
    return request.with_header(name, prefix + key)


def auth_not_enforced(model: VendorModel) -> Handler:
    """A request without a known credential that is refused (401/403) is served as the first demo tenant."""
    known = {key for keys in model.keys for key in keys}

    async def handle(request: Request, forward: Forward) -> Answer:
        answer = await forward(request)
        if answer.status in (401, 403) and credential(model, request) not in known:
            return await forward(with_key(model, request, model.keys[0][0]))
        return answer

    return handle


def is_uuid(key: str) -> bool:
    try:
        uuid.UUID(key)
    except ValueError:
        return False
    return True


def keys_case_insensitive(model: VendorModel) -> Handler:
    """A credential equal to a known key but for letter case is served as that key (a `lower()` compare)."""
    known = {key.lower(): key for keys in model.keys for key in keys}

    async def handle(request: Request, forward: Forward) -> Answer:
        sent = credential(model, request)
        exact = known.get(sent.lower()) if sent is not None else None
        if exact is not None and exact != sent:
            request = with_key(model, request, exact)
        return await forward(request)

    return handle


def tenants_shared(model: VendorModel) -> Handler:
    """Every tenant's key acts as the first tenant: one tenant sees, changes and deletes another's objects."""
    others = {key for keys in model.keys[1:] for key in keys}

    async def handle(request: Request, forward: Forward) -> Answer:
        if credential(model, request) in others:
            return await forward(with_key(model, request, model.keys[0][0]))
        return await forward(request)

    return handle


STATE = (
    Fault("create-not-persisted", "the create answers a success, but reading the object back is 404",
          lambda m: m.get is not None, not_persisted, ("lifecycle",)),
    Fault("missing-from-list", "objects created through the API never show up in a list",
          lambda m: bool(m.lists), missing_from_list, ("lifecycle",)),
    Fault("delete-noop", "a delete answers its success status but the object stays",
          lambda m: m.delete is not None and m.get is not None, delete_noop, ("lifecycle",)),
    Fault("auth-not-enforced", "a request with a missing or unknown credential is served anyway",
          lambda m: True, auth_not_enforced, ("auth",)),
    # A UUID key is case-insensitive by definition (RFC 9562), so the fault fits only vendors with other keys.
    Fault("key-case-insensitive", "API keys compared case-insensitively: a key in another letter case is served",
          lambda m: any(not is_uuid(key) for keys in m.keys for key in keys), keys_case_insensitive,
          ("credential-variants",)),
    Fault("cross-tenant-visible", "another tenant's key sees and changes the first tenant's objects",
          lambda m: len(m.keys) > 1, tenants_shared, ("cross-tenant",)),
)
