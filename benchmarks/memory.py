"""Resident memory per stored connection: one `connmock serve --vendor nango` app, driven in-process.

Builds the app exactly as `connmock serve` does, sends it N valid `POST /connections` (each a new
connection, through the whole ASGI stack: routing, auth, validation, handler, journal), and prints as JSON
the RSS before and after (`/proc/self/status`) and the KB per stored connection.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from typing import Any

import orjson

from fixtures import load_seed
from mock_server import Settings, create_app


def rss_kb() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def create_body(n: int) -> bytes:
    return orjson.dumps({
        "provider_config_key": "github", "connection_id": f"mem-{n}",
        "credentials": {"type": "OAUTH2", "access_token": "gho_benchAccessToken123",
                        "refresh_token": "ghr_benchRefreshToken456", "expires_at": "2030-01-01T00:00:00.000Z"},
        "metadata": {"team": "alpha"}, "tags": {"origin": "bench"},
    })


async def lifespan(app: Any) -> tuple[asyncio.Task[None], asyncio.Queue[dict[str, Any]]]:
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()

    async def receive() -> dict[str, Any]:
        return await inbox.get()

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()

    task = asyncio.create_task(app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, receive, send))
    await inbox.put({"type": "lifespan.startup"})
    await started.wait()
    return task, inbox


async def post(app: Any, auth: bytes, body: bytes) -> int:
    status = 0
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": "/connections", "raw_path": b"/connections", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"127.0.0.1"), (b"authorization", auth), (b"content-type", b"application/json"),
                         (b"content-length", str(len(body)).encode())],
             "client": ("127.0.0.1", 40000), "server": ("127.0.0.1", 8080), "state": {}}
    await app(scope, receive, send)
    return status


async def measure(count: int) -> dict[str, Any]:
    app = create_app(Settings(vendors=("nango",), single_vendor_at_root=True))
    task, inbox = await lifespan(app)
    auth = f"Bearer {load_seed(None).tenants[0].nango_secret_key}".encode()
    if await post(app, auth, create_body(-1)) != 201:  # one request first: everything lazy is loaded
        raise RuntimeError("the warm-up create failed")
    gc.collect()
    before = rss_kb()
    started = time.perf_counter()
    failed = 0
    for n in range(count):
        failed += await post(app, auth, create_body(n)) != 201
    seconds = time.perf_counter() - started
    gc.collect()
    after = rss_kb()
    await inbox.put({"type": "lifespan.shutdown"})
    await task
    return {"count": count, "failed": failed, "rss_before_kb": before, "rss_after_kb": after,
            "kb_per_connection": (after - before) / count, "seconds": seconds}


if __name__ == "__main__":
    print(orjson.dumps(asyncio.run(measure(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))).decode())
