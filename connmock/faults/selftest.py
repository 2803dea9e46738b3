"""Run a checker against one selftest target: the contract suite (in process) or plain `schemathesis run`.

The suite runs its sections in order and stops after the first section that recorded a failure; the time to
catch is measured to that first failure. Schemathesis runs as a subprocess with every check and the stateful
phase on; its time is that of the whole run (it reports failures only at the end).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connmock.faults.serving import FAITHFUL, served, target_app

__all__ = ["TOOLS", "Job", "Outcome", "run_job", "run_schemathesis", "run_suite"]

TOOLS = ("connmock", "schemathesis")
CONFIGS = Path(__file__).with_name("schemathesis")
SCHEMATHESIS_TIMEOUT = 600


@dataclass(frozen=True, slots=True)
class Job:
    tool: str
    vendor: str
    fault: str  # a name of the zoo, or FAITHFUL
    max_examples: int
    seed: int
    sections: tuple[str, ...] = ()  # the suite's sections to run (default: all of them)


@dataclass(frozen=True, slots=True)
class Outcome:
    tool: str
    vendor: str
    fault: str
    caught: bool  # some contract failure was reported (for FAITHFUL: a false alarm); not a run error
    seconds: float  # to the first failure (the suite) or of the whole run (Schemathesis)
    rule: str = ""  # the rules broken by the time the run stopped, the first failure's first
    detail: str = ""  # the first failure's message, redacted
    error: str = ""  # the run could not complete


def run_suite(job: Job) -> Outcome:
    from contracts.report import Redactor
    from contracts.runner import SECTIONS, RunOptions, run_section
    from contracts.session import Interrupted, Session
    from contracts.target import local_target

    options = RunOptions(max_examples=job.max_examples, seed=job.seed, sections=job.sections or SECTIONS)
    with served(target_app(job.vendor, job.fault)) as url:
        session = Session(local_target(job.vendor, url))
        first: list[tuple[float, Any]] = []
        record = session.fail
        started = time.monotonic()

        def fail(failure: Any, case: Any, curl: str | None = None) -> None:
            if not first:
                first.append((time.monotonic() - started, failure))
            record(failure, case, curl)

        session.fail = fail  # type: ignore[method-assign]
        error = ""
        try:
            for name in options.sections:
                run_section(session, name, options)
                if first:
                    break
        except Interrupted:  # the target stopped answering: a finding, recorded with its request
            pass
        except Exception as exc:  # the target broke the connection: report it, keep the rest of the table
            error = f"{type(exc).__name__}: {exc}"
        elapsed = time.monotonic() - started
    redact = Redactor()
    redact.add_book(session.scope.book)
    redact.add_secrets(session.target.secrets)
    if not first:
        return Outcome(job.tool, job.vendor, job.fault, False, elapsed, error=redact(error)[:300])
    seconds, failure = first[0]
    rules = [failure.rule] + [r.failure.rule for s in session.sections.values() for r in s.failures]
    return Outcome(job.tool, job.vendor, job.fault, True, seconds, ", ".join(dict.fromkeys(rules)),
                   redact(str(failure))[:300], redact(error)[:300])


def schemathesis_executable() -> str:
    found = shutil.which("schemathesis") or shutil.which("st")
    beside = Path(sys.executable).with_name("schemathesis")
    return found or str(beside)


def auth_header(vendor: str) -> str:
    from contracts.target import auth_headers, local_target

    name, value = next(iter(auth_headers(vendor, local_target(vendor, "http://unused").primary.key).items()))
    return f"{name}: {value}"


def summary_lines(output: str, heading: str, mark: str) -> list[str]:
    """The kinds listed under one heading of Schemathesis' summary (`ST103 Undocumented status code`)."""
    kinds, inside = [], False
    for line in output.splitlines():
        text = line.strip()
        if text == heading:
            inside = True
        elif inside and text.startswith(mark):
            kinds.append(text.removeprefix(mark).strip().rsplit(":", 1)[0].strip())
        elif inside and text:
            break
    return kinds


def config_file(vendor: str) -> list[str]:
    """`--config-file` with the vendor's Schemathesis settings, when connmock has some for it."""
    path = CONFIGS / f"{vendor}.toml"
    return ["--config-file", str(path)] if path.is_file() else []


def excluded_checks(vendor: str) -> list[str]:
    """The checks the vendor's documented behaviour cannot pass (its profile's `unfit-checks`, each with its
    reason there); `--checks all` overrides a config file's per-check switch, so they are excluded here."""
    from speclib.profile import vendor_profile

    return [arg for check in vendor_profile(vendor).unfit_checks for arg in ("--exclude-checks", check)]


def run_schemathesis(job: Job) -> Outcome:
    with served(target_app(job.vendor, job.fault)) as url, tempfile.TemporaryDirectory() as workdir:
        command = [
            schemathesis_executable(), *config_file(job.vendor), "--no-color", "run",
            f"{url}/{job.vendor}/openapi.json", "--url", f"{url}/{job.vendor}", "-H", auth_header(job.vendor),
            "--checks", "all", "--phases", "examples,coverage,fuzzing,stateful",
            "--max-examples", str(job.max_examples), "--seed", str(job.seed), "--workers", "1",
            "--generation-database", "none", *excluded_checks(job.vendor),
        ]
        started = time.monotonic()
        try:
            run = subprocess.run(command, capture_output=True, text=True, timeout=SCHEMATHESIS_TIMEOUT,
                                 cwd=workdir, check=False)
        except subprocess.TimeoutExpired:
            return Outcome(job.tool, job.vendor, job.fault, False, time.monotonic() - started,
                           error=f"timed out after {SCHEMATHESIS_TIMEOUT}s")
        elapsed = time.monotonic() - started
    if run.returncode not in (0, 1):
        return Outcome(job.tool, job.vendor, job.fault, False, elapsed,
                       error=f"exit {run.returncode}: {(run.stderr or run.stdout)[-300:]}")
    failures = summary_lines(run.stdout, "Failures:", "❌")
    errors = summary_lines(run.stdout, "Errors:", "🚫")
    return Outcome(job.tool, job.vendor, job.fault, bool(failures), elapsed, ", ".join(failures),
                   failures[0] if failures else "", ", ".join(errors))


def run_job(job: Job) -> Outcome:
    if job.fault != FAITHFUL:
        from connmock.faults.zoo import applies

        assert applies(job.fault, job.vendor), f"{job.fault} does not apply to {job.vendor}"
    return run_suite(job) if job.tool == "connmock" else run_schemathesis(job)
