"""The one comparison of a response with the one it should resemble, as a list of `Difference`s.

Compared: the status; the set of fields at every level (missing and extra); JSON types; string formats
(ISO `Z` vs `+00:00`, PostgreSQL text timestamps, UUIDs, prefixed ids such as `conn_<name>_<ULID>`); the
value of everything that is not volatile; and the headers clients read. Ids, timestamps and generated tokens
are volatile: compared by format only, and an id first seen here is remembered (`Carried`) so that later
requests and responses use the target's own value -- from then on it must match exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from speclib.validation import json_type

__all__ = ["GENERATED", "Carried", "Difference", "compare", "masked", "string_format"]

FORMATS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("iso8601-Z", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$")),
    ("iso8601-offset", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")),
    ("postgres-timestamptz", re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?[+-]\d\d(:\d\d)?$")),
    ("uuid", re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)),
)
PREFIXED_ULID = re.compile(r"^([A-Za-z][A-Za-z0-9-]*_(?:[A-Za-z0-9-]+_)?)[0-9A-HJKMNP-TV-Z]{26}$")
PREFIXED_TOKEN = re.compile(r"^([a-z][a-z0-9]*_(?:[a-z0-9]+_)*)[A-Za-z0-9]{20,}$")
GENERATED = re.compile(  # generated fragments inside a plain string: JWTs, UUIDs, ULIDs, hex runs
    r"eyJ[\w-]+\.[\w-]+\.[\w-]+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
    r"|[0-9A-HJKMNP-TV-Z]{26}|(?=[0-9a-f]*[0-9])[0-9a-f]{8,}"  # a random hex run may hold no letter at all
)
JWT = re.compile(r"eyJ[\w-]+\.[\w-]+\.[\w-]+")
TIMESTAMPS = {"iso8601-Z", "iso8601-offset", "postgres-timestamptz"}
FREE_TEXT_KEYS = frozenset({"logo"})  # wording, not contract: compared by type
VOLATILE_INT_KEYS = re.compile(r"^(id|.*_id|.*Id)$")  # database serials
VALUE_HEADERS = ("access-control-allow-origin",)
PRESENCE_HEADERS = ("x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "location")


@dataclass(frozen=True, slots=True)
class Difference:
    """One way a response departs from the expected one: `path` is `status`, `header:<name>` or `$…`."""

    exchange: int
    path: str
    kind: str  # status | missing | extra | type | format | value | length | header | no-response
    expected: Any = None
    actual: Any = None

    def describe(self) -> str:
        return f"#{self.exchange} {self.path}: {self.kind} (expected {self.expected!r}, got {self.actual!r})"


@dataclass(slots=True)
class Carried:
    """Values the replay itself produced: the expected (recorded) value -> the target's own."""

    values: dict[str, str] = field(default_factory=dict)

    def learn(self, expected: str, actual: str) -> None:
        if expected != actual and expected not in self.values and actual not in self.values.values():
            self.values[expected] = actual

    def known(self, value: str) -> bool:
        return value in self.values.values()


def string_format(value: str) -> str | None:
    """The named format of a string, or None for a plain string."""
    for name, pattern in FORMATS:
        if pattern.match(value):
            return name
    for kind, pattern in (("id", PREFIXED_ULID), ("token", PREFIXED_TOKEN)):
        found = pattern.match(value)
        if found:
            return f"{kind}:{found.group(1)}…"
    return None


def masked(value: str) -> str:
    """`value` with its generated fragments replaced by a marker, to compare the text around them."""
    return GENERATED.sub("<generated>", value)


def int_format(value: int) -> str | None:
    if 10**12 <= value < 10**13:
        return "epoch-ms"
    if 10**9 <= value < 10**10:
        return "epoch-s"
    return None


class Comparer:
    """Compares one expected body with an actual one, collecting differences for one exchange."""

    def __init__(self, exchange: int, carried: Carried) -> None:
        self.exchange = exchange
        self.carried = carried
        self.out: list[Difference] = []

    def add(self, path: str, kind: str, expected: Any = None, actual: Any = None) -> None:
        self.out.append(Difference(self.exchange, path, kind, expected, actual))

    def value(self, expected: Any, actual: Any, path: str, key: str) -> None:
        kinds = json_type(expected), json_type(actual)
        if kinds[0] != kinds[1] and set(kinds) != {"integer", "number"}:
            self.add(path, "type", kinds[0], kinds[1])
        elif isinstance(expected, dict):
            self.object(expected, actual, path)
        elif isinstance(expected, list):
            self.array(expected, actual, path, key)
        elif isinstance(expected, str):
            self.string(expected, actual, path, key)
        elif isinstance(expected, int) and not isinstance(expected, bool):
            self.integer(expected, actual, path, key)
        elif expected != actual:
            self.add(path, "value", expected, actual)

    def object(self, expected: dict[str, Any], actual: dict[str, Any], path: str) -> None:
        for name in expected:
            if name not in actual:
                self.add(f"{path}.{name}", "missing", json_type(expected[name]), None)
            else:
                self.value(expected[name], actual[name], f"{path}.{name}", name)
        for name in actual:
            if name not in expected:
                self.add(f"{path}.{name}", "extra", None, json_type(actual[name]))

    def array(self, expected: list[Any], actual: list[Any], path: str, key: str) -> None:
        if len(expected) != len(actual):
            self.add(path, "length", len(expected), len(actual))
        plain = all(isinstance(v, str | int | float | bool) for v in expected + actual)
        if plain and len(expected) != len(actual):  # a list of names: say which, not index by index
            missing = [v for v in expected if v not in actual]
            extra = [v for v in actual if v not in expected]
            if missing or extra:
                self.add(path, "items", missing[:10], extra[:10])
            return
        for index, (left, right) in enumerate(zip(expected, actual, strict=False)):
            self.value(left, right, f"{path}[{index}]", key)

    def string(self, expected: str, actual: str, path: str, key: str) -> None:
        if self.carried.known(expected):
            if expected != actual:
                self.add(path, "value", expected, actual)
            return
        formats = string_format(expected), string_format(actual)
        if formats[0] != formats[1]:
            self.add(path, "format", formats[0] or "plain", formats[1] or "plain")
        elif formats[0] is not None:  # volatile: compared by shape; an id is carried forward
            if formats[0] not in TIMESTAMPS:
                self.carried.learn(expected, actual)
        elif key in FREE_TEXT_KEYS or expected == actual:
            return
        elif masked(expected) == masked(actual) != expected:  # same text around generated parts
            if not JWT.fullmatch(expected):  # a token minted per call (it holds the time) names nothing later
                self.carried.learn(expected, actual)
        else:
            self.add(path, "value", expected, actual)

    def integer(self, expected: int, actual: int, path: str, key: str) -> None:
        formats = int_format(expected), int_format(int(actual))
        if formats[0] != formats[1]:
            self.add(path, "format", formats[0] or "plain", formats[1] or "plain")
        elif formats[0] is None and not VOLATILE_INT_KEYS.match(key) and not same_number(expected, actual):
            self.add(path, "value", expected, actual)


def same_number(expected: float, actual: float) -> bool:
    """Equal as a JSON client reads them: both are IEEE doubles to JavaScript, so `32985918243087790` (how
    JavaScript writes that double) and `3.298591824308779e+16` (how Python does) are one number."""
    if isinstance(expected, int) and isinstance(actual, int) and max(abs(expected), abs(actual)) <= 2**53:
        return expected == actual
    return float(expected) == float(actual)


def media_type(value: str | None) -> str | None:
    return value.split(";")[0].strip().lower() if value else None


def compare_headers(exchange: int, expected: dict[str, str], actual: dict[str, str]) -> list[Difference]:
    """The headers a client reads: content type, CORS origin, rate-limit and Location presence."""
    want = {k.lower(): v for k, v in expected.items()}
    got = {k.lower(): v for k, v in actual.items()}
    out: list[Difference] = []
    if media_type(want.get("content-type")) != media_type(got.get("content-type")) and "content-type" in want:
        out.append(Difference(exchange, "header:content-type", "header",
                              media_type(want.get("content-type")), media_type(got.get("content-type"))))
    for name in VALUE_HEADERS:
        if want.get(name) != got.get(name):
            out.append(Difference(exchange, f"header:{name}", "header", want.get(name), got.get(name)))
    for name in PRESENCE_HEADERS:
        if (name in want) != (name in got):
            out.append(Difference(exchange, f"header:{name}", "header",
                                  "present" if name in want else "absent", "present" if name in got else "absent"))
    return out


def compare(exchange: int, expected_status: int | None, expected_headers: dict[str, str], expected_body: Any,
            actual_status: int | None, actual_headers: dict[str, str], actual_body: Any,
            carried: Carried | None = None) -> list[Difference]:
    """Every difference between an expected response and an actual one (None status: no response)."""
    if expected_status is None or actual_status is None:
        if expected_status == actual_status:
            return []
        return [Difference(exchange, "status", "no-response" if actual_status is None else "status",
                           expected_status, actual_status)]
    out: list[Difference] = []
    if expected_status != actual_status:
        out.append(Difference(exchange, "status", "status", expected_status, actual_status))
    out.extend(compare_headers(exchange, expected_headers, actual_headers))
    comparer = Comparer(exchange, carried or Carried())
    comparer.value(expected_body, actual_body, "$", "")
    return out + comparer.out
