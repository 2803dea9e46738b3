"""`connmock proxy` stopped by a signal -- SIGTERM from a CI runner, `timeout` or a container stop, SIGINT from
Ctrl-C -- writes its summary and JUnit report, then exits promptly with its documented status."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest

from contracts.target import local_target
from mock_server import Settings, create_app
from tests.proxy.processes import process
from tests.proxy.upstreams import Restatus, Stalling
from tests.support.server import free_port, running

PROMPTLY = 3.0  # seconds from the signal to the exit: uvicorn's 1 s grace for open requests, then the report


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=lambda s: s.name)
def test_a_stop_signal_writes_the_summary_and_the_report(stop: signal.Signals, tmp_path: Path) -> None:
    # Given `connmock proxy` (a process) in front of a Nango mock that answers its list with an undocumented 418
    # and never answers /connections/stalled
    upstream = Stalling(Restatus(create_app(Settings(vendors=("nango",))), "GET", r"/connections$", 418),
                        r"/connections/stalled$")
    report, port = tmp_path / "proxy.xml", free_port()
    with running(upstream) as root:
        args = [sys.executable, "-m", "connmock.cli", "proxy", "--vendor", "nango", "--upstream", f"{root}/nango",
                "--port", str(port), "--report", str(report)]
        url = f"http://127.0.0.1:{port}"
        with process(args, f"{url}/__connmock/violations", subprocess.PIPE) as child:
            # When a violation and a clean exchange go through, one request is still in flight, and the signal comes
            auth = {"Authorization": f"Bearer {local_target('nango', root).primary.key}"}
            assert httpx.get(f"{url}/connections", headers=auth).status_code == 418
            assert httpx.get(f"{url}/connections/gone?provider_config_key=github", headers=auth).status_code == 404
            with socket.create_connection(("127.0.0.1", port)) as in_flight:
                in_flight.sendall(b"GET /connections/stalled?provider_config_key=github HTTP/1.1\r\n"
                                  b"Host: proxy\r\nAuthorization: " + auth["Authorization"].encode() + b"\r\n\r\n")
                assert upstream.arrived.wait(timeout=5)
                signalled = time.monotonic()
                child.send_signal(stop)
                out, err = child.communicate(timeout=10)
                took = time.monotonic() - signalled
    # Then it exited within a couple of seconds, status 1 (a violation was seen), having printed the summary ...
    assert took < PROMPTLY, f"{took:.1f} s"
    assert child.returncode == 1, err
    assert "3 exchange(s), 1 violation(s), 0 request note(s), 1 not checked" in out, out
    assert "[undocumented-status] listConnections" in out and f"wrote {report}" in out
    assert "Traceback" not in err, err
    # ... and written the JUnit report: a case per operation seen, the violation a failure, the request still in
    # flight a note
    suite = ElementTree.parse(report).getroot().find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("2", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert [f.get("type") for f in cases["listConnections"].iter("failure")] == ["undocumented-status"]
    assert not list(cases["getConnection"].iter("failure"))
    assert "[proxy-stopped] getConnection" in (cases["getConnection"].findtext("system-out") or "")
