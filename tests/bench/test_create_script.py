"""`benchmarks/create.lua` drives wrk: a new connection per request, and with BENCH_CREATE_COUNT it stops."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from benchmarks.wrk import CREATE_SCRIPT

WRK = shutil.which("wrk")
pytestmark = pytest.mark.skipif(WRK is None, reason="needs wrk (Debian's package)")


class Recorder(BaseHTTPRequestHandler):
    ids: list[str] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Recorder.ids.append(body["connection_id"])
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.ids = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/connections"
    httpd.shutdown()
    httpd.server_close()


def test_with_a_count_wrk_stops_after_that_many_new_connections(server: str) -> None:
    # When wrk runs the script with a count of 40 and a duration it would otherwise fill with thousands
    assert WRK is not None
    subprocess.run([WRK, "-t", "1", "-c", "4", "-d", "2s", "-s", str(CREATE_SCRIPT), server, "--", "fill"],
                   env={**os.environ, "BENCH_CREATE_COUNT": "40"}, check=True, capture_output=True, timeout=30)
    # Then the thread stopped once 40 were answered (the 4 connections may each have one more in flight)
    assert 40 <= len(Recorder.ids) <= 44
    assert len(set(Recorder.ids)) == len(Recorder.ids)
    assert {connection_id.rsplit("-", 1)[0] for connection_id in Recorder.ids} == {"fill"}
