"""Spec patterns are JavaScript's: `$` ends the string (Python's also matches before a final newline)."""

from __future__ import annotations

from speclib.validation import SchemaValidator, ecma_pattern


def test_a_dollar_ends_the_string_as_in_javascript() -> None:
    validator = SchemaValidator({"type": "string", "pattern": "^[a-z]+$"})
    assert validator.errors("ab") == []
    assert [e.kind for e in validator.errors("ab\n")] == ["pattern"]


def test_a_dollar_inside_a_class_or_escaped_is_kept() -> None:
    assert ecma_pattern(r"^[$a]+\$$") == r"^[$a]+\$\Z"


def test_record_keys_follow_the_same_rule() -> None:
    validator = SchemaValidator({"type": "object", "x-connmock-key-pattern": "^[a-z]+$", "additionalProperties": {}})
    assert [e.kind for e in validator.errors({"ab\n": 1})] == ["invalid_key"]
    assert validator.errors({"ab": 1}) == []
