"""What the proxy found: violations of the spec by the implementation, request notes, unchecked exchanges.

Every text here is built from the spec (operation ids, path templates, rule names, JSON pointers, header
names) and is masked by value by the vault before it is stored, so no secret reaches the log, a response
header, the JSON endpoint, the summary or the JUnit XML.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from xml.etree import ElementTree

__all__ = ["Entry", "Kind", "ViolationLog"]

Kind = Literal["violation", "request", "not checked"]
HEADER = "X-Connmock-Violations"


@dataclass(frozen=True, slots=True)
class Entry:
    """One finding of one exchange. `kind` "violation" is the implementation's; "request" is the client's."""

    kind: Kind
    operation: str
    rule: str
    place: str
    detail: str
    method: str
    path: str
    status: int | None = None

    def line(self) -> str:
        where = f" at {self.place}" if self.place else ""
        status = f" [{self.status}]" if self.status is not None else ""
        return f"[{self.rule}] {self.operation}{where}{status}: {self.detail}"

    def short(self) -> str:
        return f"{self.rule} {self.place}".strip()


def header_value(entries: list[Entry], limit: int = 300) -> str:
    """`<count>; <rule place>, …` for the violations of one response (already masked)."""
    violations = [e for e in entries if e.kind == "violation"]
    summary = ", ".join(dict.fromkeys(e.short() for e in violations))
    if len(summary) > limit:
        summary = summary[:limit - 1] + "…"
    return f"{len(violations)}; {summary}".encode("ascii", "replace").decode()


@dataclass(slots=True)
class ViolationLog:
    """Every entry of a proxy run, thread-safe, newest last (bounded: the oldest go beyond `limit`)."""

    vendor: str
    limit: int = 10_000
    entries: list[Entry] = field(default_factory=list)
    exchanges: int = 0
    dropped: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, entries: list[Entry]) -> None:
        """The entries of one more exchange."""
        self.keep(entries, exchanges=1)

    def amend(self, entries: list[Entry]) -> None:
        """More entries of an exchange already added (its answer broke off after it started)."""
        self.keep(entries, exchanges=0)

    def keep(self, entries: list[Entry], exchanges: int) -> None:
        with self._lock:
            self.exchanges += exchanges
            self.entries += entries
            overflow = len(self.entries) - self.limit
            if overflow > 0:
                del self.entries[:overflow]
                self.dropped += overflow

    def clear(self) -> None:
        with self._lock:
            self.entries.clear()
            self.exchanges = self.dropped = 0

    def violations(self) -> list[Entry]:
        return [e for e in self.entries if e.kind == "violation"]

    def as_json(self) -> dict[str, Any]:
        with self._lock:
            entries = list(self.entries)
        counts = Counter(e.kind for e in entries)
        return {"vendor": self.vendor, "exchanges": self.exchanges, "dropped": self.dropped,
                "counts": {kind: counts.get(kind, 0) for kind in ("violation", "request", "not checked")},
                "entries": [asdict(e) for e in entries]}

    def summary(self) -> str:
        data = self.as_json()
        counts = data["counts"]
        lines = [f"connmock proxy ({self.vendor}): {data['exchanges']} exchange(s), {counts['violation']} "
                 f"violation(s), {counts['request']} request note(s), {counts['not checked']} not checked"]
        lines += [f"  {'FAIL' if e.kind == 'violation' else e.kind.upper():11} {e.line()}" for e in self.entries
                  if e.kind != "not checked"]
        return "\n".join(lines)

    def write_junit(self, path: Path) -> None:
        """One `<testcase>` per operation seen, one `<failure>` per violation, notes as `<system-out>`."""
        by_operation: dict[str, list[Entry]] = {}
        for entry in self.entries:
            by_operation.setdefault(entry.operation, []).append(entry)
        failing = sum(1 for items in by_operation.values() if any(e.kind == "violation" for e in items))
        root = ElementTree.Element("testsuites", name="connmock proxy")
        suite = ElementTree.SubElement(root, "testsuite", name=f"proxy.{self.vendor}", tests=str(len(by_operation)),
                                       failures=str(failing), errors="0")
        for operation, items in sorted(by_operation.items()):
            case = ElementTree.SubElement(suite, "testcase", classname=f"proxy.{self.vendor}", name=operation)
            for entry in items:
                if entry.kind == "violation":
                    failure = ElementTree.SubElement(case, "failure", message=entry.line(), type=entry.rule)
                    failure.text = f"{entry.method} {entry.path}\n{entry.line()}"
            notes = [f"{e.kind}: {e.line()}" for e in items if e.kind != "violation"]
            if notes:
                ElementTree.SubElement(case, "system-out").text = "\n".join(notes)
        ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
