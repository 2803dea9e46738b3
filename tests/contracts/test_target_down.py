"""A target that dies or hangs is a finding naming the request, with its curl; the run waits for it (bounded)
and goes on or stops; a section that did not finish never says `ok`; the exit code is non-zero."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from schemathesis import Case, Response

from connmock.cli import main
from contracts.report import Redactor, VendorResult, render_summary, write_junit
from contracts.runner import RunOptions, run_vendor
from contracts.session import Session
from contracts.target import local_target
from contracts.transport import REFUSED, NoAnswer, Transport
from mock_server import Settings, create_app
from tests.contracts.conftest import Serve
from tests.contracts.unreliable import dying, hanging
from tests.support.server import running

SECTIONS = ("valid-requests", "lifecycle", "cross-tenant", "auth")


def down_failures(result: VendorResult) -> list[str]:
    return [f"{r.failure}\n{r.curl}" for s in result.sections for r in s.failures if r.failure.rule == "target-down"]


def test_a_crash_on_one_request_is_reported_and_the_run_goes_on(serve: Serve) -> None:
    # Given the zoo's server that drops the connection on a DELETE without Content-Type (and is back at once)
    out = io.StringIO()
    with serve("openint", "crash-on-delete") as url:
        code = main(["check", "--vendor", "openint", "--base-url", url, "--max-examples", "1"], out=out)
    report = out.getvalue()
    # Then the request is named once, with its curl, and the exit code says so
    assert code == 1
    assert report.count("[target-down] deleteConnection at DELETE /connection/{id}: the connection was closed") == 1
    # (the lifecycle's repro is its numbered sequence: the DELETE that killed the target is its last step)
    assert re.search(r"(reproduce: |\d+\. )curl -X DELETE -H 'Authorization: \[\w+\]' "
                     r"http://127.0.0.1:\d+/openint/connection/", report)
    # And once the target is back the same request is sent with a Content-Type, so every section still runs
    sections = next(line for line in report.splitlines() if line.lstrip().startswith("sections:"))
    assert "lifecycle FAIL" in sections and "incomplete" not in sections and "not run" not in sections
    assert "generated-negative ok" in sections
    assert "[stateful]" not in report  # the delete and the read after it behaved
    assert "not deleted" not in report  # the cleanup's deletes carry the Content-Type too


def test_a_target_that_does_not_come_back_stops_the_run(tmp_path: Path) -> None:
    # Given a server that dies for good on its first DELETE
    with running(dying(create_app(Settings(vendors=("openint",))), "openint")) as url:
        target = local_target("openint", url)
        session = Session(target)
        session.recovery_seconds = 1.5
        redact = Redactor()
        result = run_vendor(target, RunOptions(max_examples=1, sections=SECTIONS), redact, session=session)
    summary = render_summary([result], redact)
    # Then: the finding, the cut section, every later section `not run`, nothing after it pretends to pass
    assert len(down_failures(result)) == 1, summary
    states = {s.name: s.status for s in result.sections}
    assert states == {"valid-requests": "", "lifecycle": "incomplete", "cross-tenant": "not run", "auth": "not run"}
    assert "cross-tenant not run, auth not run" in summary
    assert "did not answer again within 1.5s" in summary
    assert "not deleted: deleteConnection(id=conn_" in summary  # the cleanup does not wait on a dead target
    write_junit([result], tmp_path / "junit.xml", redact)
    xml = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert 'errors="3"' in xml and '<error message="not run: "' in xml
    assert '<error message="incomplete: no answer' in xml


def test_a_hanging_request_is_a_finding_and_the_run_goes_on() -> None:
    # Given a server that holds every DELETE longer than the client waits
    with running(hanging(create_app(Settings(vendors=("vercel",))), "vercel", 2.0)) as url:
        target = local_target("vercel", url)
        session = Session(target, Transport(timeout=0.5))
        session.poll_seconds = 0.2
        result = run_vendor(target, RunOptions(max_examples=1, sections=("lifecycle", "auth")), session=session)
    found = down_failures(result)
    assert len(found) == 1 and "deleteConnector at DELETE /v1/connect/connectors/{connector}: no answer within " \
                               "0.5s" in found[0] and "curl -X DELETE" in found[0]
    assert [s.status for s in result.sections] == ["incomplete", "incomplete"]
    # And the cleanup waits for one unanswered delete, not one per object it would delete
    assert len(result.leftovers) > 1
    assert sum("not tried (deleteConnector got no answer" in line for line in result.leftovers) == \
        len(result.leftovers) - 1, result.leftovers


class DiesAfterFirstDelete(Transport):
    """The target answers the first DELETE, then nothing listens for the next request (and is back after)."""

    deletes = 0

    def call(self, case: Case[Any], base_url: str) -> Response:
        if case.method.upper() == "DELETE":
            self.deletes += 1
            if self.deletes == 2:
                raise NoAnswer(REFUSED, refused=True)
        return super().call(case, base_url)


def test_a_target_that_dies_after_answering_points_at_the_request_before() -> None:
    with running(create_app(Settings(vendors=("openint",)))) as url:
        target = local_target("openint", url)
        result = run_vendor(target, RunOptions(sections=("auth",)), session=Session(target, DiesAfterFirstDelete()))
    found = down_failures(result)
    assert len(found) == 1, found
    assert "deleteConnection at DELETE /connection/{id}: the connection was refused (nothing listening)" in found[0]
    assert "it answered the request before (deleteConnection DELETE /connection/{id}: 403)" in found[0]
    assert found[0].count("curl -X DELETE") == 2 and "\n        then: curl" in found[0]
