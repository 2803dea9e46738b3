"""The spec validator reports every offending field and never raises on a hostile value."""

from __future__ import annotations

from typing import Any

import pytest

from speclib import SchemaValidator

UNION: dict[str, Any] = {
    "type": "object",
    "properties": {"credentials": {
        "oneOf": [
            {"type": "object", "required": ["type", "token"],
             "properties": {"type": {"type": "string", "enum": ["A"]}, "token": {"type": "string"}}},
            {"type": "object", "required": ["type"], "properties": {"type": {"type": "string", "enum": ["B"]}}},
        ],
        "discriminator": {"propertyName": "type"},
    }},
}


@pytest.mark.parametrize("tag", [{"nested": 1}, ["A"], None, 3.5], ids=["object", "array", "null", "number"])
def test_a_discriminator_of_any_json_type_is_an_error_not_a_crash(tag: Any) -> None:
    errors = SchemaValidator(UNION).errors({"credentials": {"type": tag}})
    assert [(e.path, e.kind) for e in errors] == [(("credentials", "type"), "discriminator")]


def test_the_chosen_variant_names_its_own_missing_fields() -> None:
    errors = SchemaValidator(UNION).errors({"credentials": {"type": "A"}})
    assert [(e.path, e.kind) for e in errors] == [(("credentials", "token"), "missing")]
