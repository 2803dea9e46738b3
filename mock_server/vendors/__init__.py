"""Vendor adapters, one package each, keyed as everywhere else: xpander, openint, vercel, nango."""

from __future__ import annotations

import importlib

from mock_server.vendors.base import VendorAdapter
from mock_server.world import World

__all__ = ["ADAPTERS", "build_adapter"]

ADAPTERS = {
    "xpander": "mock_server.vendors.xpander:XpanderAdapter",
    "openint": "mock_server.vendors.openint:OpenIntAdapter",
    "vercel": "mock_server.vendors.vercel:VercelAdapter",
    "nango": "mock_server.vendors.nango:NangoAdapter",
}


def build_adapter(vendor: str, world: World) -> VendorAdapter:
    module_name, class_name = ADAPTERS[vendor].split(":")
    adapter_class = getattr(importlib.import_module(module_name), class_name)
    adapter: VendorAdapter = adapter_class(world)
    return adapter
