"""`connmock check`: run the contract suite against a base URL, or against a mock it starts itself.

The suite (`contracts/`) talks HTTP only; starting the mock is this module's job, because only the
command layer may import both `mock_server` and `contracts`.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from openapi import entry, vendors

__all__ = ["add_check_parser", "available_vendors", "check_command", "local_mock"]


def add_check_parser(commands: Any) -> None:
    check = commands.add_parser("check", help="run the contract suite against an implementation")
    check.add_argument("--vendor", choices=vendors(), action="append",
                       help="vendor to check (repeatable; default: every vendor the target serves)")
    check.add_argument("--base-url", help="root URL of the implementation (default: start a local mock)")
    check.add_argument("--config", type=Path, help="TOML target settings (default: the built-in local profile)")
    check.add_argument("--junit-xml", type=Path, help="write a JUnit XML report here")
    check.add_argument("--max-examples", type=int, default=None, help="generated examples per operation and mode")
    check.add_argument("--seed", type=int, default=0, help="Hypothesis seed for generated cases")
    check.add_argument("--rate", type=rate_per_minute, default=None, metavar="N/min",
                       help="pace requests at N per minute (also N/s; 0: no pacing; default: the target file's "
                            "`rate`, else the vendor's documented limit; the built-in mock is never paced)")
    check.add_argument("--strict", action="store_true",
                       help="an operation the target does not serve (every call 404/405) is a failure")


def rate_per_minute(text: str) -> float:
    """`120`, `120/min` or `2/s` as requests per minute."""
    number, _, unit = text.strip().partition("/")
    factor = {"": 1.0, "min": 1.0, "m": 1.0, "s": 60.0, "sec": 60.0, "h": 1 / 60}.get(unit.strip().lower())
    try:
        value = float(number)
    except ValueError:
        value = -1.0
    if factor is None or value < 0:
        raise argparse.ArgumentTypeError(f"not a rate: {text!r} (expected N/min or N/s)")
    return value * factor


def available_vendors() -> tuple[str, ...]:
    """Vendors whose mock adapter is installed."""
    return tuple(v for v in vendors() if importlib.util.find_spec(entry(v).adapter.split(":")[0]) is not None)


@contextmanager
def local_mock(vendors: tuple[str, ...]) -> Iterator[str]:
    """A fresh mock of `vendors` on a free 127.0.0.1 port in a background thread; yields its root URL."""
    from mock_server import Settings, create_app
    from mock_server.serving import running

    with running(create_app(Settings(vendors=vendors))) as url:
        yield url


def served_vendors(root_url: str) -> tuple[str, ...]:
    """The vendors a running connmock lists at `/` (every known one when the index is not connmock's)."""
    import httpx

    try:
        index = httpx.get(root_url.rstrip("/") + "/", timeout=5).json()
        names = tuple(str(v["vendor"]) for v in index.get("vendors", []))
    except (httpx.HTTPError, ValueError, AttributeError, KeyError, TypeError):
        names = ()
    return tuple(v for v in vendors() if v in names) or vendors()


def run_checks(args: argparse.Namespace, root_url: str, vendors: tuple[str, ...], out: TextIO,
               disposable: bool = False) -> int:
    """Preflight every target (one line and exit 2 if one cannot be checked), then run the suite: exit 1 on
    a failure or a section that did not finish (and, with `--strict`, an operation not served)."""
    from contracts.preflight import PreflightFailed, preflight
    from contracts.report import Redactor, render_summary, write_junit
    from contracts.runner import DEFAULT_MAX_EXAMPLES, RunOptions, run_vendor
    from contracts.session import Session
    from contracts.target import TargetError, load_target

    try:
        targets = [load_target(vendor, root_url, args.config) for vendor in vendors]
        if args.rate is not None:
            targets = [replace(target, rate=args.rate) for target in targets]
        sessions = [Session(target) for target in targets]
        for session in sessions:
            preflight(session.target, session.spec, session.transport)
    except (TargetError, PreflightFailed) as exc:
        print(f"connmock check: {exc}", file=out, flush=True)
        return 2
    options = RunOptions(max_examples=args.max_examples or DEFAULT_MAX_EXAMPLES, seed=args.seed,
                         cleanup=not disposable)
    redact = Redactor()
    redact.add_secrets([secret for target in targets for secret in target.secrets])

    def progress(line: str) -> None:
        print(f"connmock check: {redact(line)}", file=sys.stderr, flush=True)

    results = [run_vendor(s.target, options, redact, progress, session=s) for s in sessions]
    print(render_summary(results, redact), file=out, flush=True)
    if args.junit_xml:
        write_junit(results, args.junit_xml, redact)
    broken = any(r.failures or r.unfinished or (args.strict and r.not_served) for r in results)
    return 1 if broken else 0


def junit_problem(path: Path | None) -> str | None:
    """Why the JUnit report could not be written to `path` (None when it could), known before the run starts."""
    if path is None:
        return None
    folder = path.parent
    if path.is_dir():
        return f"--junit-xml {path}: is a directory"
    if not folder.is_dir():
        return f"--junit-xml {path}: no directory {folder}"
    if not os.access(path if path.exists() else folder, os.W_OK):
        return f"--junit-xml {path}: not writable"
    return None


def check_command(args: argparse.Namespace, out: TextIO) -> int:
    problem = junit_problem(args.junit_xml)
    if problem is not None:
        print(f"connmock check: {problem}", file=sys.stderr)
        return 2
    if args.base_url:
        vendors = tuple(args.vendor) if args.vendor else served_vendors(args.base_url)
        return run_checks(args, args.base_url, vendors, out)
    vendors = tuple(args.vendor) if args.vendor else available_vendors()
    with local_mock(vendors) as root_url:  # thrown away after the run: nothing to clean up
        return run_checks(args, root_url, vendors, out, disposable=True)
