"""Plain Schemathesis, every built-in check and the stateful phase on, against the running mock.

The run is `connmock selftest`'s own Schemathesis column on the faithful mock: each vendor's few departures
from Schemathesis' defaults are in `connmock/faults/schemathesis/<vendor>.toml`, each with its reason.
"""

from __future__ import annotations

import pytest

from connmock.faults.selftest import Job, run_schemathesis
from connmock.faults.serving import FAITHFUL
from openapi import VENDORS


@pytest.mark.parametrize("vendor", VENDORS)
def test_schemathesis_finds_nothing(vendor: str) -> None:
    outcome = run_schemathesis(Job("schemathesis", vendor, FAITHFUL, max_examples=15, seed=1))
    assert (outcome.caught, outcome.error) == (False, ""), outcome.rule
