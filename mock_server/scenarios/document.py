"""The admin API's own OpenAPI 3.0.3 document (`openapi/admin.yaml`), served at `/__connmock/openapi.json` and
offered in Swagger UI's document selector beside the vendors'. It is no vendor: `openapi.VENDORS` does not name
it, so nothing that iterates over the vendor specs (routing, contracts, fixtures) sees it."""

from __future__ import annotations

import copy
import functools
from typing import Any

from speclib.loader import read_yaml, spec_path

__all__ = ["ADMIN_DOCUMENT", "admin_document", "loaded"]

ADMIN_DOCUMENT = "/__connmock/openapi.json"
ADMIN_SPEC = "admin"


@functools.cache
def loaded() -> dict[str, Any]:
    return read_yaml(spec_path(ADMIN_SPEC))


def admin_document() -> dict[str, Any]:
    """A copy of the document, with the mock's own origin as its server (each path carries `/__connmock`)."""
    document = copy.deepcopy(loaded())
    document["servers"] = [{"url": "/", "description": "this connmock"}]
    return document
