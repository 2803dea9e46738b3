"""Vendor adapters, one package each, keyed as everywhere else: xpander, openint, vercel, nango.

Which class serves a vendor is the vendor's registration (`openapi.registry`), so a vendor registered from its
own files is served like the bundled four.
"""

from __future__ import annotations

import importlib

from mock_server.vendors.base import VendorAdapter
from mock_server.world import World
from openapi import entry

__all__ = ["build_adapter"]


def build_adapter(vendor: str, world: World) -> VendorAdapter:
    module_name, class_name = entry(vendor).adapter.split(":")
    adapter_class = getattr(importlib.import_module(module_name), class_name)
    adapter: VendorAdapter = adapter_class(world)
    return adapter
