"""Generated requests against a real server (uvicorn on a loopback port): valid, invalid and malformed.

Every answer must come within the per-request timeout, never be a 5xx, and every error must be the vendor's
envelope as the spec's error schema for that operation and status describes it. The default run sends a
few hundred requests per vendor; `tox -e fuzz` (CONNMOCK_FUZZ=long) sends 10,000 per vendor.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings

from mock_server import Settings, create_app
from tests.reliability.fuzzing import FuzzRequest, VendorRequests
from tests.reliability.support import LONG, VENDORS, ErrorShapes
from tests.support.server import running

SHORT_COUNT, LONG_COUNT = 300, 10_000
TIMEOUT = httpx.Timeout(10.0)


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)
    undocumented: Counter[str] = field(default_factory=Counter)
    server_errors: int = 0
    hangs: int = 0
    bad_shapes: int = 0
    slowest_ms: float = 0.0

    def line(self, vendor: str, seconds: float) -> str:
        return (f"fuzz {vendor}: {self.sent} requests in {seconds:.1f} s, 5xx={self.server_errors} "
                f"hangs={self.hangs} bad_shapes={self.bad_shapes} slowest={self.slowest_ms:.0f} ms "
                f"statuses={dict(sorted(self.statuses.items()))} undocumented={dict(self.undocumented)} "
                f"kinds={dict(sorted(self.kinds.items()))}")


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with running(create_app(Settings())) as url:
        yield url


def send(client: httpx.Client, base: str, request: FuzzRequest, shapes: ErrorShapes, tally: Tally) -> None:
    tally.sent += 1
    tally.kinds[request.kind] += 1
    started = time.perf_counter()
    try:
        response = client.request(request.method, httpx.URL(base + request.raw_path), headers=request.headers,
                                  content=request.body)
    except httpx.TimeoutException:
        tally.hangs += 1
        raise AssertionError(f"no answer within {TIMEOUT.read} s") from None
    tally.slowest_ms = max(tally.slowest_ms, (time.perf_counter() - started) * 1000)
    status = response.status_code
    tally.statuses[status] += 1
    if status >= 500:
        tally.server_errors += 1
        raise AssertionError(f"{status}: {response.text[:300]}")
    if status >= 400:
        verdict = shapes.check(request.operation_id, response)
        if not verdict.documented:
            tally.undocumented[f"{request.operation_id} {status}"] += 1
        if not verdict.ok:
            tally.bad_shapes += 1
            raise AssertionError(f"{status} not in the vendor's shape ({verdict.reason}): {response.text[:300]}")


def run(vendor: str, base: str, count: int) -> Tally:
    requests, shapes, tally = VendorRequests(vendor), ErrorShapes(vendor), Tally()
    with httpx.Client(timeout=TIMEOUT) as client:

        @settings(max_examples=count, deadline=None, database=None, derandomize=not LONG,
                  phases=(Phase.generate, Phase.shrink),
                  suppress_health_check=list(HealthCheck))
        @given(requests.request())
        def exchange(request: FuzzRequest) -> None:
            send(client, base, request, shapes, tally)

        started = time.perf_counter()
        exchange()
        print("\n" + tally.line(vendor, time.perf_counter() - started))
    return tally


@pytest.mark.parametrize("vendor", VENDORS)
def test_generated_requests_get_vendor_shaped_answers(server: str, vendor: str) -> None:
    tally = run(vendor, server, SHORT_COUNT)
    assert tally.sent >= SHORT_COUNT * 0.9 and (tally.server_errors, tally.hangs, tally.bad_shapes) == (0, 0, 0)


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="the long run: tox -e fuzz (CONNMOCK_FUZZ=long)")
@pytest.mark.parametrize("vendor", VENDORS)
def test_ten_thousand_generated_requests_per_vendor(server: str, vendor: str) -> None:
    tally = run(vendor, server, LONG_COUNT)
    assert tally.sent >= LONG_COUNT and (tally.server_errors, tally.hangs, tally.bad_shapes) == (0, 0, 0)
