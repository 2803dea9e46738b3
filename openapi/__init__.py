"""The vendor contracts (OpenAPI 3.0.3), shipped as package data, and the registry of vendors.

`VENDORS` is the bundled four; `vendors()` is every vendor known now (the bundled four and any registered,
see `openapi.registry`). Code that lists vendors at run time calls `vendors()`.
"""

from pathlib import Path

from openapi.registry import BUNDLED, VendorEntry, entry, register, unregister, vendors

SPEC_DIR = Path(__file__).parent
VENDORS = tuple(e.name for e in BUNDLED)

__all__ = ["SPEC_DIR", "VENDORS", "VendorEntry", "entry", "register", "unregister", "vendors"]
