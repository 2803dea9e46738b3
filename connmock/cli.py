"""The `connmock` command: serve the mock, check an implementation, and maintain the specs."""

from __future__ import annotations

import argparse
import ipaddress
import json
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from openapi import vendors as known_vendors

if TYPE_CHECKING:
    from mock_server.settings import Settings

__all__ = ["banner", "build_parser", "main"]

DEFAULT_PORT = 8080


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="connmock", description=__doc__)
    parser.add_argument("--version", action="version", version=version_line())
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the stateful mock of all four vendors")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default: loopback only)")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--vendor", choices=known_vendors(), help="serve only this vendor, mounted at /")
    serve.add_argument("--seed", type=int, default=0, help="seed for the Faker data")
    serve.add_argument("--fixtures", type=Path, help="seed records file (default: the bundled fixtures/seed.yaml)")
    serve.add_argument("--latency-ms", type=int, default=0, help="delay every API answer by this much")
    serve.add_argument("--max-body-bytes", type=int, default=1024 * 1024,
                       help="larger request bodies get a 413 in the vendor's shape (default: 1 MiB)")
    serve.add_argument("--store-capacity", type=int, default=1_000_000,
                       help="most records kept; past it writes get the vendor's 'store full' error")
    serve.add_argument("--journal-size", type=int, default=500, help="requests kept by /__connmock/requests")
    serve.add_argument("--state-file", type=Path,
                       help="keep state in this file across restarts (created 0600; saved after writes and on exit)")
    serve.add_argument("--store", default="memory", metavar="memory|redis://HOST:PORT/DB",
                       help="where state lives: in this process (default), or a Redis every worker and host shares")
    serve.add_argument("--store-namespace", default="",
                       help="with a Redis store: keep keys under connmock:NAME:, so several mocks can share one Redis")
    serve.add_argument("--workers", type=int, default=1,
                       help="uvicorn worker processes (more than 1 needs a Redis --store)")
    serve.add_argument("--admin-token", help="require this token (X-Connmock-Admin-Token) on /__connmock/*")
    serve.add_argument("--insecure-admin", action="store_true",
                       help="with a --host other machines reach: leave /__connmock/* open (no --admin-token)")
    serve.add_argument("--public-url", help="base URL to put in links handed out (default: from each request)")
    serve.add_argument("--no-cors", action="store_true", help="turn CORS off (on by default)")
    serve.add_argument("--webhook-url", action="append", default=[], metavar="[TENANT:]VENDOR=URL",
                       help="send the vendor's connection webhooks (nango) of TENANT (default: every tenant) to URL; "
                            "repeatable (docs/webhooks.md)")
    serve.add_argument("--request-timeout", type=float, default=10.0, metavar="SECONDS",
                       help="a request's headers and body must arrive within this (else 408, connection closed)")
    serve.add_argument("--log-level", choices=("debug", "info", "warning"), default="info",
                       help="info logs a line per request (secrets never in it); warning keeps only problems")

    commands.add_parser("version", help="print the version")

    spec = commands.add_parser("spec", help="merge or validate the OpenAPI documents")
    spec_commands = spec.add_subparsers(dest="spec_command", required=True)
    spec_commands.add_parser("merge", help="rebuild openapi/merged.yaml from the four vendor specs")
    spec_commands.add_parser("validate", help="validate and lint all five documents")

    from connmock.checking import add_check_parser
    from connmock.faults.command import register as register_selftest
    from connmock.fidelity.cli import register as register_fidelity
    from connmock.proxy.command import register as register_proxy

    add_check_parser(commands)
    register_fidelity(commands)
    register_proxy(commands)
    register_selftest(commands)

    fixtures = commands.add_parser("fixtures", help="print valid create payloads as JSON")
    fixtures.add_argument("vendor", choices=known_vendors())
    fixtures.add_argument("--count", type=int, default=3)
    fixtures.add_argument("--seed", type=int, default=0)
    fixtures.add_argument("--tenant", help="tenant id whose seeded objects to use (default: the first)")
    return parser


def version_line() -> str:
    from connmock import __version__

    return f"connmock {__version__}"


def version_command(args: argparse.Namespace, out: TextIO) -> int:
    print(version_line(), file=out)
    return 0


def key_line(vendor: str, tenant: Any) -> str:
    """How a client of `vendor` sends `tenant`'s keys: the header (from the spec) and the keys (where the
    vendor's profile says they are in the seed)."""
    from speclib import load_spec
    from speclib.profile import key_header, vendor_profile

    header, prefix = key_header(load_spec(vendor))
    auth = vendor_profile(vendor).auth
    keys = auth.describe(tenant.of(vendor)) if auth else ""
    return f"  {vendor:8} {header}: {prefix}{keys}"


def banner(base_url: str, vendors: tuple[str, ...], single: bool, fixtures: Path | None) -> str:
    """What `serve` prints: every base URL and every demo key, so a frontend can start at once."""
    from fixtures import load_seed

    seed = load_seed(fixtures)
    lines = [f"connmock serving on {base_url}  (Swagger UI: {base_url}/ui/, tenants: {base_url}/__connmock/tenants)"]
    for vendor in vendors:
        lines.append(f"  {vendor:8} {base_url}{'' if single else '/' + vendor}")
    for tenant in seed.tenants:
        lines.append(f"tenant {tenant.id} ({tenant.name}):")
        lines.extend(key_line(vendor, tenant) for vendor in vendors)
    return "\n".join(lines)


def serve(args: argparse.Namespace, out: TextIO) -> int:
    import logging

    import uvicorn

    from mock_server import Settings, create_app

    vendors = (args.vendor,) if args.vendor else known_vendors()
    settings = Settings(
        vendors=vendors,
        single_vendor_at_root=bool(args.vendor),
        seed=args.seed,
        fixtures_path=args.fixtures,
        latency_ms=args.latency_ms,
        max_body_bytes=args.max_body_bytes,
        store_capacity=args.store_capacity,
        journal_size=args.journal_size,
        state_file=args.state_file,
        store_url=None if args.store == "memory" else args.store,
        store_namespace=args.store_namespace,
        admin_token=args.admin_token,
        public_url=args.public_url,
        cors=not args.no_cors,
        webhooks=tuple(args.webhook_url),
    )
    from mock_server.store import StateFileError
    from mock_server.webhooks import TargetError
    from mock_server.world import StoreChoiceError

    try:
        problem = (port_problem(args.port) or exposure_problem(args.host, args.admin_token, args.insecure_admin)
                   or (None if args.request_timeout > 0 else "--request-timeout: a number of seconds above 0")
                   or store_problem(settings, args.workers))
        app = create_app(settings) if problem is None and args.workers == 1 else None
        if problem is None and app is None:  # workers build their apps later: check the webhook flags now
            from fixtures import load_seed
            from mock_server.webhooks.targets import targets_from_flags

            targets_from_flags(settings.webhooks, [t.id for t in load_seed(settings.fixtures_path).tenants])
    except (StateFileError, StoreChoiceError, TargetError) as error:  # a bad state file is refused and left alone
        problem = str(error)
    if problem is not None:
        print(f"connmock serve: {problem}", file=sys.stderr)
        return 2
    try:
        listener = bound_socket(args.host, args.port)  # before the banner: a taken port is one line, not a traceback
    except OSError as error:
        print(f"connmock serve: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=args.log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    if not is_loopback(args.host):
        print(f"connmock serve: warning: listening on {args.host}:{args.port}, which other machines can reach; the "
              "demo keys below are public (fixtures/seed.yaml): anyone who reaches the port can use them",
              file=sys.stderr, flush=True)
    wildcard = args.host in ("0.0.0.0", "::")
    shown_host = "127.0.0.1" if wildcard else f"[{args.host}]" if ":" in args.host else args.host
    text = banner(f"http://{shown_host}:{args.port}", vendors, bool(args.vendor), args.fixtures)
    if wildcard:
        text = f"connmock listening on every interface ({args.host}:{args.port}); from this machine:\n{text}"
    print(text, file=out, flush=True)
    from mock_server.http_edge import KEEP_ALIVE_SECONDS, http_protocol

    options: dict[str, Any] = {"host": args.host, "port": args.port, "access_log": False, "log_level": "warning",
                               "timeout_graceful_shutdown": 1, "http": http_protocol(args.request_timeout),
                               "timeout_keep_alive": KEEP_ALIVE_SECONDS}
    if app is not None:
        from mock_server.heap import settle_heap

        settle_heap()
        uvicorn.Server(uvicorn.Config(app, **options)).run(sockets=[listener])
        return 0
    import os

    from uvicorn.supervisors import Multiprocess

    from mock_server.app import SETTINGS_ENV, settings_to_environment

    os.environ[SETTINGS_ENV] = settings_to_environment(settings)  # read by every worker's app factory
    config = uvicorn.Config("mock_server.app:app_from_environment", factory=True, workers=args.workers, **options)
    Multiprocess(config, sockets=[listener]).run()  # what uvicorn.run does with workers, on our bound socket
    return 0


def port_problem(port: int) -> str | None:
    """Why `port` cannot be served (None when it can); the OS would silently take a number past 65535 modulo."""
    return None if 1 <= port <= 65535 else f"--port {port}: a TCP port is 1 to 65535"


def is_loopback(host: str) -> bool:
    """Whether only this machine can reach `host` (an address, or the name `localhost`)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: it may resolve to any interface
        return False


def exposure_problem(host: str, admin_token: str | None, insecure_admin: bool) -> str | None:
    """Why serving on `host` is refused (None when it is not): beyond loopback, the admin endpoints (every
    tenant's keys, the journal, reset) need a token unless the user says otherwise."""
    if is_loopback(host) or admin_token or insecure_admin:
        return None
    return (f"--host {host} is reachable from other machines, and /__connmock/* hands out every tenant's keys and "
            "wipes state: give --admin-token TOKEN, or --insecure-admin to leave it open")


def bound_socket(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port, bound here so a failure is known before anything is printed."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does: restarts reuse the port
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    listener.set_inheritable(True)  # worker processes serve the same socket
    return listener


def store_problem(settings: Settings, workers: int) -> str | None:
    """Why the store cannot serve `workers` processes (None when it can): in memory each worker would hold
    its own state, and a connection created through one would be a 404 on another. A Redis store must answer
    now, so a wrong URL stops `serve` before it binds."""
    if workers < 1:
        return f"--workers {workers}: at least 1"
    if settings.store_url is None:
        if workers > 1:
            return (f"--workers {workers} needs a shared store (--store redis://HOST:PORT/DB): in memory every "
                    "worker would keep its own state, and what one creates would be a 404 on the others")
        return None
    import asyncio

    from mock_server.world import default_store

    store = default_store(settings)  # a StoreChoiceError when the URL, the namespace or the package is wrong

    from redis.exceptions import RedisError

    from mock_server.store.redis import RedisStore

    assert isinstance(store, RedisStore)

    async def ping() -> str | None:
        try:
            await store.ping()
            return None
        except (RedisError, OSError) as error:
            return f"cannot reach the Redis store at {settings.store_url}: {error}"
        finally:
            await store.close()

    return asyncio.run(ping())


def spec_command(args: argparse.Namespace, out: TextIO) -> int:
    from speclib.lint import lint_all
    from speclib.merge import write_merged

    if args.spec_command == "merge":
        print(f"wrote {write_merged()}", file=out)
        return 0
    problems = lint_all(known_vendors())
    for problem in problems:
        print(problem, file=out)
    print(f"{len(problems)} problem(s) in {len(known_vendors()) + 1} documents" if problems
          else f"all {len(known_vendors()) + 1} documents valid", file=out)
    return 1 if problems else 0


def fixtures_command(args: argparse.Namespace, out: TextIO) -> int:
    from fixtures.factories import create_requests

    requests = create_requests(args.vendor, args.count, seed=args.seed, tenant_id=args.tenant)
    print(json.dumps([r.as_dict() for r in requests], indent=2), file=out)
    return 0


def check_command(args: argparse.Namespace, out: TextIO) -> int:
    from connmock.checking import check_command as run

    return run(args, out)


def main(argv: list[str] | None = None, out: TextIO | None = None) -> int:
    args = build_parser().parse_args(argv)
    stream = out or sys.stdout
    handlers = {"serve": serve, "spec": spec_command, "fixtures": fixtures_command,
                "check": check_command, "version": version_command}
    handler = handlers.get(args.command) or args.handler  # registered subcommands name their own handler
    return int(handler(args, stream))


if __name__ == "__main__":
    sys.exit(main())
