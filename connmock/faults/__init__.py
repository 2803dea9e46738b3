"""The fault zoo: named, spec-derived ways to break the contract, as ASGI middleware around the faithful mock,
and `connmock selftest`, which measures what the contract suite (and plain Schemathesis) catches of them."""

from connmock.faults.base import Fault
from connmock.faults.zoo import FAULTS, applies, fault_names, faulty, targets, vendors_of

__all__ = ["FAULTS", "Fault", "applies", "fault_names", "faulty", "targets", "vendors_of"]
