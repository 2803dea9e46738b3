"""`connmock selftest`: measure what the contract suite (and plain Schemathesis) catches of the fault zoo.

Every target is a fresh mock served on its own free port: the faithful mock of each vendor (which must pass)
and the mock broken by each fault of the zoo that applies to the vendor.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import TextIO

from connmock.faults.selftest import TOOLS, Job, Outcome, run_job
from connmock.faults.serving import FAITHFUL
from connmock.faults.table import render_table
from connmock.faults.zoo import FAULTS, fault_names, vendors_of
from openapi import VENDORS

__all__ = ["build_jobs", "register", "run_jobs", "selftest_command"]

DEFAULT_MAX_EXAMPLES = {"connmock": 5, "schemathesis": 5}
DEFAULT_SEED = 1


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    parser = commands.add_parser("selftest", help="measure what the contract suite catches of the fault zoo")
    parser.add_argument("--vendor", choices=VENDORS, action="append", help="vendor (repeatable; default: all)")
    parser.add_argument("--tool", choices=TOOLS, action="append",
                        help="checker to measure (repeatable; default: connmock)")
    parser.add_argument("--fault", choices=fault_names(), action="append", help="fault (repeatable; default: all)")
    parser.add_argument("--max-examples", type=int, help="generated examples per operation (default: 5)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the generated examples")
    parser.add_argument("--jobs", type=int, default=2, help="targets checked in parallel (default: 2)")
    parser.add_argument("--markdown", type=Path, help="also write the tables to this Markdown file")
    parser.add_argument("--list", action="store_true", help="list the faults and the vendors they apply to")
    parser.set_defaults(handler=selftest_command)


def build_jobs(tools: Sequence[str], vendors: Sequence[str], faults: Sequence[str], max_examples: int | None,
               seed: int) -> list[Job]:
    jobs = []
    for tool in tools:
        examples = max_examples or DEFAULT_MAX_EXAMPLES[tool]
        jobs += [Job(tool, vendor, FAITHFUL, examples, seed) for vendor in vendors]
        jobs += [Job(tool, vendor, name, examples, seed) for name in faults
                 for vendor in vendors_of(name, tuple(vendors))]
    return jobs


def run_jobs(jobs: Sequence[Job], workers: int, progress: Callable[[int, Outcome], None] | None = None
             ) -> list[Outcome]:
    """Every job on its own fresh target, `workers` at a time (separate processes when more than one)."""
    outcomes: list[Outcome] = []
    if workers <= 1:
        for job in jobs:
            outcomes.append(run_job(job))
            if progress:
                progress(len(outcomes), outcomes[-1])
        return outcomes
    ordered = sorted(jobs, key=lambda j: (j.tool != "schemathesis", j.fault != FAITHFUL))  # longest first
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for future in as_completed([pool.submit(run_job, job) for job in ordered]):
            outcomes.append(future.result())
            if progress:
                progress(len(outcomes), outcomes[-1])
    return outcomes


def report(outcomes: Sequence[Outcome], tools: Sequence[str], vendors: Sequence[str], faults: Sequence[str],
           seconds: float) -> str:
    sections = []
    for tool in tools:
        mine = [o for o in outcomes if o.tool == tool]
        title = "connmock check" if tool == "connmock" else "schemathesis run --checks all (stateful on)"
        sections.append(f"## {title}\n\n{render_table(mine, vendors, faults)}\n")
    return "\n".join(sections) + f"\n{len(outcomes)} target(s) checked in {seconds:.0f}s.\n"


def list_faults(vendors: Sequence[str], out: TextIO) -> int:
    for name, fault in FAULTS.items():
        print(f"{name:24} {', '.join(vendors_of(name, tuple(vendors))) or '-':32} {fault.summary}", file=out)
    return 0


def selftest_command(args: argparse.Namespace, out: TextIO) -> int:
    """Exit 1 when the suite misses a fault or any checker flags the faithful mock (Schemathesis' misses are
    measured, not failures)."""
    vendors = tuple(args.vendor or VENDORS)
    if args.list:
        return list_faults(vendors, out)
    tools, faults = tuple(args.tool or ("connmock",)), tuple(args.fault or fault_names())
    jobs = build_jobs(tools, vendors, faults, args.max_examples, args.seed)

    def progress(done: int, outcome: Outcome) -> None:
        state = "error" if outcome.error and not outcome.caught else "caught" if outcome.caught else "clean"
        print(f"[{done}/{len(jobs)}] {outcome.tool} {outcome.vendor} {outcome.fault}: {state} "
              f"{outcome.seconds:.1f}s", file=sys.stderr, flush=True)

    started = time.monotonic()
    outcomes = run_jobs(jobs, args.jobs, progress)
    text = report(outcomes, tools, vendors, faults, time.monotonic() - started)
    print(text, file=out, flush=True)
    if args.markdown:
        args.markdown.write_text(text, encoding="utf-8")
    missed = [o for o in outcomes if o.tool == "connmock" and o.fault != FAITHFUL and not o.caught]
    flagged = [o for o in outcomes if o.fault == FAITHFUL and (o.caught or o.error)]
    return 1 if missed or flagged else 0
