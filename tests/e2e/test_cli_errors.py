"""What a user trips over on the command line: each mistake is one line on stderr and exit status 2, found
before anything starts (no banner, no run), and the version is one command away."""

from __future__ import annotations

import io
import socket
from pathlib import Path

import pytest

from connmock import __version__
from connmock.cli import main


def error_lines(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.strip().splitlines()


def test_serve_refuses_a_port_past_65535(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["serve", "--port", "99999"], out) == 2
    assert error_lines(capsys) == ["connmock serve: --port 99999: a TCP port is 1 to 65535"]
    assert out.getvalue() == ""


def test_serve_on_a_taken_port_says_so_before_the_banner(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)], out) == 2
    assert error_lines(capsys) == [f"connmock serve: cannot listen on 127.0.0.1:{port}: Address already in use"]
    assert out.getvalue() == ""  # neither the banner nor the demo keys


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.7", "mock.internal"])
def test_serve_beyond_loopback_needs_an_admin_token(capsys: pytest.CaptureFixture[str], host: str) -> None:
    out = io.StringIO()
    assert main(["serve", "--host", host, "--port", "8080"], out) == 2
    assert error_lines(capsys) == [
        f"connmock serve: --host {host} is reachable from other machines, and /__connmock/* hands out every "
        "tenant's keys and wipes state: give --admin-token TOKEN, or --insecure-admin to leave it open"]
    assert out.getvalue() == ""


@pytest.mark.parametrize("where", ["missing-folder/report.xml", "."])
def test_check_refuses_an_unwritable_junit_path_before_running(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str) -> None:
    out = io.StringIO()
    target = tmp_path / where
    assert main(["check", "--vendor", "nango", "--junit-xml", str(target)], out) == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and lines[0].startswith(f"connmock check: --junit-xml {target}: "), lines
    assert out.getvalue() == ""  # no summary: nothing ran


def test_version_option_and_command(capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    assert main(["version"], out) == 0
    assert out.getvalue() == f"connmock {__version__}\n"
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"connmock {__version__}\n"
