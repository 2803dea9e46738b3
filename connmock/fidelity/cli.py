"""`connmock replay` and `connmock diff`: registered on the main command by `register(commands)`.

Exit codes: 0 no unexplained difference, 1 differences (or stale allow-list entries), 2 the run could not
be made (unreadable recording, a role the target has no value for).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, TextIO

import httpx

from connmock.fidelity import allowlist, recordings, substitution
from connmock.fidelity.replay import ReplayReport
from connmock.fidelity.shapes import Difference
from openapi import vendors

__all__ = ["register"]


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    rep = commands.add_parser("replay", help="replay a recorded exchange sequence against a server and compare")
    rep.add_argument("recording", help="a recording file, or a bundled one by name (e.g. nango/connections)")
    rep.add_argument("--base-url", required=True, help="the vendor's base URL on the target, e.g. http://host/nango")
    rep.add_argument("--vendor", help="the vendor (default: the recording's)")
    rep.add_argument("--config", help="TOML file with the target's keys and seeded ids (else /__connmock/tenants)")
    rep.add_argument("--setup", action="store_true", help="also send the recording's setup exchanges")
    rep.add_argument("--allowlist", help="allow-list TOML (default: the bundled fixtures/recordings/allowlist.toml)")
    rep.add_argument("--no-allowlist", action="store_true", help="report every difference")
    rep.add_argument("--json", action="store_true", help="print the report as JSON")
    rep.set_defaults(handler=handle_replay)
    dif = commands.add_parser("diff", help="compare server B with server A: generated sequences (--sequences N) "
                                           "or one fixed scenario")
    dif.add_argument("--vendor", required=True, choices=vendors())
    dif.add_argument("--a", required=True, help="base URL of the reference server")
    dif.add_argument("--b", required=True, help="base URL of the server compared with it")
    dif.add_argument("--config-a", help="A's target TOML (`connmock check` format, keys by environment variable; "
                                        "the scenario also reads a replay config) (else A's /__connmock/tenants)")
    dif.add_argument("--config-b", help="B's target TOML, as --config-a (else B's /__connmock/tenants)")
    dif.add_argument("--sequences", type=int, default=0,
                     help="generate this many request sequences (Hypothesis) instead of the fixed scenario")
    dif.add_argument("--max-steps", type=int, default=6, help="longest generated sequence (default 6)")
    dif.add_argument("--shrink-budget", type=int, default=40, help="sequence runs spent shrinking one difference")
    dif.add_argument("--seed", type=int, default=0, help="seed of the generated sequences / the create payloads")
    dif.add_argument("--allowlist", help="allow-list TOML for generated runs (default: the bundled one)")
    dif.add_argument("--no-allowlist", action="store_true", help="report every difference")
    dif.add_argument("--save", help="write A's answers as a recording to this file (fixed scenario)")
    dif.add_argument("--json", action="store_true", help="print the report as JSON")
    dif.set_defaults(handler=handle_diff)


def find_recording(name: str) -> Path:
    path = Path(name)
    if path.exists():
        return path
    bundled = recordings.bundled_dir() / (name if name.endswith(".json") else f"{name}.json")
    if bundled.exists():
        return bundled
    raise FileNotFoundError(f"no recording {name!r} (bundled: {', '.join(p.stem for p in recordings.bundled())})")


def target_of(config: str | None) -> tuple[list[dict[str, Any]] | None, dict[str, str]]:
    if config is None:
        return None, {}
    values, tenants = substitution.load_config(config)
    return tenants or None, values


def as_dict(difference: Difference, reason: str | None = None) -> dict[str, Any]:
    out = {"exchange": difference.exchange, "path": difference.path, "kind": difference.kind,
           "expected": difference.expected, "actual": difference.actual}
    return {**out, "allowed": reason} if reason else out


def render(report: ReplayReport, verdict: allowlist.Verdict, as_json: bool) -> str:
    if as_json:
        return json.dumps({"recording": report.recording, "base_url": report.base_url,
                           "differences": [as_dict(d) for d in verdict.unexplained],
                           "allowed": [as_dict(d, a.reason) for d, a in verdict.explained],
                           "stale_allowances": [a.describe() for a in verdict.stale]}, indent=1, default=str)
    labels = {r.index: r.label for r in report.results}
    lines = [f"{report.recording} against {report.base_url}: {len(report.results)} exchanges, "
             f"{sum(r.skipped for r in report.results)} skipped (setup), {len(verdict.unexplained)} differences, "
             f"{len(verdict.explained)} allowed"]
    for difference in verdict.unexplained:
        lines.append(f"  DIFF {difference.describe()}  [{labels.get(difference.exchange, '')}]")
    for difference, allowance in verdict.explained:
        lines.append(f"  allowed {difference.describe()}: {allowance.reason}")
    lines.extend(f"  STALE allow-list entry {a.describe()} explains nothing" for a in verdict.stale)
    return "\n".join(lines)


def handle_replay(args: argparse.Namespace, out: TextIO | None = None) -> int:
    from connmock.fidelity.replay import replay

    try:
        recording = recordings.load(find_recording(args.recording))
        tenants, values = target_of(args.config)
        allowed = [] if args.no_allowlist else allowlist.load(args.allowlist)
        report = replay(recording, args.base_url, tenants=tenants, values=values, vendor=args.vendor,
                        setup=args.setup)
    except (OSError, ValueError, KeyError, substitution.SubstitutionError, httpx.HTTPError) as error:
        print(f"connmock replay: {error}", file=sys.stderr)
        return 2
    verdict = allowlist.judge(recording.key, report.differences, allowed)
    print(render(report, verdict, args.json), file=out or sys.stdout)
    return 1 if verdict.unexplained or verdict.stale else 0


def handle_diff(args: argparse.Namespace, out: TextIO | None = None) -> int:
    if args.sequences > 0:
        from connmock.fidelity.fuzzing import handle_fuzz

        return handle_fuzz(args, out or sys.stdout)
    from connmock.fidelity.diff import diff

    try:
        tenants_a, _ = target_of(args.config_a)
        tenants_b, values_b = target_of(args.config_b)
        recording, report = diff(args.vendor, args.a, args.b, tenants_a=tenants_a, tenants_b=tenants_b,
                                 values_b=values_b, seed=args.seed)
    except (OSError, ValueError, KeyError, substitution.SubstitutionError, httpx.HTTPError) as error:
        print(f"connmock diff: {error}", file=sys.stderr)
        return 2
    if args.save:
        recordings.save(recording, args.save)
    verdict = allowlist.judge(recording.key, report.differences, [])
    print(render(report, verdict, args.json), file=out or sys.stdout)
    return 1 if verdict.unexplained else 0
