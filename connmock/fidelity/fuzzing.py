"""`connmock diff --sequences N`: the generating mode, wired from the command line, and its report.

Exit codes as `connmock diff`: 0 no unexplained difference, 1 some, 2 the run could not be made.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

import httpx

from connmock.fidelity import allowlist
from connmock.fidelity.curl import lines
from connmock.fidelity.differential import Campaign, Finding, Runner, fuzz
from connmock.fidelity.generation import Model
from connmock.fidelity.shapes import masked
from connmock.fidelity.sides import Side, load_side
from contracts.target import TargetError

__all__ = ["handle_fuzz"]


def shown(value: Any) -> str:
    """A value for the report, generated fragments (tokens, ids) masked: a session token is a credential."""
    return masked(value) if isinstance(value, str) else repr(value)


def finding_data(finding: Finding, vendor: str, a: Side, b: Side) -> dict[str, Any]:
    out: dict[str, Any] = {"signature": finding.signature.describe(), "seen": finding.count,
                           "expected": shown(finding.difference.expected), "actual": shown(finding.difference.actual)}
    if finding.allowance is not None:
        return {**out, "allowed": finding.allowance.reason}
    return {**out, "steps": len(finding.steps), "curl_a": lines(vendor, finding.steps, a, True),
            "curl_b": lines(vendor, finding.steps, b, False)}


def render(campaign: Campaign, a: Side, b: Side, as_json: bool) -> str:
    vendor = campaign.vendor
    if as_json:
        return json.dumps({"vendor": vendor, "a": a.base_url, "b": b.base_url, "sequences": campaign.sequences,
                           "requests": campaign.requests,
                           "a_unavailable": campaign.a_unavailable,
                           "differences": [finding_data(f, vendor, a, b) for f in campaign.unexplained],
                           "allowed": [finding_data(f, vendor, a, b) for f in campaign.explained]},
                          indent=1, default=str, ensure_ascii=False)
    text = [f"{vendor}: {campaign.sequences} sequences, {campaign.requests} requests, B {b.base_url} against "
            f"A {a.base_url}: {len(campaign.unexplained)} unexplained differences, "
            f"{len(campaign.explained)} allowed, {campaign.a_unavailable} sequences cut short by A not answering"]
    for finding in campaign.unexplained:
        text.append(f"\nDIFF {finding.signature.describe()} (seen {finding.count}x): expected "
                    f"{shown(finding.difference.expected)}, got {shown(finding.difference.actual)}")
        text.append(f"  A ({len(finding.steps)} steps):")
        text.extend("    " + line for line in lines(vendor, finding.steps, a, True))
        text.append("  B:")
        text.extend("    " + line for line in lines(vendor, finding.steps, b, False))
    for finding in campaign.explained:
        assert finding.allowance is not None
        text.append(f"allowed {finding.signature.describe()} (seen {finding.count}x): {finding.allowance.reason}")
    return "\n".join(text)


def handle_fuzz(args: argparse.Namespace, out: TextIO) -> int:
    try:
        allowed = [] if args.no_allowlist else allowlist.load(args.allowlist)
        with httpx.Client(timeout=15) as client:
            a = load_side("A", args.vendor, args.a, args.config_a, client)
            b = load_side("B", args.vendor, args.b, args.config_b, client)
            model = Model(args.vendor, set(a.roles) & set(b.roles))
            runner = Runner(args.vendor, a, b, client, model)
            campaign = fuzz(runner, Campaign(args.vendor), allowed, sequences=args.sequences, seed=args.seed,
                            max_steps=args.max_steps, shrink_budget=args.shrink_budget)
    except (OSError, ValueError, KeyError, TargetError, httpx.HTTPError) as error:
        print(f"connmock diff: {error}", file=sys.stderr)
        return 2
    print(render(campaign, a, b, args.json), file=out)
    return 1 if campaign.unexplained else 0
