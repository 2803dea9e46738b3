"""`connmock serve --state-file` killed under load: nothing acknowledged is lost.

Clients create Nango and OpenInt connections as fast as the server answers (a Nango create is two logged
writes, a counter and the record; an OpenInt create one). The server is killed with SIGKILL (or stopped with
SIGTERM) in the middle, restarted on the same file, and every create answered 2xx must be listed, the store's
record count must equal what the lists hold, Nango ids must still be unique and no temporary file may be left.
Default: 2 kills of about a second of load; `tox -e fuzz` (CONNMOCK_FUZZ=long): 20 kills under heavier load.
"""

from __future__ import annotations

import asyncio
import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.reliability.listing import listed_openint
from tests.reliability.support import LONG, SEED, Served, auth_headers, start_serve, stop_serve, valid_creates

ACME = SEED.tenant("acme")
NANGO = valid_creates("nango", ACME, 8)
OPENINT = valid_creates("openint", ACME, 8)


@dataclass(slots=True)
class Load:
    nango: set[str] = field(default_factory=set)  # connection ids of the acknowledged creates
    openint: set[str] = field(default_factory=set)
    refused: list[int] = field(default_factory=list)  # statuses other than 2xx (there should be none)
    loaded: float = 0.0  # seconds from the first answer to the signal
    signalled: float = 0.0  # time.monotonic() when the signal was sent

    @property
    def acknowledged(self) -> int:
        return len(self.nango) + len(self.openint)


async def create_until_cut(base: str, load: Load, tag: str) -> None:
    """One client: creates one after another until the server goes away."""
    async with httpx.AsyncClient(base_url=base, timeout=10, limits=httpx.Limits(max_connections=1)) as client:
        for n in range(1_000_000):
            nango = n % 2 == 0
            template = (NANGO if nango else OPENINT)[n % 8]
            body = {**template.body, "connection_id": f"{tag}-{n}"} if nango else template.body
            try:
                answer = await client.post("/nango/connections" if nango else "/openint/connection", json=body,
                                           headers=auth_headers(template.vendor, ACME))
            except httpx.TransportError:
                return
            if answer.status_code not in (200, 201):
                load.refused.append(answer.status_code)
            elif nango:
                load.nango.add(answer.json()["connection_id"])
            else:
                load.openint.add(answer.json()["id"])


async def load_then(served: Served, clients: int, seconds: float, tag: str, sig: signal.Signals) -> Load:
    """`clients` clients creating for `seconds` (from the first answer), then `sig` to the server; returns once
    every client stopped."""
    load = Load()
    started = time.monotonic()
    tasks = [asyncio.create_task(create_until_cut(served.base, load, f"{tag}-{i}")) for i in range(clients)]
    while not load.acknowledged and time.monotonic() - started < 30:  # `seconds` of load, not of start-up
        await asyncio.sleep(0.005)
    answered = time.monotonic()
    await asyncio.sleep(seconds)
    served.process.send_signal(sig)
    load.signalled = time.monotonic()
    load.loaded = load.signalled - answered
    await asyncio.gather(*tasks)
    return load


def listed_nango(client: httpx.Client) -> list[tuple[str, int]]:
    """(connection_id, id) of every Nango connection of acme, page by page (one page holds at most 10,000)."""
    found: list[tuple[str, int]] = []
    for page in range(1_000):
        connections = client.get("/nango/connections", params={"limit": 2000, "page": page},
                                 headers=auth_headers("nango", ACME)).json()["connections"]
        found += [(c["connection_id"], c["id"]) for c in connections]
        if len(connections) < 2000:
            break
    return found


@dataclass(slots=True)
class Check:
    lost: int
    records: int


def check_restarted(served: Served, acknowledged: Load, folder: Path, fresh_id: str) -> Check:
    """What a restarted server holds: every acknowledged create, one record per listed connection, unique ids;
    and a new connection (`fresh_id`) gets a Nango id above every one there."""
    with httpx.Client(base_url=served.base, timeout=30) as client:
        nango = listed_nango(client)
        openint, total = listed_openint(client, ACME)
        records = client.get("/__connmock/health").json()["records"]
        fresh = client.post("/nango/connections", json={**NANGO[0].body, "connection_id": fresh_id},
                            headers=auth_headers("nango", ACME))
    numeric_ids = [i for _, i in nango]
    assert fresh.status_code == 201 and fresh.json()["id"] > max(numeric_ids, default=0)  # the counter came back
    assert len(set(numeric_ids)) == len(numeric_ids) and len(set(openint)) == len(openint) == total
    assert records == len(nango) + len(openint)  # the record count matches what is there
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []
    lost = len(acknowledged.nango - {c for c, _ in nango}) + len(acknowledged.openint - set(openint))
    return Check(lost, records + 1)


def crash_rounds(tmp_path: Path, rounds: int, clients: int, seconds: tuple[float, float]) -> str:
    path = tmp_path / "state.json"
    acknowledged, lost, rates, restarts = Load(), [], [], []
    served = start_serve("--state-file", str(path))
    try:
        for number in range(rounds):
            load = asyncio.run(load_then(served, clients, random.uniform(*seconds), f"r{number}", signal.SIGKILL))
            served.process.wait(timeout=10)
            assert served.process.returncode == -signal.SIGKILL and load.refused == [] and load.acknowledged > 0
            acknowledged.nango |= load.nango
            acknowledged.openint |= load.openint
            rates.append(load.acknowledged / load.loaded)
            served.log.unlink(missing_ok=True)
            restarted = time.monotonic()
            served = start_serve("--state-file", str(path))
            restarts.append(time.monotonic() - restarted)
            check = check_restarted(served, acknowledged, tmp_path, f"after-kill-{number}")
            acknowledged.nango.add(f"after-kill-{number}")
            lost.append(check.lost)
    finally:
        stop_serve(served)
        served.log.unlink(missing_ok=True)
    assert lost == [0] * rounds, f"acknowledged creates lost per kill: {lost}"
    return (f"{rounds} kill -9 under load ({clients} clients): {acknowledged.acknowledged} acknowledged creates, "
            f"{sum(lost)} lost; {min(rates):.0f}-{max(rates):.0f} creates/s acknowledged while loaded; restart "
            f"until healthy {min(restarts):.2f}-{max(restarts):.2f} s; state file {path.stat().st_size} bytes")


def test_kill_9_under_load_loses_no_acknowledged_create(tmp_path: Path) -> None:
    print("\ncrash:", crash_rounds(tmp_path, rounds=2, clients=16, seconds=(0.6, 1.2)))


@pytest.mark.slow
@pytest.mark.skipif(not LONG, reason="the full size: tox -e fuzz (CONNMOCK_FUZZ=long)")
def test_twenty_kill_9_under_full_load(tmp_path: Path) -> None:
    print("\ncrash (full):", crash_rounds(tmp_path, rounds=20, clients=48, seconds=(1.0, 4.0)))


def test_sigterm_under_load_exits_within_two_seconds_with_the_state_saved(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    served = start_serve("--state-file", str(path))
    try:
        load = asyncio.run(load_then(served, 16, 1.5, "t", signal.SIGTERM))
        try:
            code = served.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
        exited_in = time.monotonic() - load.signalled
    finally:
        stop_serve(served)
        log = served.output()
        served.log.unlink(missing_ok=True)
    assert code in (0, -signal.SIGTERM) and exited_in < 2.0, log
    assert load.refused == [] and load.acknowledged > 0
    assert Path(f"{path}.log").read_bytes() == b""  # compacted on the way out: the state file holds it all
    again = start_serve("--state-file", str(path))
    try:
        check = check_restarted(again, load, tmp_path, "after-sigterm")
    finally:
        stop_serve(again)
        again.log.unlink(missing_ok=True)
    assert check.lost == 0
    print(f"\ncrash: SIGTERM under load ({load.acknowledged} creates acknowledged) to exit in {exited_in:.2f} s, "
          f"state saved ({check.records} records after restart)")
