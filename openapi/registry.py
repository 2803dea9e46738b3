"""The vendors connmock knows: the four bundled ones, and any a package or a test registers from its own files.

A vendor is its spec (with its `x-connmock-profile` block), an optional seed file (the tenants' credentials for
it and its catalogs, merged into the bundled seed), and the `module:Class` of its mock adapter. A fifth vendor
joins by calling `register` (a test, a plugin imported at start) or through an entry point of the group
`connmock.vendors` naming a `VendorEntry` (read on the first `vendors()` call). Nothing here imports beyond the
standard library: every layer above reads it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

__all__ = ["BUNDLED", "ENTRY_POINT_GROUP", "RegistryError", "VendorEntry", "entry", "rediscover", "register",
           "unregister", "vendors"]

SPEC_DIR = Path(__file__).parent
ENTRY_POINT_GROUP = "connmock.vendors"


@dataclass(frozen=True, slots=True)
class VendorEntry:
    """One vendor: its key (mount path, spec name, fixture folder), spec file, seed file and mock adapter."""

    name: str
    spec: Path
    adapter: str  # "package.module:AdapterClass", imported only when a mock serves the vendor
    seed: Path | None = None  # YAML: `tenants: {<tenant id>: {<credential>: …}}` plus the vendor's catalogs


def bundled(name: str, adapter: str) -> VendorEntry:
    return VendorEntry(name, SPEC_DIR / f"{name}.yaml", f"mock_server.vendors.{name}:{adapter}")


BUNDLED = (bundled("xpander", "XpanderAdapter"), bundled("openint", "OpenIntAdapter"),
           bundled("vercel", "VercelAdapter"), bundled("nango", "NangoAdapter"))
_REGISTERED: dict[str, VendorEntry] = {e.name: e for e in BUNDLED}


class RegistryError(ValueError):
    """A registration that would shadow a vendor or names a spec that does not exist."""


def register(vendor: VendorEntry) -> None:
    """Add a vendor (idempotent for the same entry); the bundled ones cannot be replaced."""
    known = _REGISTERED.get(vendor.name)
    if known is not None and known != vendor:
        raise RegistryError(f"vendor {vendor.name!r} is already registered as {known}")
    if not vendor.spec.is_file():
        raise RegistryError(f"vendor {vendor.name!r}: no spec at {vendor.spec}")
    _REGISTERED[vendor.name] = vendor


def unregister(name: str) -> None:
    """Remove a vendor registered by `register` (a test's cleanup); bundled vendors stay."""
    if name not in {e.name for e in BUNDLED}:
        _REGISTERED.pop(name, None)


@functools.cache
def _discover() -> None:
    for point in metadata.entry_points(group=ENTRY_POINT_GROUP):
        found = point.load()
        if isinstance(found, VendorEntry):
            register(found)


def rediscover() -> None:
    """Read the `connmock.vendors` entry points again on the next `vendors()` (after a package was installed)."""
    _discover.cache_clear()


def vendors() -> tuple[str, ...]:
    """Every known vendor key, the bundled four first, in registration order."""
    _discover()
    return tuple(_REGISTERED)


def entry(name: str) -> VendorEntry:
    """The registration of `name` (KeyError when unknown)."""
    _discover()
    return _REGISTERED[name]
