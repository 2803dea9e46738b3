"""The model-based lifecycle: a Hypothesis state machine per vendor, checked against a plain dict model.

Built from the vendor's profile (`x-connmock-profile`, see `speclib.profile`) and its spec, never from
the vendor's name. Every example starts by creating one object of every create variant the target has seeded
objects for (and reading each back, with and without the secret-revealing parameter), then Hypothesis draws
rules: create more, read back, walk every page of the list (no filter, a filter that matches what was made, one
that matches nothing) at small page sizes, update, create the same body again, delete, read what was deleted,
and the other tenant's create, read and delete. After every step the target must agree with the model:

- reads of live objects answer 200, reads of deleted ones 404;
- the pages hold every live object of the tenant that the filter matches, once, and nothing deleted, nothing of
  the other tenant and nothing the filter excludes (`contracts.pagination` checks the pages agree);
- a secret comes back only where its rule says, and a rule's `when` parameter reveals it only with the
  documented value: absent, `false`, `0`, `1`, `yes` and empty must not.

Every request also goes through the session's checks. A failure stops the example; Hypothesis shrinks it, and
the shortest failing sequence is reported as a numbered list of curl commands. Whatever an example made is
deleted when it ends.

Over 400 lines on purpose: most of it is one `RuleBasedStateMachine` (`machine_for`), whose rules share the
model, the session and the deadline through one closure; split, the model's invariants would be read in pieces.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, reject, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    multiple,
    rule,
    run_state_machine_as_test,
)
from schemathesis import Case, Response

from contracts.checks import json_of
from contracts.failures import (
    ContractFailure,
    LifecycleViolation,
    SecretLeak,
    TargetUnavailable,
    TenantIsolationViolation,
)
from contracts.pagination import walk
from contracts.scenarios import build_create, page_query, request_examples, success_status, variants
from contracts.session import Interrupted, Section, Session
from contracts.target import Credentials
from speclib.profile import Filter, Profile, evaluate, vendor_profile
from speclib.secrets import secret_values

__all__ = ["GATE_SPELLINGS", "Made", "SequenceFailed", "run_stateful"]

PAGE_SIZES = (1, 2, 3)
GATE_SPELLINGS = ("false", "0", "1", "yes", "")  # besides absent and the documented value: none may reveal
TIME_BUDGET = 240.0  # seconds of one vendor's state machine; past it, further examples are dropped
SHRINK_SECONDS = 20.0  # shrinking stops this long after the first failure: the shortest sequence so far is kept


class SequenceFailed(Exception):
    """A step broke the contract (`failures`: every rule it broke); `steps` are the curl commands of the
    example so far, in order."""

    def __init__(self, failures: list[ContractFailure], steps: list[str]) -> None:
        super().__init__(str(failures[0]))
        self.failures = failures
        self.steps = steps


class TargetStopped(SequenceFailed):
    """The target stopped answering during a step: reported with the sequence, then the run is handed back."""

    def __init__(self, failures: list[ContractFailure], steps: list[str], cause: Exception) -> None:
        super().__init__(failures, steps)
        self.cause = cause


@dataclass(slots=True)
class Made:
    """An object the machine created: the create's body and answer, and how its operations address it."""

    owner: Credentials
    variant: str | None
    body: dict[str, Any]
    answer: Any
    ident: str
    path: dict[str, str]
    query: dict[str, str]


@dataclass(frozen=True, slots=True)
class Gate:
    """A secret rule's condition on a read: `param` must be one of `opens` for the secret to come back (the
    documented `value` first; a server may read other spellings alike, as zod's `stringbool` does)."""

    operation: str
    param: str
    opens: tuple[str, ...]
    at: tuple[str, ...]
    rule_path: tuple[str, ...]

    @property
    def value(self) -> str:
        return self.opens[0]


def gates_of(session: Session, profile: Profile) -> list[Gate]:
    """The `when` conditions of the create's secret rules on the read and list operations."""
    found = []
    for secret in session.scope.rules.get(profile.create, ()):
        for place in secret.returned:
            if place.operation in (profile.read, profile.list):
                found += [Gate(place.operation, k, opens, place.at, secret.path) for k, opens in place.when_query]
    return list(dict.fromkeys(found))


def numbered(cases: list[str]) -> list[str]:
    return [f"{index}. {curl}" for index, curl in enumerate(cases, 1)]


def machine_for(session: Session, deadline: float, outcome: Outcome) -> type[RuleBasedStateMachine]:
    """The state machine class of `session`'s vendor (its rules close over the session and `outcome`)."""
    profile = vendor_profile(session.target.vendor)
    halted = outcome.halted
    primary, other = session.target.primary, session.target.other
    kinds = variants(session)
    gates = gates_of(session, profile)
    read_gates = [g for g in gates if g.operation == profile.read]
    filters: list[Filter | None] = [None, *(profile.listing.filters if profile.listing else ())]

    class Lifecycle(RuleBasedStateMachine):
        live = Bundle("live")
        gone = Bundle("gone")

        def __init__(self) -> None:
            super().__init__()
            self.model: dict[str, Made] = {}  # the primary tenant's live objects by identity
            self.others: dict[str, Made] = {}  # the other tenant's
            self.deleted: set[str] = set()
            self.made: set[str] = set()  # every identity this example created
            self.steps: list[str] = []
            self.real = session.section
            self.scratch = session.enter_scratch(self.real.name)

        # -- plumbing ----------------------------------------------------------------------------------------

        def send(self, case: Case[Any]) -> Response:
            if halted or outcome.out_of_time(deadline):
                reject()  # out of time, or the target stopped answering: the example is dropped, not failed
            self.steps.append(session.curl(case))
            try:
                return session.send(case)
            except (SequenceFailed, ContractFailure):
                raise
            except Interrupted as exc:  # no answer (the session has recorded it and waited), or endless 429s
                halted.append(exc)
                if not any(isinstance(r.failure, TargetUnavailable) for r in self.scratch.failures):
                    reject()  # still rate-limited: no finding, the runner marks the section incomplete
                failures = [r.failure for r in self.scratch.failures]
                raise outcome.keep(TargetStopped(failures, numbered(self.steps), exc)) from exc

        def settle(self) -> None:
            """Raise the first failure this example has recorded, with the steps that led to it."""
            if self.scratch.failures:
                raise outcome.keep(SequenceFailed([r.failure for r in self.scratch.failures], numbered(self.steps)))

        def expect(self, case: Case[Any], response: Response, statuses: tuple[int, ...], what: str,
                   failure: type[ContractFailure] = LifecycleViolation) -> bool:
            if response.status_code in statuses:
                return True
            expected = " or ".join(map(str, statuses))
            session.fail(failure(session.scope.operation_of(case), what,
                                 f"got {response.status_code}, expected {expected}"), case)
            return False

        def expect_read(self, made: Made, case: Case[Any], response: Response, what: str,
                        failure: type[ContractFailure] = LifecycleViolation) -> bool:
            """A 200, or a refusal the profile allows for `made` (its credentials checked with their provider):
            True only for a 200, the answer whose content can be checked."""
            refusal = profile.read_refusal
            if refusal and refusal.covers(made.variant, response.status_code, json_of(response)):
                return False
            return self.expect(case, response, (200,), what, failure)

        def create(self, variant: str | None, owner: Credentials) -> Made | None:
            body, path, query = build_create(session, variant, tenant=owner)
            case = session.case(profile.create, as_tenant=owner, body=body, path=path, query=query)
            response = self.send(case)
            if not self.expect(case, response, (success_status(session, profile.create),), f"create {variant}"):
                return None
            answer = json_of(response)
            made = Made(owner, variant, body, answer, str(evaluate(profile.identity, body, answer)),
                        {k: str(evaluate(v, body, answer)) for k, v in profile.address_path.items()},
                        {k: str(evaluate(v, body, answer)) for k, v in profile.address_query.items()})
            self.made.add(made.ident)
            (self.model if owner is primary else self.others)[made.ident] = made
            return made

        def read(self, made: Made, who: Credentials, query: dict[str, str] | None = None) -> tuple[Case[Any], Response]:
            assert profile.read is not None
            case = session.case(profile.read, as_tenant=who, path=made.path, query={**made.query, **(query or {})})
            return case, self.send(case)

        def revealed(self, made: Made, gate: Gate, response: Response) -> bool:
            rules = session.scope.rules.get(profile.create, ())
            text = response.content.decode(errors="replace")
            values = [value for path, value, _ in secret_values(rules, made.body) if path[:len(gate.rule_path)]
                      == gate.rule_path]
            return not values or any(value in text for value in values)

        def read_gated(self, made: Made, gate: Gate, spelling: str | None) -> None:
            query = {} if spelling is None else {gate.param: spelling}
            case, response = self.read(made, primary, query)
            answered = spelling in (None, gate.value) and self.expect_read(made, case, response,
                                                                            f"get with {gate.param}={spelling}")
            if answered and spelling == gate.value and not self.revealed(made, gate, response):
                session.fail(SecretLeak(gate.operation, f"{gate.param}={gate.value}",
                                        f"the documented value does not return {'.'.join(gate.rule_path)}",
                                        rule="secret-gate"), case)
            # Other spellings may be answered or rejected; the canary check fails any that reveals the secret and
            # is not one of the spellings that open the gate.

        # -- steps (shared by the opening and the rules) --------------------------------------------------------

        def update_object(self, made: Made) -> None:
            for operation in profile.update:
                for body in request_examples(session, operation):
                    case = session.case(operation, body=body, path=made.path, query=made.query)
                    self.expect(case, self.send(case), (success_status(session, operation),), "update")
                if profile.read:
                    case, response = self.read(made, primary)
                    self.expect_read(made, case, response, "get after update")

        def repeat(self, made: Made) -> Made | None:
            """The same create again: a conflict, the same object (upsert) or a new one, as the profile says."""
            case = self.repeat_case(made)
            response = self.send(case)
            if profile.repeat == "conflict":
                self.expect(case, response, (409,), "the same create again")
                return None
            if not self.expect(case, response, (success_status(session, profile.create),), "the same create again"):
                return None
            answer = json_of(response)
            ident = str(evaluate(profile.identity, made.body, answer))
            if profile.repeat == "upsert":
                if ident != made.ident:
                    session.fail(LifecycleViolation(profile.create, "the same create again",
                                                    f"an upsert answered another object ({ident})"), case)
                return None
            again = Made(made.owner, made.variant, made.body, answer, ident,
                         {k: str(evaluate(v, made.body, answer)) for k, v in profile.address_path.items()},
                         {k: str(evaluate(v, made.body, answer)) for k, v in profile.address_query.items()})
            self.made.add(ident)
            self.model[ident] = again
            return again

        def remove(self, made: Made) -> None:
            """Delete, then the object must read as gone (the lists are checked at the end)."""
            if not profile.delete:
                return
            case = session.case(profile.delete, as_tenant=made.owner, path=made.path, query=made.query)
            if self.expect(case, self.send(case), (success_status(session, profile.delete),), "delete"):
                self.model.pop(made.ident, None)
                self.deleted.add(made.ident)
            if profile.read:
                case, response = self.read(made, made.owner)
                self.expect(case, response, (404,), "get after delete")

        # -- rules -------------------------------------------------------------------------------------------

        @initialize(target=live)
        def every_variant(self) -> Any:
            made = [m for m in (self.create(kind, primary) for kind in kinds) if m is not None]
            if profile.read:
                for item in made:
                    case, response = self.read(item, primary)
                    self.expect_read(item, case, response, f"get after create ({item.variant})")
            if made:  # the secret-revealing parameter: absent, documented and every other spelling
                for gate in read_gates:
                    for spelling in (None, gate.value, *GATE_SPELLINGS):
                        self.read_gated(made[0], gate, spelling)
                if profile.list and profile.listing and profile.listing.pagination:
                    self.check_list(made[0], None, True, 2)  # before any delete: some servers die on one
                self.update_object(made[0])
                again = self.repeat(made[0])
                doomed = again or self.create(made[0].variant, primary)
                if doomed is not None:
                    self.remove(doomed)
                    made = [m for m in made if m is not doomed]
            self.settle()
            return multiple(*made)

        @rule(target=live, kind=st.sampled_from(kinds))
        def create_more(self, kind: str | None) -> Any:
            made = self.create(kind, primary)
            self.settle()
            return made if made is not None else multiple()

        @rule(made=live)
        def read_back(self, made: Made) -> None:
            if profile.read:
                case, response = self.read(made, primary)
                self.expect_read(made, case, response, "get of a live object")
            self.settle()

        @rule(made=live, index=st.integers(0, 9), spelling=st.sampled_from((None, *GATE_SPELLINGS)))
        def read_with_gate(self, made: Made, index: int, spelling: str | None) -> None:
            if read_gates:
                self.read_gated(made, read_gates[index % len(read_gates)], spelling)
            self.settle()

        @rule(made=gone)
        def read_deleted(self, made: Made) -> None:
            if profile.read:
                case, response = self.read(made, made.owner)
                self.expect(case, response, (404,), "get after delete")
            self.settle()

        @rule(made=live, size=st.sampled_from(PAGE_SIZES), index=st.integers(0, 9), matching=st.booleans())
        def list_pages(self, made: Made, size: int, index: int, matching: bool) -> None:
            if profile.list and profile.listing and profile.listing.pagination:
                chosen = filters[index % len(filters)]
                if chosen is None or matching or chosen.none is not None:
                    self.check_list(made, chosen, matching, size)
            self.settle()

        @rule(made=live)
        def update(self, made: Made) -> None:
            self.update_object(made)
            self.settle()

        @rule(target=live, made=live)
        def create_again(self, made: Made) -> Any:
            again = self.repeat(made)
            self.settle()
            return again if again is not None else multiple()

        @rule(target=gone, made=consumes(live))
        def delete(self, made: Made) -> Any:
            self.remove(made)
            self.settle()
            return made

        @rule(made=live)
        def other_tenant_reads_and_deletes(self, made: Made) -> None:
            if other is None or not profile.read:
                self.settle()
                return
            case, response = self.read(made, other)
            self.denied(case, response, "get by another tenant")
            if profile.delete:
                delete = session.case(profile.delete, as_tenant=other, path=made.path, query=made.query)
                self.denied(delete, self.send(delete), "delete by another tenant")
                case, response = self.read(made, primary)
                self.expect_read(made, case, response, "owner's get after another tenant's delete",
                                 TenantIsolationViolation)
            self.settle()

        @rule(kind=st.sampled_from(kinds))
        def other_tenant_creates(self, kind: str | None) -> None:
            if other is not None and profile.list and session.target.ids_of(other) is not None:
                self.create(kind, other)
            self.settle()

        def teardown(self) -> None:
            """Check every list against the model, then delete what the example made (both tenants) and hand
            its coverage to the real section."""
            try:
                if not halted and time.monotonic() < deadline:
                    self.final_lists()
                    self.settle()
            finally:
                self.clean_up()

        def final_lists(self) -> None:
            """Every filter (and none), each walked over several pages; each list gate with every spelling; the
            profile's other reads once."""
            for operation in profile.also_read:  # they summarise the objects: each live one is mentioned
                case = session.case(operation, query=page_query(session, operation))
                response = self.send(case)
                if self.expect(case, response, (200,), "read after the creates"):
                    text = response.content.decode(errors="replace")
                    for ident in sorted(i for i in self.model if f'"{i}"' not in text):
                        session.fail(LifecycleViolation(operation, "after the creates", f"{ident} is not mentioned"),
                                     case)
            if not (profile.list and profile.listing and profile.listing.pagination and self.model):
                return
            made = next(iter(self.model.values()))
            size = max(1, -(-len(self.model) // 4))  # about four pages, at least two once there are two objects
            for chosen in filters:
                self.check_list(made, chosen, True, size)
            largest = page_query(session, profile.list).get(profile.listing.pagination.size)
            if isinstance(largest, int):  # one page at the documented maximum, as most clients ask
                self.check_list(made, None, True, largest)
            for gate in (g for g in gates if g.operation == profile.list):
                for spelling in (gate.value, *GATE_SPELLINGS):
                    case = session.case(profile.list, query={gate.param: spelling})
                    self.expect(case, self.send(case), (200, 400, 422) if spelling != gate.value else (200,),
                                f"list with {gate.param}={spelling}")

        def clean_up(self) -> None:
            if profile.delete and not halted:
                for made in [*self.model.values(), *self.others.values()]:
                    case = session.case(profile.delete, as_tenant=made.owner, path=made.path, query=made.query)
                    self.steps.append(session.curl(case))
                    try:
                        session.send(case)
                    except Interrupted as exc:  # the target died on a delete (or is rate-limited for good)
                        halted.append(exc)
                        break
            down: list[ContractFailure] = [r.failure for r in self.scratch.failures
                                           if isinstance(r.failure, TargetUnavailable)]
            if down:  # the session recorded it (and maybe got an answer on its second try)
                outcome.keep(SequenceFailed(down, numbered(self.steps)))
            self.real.operations |= self.scratch.operations
            self.real.checks.update(self.scratch.checks)
            self.real.requests += self.scratch.requests
            session.section = self.real

        # -- checks --------------------------------------------------------------------------------------------

        def repeat_case(self, made: Made) -> Case[Any]:
            _, path, query = build_create(session, made.variant, tenant=made.owner)
            return session.case(profile.create, as_tenant=made.owner, body=made.body, path=path, query=query)

        def denied(self, case: Case[Any], response: Response, what: str) -> None:
            if response.status_code < 300:
                session.fail(TenantIsolationViolation(session.scope.operation_of(case), what,
                                                      f"got {response.status_code}, expected a 4xx"), case)

        def check_list(self, made: Made, chosen: Filter | None, matching: bool, size: int) -> None:
            assert profile.list and profile.listing
            query: dict[str, Any] = {}
            expected = set(self.model)
            if chosen is not None:
                value = evaluate(chosen.value, made.body, made.answer) if matching else chosen.none
                query[chosen.param] = value
                expected = {k for k, m in self.model.items()
                            if matching and str(evaluate(chosen.value, m.body, m.answer)) == str(value)}
            sent: list[Case[Any]] = []
            result = walk(session, profile.list, profile.listing, primary, query, size, sent)
            self.steps += [session.curl(case) for case in sent]
            label = f"{chosen.param}={'match' if matching else 'none'}" if chosen else "no filter"
            place = f"{label}, page size {size}"
            ours = [ident for ident in result.ids if ident in self.made]
            last = sent[-1] if sent else session.case(profile.list)
            for problem in self.listing_problems(ours, expected, result.complete):
                kind, detail = problem
                session.fail(kind(profile.list, place, detail), last)

        def listing_problems(self, ours: list[str], expected: set[str], complete: bool
                             ) -> Iterator[tuple[Callable[..., ContractFailure], str]]:
            seen = set(ours)
            for ident in sorted({i for i in ours if ours.count(i) > 1}):
                yield LifecycleViolation, f"{ident} is listed twice across the pages"
            if complete:
                for ident in sorted(expected - seen):
                    yield LifecycleViolation, f"{ident} is missing from the pages"
            for ident in sorted(seen - expected):
                if ident in self.others:
                    yield TenantIsolationViolation, f"{ident} of another tenant is listed"
                elif ident in self.deleted:
                    yield LifecycleViolation, f"{ident} was deleted but is listed"
                elif ident in self.model:
                    yield LifecycleViolation, f"{ident} is listed although the filter excludes it"

    Lifecycle.__name__ = f"{profile.vendor.capitalize()}Lifecycle"
    return Lifecycle


@dataclass(slots=True)
class Outcome:
    """What the machine found, shared by every example: the shortest sequence per failure, and the transport
    error once the target stops answering (after which no example sends anything)."""

    shortest: dict[tuple[tuple[str, ...], ...], SequenceFailed] = field(default_factory=dict)
    first_failure: float | None = None
    halted: list[Exception] = field(default_factory=list)

    def keep(self, failed: SequenceFailed) -> SequenceFailed:
        key = tuple(failure.key[:2] for failure in failed.failures)
        if key not in self.shortest or len(failed.steps) < len(self.shortest[key].steps):
            self.shortest[key] = failed
        self.first_failure = self.first_failure or time.monotonic()
        return failed

    def out_of_time(self, deadline: float) -> bool:
        now = time.monotonic()
        return now > deadline or (self.first_failure is not None and now - self.first_failure > SHRINK_SECONDS)


def run_stateful(session: Session, examples: int, steps: int, seed: int) -> None:
    """Run the vendor's state machine; the shortest failing sequence of each failure is recorded in the section.

    The machine keeps its own record of failing sequences, so whatever Hypothesis ends with (a shrunk failure,
    several, or a "flaky" verdict because a live server moved on) the report holds the shortest one seen.
    """
    outcome = Outcome()
    machine = machine_for(session, time.monotonic() + TIME_BUDGET, outcome)
    config = settings(max_examples=examples, stateful_step_count=steps, deadline=None, database=None,
                      phases=[Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
                      verbosity=Verbosity.quiet, print_blob=False)
    section = session.section
    try:
        run_state_machine_as_test(hypothesis_seed(seed)(machine), settings=config)
    except Exception:  # a shrunk failure, several, "flaky", or nothing satisfiable once the target stopped
        if not outcome.shortest and not outcome.halted:
            raise
    finally:
        session.section = section
    for failed in outcome.shortest.values():
        report(section, failed)
    if outcome.halted:
        raise outcome.halted[0]  # the runner decides whether to wait for the target


def report(section: Section, failed: SequenceFailed) -> None:
    """Record the failure with its numbered steps."""
    for failure in failed.failures:
        section.record(failure, "\n          ".join(failed.steps))
