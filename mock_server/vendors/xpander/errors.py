"""xpander.ai's envelopes: FastAPI's `422 {"detail": [...]}` in pydantic v2 wording, `{"detail": str}` else."""

from __future__ import annotations

from typing import Any

from mock_server.errors import CapacityReached, InvalidRequest, MalformedRequest, ServiceError
from mock_server.vendors.base import Reply
from mock_server.vendors.xpander.words import NOT_A_MODEL, pydantic_words
from speclib import FieldError
from speclib.secrets import SecretRule, rule_for, strip_write_only

__all__ = [
    "PHRASES", "UNREADABLE_BODY", "body_input", "detail_item", "detail_items", "malformed_body", "parent_of",
    "render", "text_input", "without_secrets",
]

# Starlette's phrases, which FastAPI's `HTTPException` handler sends when no detail is given.
PHRASES = {400: "Bad Request", 401: "Not authenticated", 403: "Forbidden", 404: "Not Found",
           405: "Method Not Allowed", 409: "Conflict", 413: "Request Entity Too Large", 503: "Service Unavailable"}
UNREADABLE_BODY = "There was an error parsing the body"  # FastAPI's 400 for a body it cannot decode


def parent_of(body: Any, path: tuple[str | int, ...]) -> Any:
    node = body
    for part in path[:-1]:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return None
    return node


def without_secrets(value: Any, rules: tuple[SecretRule, ...], path: tuple[str, ...]) -> Any:
    """`value` (found at `path` of the body) without its write-only subtrees; a top-level list is read as bodies."""
    if not path and isinstance(value, list):
        return [without_secrets(item, rules, ()) for item in value]
    return strip_write_only(value, rules, path) if isinstance(value, dict | list) else value


def body_input(field_error: FieldError, code: str, body: Any, rules: tuple[SecretRule, ...]) -> tuple[bool, Any]:
    """(shown, value) of a body item's `input`: never a write-only value, nor anything holding one."""
    path = tuple(str(p) for p in field_error.path)
    if rule_for(rules, path) is not None:
        return False, None
    if code == "missing":
        return True, without_secrets(parent_of(body, field_error.path), rules, path[:-1])
    return True, without_secrets(field_error.value, rules, path)


def text_input(value: Any) -> Any:
    """Query and path values are strings on the wire, and pydantic reports them as sent."""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value) if isinstance(value, int | float) else value


def detail_item(error: InvalidRequest, field_error: FieldError, rules: tuple[SecretRule, ...]) -> dict[str, Any]:
    code, msg, ctx = pydantic_words(field_error)
    item: dict[str, Any] = {"type": code, "loc": [error.location, *field_error.path], "msg": msg}
    if error.location == "body":
        shown, value = body_input(field_error, code, error.extra.get("body"), rules)
        if shown:
            item["input"] = value
    else:
        item["input"] = None if code == "missing" else text_input(field_error.value)
    if ctx:
        item["ctx"] = ctx
    return item


def detail_items(error: InvalidRequest, rules: tuple[SecretRule, ...], field_order: tuple[str, ...] = ()
                 ) -> list[dict[str, Any]]:
    """One FastAPI item per field, in the model's field order as pydantic reports them."""
    if error.location == "body" and error.extra.get("body") is None:
        return [{"type": "missing", "loc": ["body"], "msg": "Field required", "input": None}]

    def position(field_error: FieldError) -> int:
        head = field_error.path[0] if field_error.path else None
        return field_order.index(head) if isinstance(head, str) and head in field_order else len(field_order)

    ordered = sorted(error.errors, key=position) if error.location == "body" else error.errors
    return [detail_item(error, field_error, rules) for field_error in ordered]


def malformed_body(error: MalformedRequest) -> Reply:
    if error.reason == "invalid_encoding":
        return Reply(400, {"detail": UNREADABLE_BODY})
    if error.reason == "content_type":  # pydantic would echo the raw text as `input`: it may hold secrets
        code, msg = NOT_A_MODEL
        return Reply(422, {"detail": [{"type": code, "loc": ["body"], "msg": msg}]})
    return Reply(422, {"detail": [{"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error",
                                   "input": {}, "ctx": {"error": error.message}}]})


def render(error: ServiceError, rules: tuple[SecretRule, ...], field_order: tuple[str, ...] = ()) -> Reply:
    if isinstance(error, InvalidRequest):
        return Reply(422, {"detail": detail_items(error, rules, field_order)})
    if isinstance(error, MalformedRequest):
        return malformed_body(error)
    if error.code == "route_not_found":
        return Reply(404, {"detail": PHRASES[404]})
    if error.code == "method_not_allowed":
        return Reply(405, {"detail": PHRASES[405]})
    if isinstance(error, CapacityReached):  # the mock's own cap: a 400, the one documented non-422 client error
        return Reply(400, {"detail": error.message or "Store capacity reached"})
    if error.status not in PHRASES:
        return Reply(500, {"detail": "Internal Server Error"})
    return Reply(error.status, {"detail": error.message or PHRASES[error.status]})
