"""Reports: the console summary per vendor and JUnit XML, both redacted by value.

Redaction is by value, not by field name: every canary issued in the run (raw and in each encoded form,
and its fragments) becomes `[canary:<field>]`, every configured credential becomes `[redacted]`, wherever
they appear — failure messages, curl commands, anything Schemathesis rendered.
"""

from __future__ import annotations

import base64
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote
from xml.etree import ElementTree

from contracts.canaries import CanaryBook
from contracts.session import Section

__all__ = ["Redactor", "VendorResult", "render_summary", "write_junit"]

REDACTED = "[redacted]"
CREDENTIAL_HEADER = re.compile(r"(-H '(?:Authorization|[A-Za-z-]*(?:key|token|secret)[A-Za-z-]*): (?:Bearer |Basic )?)"
                               r"(?!\[redacted\])([^']*)(')", re.IGNORECASE)


@dataclass(slots=True)
class Redactor:
    """Replace every secret of a run, in every form the suite searches for, before anything is output."""

    replacements: list[tuple[str, str]] = field(default_factory=list)

    def add_book(self, book: CanaryBook) -> None:
        for canary, _form, text in book.forms():
            self.replacements.append((text, canary.label))
        self._sort()

    def add_secrets(self, values: Iterable[str]) -> None:
        for value in values:
            if len(value) < 6:
                continue
            for text in (value, quote(value, safe=""), base64.b64encode(value.encode()).decode().rstrip("=")):
                self.replacements.append((text, REDACTED))
        self._sort()

    def _sort(self) -> None:
        # Longest first, so a whole value is replaced before any fragment of it.
        self.replacements.sort(key=lambda item: len(item[0]), reverse=True)

    def __call__(self, text: str) -> str:
        for secret, label in self.replacements:
            if secret in text:
                text = text.replace(secret, label)
        # A credential header of a repro is never printed, whatever it holds: the auth checks send near-misses
        # of the real keys (one letter's case changed, one character short), which share most of its text.
        return CREDENTIAL_HEADER.sub(lambda m: f"{m.group(1)}{REDACTED}{m.group(3)}", text)


@dataclass(slots=True)
class VendorResult:
    vendor: str
    base_url: str
    operations: list[str]
    sections: list[Section]
    seconds: float
    error: str | None = None
    not_served: list[str] = field(default_factory=list)  # "<operationId> (METHOD path)": every call 404/405
    leftovers: list[str] = field(default_factory=list)  # objects the cleanup could not delete
    requests: int = 0
    rate_limited: int = 0  # 429 answers waited out

    @property
    def failures(self) -> int:
        return sum(len(s.failures) for s in self.sections) + (1 if self.error else 0)

    @property
    def unfinished(self) -> list[Section]:
        """Sections that were cut short or never ran: the run says nothing about what they check."""
        return [s for s in self.sections if s.status]

    @property
    def covered(self) -> set[str]:
        return set().union(*(s.operations for s in self.sections)) if self.sections else set()

    @property
    def checks(self) -> Counter[str]:
        total: Counter[str] = Counter()
        for section in self.sections:
            total.update(section.checks)
        return total


def render_vendor(result: VendorResult, redact: Redactor) -> list[str]:
    covered = sorted(result.covered)
    checks = result.checks
    lines = [
        f"== {result.vendor}  {result.base_url}  ({result.seconds:.1f}s)",
        f"   operations covered: {len(covered)}/{len(result.operations)}"
        + (f" (missing: {', '.join(sorted(set(result.operations) - set(covered)))})"
           if len(covered) < len(result.operations) else ""),
        f"   checks run: {sum(checks.values())} ("
        + ", ".join(f"{name} {count}" for name, count in sorted(checks.items())) + ")",
        "   sections: " + ", ".join(f"{s.name} {section_state(s)}" for s in result.sections),
    ]
    if result.error:
        lines.append(f"   ERROR {result.error}")
    lines += [f"   {s.name} {s.status}: {s.reason}" for s in result.unfinished if s.reason]
    lines += [f"   not served: {line}" for line in result.not_served]
    if result.rate_limited:
        lines.append(f"   rate-limited: {result.rate_limited} answer(s) 429 waited out and retried")
    lines += [f"   not deleted: {line}" for line in result.leftovers]
    for section in result.sections:
        for recorded in section.failures:
            lines.append(f"   FAIL {section.name}: {recorded.failure}")
            lines.append(f"        reproduce: {recorded.curl}")
    lines.append(f"   {result.failures} failure(s)")
    return [redact(line) for line in lines]


def section_state(section: Section) -> str:
    state = "FAIL" if section.failures else "ok"
    return f"{state} ({section.status})" if section.status and section.failures else section.status or state


def summary_line(results: list[VendorResult]) -> str:
    """The one line that ends a run: failures, and everything that keeps a pass from meaning a pass."""
    parts = [f"{len(results)} vendor(s)", f"{sum(r.failures for r in results)} failure(s)"]
    unfinished = sum(len(r.unfinished) for r in results)
    not_served = sum(len(r.not_served) for r in results)
    leftovers = sum(len(r.leftovers) for r in results)
    parts += [f"{unfinished} section(s) incomplete or not run"] if unfinished else []
    parts += [f"{not_served} operation(s) not served"] if not_served else []
    parts += [f"{leftovers} object(s) not deleted"] if leftovers else []
    parts.append(f"{sum(r.requests for r in results)} request(s) in {sum(r.seconds for r in results):.1f}s")
    return "connmock check: " + ", ".join(parts)


def render_summary(results: list[VendorResult], redact: Redactor) -> str:
    lines: list[str] = []
    for result in results:
        lines += render_vendor(result, redact)
    lines.append(summary_line(results))
    return "\n".join(lines)


def write_junit(results: list[VendorResult], path: Path, redact: Redactor) -> None:
    """One `<testsuite>` per vendor, one `<testcase>` per section, one `<failure>` per broken rule."""
    root = ElementTree.Element("testsuites", name="connmock contracts")
    for result in results:
        suite = ElementTree.SubElement(root, "testsuite", name=result.vendor, tests=str(len(result.sections)),
                                       failures=str(sum(1 for s in result.sections if s.failures)),
                                       errors=str((1 if result.error else 0) + len(result.unfinished)),
                                       time=f"{result.seconds:.3f}")
        if result.error:
            case = ElementTree.SubElement(suite, "testcase", classname=f"contracts.{result.vendor}", name="run")
            ElementTree.SubElement(case, "error", message=redact(result.error))
        for section in result.sections:
            case = ElementTree.SubElement(suite, "testcase", classname=f"contracts.{result.vendor}",
                                          name=section.name)
            if section.status:
                ElementTree.SubElement(case, "error", message=redact(f"{section.status}: {section.reason}"))
            for recorded in section.failures:
                failure = ElementTree.SubElement(case, "failure", message=redact(str(recorded.failure)),
                                                 type=recorded.failure.rule)
                failure.text = redact(f"{recorded.failure}\nreproduce: {recorded.curl}")
    ElementTree.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
