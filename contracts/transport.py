"""How every request of the suite reaches the target: paced, retried on 429, and a silent target made explicit.

    Transport.call(case, base_url)      a Schemathesis case, through the pacer and the 429 retries
    Transport.get(url, headers)         a plain GET (preflight, waiting for a target to come back)
    Exception
    └── NoAnswer                        the target did not answer: refused, reset, dropped or timed out

Pacing spreads requests evenly at the rate asked for (`--rate`, the target file, else the vendor's documented
limit, `info.x-connmock-rate-limit` in its spec). A 429 is waited out as the answer says (`Retry-After`, else
`X-RateLimit-Reset`), bounded, and retried; an answer announcing `X-RateLimit-Remaining: 0` holds the next
request until the announced reset. A 429 that keeps coming after the retries is returned to the caller.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, Protocol, TypeVar

import requests
from schemathesis import Case, Response

from speclib import Spec

__all__ = ["DEFAULT_TIMEOUT", "NoAnswer", "Transport", "documented_rate", "retry_delay"]

DEFAULT_TIMEOUT = 15.0
MAX_WAIT = 65.0  # the longest single wait for a rate limit (a one-minute window, and a margin)
RETRIES = 3
MARGIN = 0.95  # pace a little under the documented limit: the server's window and ours do not line up exactly
REFUSED = "the connection was refused (nothing listening)"
EPOCH_FLOOR = 1_000_000_000  # an X-RateLimit-Reset above this is a Unix time, below it a number of seconds


class Answered(Protocol):
    """An HTTP answer of either client the suite uses (Schemathesis' `Response`, `requests.Response`)."""

    @property
    def status_code(self) -> int: ...

    @property
    def headers(self) -> Any: ...


A = TypeVar("A", bound=Answered)


class NoAnswer(Exception):
    """The target gave no HTTP answer; `reason` says how (one line, no request details)."""

    def __init__(self, reason: str, refused: bool = False) -> None:
        self.reason = reason
        self.refused = refused  # nothing was listening (rather than a dropped or unanswered request)
        super().__init__(reason)


def documented_rate(spec: Spec) -> float:
    """Requests per minute to pace at by default: the spec's `info.x-connmock-rate-limit`, 0 (none) without one."""
    limit = spec.document.get("info", {}).get("x-connmock-rate-limit")
    if not isinstance(limit, dict):
        return 0.0
    per_minute = float(limit["requests"]) * 60.0 / float(limit.get("per-seconds", 60))
    return per_minute * MARGIN


def header(headers: Any, name: str) -> str | None:
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value[0] if isinstance(value, list) else value)
    return None


def seconds_until(value: str | None, now: float, *, epoch_or_delta: bool = False) -> float | None:
    """A `Retry-After` (seconds or an HTTP date) or an `X-RateLimit-Reset` (a Unix time or seconds), as a delay."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value)
    except ValueError:
        try:
            return parsedate_to_datetime(value).timestamp() - now
        except (TypeError, ValueError):
            return None
    return number - now if epoch_or_delta and number > EPOCH_FLOOR else number


def retry_delay(headers: Any, now: float) -> float:
    """How long a 429 asks us to wait: the later of `Retry-After` and `X-RateLimit-Reset` (Nango rounds
    `Retry-After` down, to 0 in the last second of a window), at least one second, at most `MAX_WAIT`."""
    delays = [seconds_until(header(headers, "Retry-After"), now),
              seconds_until(header(headers, "X-RateLimit-Reset"), now, epoch_or_delta=True)]
    known = [d for d in delays if d is not None]
    return min(max([1.0, *known]) + (0.5 if known else 0.0), MAX_WAIT)


def describe(exc: requests.RequestException, timeout: float) -> str:
    """What happened, in words that stay the same from one occurrence to the next (no ports, no addresses)."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {timeout:g}s"
    text = repr(exc)
    if "NewConnectionError" in text or "refused" in text.lower():
        return REFUSED
    if isinstance(exc, requests.ConnectionError | requests.exceptions.ChunkedEncodingError):
        return "the connection was closed without a complete answer"
    return f"the exchange failed ({type(exc).__name__})"


@dataclass(slots=True)
class Transport:
    """One vendor's connection to its target: `rate` requests per minute at most (0: unpaced)."""

    rate: float = 0.0
    timeout: float = DEFAULT_TIMEOUT
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic
    wall: Callable[[], float] = time.time
    sent: int = 0  # requests sent (retries included)
    rate_limited: int = 0  # 429 answers waited out
    _next_at: float = 0.0

    def pace(self) -> None:
        now = self.clock()
        if now < self._next_at:
            self.sleep(self._next_at - now)
            now = self._next_at
        self._next_at = max(self._next_at, now + (60.0 / self.rate if self.rate > 0 else 0.0))
        self.sent += 1

    def hold(self, seconds: float) -> None:
        """No request before `seconds` from now."""
        self._next_at = max(self._next_at, self.clock() + min(seconds, MAX_WAIT))

    def observe(self, headers: Any) -> None:
        """An answer announcing its window is spent holds the next request until the window resets (when paced:
        unpaced, as against the mock, whose rate-limit headers count but never refuse, only a 429 is waited out)."""
        if self.rate > 0 and header(headers, "X-RateLimit-Remaining") == "0":
            delay = seconds_until(header(headers, "X-RateLimit-Reset"), self.wall(), epoch_or_delta=True)
            if delay is not None and delay > 0:
                self.hold(delay + 0.5)

    def call(self, case: Case[Any], base_url: str) -> Response:
        """Send `case`; 429s are waited out and retried (the last answer is returned); no answer is `NoAnswer`."""
        return self.send(lambda timeout: case.call(base_url=base_url, timeout=timeout))

    def get(self, url: str, headers: dict[str, str], timeout: float | None = None) -> requests.Response:
        """A plain GET, paced and retried like `call`."""
        return self.send(lambda default: requests.get(url, headers=headers, timeout=timeout or default,
                                                      allow_redirects=False), timeout)

    def send(self, attempt: Callable[[float], A], timeout: float | None = None) -> A:
        """Make `attempt(timeout)` (one HTTP exchange) through the pacer, waiting out and retrying 429s."""
        for tries in range(RETRIES + 1):
            self.pace()
            try:
                answer = attempt(self.timeout)
            except requests.RequestException as exc:
                reason = describe(exc, timeout or self.timeout)
                raise NoAnswer(reason, refused=reason == REFUSED) from exc
            self.observe(answer.headers)
            if answer.status_code != 429 or tries == RETRIES:
                return answer
            self.rate_limited += 1
            self.hold(retry_delay(answer.headers, self.wall()))
        raise AssertionError("unreachable")  # pragma: no cover
