"""Every fault of the zoo is caught by the contract suite, for every vendor it applies to; the faithful mock is not.

Each fault runs only the sections of the suite that exercise the rule it breaks (`Fault.sections`), with few
generated examples, so the whole matrix stays fast; `connmock selftest` runs every section.
"""

from __future__ import annotations

import pytest

from connmock.faults import FAULTS, targets
from connmock.faults.selftest import Job, run_job
from connmock.faults.serving import FAITHFUL
from openapi import VENDORS
from speclib import load_spec

PAIRS = targets()


@pytest.mark.parametrize(("fault", "vendor"), PAIRS, ids=[f"{fault}-{vendor}" for fault, vendor in PAIRS])
def test_fault_is_caught(fault: str, vendor: str) -> None:
    # Given the mock broken by one fault, When the suite's relevant sections run, Then a failure is recorded.
    outcome = run_job(Job("connmock", vendor, fault, max_examples=3, seed=1, sections=FAULTS[fault].sections))
    assert outcome.caught, f"{fault} ({FAULTS[fault].summary}) missed for {vendor} {outcome.error}"
    assert not outcome.error, outcome.error


@pytest.mark.parametrize("vendor", VENDORS)
def test_faithful_mock_is_not_flagged(vendor: str) -> None:
    # Given the faithful mock, When every section runs, Then nothing is flagged.
    outcome = run_job(Job("connmock", vendor, FAITHFUL, max_examples=3, seed=1))
    assert not outcome.caught, outcome.detail or outcome.error


def test_every_vendor_has_faults_of_every_kind() -> None:
    # The registry is read from the specs: each vendor gets the leaks, contract and state faults that fit it.
    for vendor in VENDORS:
        names = {fault for fault, v in PAIRS if v == vendor}
        assert {"leak-in-create", "leak-in-error", "required-not-enforced", "auth-not-enforced"} <= names
    assert {v for f, v in PAIRS if f == "leak-in-get"} == {"openint", "vercel", "nango"}  # xpander has no get
    patchable = {v for v in VENDORS if any(op.method in ("PATCH", "PUT") for op in load_spec(v).operations.values())}
    assert {v for f, v in PAIRS if f == "leak-after-update"} == patchable
    assert len(PAIRS) >= 70
