"""Run the contract suite for one or more targets and collect a result per vendor."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import requests

from contracts.generated import run_generated
from contracts.negatives import NEGATIVES
from contracts.report import Redactor, VendorResult
from contracts.scenarios import SCENARIOS
from contracts.session import Session
from contracts.target import Target

__all__ = ["DEFAULT_MAX_EXAMPLES", "SECTIONS", "RunOptions", "run_section", "run_targets", "run_vendor"]

DEFAULT_MAX_EXAMPLES = 12
SECTIONS = ("valid-requests", "required-fields", "lifecycle", "cross-tenant", "auth", *NEGATIVES, "generated")


@dataclass(frozen=True, slots=True)
class RunOptions:
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int = 0
    sections: tuple[str, ...] = SECTIONS


def run_section(session: Session, name: str, options: RunOptions) -> None:
    if name == "generated":
        run_generated(session, options.max_examples, options.seed)
    else:
        session.enter(name)
        {**SCENARIOS, **NEGATIVES}[name](session)


def run_vendor(target: Target, options: RunOptions, redactor: Redactor | None = None) -> VendorResult:
    started = time.monotonic()
    session = Session(target)
    error = None
    try:
        for name in options.sections:
            run_section(session, name, options)
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {exc}"
    if redactor is not None:
        redactor.add_book(session.scope.book)
        redactor.add_secrets(target.secrets)
    sections = [s for s in session.sections.values() if s.name != "setup" or s.failures or s.checks]
    return VendorResult(target.vendor, target.base_url, sorted(session.spec.operations), sections,
                        time.monotonic() - started, error)


def run_targets(targets: Iterable[Target], options: RunOptions) -> tuple[list[VendorResult], Redactor]:
    redactor = Redactor()
    return [run_vendor(target, options, redactor) for target in targets], redactor
