"""`connmock serve` settles the heap before it serves: start-up's objects are out of the collector's walks."""

from __future__ import annotations

import gc
import io
import logging
from typing import Any

import pytest
import uvicorn

from connmock.cli import main
from mock_server.heap import settle_heap
from mock_server.serving import free_port


def test_settle_heap_freezes_what_survives() -> None:
    kept: list[list[int]] = [[] for _ in range(1000)]  # containers: objects the collector tracks
    try:
        settle_heap()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def test_serve_settles_the_heap_before_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    frozen_when_serving: list[int] = []

    def run(self: uvicorn.Server, sockets: Any = None) -> None:
        frozen_when_serving.append(gc.get_freeze_count())
        for listener in sockets or ():
            listener.close()

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setattr(logging, "basicConfig", lambda **_: None)  # the test process keeps its own logging
    gc.unfreeze()
    try:
        assert main(["serve", "--vendor", "nango", "--port", str(free_port())], out=io.StringIO()) == 0
    finally:
        gc.unfreeze()
    assert frozen_when_serving and frozen_when_serving[0] > 10_000  # the app's specs, seed and validators
