"""Responses checked against the vendor's own spec: the documented schema of that operation and status."""

from __future__ import annotations

import functools
from typing import Any

import httpx

from speclib import SchemaValidator, load_spec


@functools.cache
def response_validator(vendor: str, operation: str, status: int) -> SchemaValidator:
    schema = load_spec(vendor).operation(operation).response_schema(status)
    assert schema is not None, f"{vendor}.{operation} documents no {status} body"
    return SchemaValidator(schema)


def conforms_to(vendor: str, operation: str, response: httpx.Response) -> Any:
    """The response's JSON body, after checking it is JSON and matches the documented schema."""
    assert response.headers["content-type"].startswith("application/json"), response.headers["content-type"]
    body = response.json()
    assert response_validator(vendor, operation, response.status_code).errors(body) == []
    return body
