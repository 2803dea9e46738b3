"""Latency the proxy adds: N sequential GETs against the mock, direct and through the proxy (p50, p95).

The mock (`connmock serve`) and the proxy each run in their own process, as they would in use:

    python -m tests.proxy.latency [N] [vendor]
"""

from __future__ import annotations

import statistics
import sys
import time

import httpx

from contracts.target import auth_headers, local_target
from tests.proxy.processes import process
from tests.support.server import free_port

PATHS = {"nango": "/connections", "openint": "/connection", "vercel": "/v2/connect/connectors",
         "xpander": "/v1/connectors"}
PROXY = ("import sys, uvicorn; from connmock.proxy import ProxyApp, ProxySettings; "
         "uvicorn.run(ProxyApp(ProxySettings(sys.argv[1], sys.argv[2])), host='127.0.0.1', port=int(sys.argv[3]), "
         "log_level='warning', access_log=False)")


def timings(client: httpx.Client, url: str, count: int) -> list[float]:
    out = []
    for _ in range(count):
        start = time.perf_counter()
        client.get(url).raise_for_status()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(count: int = 500, vendor: str = "nango") -> str:
    mock_port, proxy_port = free_port(), free_port()
    mock = f"http://127.0.0.1:{mock_port}"
    serve = [sys.executable, "-m", "connmock.cli", "serve", "--port", str(mock_port)]
    proxy_args = [sys.executable, "-c", PROXY, vendor, f"{mock}/{vendor}", str(proxy_port)]
    with process(serve, mock), process(proxy_args, f"http://127.0.0.1:{proxy_port}/__connmock/violations"):
        root, proxy = mock, f"http://127.0.0.1:{proxy_port}"
        headers = auth_headers(vendor, local_target(vendor, root).primary.key)
        with httpx.Client(headers=headers) as client:
            timings(client, f"{root}/{vendor}{PATHS[vendor]}", 50)  # warm up both
            timings(client, f"{proxy}{PATHS[vendor]}", 50)
            direct = timings(client, f"{root}/{vendor}{PATHS[vendor]}", count)
            proxied = timings(client, f"{proxy}{PATHS[vendor]}", count)
    p50d, p50p = statistics.median(direct), statistics.median(proxied)
    p95d, p95p = (statistics.quantiles(d, n=20)[18] for d in (direct, proxied))
    return (f"{vendor} GET {PATHS[vendor]} x{count}: direct p50 {p50d:.2f} ms (p95 {p95d:.2f}), "
            f"proxied p50 {p50p:.2f} ms (p95 {p95p:.2f}); added p50 {p50p - p50d:.2f} ms")


if __name__ == "__main__":
    print(main(int(sys.argv[1]) if len(sys.argv) > 1 else 500, sys.argv[2] if len(sys.argv) > 2 else "nango"))
