"""xpander.ai's envelopes: FastAPI's `422 {"detail": [...]}` in pydantic v2 wording, `{"detail": str}` else."""

from __future__ import annotations

from typing import Any

from connmock.spec import FieldError
from connmock.spec.secrets import SecretRule, rule_for, strip_write_only
from mock_server.errors import InvalidRequest, MalformedRequest, ServiceError
from mock_server.vendors.base import Reply

TYPE_CODES = {
    "string": ("string_type", "Input should be a valid string"),
    "boolean": ("bool_type", "Input should be a valid boolean"),
    "integer": ("int_type", "Input should be a valid integer"),
    "number": ("float_type", "Input should be a valid number"),
    "object": ("dict_type", "Input should be a valid dictionary"),
    "array": ("list_type", "Input should be a valid list"),
}


def pydantic_item(error: FieldError) -> tuple[str, str, dict[str, Any] | None]:
    """(type, msg, ctx) as pydantic v2 words them."""
    if error.kind == "missing":
        return "missing", "Field required", None
    if error.kind == "type":
        fallback = ("type_error", f"Input should be a valid {error.expected}")
        code, msg = TYPE_CODES.get(error.expected or "", fallback)
        return code, msg, None
    if error.kind in ("enum", "discriminator"):
        expected = " or ".join(f"'{o}'" for o in error.options if o is not None)
        return "enum", f"Input should be {expected}", {"expected": expected}
    if error.kind == "min_length":
        n = error.options[0]
        return "string_too_short", f"String should have at least {n} character{'s' * (n != 1)}", {"min_length": n}
    if error.kind == "max_length":
        n = error.options[0]
        return "string_too_long", f"String should have at most {n} characters", {"max_length": n}
    if error.kind == "pattern":
        pattern = error.options[0]
        return "string_pattern_mismatch", f"String should match pattern '{pattern}'", {"pattern": pattern}
    if error.kind == "minimum":
        bound = error.options[0]
        return "greater_than_equal", f"Input should be greater than or equal to {bound}", {"ge": bound}
    if error.kind == "maximum":
        bound = error.options[0]
        return "less_than_equal", f"Input should be less than or equal to {bound}", {"le": bound}
    if error.kind == "format" and error.options == ("uuid",):
        return "uuid_parsing", "Input should be a valid UUID", None
    return "value_error", error.message, None


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


def detail_items(error: InvalidRequest, rules: tuple[SecretRule, ...]) -> list[dict[str, Any]]:
    """One FastAPI item per field; `input` is left out wherever it could carry a write-only value."""
    body = error.extra.get("body")
    items = []
    for field_error in error.errors:
        code, msg, ctx = pydantic_item(field_error)
        item: dict[str, Any] = {"type": code, "loc": [error.location, *field_error.path], "msg": msg}
        if error.location == "body":
            shown = parent_of(body, field_error.path) if code == "missing" else field_error.value
            covered = rule_for(rules, tuple(str(p) for p in field_error.path)) is not None
            if not covered:
                item["input"] = strip_write_only(shown, rules, tuple(str(p) for p in field_error.path[:-1])) \
                    if code == "missing" and isinstance(shown, dict) else shown
        elif field_error.value is not None:
            item["input"] = field_error.value
        if ctx:
            item["ctx"] = ctx
        items.append(item)
    return items


def render(error: ServiceError, rules: tuple[SecretRule, ...]) -> Reply:
    if isinstance(error, InvalidRequest):
        return Reply(422, {"detail": detail_items(error, rules)})
    if isinstance(error, MalformedRequest):
        if error.reason == "content_type":
            item: dict[str, Any] = {"type": "model_attributes_type", "loc": ["body"],
                    "msg": "Input should be a valid dictionary or object to extract fields from"}
        else:
            item = {"type": "json_invalid", "loc": ["body", 0], "msg": "JSON decode error",
                    "ctx": {"error": error.message}}
        return Reply(422, {"detail": [item]})
    messages = {401: error.message or "Not authenticated", 404: error.message or "Not Found",
                405: "Method Not Allowed", 413: error.message or "Request Entity Too Large"}
    status = error.status if error.status in (401, 403, 404, 405, 409, 413, 507) else 500
    detail = messages.get(status, error.message or "Internal Server Error")
    return Reply(status, {"detail": detail})
