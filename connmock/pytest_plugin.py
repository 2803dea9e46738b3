"""pytest plugin: options for running the contract suite against any base URL.

    pytest contracts --base-url http://127.0.0.1:8080 --vendor openint [--contracts-config target.toml]

One test per vendor and report section (`valid-requests`, `required-fields`, `lifecycle`, `cross-tenant`,
`auth`, `generated`); a failing test prints the section's failures, redacted by value.

The tests themselves are `contracts/test_contracts.py`. This module (the `pytest11` entry point, loaded before
collection) lives outside the `contracts` package on purpose: were it inside, loading it would import the
installed `contracts` from site-packages first, and collecting `contracts/test_contracts.py` from a clone would
then fail with "import file mismatch" (the test module's package already bound to the other copy).
"""

from __future__ import annotations

from pathlib import Path

import pytest

__all__ = ["pytest_addoption", "pytest_generate_tests"]

VENDOR_OPTION = "--vendor"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("connmock", "connmock contract suite")
    group.addoption("--base-url", default=None, help="root URL of the implementation the contracts run against")
    group.addoption(VENDOR_OPTION, action="append", default=None,
                    help="vendor to check (repeatable; default: all four)")
    group.addoption("--contracts-config", type=Path, default=None, help="TOML target settings")
    group.addoption("--max-examples", type=int, default=None, help="generated examples per operation and mode")
    group.addoption("--contracts-seed", type=int, default=0, help="Hypothesis seed for generated cases")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "contract_vendor" in metafunc.fixturenames:
        from openapi import vendors as known_vendors

        vendors = metafunc.config.getoption(VENDOR_OPTION) or list(known_vendors())
        metafunc.parametrize("contract_vendor", vendors, scope="session")
