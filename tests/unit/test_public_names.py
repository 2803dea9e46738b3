"""The public names of every package are pinned: a change of the public surface is a deliberate edit of this file.

For each package and module of the product: `__all__` exists, names
nothing twice, and every name in it resolves; a package's `__all__` equals the pinned list (as httpx's
`tests/test_exported_members.py` does).
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import pytest

ROOTS = ("connmock", "speclib", "mock_server", "contracts", "fixtures", "openapi")

PACKAGES: dict[str, list[str]] = {
    "connmock": ["__version__"],
    "connmock.faults": ["FAULTS", "Fault", "applies", "fault_names", "faulty", "targets", "vendors_of"],
    "connmock.fidelity": [],
    "connmock.proxy": ["Entry", "ProxyApp", "ProxySettings", "ViolationLog", "proxy_command", "register"],
    "speclib": [
        "FieldError", "ReturnPlace", "SchemaValidator", "SecretRule", "Spec", "VENDORS", "load_merged",
        "load_spec", "secret_rules", "spec_path",
    ],
    "mock_server": ["Settings", "create_app"],
    "mock_server.armed": ["Scenario", "Scenarios", "TooManyArmed"],
    "mock_server.endpoints": ["ScenarioEndpoints", "WebhookAdmin", "is_scenarios_path"],
    "mock_server.pages": ["PAGES_PREFIX", "Pages", "build_pages", "read_body"],
    "mock_server.scenarios": [],
    "mock_server.store": [
        "Image", "MemoryStore", "PersistentStore", "Snapshotting", "StateFile", "StateFileError", "Store",
        "StoreFull", "StoreUnavailable", "persisting",
    ],
    "mock_server.vendors": ["build_adapter"],
    "mock_server.vendors.nango": ["NangoAdapter"],
    "mock_server.vendors.openint": ["OpenIntAdapter"],
    "mock_server.vendors.vercel": ["VercelAdapter"],
    "mock_server.vendors.xpander": ["XpanderAdapter"],
    "mock_server.webhooks": ["Deliveries", "Target", "TargetError", "WEBHOOK_VENDORS", "Webhook", "Webhooks"],
    "contracts": [],
    "fixtures": [
        "NangoIntegration", "OpenIntConnectorConfig", "SeedData", "Tenant", "VercelTeam", "XpanderConnector",
        "XpanderUser", "load_seed",
    ],
    "openapi": ["SPEC_DIR", "VENDORS", "VendorEntry", "entry", "register", "unregister", "vendors"],
}

def modules() -> list[str]:
    names: list[str] = []
    for root in ROOTS:
        package = importlib.import_module(root)
        names += [root, *(found.name for found in pkgutil.walk_packages(package.__path__, f"{root}."))]
    return sorted(name for name in names if not any(part.startswith("_") for part in name.split(".")))


def is_package(module: ModuleType) -> bool:
    return hasattr(module, "__path__")


def test_every_package_is_pinned() -> None:
    packages = {name for name in modules() if is_package(importlib.import_module(name))}
    assert packages == set(PACKAGES)


@pytest.mark.parametrize("name", sorted(PACKAGES))
def test_a_packages_public_names_are_the_pinned_ones(name: str) -> None:
    assert sorted(importlib.import_module(name).__all__) == PACKAGES[name]


@pytest.mark.parametrize("name", modules())
def test_every_public_name_resolves(name: str) -> None:
    module = importlib.import_module(name)
    exported = getattr(module, "__all__", None)
    assert exported is not None, f"{name} has no __all__"
    assert len(set(exported)) == len(exported), f"{name}.__all__ names something twice"
    unresolved = [public for public in exported if not hasattr(module, public)]
    assert not unresolved, f"{name}.__all__ names what it does not have: {unresolved}"
