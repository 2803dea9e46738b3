"""`connmock proxy`: the validation proxy as a subcommand (registered by `connmock/cli.py`)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from openapi import vendors

__all__ = ["proxy_command", "register"]

DEFAULT_PORT = 8090


def register(commands: argparse._SubParsersAction[Any]) -> None:
    proxy = commands.add_parser("proxy", help="forward to an implementation and check every exchange against the spec")
    proxy.add_argument("--vendor", choices=vendors(), required=True, help="whose spec the exchanges must follow")
    proxy.add_argument("--upstream", required=True,
                       help="base URL of the implementation (e.g. http://127.0.0.1:8080/nango)")
    proxy.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    proxy.add_argument("--port", type=int, default=DEFAULT_PORT)
    proxy.add_argument("--mode", choices=("report", "enforce"), default="report",
                       help="report: pass answers through and record; enforce: answer a violating one with 502")
    proxy.add_argument("--report", type=Path, help="write a JUnit XML report here on exit")
    proxy.add_argument("--max-body-bytes", type=int, default=1024 * 1024,
                       help="larger bodies are not checked; a larger JSON answer is a violation, not passed on in "
                            "enforce mode (default: 1 MiB)")
    proxy.add_argument("--record", type=Path, metavar="DIR",
                       help="also write the traffic as a recording, DIR/<vendor>/<name>.json (secrets as placeholders, "
                            "seeded ids as roles), for `connmock replay`")
    proxy.add_argument("--record-name", default="recorded", help="the recording's name (default: recorded)")
    proxy.add_argument("--record-config", type=Path,
                       help="the upstream's `connmock check` target TOML: which keys are the tenants', seeded ids by "
                            "role (else the upstream's /__connmock/tenants, else the first two keys seen)")
    proxy.set_defaults(handler=proxy_command)


def make_recorder(app: Any, args: argparse.Namespace) -> Any:
    """The recorder of `--record`, knowing the upstream's tenant keys and seeded ids when it can."""
    import httpx

    from connmock.fidelity.sides import load_side
    from connmock.proxy.inspector import credential_headers
    from connmock.proxy.recorder import Recorder, Seeded, seeded_from

    config = str(args.record_config) if args.record_config else None
    with httpx.Client(timeout=10, trust_env=False) as client:
        try:
            side = load_side("upstream", args.vendor, args.upstream, config, client)
            seeded = seeded_from(side.keys, side.roles)
        except ValueError:  # no /__connmock/tenants (a config's errors are the user's to see)
            if config is not None:
                raise
            seeded = Seeded()  # keys by order of appearance
    path = args.record / args.vendor / f"{args.record_name}.json"
    source = {"server": args.upstream, "recorded_with": "connmock proxy --record"}
    return Recorder(app.inspector.spec, path, credential_headers(app.inspector.spec), seeded, args.record_name, source)


def proxy_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """Serve the proxy until SIGINT or SIGTERM, then write `--report` and print the summary.

    Returns the exit status: 1 when any violation was seen, else 0 -- whichever signal ended the run.
    """
    import uvicorn

    from connmock.proxy.app import ProxyApp, ProxySettings
    from connmock.proxy.signals import StopSignals

    stream = out or sys.stdout
    with StopSignals() as stop:
        app = ProxyApp(ProxySettings(vendor=args.vendor, upstream=args.upstream, mode=args.mode,
                                     max_body_bytes=args.max_body_bytes))
        if args.record is not None:
            app.recorder = make_recorder(app, args)
            print(f"recording to {app.recorder.path}", file=stream, flush=True)
        shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host
        print(f"connmock proxy ({args.vendor}, {args.mode}) on http://{shown}:{args.port} -> {args.upstream}  "
              f"(violations: http://{shown}:{args.port}/__connmock/violations)", file=stream, flush=True)
        stop.serve(uvicorn.Server(uvicorn.Config(app, host=args.host, port=args.port, access_log=False,
                                                 log_level="warning", timeout_graceful_shutdown=1)))
        if args.report:  # first: the file is what CI reads, and a closed stdout must not cost it
            app.log.write_junit(args.report)
        print(app.log.summary(), file=stream, flush=True)
        if args.report:
            print(f"wrote {args.report}", file=stream, flush=True)
    return 1 if app.log.violations() else 0
