"""Long runs say where they are: a line per section and vendor with counts (stderr), one summary line at the end."""

from __future__ import annotations

import io
import re

import pytest

from connmock.cli import main
from tests.contracts.conftest import Serve


def test_a_line_per_section_and_one_summary_line(serve: Serve, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    with serve("xpander", None) as url:
        code = main(["check", "--vendor", "xpander", "--base-url", url, "--max-examples", "2"], out=out)
    progress = capsys.readouterr().err.splitlines()
    assert code == 0
    sections = ("valid-requests", "required-fields", "lifecycle", "cross-tenant", "auth", "generated-positive",
                "generated-negative")
    for name in sections:
        assert any(re.fullmatch(rf"connmock check: xpander: {name} ok \(\d+ requests, 0 failures\)( [\d.]+s)?", line)
                   for line in progress), (name, progress)
    assert "connmock check: xpander: cleanup: 0 object(s) could not be deleted" in progress
    assert re.fullmatch(r"connmock check: 1 vendor\(s\), 0 failure\(s\), \d+ request\(s\) in [\d.]+s",
                        out.getvalue().splitlines()[-1])
