"""Differences that are deliberate: a TOML list of (recording, exchange, path, reason) entries.

    [[allow]]
    recording = "openint/connections"   # `<vendor>/<name>`; `<vendor>/diff` for `connmock diff --sequences`
    exchange = [19, 20]                 # one index or a list (recordings only)
    operation = "getConnection*"        # generated diffs only: a glob on the operationId (optional)
    # in `path`, `[*]` stands for any index and a trailing `.*` for the field and everything under it
    variation = "query: * repeated"     # generated diffs only: a glob on the step's variation (optional)
    query = "*include_secrets=[!t&]*"   # generated diffs only: a glob on the step's query string (optional)
    body = '*"check_connection": true*' # generated diffs only: a glob on the step's JSON body (optional)
    status_a = [400, 424]               # generated diffs only: the status(es) the reference (A) answered (optional)
    path = "$.has_next_page"            # as the report prints it: `status`, `header:<name>` or `$…`
    kind = "value"                      # optional: only this kind of difference
    reason = "the recorded server inverts it; the mock answers correctly"

An entry that explains nothing is stale and reported as such, so the list cannot silently outlive a fix
(for recordings; a generated run samples, so an unused `<vendor>/diff` entry is only listed).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from connmock.fidelity.recordings import bundled_dir
from connmock.fidelity.shapes import Difference

__all__ = ["load", "path_matches"]


def path_matches(pattern: str, path: str) -> bool:
    """`[*]` in a pattern stands for any index; a trailing `.*` for the field and everything under it."""
    if "[*]" not in pattern and not pattern.endswith(".*"):
        return pattern == path
    under = pattern.endswith(".*")
    body = re.escape(pattern[:-2] if under else pattern).replace(r"\[\*\]", r"\[(?:\d+|\*)\]")
    return re.fullmatch(body + (r"(?:[.\[].*)?" if under else ""), path) is not None


def globbed(pattern: str | None, text: str) -> bool:
    """No pattern matches everything; a pattern is an fnmatch glob (an operationId without `*` is itself)."""
    return pattern is None or fnmatchcase(text, pattern)


@dataclass(frozen=True, slots=True)
class Allowance:
    recording: str
    exchanges: tuple[int, ...]
    path: str
    reason: str
    kind: str | None = None
    operation: str | None = None
    variation: str | None = None
    query: str | None = None  # a glob on the step's query string, `name=value&…` as sent (undecoded)
    body: str | None = None  # a glob on the step's body as JSON text (`json.dumps`: `"key": value, …`)
    status_a: tuple[int, ...] = ()  # the statuses side A (the reference) may have answered the step with

    def explains(self, recording: str, difference: Difference) -> bool:
        return (recording == self.recording and difference.exchange in self.exchanges
                and path_matches(self.path, difference.path) and self.kind in (None, difference.kind))

    def explains_generated(self, recording: str, operation: str, variation: str, difference: Difference,
                           query: str = "", body: str = "", status_a: int | None = None) -> bool:
        return (recording == self.recording and globbed(self.operation, operation)
                and (not self.status_a or status_a in self.status_a)
                and globbed(self.variation, variation) and globbed(self.query, query) and globbed(self.body, body)
                and path_matches(self.path, difference.path) and self.kind in (None, difference.kind))

    def describe(self) -> str:
        if not self.exchanges:
            scope = " ".join(x for x in (self.operation, f"[{self.variation}]" if self.variation else None,
                                         f"?{self.query}" if self.query else None) if x)
            return f"{self.recording} {scope} {self.path}"
        return f"{self.recording} #{','.join(map(str, self.exchanges))} {self.path}"


@dataclass(slots=True)
class Verdict:
    unexplained: list[Difference]
    explained: list[tuple[Difference, Allowance]]
    stale: list[Allowance]


def default_path() -> Path:
    return bundled_dir() / "allowlist.toml"


def load(path: str | Path | None = None) -> list[Allowance]:
    file = Path(path) if path is not None else default_path()
    data = tomllib.loads(file.read_text(encoding="utf-8"))
    out = []
    for entry in data.get("allow", []):
        exchange = entry.get("exchange", [])
        exchanges = exchange if isinstance(exchange, list) else [exchange]
        if not str(entry.get("reason", "")).strip():
            raise ValueError(f"allow-list entry {entry} has no reason")
        out.append(Allowance(entry["recording"], tuple(int(i) for i in exchanges), entry["path"],
                             entry["reason"].strip(), entry.get("kind"), entry.get("operation"),
                             entry.get("variation"), entry.get("query"), entry.get("body"),
                             statuses(entry.get("status_a"))))
    return out


def statuses(value: int | list[int] | None) -> tuple[int, ...]:
    if value is None:
        return ()
    return tuple(int(v) for v in value) if isinstance(value, list) else (int(value),)


def judge(recording: str, differences: list[Difference], allowances: list[Allowance]) -> Verdict:
    """Split differences into unexplained and explained; entries of this recording that explain none are stale."""
    verdict = Verdict([], [], [])
    used: set[Allowance] = set()
    for difference in differences:
        match = next((a for a in allowances if a.explains(recording, difference)), None)
        if match is None:
            verdict.unexplained.append(difference)
        else:
            verdict.explained.append((difference, match))
            used.add(match)
    verdict.stale = [a for a in allowances if a.recording == recording and a not in used]
    return verdict
