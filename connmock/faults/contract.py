"""Faults against the documented contract: statuses, error bodies, response fields, validation."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from connmock.faults.asgi import Answer, Forward, Handler, Request
from connmock.faults.base import Fault, Memory, forward_and_remember
from connmock.faults.model import VendorModel, properties_of

__all__ = ["CONTRACT"]

Change = Callable[[VendorModel, Request, Answer], Answer]
WRONG_TYPE: dict[str, Any] = {"string": 12345, "integer": "12345", "number": "12345", "boolean": "true"}


def on_create(status: Callable[[VendorModel], int], change: Change) -> Callable[[VendorModel], Handler]:
    """A fault that rewrites the create's answer when it has the status `status(model)`."""

    def build(model: VendorModel) -> Handler:
        async def handle(request: Request, forward: Forward) -> Answer:
            answer = await forward(request)
            if model.is_create(request.method, request.path) and answer.status == status(model):
                return change(model, request, answer)
            return answer

        return handle

    return build


def success(model: VendorModel) -> int:
    return model.success


def invalid(model: VendorModel) -> int:
    return model.invalid


def leaves(document: Any, path: str = "") -> set[tuple[str, str]]:
    """(path, JSON text) of every scalar in `document`."""
    if isinstance(document, dict):
        return {leaf for k, v in document.items() for leaf in leaves(v, f"{path}/{k}")}
    if isinstance(document, list):
        return {leaf for i, v in enumerate(document) for leaf in leaves(v, f"{path}/{i}")}
    return {(path, json.dumps(document))}


def filled_in(unset: Callable[[dict[str, Any], str], bool]) -> Callable[[VendorModel], Handler]:
    """The create's first required field is not checked when `unset(body, name)`: it gets the value of the last
    successful create (a server-side default), so the body is created as if it were valid."""

    def build(model: VendorModel) -> Handler:
        name = model.request_required[0]
        memory = Memory()

        async def handle(request: Request, forward: Forward) -> Answer:
            body = request.json()
            if model.is_create(request.method, request.path) and isinstance(body, dict) and unset(body, name):
                previous = [b for b in map(json.loads, memory.bodies) if isinstance(b, dict) and name in b]
                if previous:  # the latest of the creates most like this one (a default per kind of object)
                    alike = max(reversed(previous), key=lambda b: len(leaves(b) & leaves(body)))
                    request = replace(request, body=json.dumps({**body, name: alike[name]}).encode())
            return await forward_and_remember(model, memory, request, forward)

        return handle

    return build


not_enforced = filled_in(lambda body, name: name not in body)
null_as_missing = filled_in(lambda body, name: name in body and body[name] is None)


def drop_field(model: VendorModel, request: Request, answer: Answer) -> Answer:
    document = answer.json()
    if isinstance(document, dict):
        document.pop(model.response_required[0], None)
    return answer.with_json(document)


def scalar_required(model: VendorModel) -> str | None:
    """The last required field of the create answer with a scalar type."""
    props = properties_of(model.response_schema)
    return next((name for name in reversed(model.response_required)
                 if props.get(name, {}).get("type") in WRONG_TYPE), None)


def wrong_type(model: VendorModel, request: Request, answer: Answer) -> Answer:
    name = scalar_required(model)
    document = answer.json()
    if name and isinstance(document, dict) and name in document:
        document[name] = WRONG_TYPE[properties_of(model.response_schema)[name]["type"]]
    return answer.with_json(document)


def other_success(model: VendorModel, request: Request, answer: Answer) -> Answer:
    return Answer(201 if model.success == 200 else 200, answer.headers, answer.body)


def other_invalid(model: VendorModel, request: Request, answer: Answer) -> Answer:
    return Answer(400 if model.invalid == 422 else 422, answer.headers, answer.body)


def wrong_shape(model: VendorModel, request: Request, answer: Answer) -> Answer:
    return answer.with_json({"error": "invalid request"})


def crash_at_page_maximum(model: VendorModel) -> Handler:
    """A list asked for its documented maximum page size answers 500 (an off-by-one in the page bound)."""

    async def handle(request: Request, forward: Forward) -> Answer:
        op = model.is_list(request.method, request.path)
        if op is not None and op.operation_id in model.page_sizes:
            name, maximum = model.page_sizes[op.operation_id]
            if f"{name}={maximum}".encode() in request.query.split(b"&"):
                return Answer(500, [(b"content-type", b"text/plain")], b"Internal Server Error")
        return await forward(request)

    return handle


def always(model: VendorModel) -> bool:
    return True


CONTRACT = (
    Fault("required-not-enforced", "a create without its first required field is accepted (a default filled in)",
          lambda m: bool(m.request_required), not_enforced, ("valid-requests", "required-fields")),
    Fault("null-accepted", "a create whose first required field is `null` is accepted (a default filled in)",
          lambda m: bool(m.request_required), null_as_missing, ("valid-requests", "required-values")),
    Fault("drop-response-field", "the first required field of the create answer is left out",
          lambda m: bool(m.response_required), on_create(success, drop_field), ("valid-requests",)),
    Fault("wrong-field-type", "a required scalar field of the create answer has the wrong JSON type",
          lambda m: scalar_required(m) is not None, on_create(success, wrong_type), ("valid-requests",)),
    Fault("wrong-success-status", "the create succeeds with the other 2xx (200 ↔ 201)", always,
          on_create(success, other_success), ("valid-requests",)),
    Fault("wrong-error-status", "validation errors are answered with the other 4xx (400 ↔ 422)", always,
          on_create(invalid, other_invalid), ("required-fields",)),
    Fault("wrong-error-shape", "validation errors have a body outside the vendor's error schema", always,
          on_create(invalid, wrong_shape), ("required-fields",)),
    Fault("server-error", "a list at its documented maximum page size answers 500",
          lambda m: bool(m.page_sizes), crash_at_page_maximum, ("lifecycle",)),
)
