"""The fault zoo: every named way to break the contract, and the vendors each applies to."""

from __future__ import annotations

from starlette.types import ASGIApp

from connmock.faults.asgi import FaultyApp
from connmock.faults.base import Fault
from connmock.faults.contract import CONTRACT
from connmock.faults.crash import CRASH
from connmock.faults.leaks import LEAKS
from connmock.faults.lists import LISTS
from connmock.faults.model import model_of
from connmock.faults.state import STATE
from openapi import VENDORS

__all__ = ["FAULTS", "applies", "fault_names", "faulty", "targets", "vendors_of"]

FAULTS: dict[str, Fault] = {fault.name: fault for fault in (*LEAKS, *CONTRACT, *STATE, *LISTS, *CRASH)}


def fault_names() -> tuple[str, ...]:
    return tuple(FAULTS)


def applies(name: str, vendor: str) -> bool:
    return FAULTS[name].applies(model_of(vendor))


def vendors_of(name: str, vendors: tuple[str, ...] = VENDORS) -> tuple[str, ...]:
    return tuple(v for v in vendors if applies(name, v))


def targets(vendors: tuple[str, ...] = VENDORS, names: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    """(fault, vendor) for every fault of `names` (default: all) and every vendor of `vendors` it applies to."""
    return [(name, vendor) for name in names or fault_names() for vendor in vendors_of(name, vendors)]


def faulty(app: ASGIApp, vendor: str, name: str) -> ASGIApp:
    """`app` (a mock serving `vendor` at `/<vendor>`) broken by the fault `name`; a fresh fault memory."""
    if name not in FAULTS:
        raise KeyError(f"unknown fault {name!r}; expected one of {', '.join(FAULTS)}")
    model = model_of(vendor)
    if not FAULTS[name].applies(model):
        raise ValueError(f"fault {name!r} does not apply to {vendor}")
    return FaultyApp(app, vendor, FAULTS[name].build(model))
