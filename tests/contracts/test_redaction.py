"""No canary and no configured credential ever reaches the console or the JUnit XML."""

from __future__ import annotations

import io
import re
from pathlib import Path

from connmock.cli import main
from fixtures import load_seed
from tests.contracts.conftest import Serve

CANARY = re.compile(r"cnry[0-9a-f]{8}")


def test_leaking_server_output_is_redacted(serve: Serve, tmp_path: Path) -> None:
    # Given a server that leaks secrets in create answers, error bodies and a header
    junit = tmp_path / "report.xml"
    out = io.StringIO()
    with serve("openint", "leak-in-error") as url:
        # When `connmock check` runs against it
        code = main(["check", "--vendor", "openint", "--base-url", url, "--junit-xml", str(junit),
                     "--max-examples", "3"], out=out)
    console, xml = out.getvalue(), junit.read_text(encoding="utf-8")
    # Then it fails, names the leak, and neither output holds a canary or a tenant's key
    assert code == 1
    assert "[secret-leak]" in console and "[canary:data.settings" in console
    assert "<failure" in xml and "secret-leak" in xml
    for text in (console, xml):
        assert not CANARY.search(text)
        for tenant in load_seed().tenants:
            assert tenant.openint_api_key not in text


def test_faithful_check_exits_zero(serve: Serve, tmp_path: Path) -> None:
    out = io.StringIO()
    with serve("xpander", None) as url:
        code = main(["check", "--vendor", "xpander", "--base-url", url, "--max-examples", "3",
                     "--junit-xml", str(tmp_path / "j.xml")], out=out)
    assert code == 0, out.getvalue()
    assert "operations covered: 4/4" in out.getvalue()


def test_near_miss_keys_in_repros_are_redacted() -> None:
    # The auth checks send keys that differ from a real one by a letter's case or one character: a repro
    # printing them would print most of the real key. Every credential header of a repro is redacted.
    from contracts.report import Redactor

    key = load_seed().tenants[0].openint_api_key
    redact = Redactor()
    redact.add_secrets([key])
    for near in (key.swapcase(), key[:-1], key[:-8] + "00000000"):
        for header in ("Authorization: Bearer", "x-api-key:"):
            line = f"curl -X GET -H '{header} {near}' -H 'Content-Type: application/json' http://127.0.0.1/x"
            shown = redact(line)
            assert key[:12] not in shown and "[redacted]" in shown
            assert "Content-Type: application/json" in shown
