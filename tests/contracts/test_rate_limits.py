"""Rate limits: the suite paces itself, waits out a 429 as its headers say and retries, and a 429 is never a
contract failure unless its body contradicts the documented one."""

from __future__ import annotations

from collections.abc import Callable
from email.utils import formatdate
from pathlib import Path
from typing import Any

import pytest

from contracts.report import VendorResult
from contracts.runner import RunOptions, run_vendor
from contracts.session import Session
from contracts.target import load_target, local_target
from contracts.transport import MAX_WAIT, Transport, documented_rate, retry_delay
from mock_server import Settings, create_app
from speclib import load_spec
from tests.contracts.unreliable import Counter, rate_limiting, target_file
from tests.support.server import running

NOW = 1_800_000_000.0
TOO_MANY = {"error": {"code": "too_many_request", "method": "GET", "path": "/connections"}}


def test_retry_after_and_reset_are_honoured_and_bounded() -> None:
    # Nango rounds Retry-After down (0 in the window's last second): the later of the two wins
    assert retry_delay({"Retry-After": "0", "X-RateLimit-Reset": str(int(NOW) + 3)}, NOW) == pytest.approx(3.5)
    assert retry_delay({"retry-after": "7"}, NOW) == pytest.approx(7.5)
    assert retry_delay({"Retry-After": formatdate(NOW + 10, usegmt=True)}, NOW) == pytest.approx(10.5)
    assert retry_delay({"X-RateLimit-Reset": "4"}, NOW) == pytest.approx(4.5)  # seconds, not a Unix time
    assert retry_delay({"Retry-After": "3600"}, NOW) == MAX_WAIT
    assert retry_delay({}, NOW) == 1.0


def test_the_default_pace_is_the_documented_limit_and_the_mock_is_not_paced(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_spec("nango").document["info"]["x-connmock-rate-limit"]["requests"] == 200
    nango = Session(load_target("nango", "http://x", target_file(tmp_path, monkeypatch, "nango")))
    assert 180 <= nango.transport.rate <= 200
    assert Session(load_target("openint", "http://x", target_file(tmp_path, monkeypatch, "openint"))
                   ).transport.rate == documented_rate(load_spec("openint")) == 0
    assert Session(local_target("nango", "http://x")).transport.rate == 0
    paced = target_file(tmp_path, monkeypatch, "nango", rate=30)
    assert Session(load_target("nango", "http://x", paced)).transport.rate == 30


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_requests_are_spread_at_the_pace() -> None:
    fake = FakeTime()
    with running(create_app(Settings(vendors=("nango",)))) as url:
        transport = Transport(rate=120, sleep=fake.sleep, clock=fake.clock)
        for _ in range(4):
            transport.get(f"{url}/nango/connections", {})
    assert fake.slept == [pytest.approx(0.5)] * 3


def run_limited(vendor: str, limited: Callable[[int], bool], body: dict[str, Any],
                headers: list[tuple[bytes, bytes]]) -> tuple[VendorResult, Counter, FakeTime]:
    counter, fake = Counter(), FakeTime()
    app = rate_limiting(create_app(Settings(vendors=(vendor,))), vendor, counter, limited, body, headers)
    with running(app) as url:
        target = local_target(vendor, url)
        session = Session(target, Transport(sleep=fake.sleep, clock=fake.clock))
        result = run_vendor(target, RunOptions(sections=("valid-requests", "lifecycle")), session=session)
    return result, counter, fake


def test_a_429_is_waited_out_and_retried() -> None:
    # Given a server that answers every third request 429 with Nango's body and headers
    headers = [(b"retry-after", b"2"), (b"x-ratelimit-remaining", b"0")]
    result, counter, fake = run_limited("nango", lambda n: n % 3 == 1, TOO_MANY, headers)
    # Then the suite waited as told, retried, and found nothing wrong
    assert counter.seen and result.rate_limited == len(counter.seen)
    assert result.failures == 0 and not result.unfinished
    assert fake.slept and all(s == pytest.approx(2.5) for s in fake.slept)


def test_an_endless_429_cuts_the_section_short_without_a_failure() -> None:
    # OpenInt documents no 429: an answer the suite cannot get past is no contract failure, and no pass either
    result, _, _ = run_limited("openint", lambda n: True, {"message": "slow down"}, [(b"retry-after", b"1")])
    assert result.failures == 0
    assert [s.status for s in result.unfinished] == ["incomplete", "incomplete"]
    assert "rate-limited (429)" in result.unfinished[0].reason


def test_a_429_off_the_documented_shape_is_a_failure() -> None:
    result, _, _ = run_limited("nango", lambda n: True, {"message": "slow down"}, [(b"retry-after", b"1")])
    rules = [r.failure for s in result.sections for r in s.failures]
    assert any(f.rule == "response-schema" and "[429]" in f.place for f in rules), rules
