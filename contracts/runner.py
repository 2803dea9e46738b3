"""Run the contract suite for one or more targets and collect a result per vendor.

A vendor's run: its sections in order, each ending `ok`/`FAIL`, or `incomplete` when the target stopped
answering (or stayed rate-limited) in it; when the target does not come back the sections left are `not run`.
Then everything the run created is deleted, and the operations the target does not serve are set apart.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from contracts.generated import GENERATED_SECTIONS, run_generated
from contracts.negatives import NEGATIVES
from contracts.report import Redactor, VendorResult
from contracts.scenarios import SCENARIOS
from contracts.session import INCOMPLETE, NOT_RUN, Interrupted, Section, Session
from contracts.stateful import run_stateful
from contracts.target import Target
from contracts.teardown import clean_up

__all__ = ["DEFAULT_MAX_EXAMPLES", "SECTIONS", "Progress", "RunOptions", "run_section", "run_targets",
           "run_vendor"]

DEFAULT_MAX_EXAMPLES = 12
STATEFUL_STEPS = 12  # rules per state-machine example (after the create-every-variant start)
SECTIONS = ("valid-requests", "required-fields", "lifecycle", "cross-tenant", "auth", *NEGATIVES, "generated")

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class RunOptions:
    max_examples: int = DEFAULT_MAX_EXAMPLES
    seed: int = 0
    sections: tuple[str, ...] = SECTIONS
    cleanup: bool = True  # delete what the run created (off when the target is thrown away after the run)

    @property
    def stateful_examples(self) -> int:
        """State-machine examples: each creates every variant and walks lists, so a quarter of the budget."""
        return max(2, self.max_examples // 4)


def report_names(name: str) -> tuple[str, ...]:
    """The report sections one suite section fills (`generated` fills one per generation mode)."""
    return GENERATED_SECTIONS if name == "generated" else (name,)


def run_section(session: Session, name: str, options: RunOptions) -> None:
    """Run one section; raises `Interrupted` when the target stopped answering in it."""
    if name == "generated":
        run_generated(session, options.max_examples, options.seed)
    elif name == "lifecycle":
        session.enter(name)
        run_stateful(session, options.stateful_examples, STATEFUL_STEPS, options.seed)
    else:
        session.enter(name)
        {**SCENARIOS, **NEGATIVES}[name](session)


def describe(section: Section) -> str:
    state = section.status or ("FAIL" if section.failures else "ok")
    return f"{section.name} {state} ({section.requests} requests, {len(section.failures)} failures)"


def run_sections(session: Session, options: RunOptions, progress: Progress) -> None:
    vendor = session.target.vendor
    for index, name in enumerate(options.sections):
        started = time.monotonic()
        try:
            run_section(session, name, options)
        except Interrupted as exc:
            session.section.status, session.section.reason = INCOMPLETE, exc.reason
            if not exc.recovered:
                for later in options.sections[index + 1:]:
                    for report_name in report_names(later):
                        session.enter(report_name).status = NOT_RUN
                progress(f"{vendor}: {describe(session.section)}: {exc.reason}; later sections not run")
                return
        done = [session.sections[n] for n in report_names(name) if n in session.sections]
        for section in done:  # the time is the suite section's, after its last report section
            timing = f" {time.monotonic() - started:.1f}s" if section is done[-1] else ""
            progress(f"{vendor}: {describe(section)}{timing}")


def run_vendor(target: Target, options: RunOptions, redactor: Redactor | None = None,
               progress: Progress | None = None, session: Session | None = None) -> VendorResult:
    started = time.monotonic()
    session = session or Session(target)
    say = progress or (lambda line: None)
    run_sections(session, options, say)
    leftovers: list[str] = []
    if options.cleanup:
        leftovers = clean_up(session)
        say(f"{target.vendor}: cleanup: {len(leftovers)} object(s) could not be deleted")
    if redactor is not None:
        redactor.add_book(session.scope.book)
        redactor.add_secrets(target.secrets)
    not_served = session.not_served()
    unserved = {line.split(" ", 1)[0] for line in not_served}
    sections = [s for s in session.sections.values() if s.name != "setup" or s.failures or s.checks]
    for section in sections:
        section.failures = [r for r in section.failures if r.failure.operation not in unserved]
    operations = sorted(set(session.spec.operations) - unserved)
    return VendorResult(target.vendor, target.base_url, operations, sections, time.monotonic() - started,
                        not_served=not_served, leftovers=leftovers, requests=session.transport.sent,
                        rate_limited=session.transport.rate_limited)


def run_targets(targets: Iterable[Target], options: RunOptions,
                progress: Progress | None = None) -> tuple[list[VendorResult], Redactor]:
    redactor = Redactor()
    return [run_vendor(target, options, redactor, progress) for target in targets], redactor
