"""The faithful mock passes the whole suite, vendor by vendor."""

from __future__ import annotations

import pytest

from contracts.report import Redactor, render_summary
from contracts.runner import RunOptions, run_vendor
from contracts.target import local_target
from openapi import VENDORS
from tests.contracts.conftest import Serve


@pytest.mark.parametrize("vendor", VENDORS)
def test_faithful_mock_passes(serve: Serve, vendor: str) -> None:
    # Given the faithful mock, When the whole suite runs, Then nothing fails and every operation is covered.
    with serve(vendor, None) as url:
        redact = Redactor()
        result = run_vendor(local_target(vendor, url), RunOptions(max_examples=5), redact)
    assert result.failures == 0, render_summary([result], redact)
    assert result.covered == set(result.operations)
    assert sum(result.checks.values()) > 100
