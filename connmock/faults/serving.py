"""A selftest target: a fresh mock of one vendor, maybe broken by one fault, served on a free loopback port."""

from __future__ import annotations

from starlette.types import ASGIApp

from mock_server.serving import running as served

__all__ = ["FAITHFUL", "served", "target_app"]

FAITHFUL = "faithful"  # the pseudo-fault name of the unbroken mock


def target_app(vendor: str, fault: str) -> ASGIApp:
    """A fresh mock of `vendor` (mounted at `/<vendor>`), broken by `fault` unless it is `FAITHFUL`."""
    from connmock.faults.zoo import faulty
    from mock_server import Settings, create_app

    app = create_app(Settings(vendors=(vendor,)))
    return app if fault == FAITHFUL else faulty(app, vendor, fault)
