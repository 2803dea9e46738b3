"""`register` adds `connmock proxy` to any argparse command tree."""

from __future__ import annotations

import argparse
from pathlib import Path

from connmock.proxy import proxy_command, register


def test_register_adds_the_proxy_subcommand() -> None:
    parser = argparse.ArgumentParser(prog="connmock")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["proxy", "--vendor", "nango", "--upstream", "http://127.0.0.1:8080/nango",
                              "--mode", "enforce", "--port", "9000", "--report", "out.xml"])
    assert (args.vendor, args.upstream, args.mode, args.port, args.report) == (
        "nango", "http://127.0.0.1:8080/nango", "enforce", 9000, Path("out.xml"))
    assert args.host == "127.0.0.1" and args.max_body_bytes == 1024 * 1024
    assert args.handler is proxy_command
