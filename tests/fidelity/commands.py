"""`connmock diff` / `connmock replay` run in-process, as the command line would run them."""

from __future__ import annotations

import argparse
import io

from connmock.fidelity.cli import register


def cli(argv: list[str]) -> tuple[int, str]:
    """(exit code, standard output) of one fidelity command."""
    parser = argparse.ArgumentParser(prog="connmock")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    out = io.StringIO()
    return args.handler(args, out), out.getvalue()
