"""Differential fuzzing: generated sequences sent to two servers, answers compared by shape, differences shrunk.

Each sequence (`generation`) runs step by step against side A (the reference) and side B with each side's
own keys, seeded objects and ids (`steps.Rendering`); B's answer is compared with A's by `shapes.compare`,
the engine `replay` uses, with A's seeded ids mapped onto B's. A difference's signature is (operation,
variation, path, kind); the first sequence that shows a new unexplained signature is shrunk greedily --
drop steps, then query parameters, then body keys, keeping every change that still reproduces it -- and
printed as curl lines for both sides, keys as placeholders. Objects a sequence created are deleted on both
sides when it ends, so lists start from the same state.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from connmock.fidelity import allowlist
from connmock.fidelity.generation import Model
from connmock.fidelity.replay import Answer, parse_body
from connmock.fidelity.shapes import Carried, Difference, compare
from connmock.fidelity.sides import Side
from connmock.fidelity.steps import WRONG_KEY, Rendering, Request, Step, render
from connmock.fidelity.substitution import origin, substitute
from connmock.fidelity.sweep import Sweeper
from connmock.fidelity.values import snake
from contracts.target import auth_headers
from speclib.profile import vendor_profile

__all__ = ["Campaign", "Finding", "Outcome", "Runner", "Signature", "fuzz", "judge"]

INDEX = re.compile(r"\[\d+\]")
REF = re.compile(r"\{\{ref:(\d+):")
TRANSPORT_ERRORS = (httpx.RemoteProtocolError, httpx.ReadError, httpx.ConnectError, httpx.ReadTimeout,
                    httpx.WriteError)


@dataclass(frozen=True, slots=True)
class Signature:
    operation: str
    variation: str
    path: str
    kind: str

    def describe(self) -> str:
        return f"{self.operation} [{self.variation}] {self.path}: {self.kind}"


@dataclass(slots=True)
class Outcome:
    """One sequence run on both sides: the answers and B's differences from A (by step index)."""

    steps: list[Step]
    answers_a: list[Answer] = field(default_factory=list)
    answers_b: list[Answer] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    a_unavailable: bool = False  # A stopped answering during the sequence (its later steps are not compared)

    def signatures(self) -> dict[Signature, Difference]:
        out: dict[Signature, Difference] = {}
        for difference in self.differences:
            step = self.steps[difference.exchange]
            out.setdefault(Signature(step.operation, step.variation, difference.path, difference.kind), difference)
        return out


@dataclass(slots=True)
class Finding:
    signature: Signature
    difference: Difference
    steps: list[Step]
    count: int = 1
    allowance: allowlist.Allowance | None = None


@dataclass(slots=True)
class Campaign:
    vendor: str
    sequences: int = 0
    requests: int = 0
    a_unavailable: int = 0  # sequences during which A stopped answering (compared up to that step only)
    # by signature and whether an allow-list entry explains it: an entry may explain a signature only for some
    # queries (its `query` glob), and an explained occurrence must not hide an unexplained one
    findings: dict[tuple[Signature, bool], Finding] = field(default_factory=dict)

    @property
    def unexplained(self) -> list[Finding]:
        return [f for f in self.findings.values() if f.allowance is None]

    @property
    def explained(self) -> list[Finding]:
        return [f for f in self.findings.values() if f.allowance is not None]


def normalized(difference: Difference) -> Difference:
    """Array indexes as `[*]`, so one signature covers every item."""
    return replace(difference, path=INDEX.sub("[*]", difference.path))


def send(client: httpx.Client, request: Request) -> Answer:
    try:
        response = client.request(request.method, request.url, headers=request.headers, content=request.content)
    except TRANSPORT_ERRORS:
        return Answer(None, {}, None)
    return Answer(response.status_code, dict(response.headers), parse_body(response))


def left_behind(steps: list[Step], outcome: Outcome) -> bool:
    """Whether a side may hold an object the sequence does not know of: a create with no answer or a 5xx."""
    for answers in (outcome.answers_a, outcome.answers_b):
        for step, answer in zip(steps, answers, strict=False):
            if step.method == "POST" and (answer.status is None or answer.status >= 500):
                return True
    return False


class Runner:
    """Runs sequences against both sides with one HTTP client."""

    def __init__(self, vendor: str, a: Side, b: Side, client: httpx.Client, model: Model) -> None:
        self.vendor, self.a, self.b, self.client, self.model = vendor, a, b, client, model
        self.headers = {side.name: self.auth_table(side.keys) for side in (a, b)}
        self.roles = {a.roles[name]: b.roles[name] for name in a.roles.keys() & b.roles.keys()}
        self.roles[origin(a.base_url)] = origin(b.base_url)
        self.requests = 0
        profile = vendor_profile(vendor)
        listing_op = model.spec.operations.get(profile.list) if profile.list else None
        self.sweepers = {side.name: Sweeper(client, side.base_url, listing_op, profile.listing,
                                            {who: self.headers[side.name][who] for who in ("primary", "other")})
                         for side in (a, b)}

    def auth_table(self, keys: tuple[str, ...]) -> dict[str, dict[str, str]]:
        table = {"wrong": auth_headers(self.vendor, WRONG_KEY), "none": {}, "session": {}}
        table["primary"] = auth_headers(self.vendor, keys[0])
        table["other"] = auth_headers(self.vendor, keys[1] if len(keys) > 1 else WRONG_KEY)
        return table

    def run(self, steps: list[Step]) -> Outcome:
        uniq = "cm" + uuid.uuid4().hex[:10]
        outcome = Outcome(steps)
        on_a = Rendering(self.a.roles, uniq)
        on_b = Rendering(self.b.roles, uniq)
        carried = Carried(dict(self.roles))
        try:
            for index, step in enumerate(steps):
                answer_a = send(self.client, render(step, self.a.base_url, on_a, self.headers[self.a.name], True))
                answer_b = send(self.client, render(step, self.b.base_url, on_b, self.headers[self.b.name], False))
                self.requests += 2
                on_a.answers.append(answer_a.body)
                on_b.answers.append(answer_b.body)
                outcome.answers_a.append(answer_a)
                outcome.answers_b.append(answer_b)
                for side, answer in ((self.a, answer_a), (self.b, answer_b)):
                    if answer.status is None:
                        self.wait_for(side)
                if outcome.a_unavailable or answer_a.status is None:
                    # A gave no answer (a server that crashed): this step and the rest of the sequence
                    # compare nothing -- B cannot be judged against a missing reference.
                    outcome.a_unavailable = True
                    continue
                expected = substitute(answer_a.body, carried.values)
                found = compare(index, answer_a.status, answer_a.headers, expected, answer_b.status,
                                answer_b.headers, answer_b.body, carried)
                outcome.differences.extend(normalized(d) for d in found)
        finally:
            self.clean(self.a, outcome.answers_a, steps)
            self.clean(self.b, outcome.answers_b, steps)
            if left_behind(steps, outcome):
                self.sweep(self.a)
                self.sweep(self.b)
        return outcome

    def sweep(self, side: Side) -> None:
        def delete_url(item: dict[str, Any]) -> str | None:
            return self.delete_url(side, item)

        self.sweepers[side.name].sweep(delete_url)

    def wait_for(self, side: Side, seconds: float = 60.0) -> None:
        """After no answer at all (a server that crashed and is restarted), wait until it answers again, so
        the next sequence meets a live server."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.client.get(side.base_url, timeout=2)
                return
            except (*TRANSPORT_ERRORS, httpx.ConnectTimeout):
                time.sleep(0.5)

    def clean(self, side: Side, answers: list[Answer], steps: list[Step]) -> None:
        """Delete what the sequence created on `side`: every object a POST answered with."""
        delete = self.model.delete
        if delete is None:
            return
        for step, answer in zip(steps, answers, strict=False):
            if step.method != "POST" or answer.status is None or answer.status >= 300:
                continue
            if not isinstance(answer.body, dict):
                continue
            url = self.delete_url(side, answer.body)
            if url is not None:
                try:
                    who = step.auth if step.auth == "other" else "primary"  # the tenant that made it
                    self.client.delete(url, headers={**self.headers[side.name][who],
                                                     "Content-Type": "application/json"})
                    self.requests += 1
                except TRANSPORT_ERRORS:
                    pass

    def delete_url(self, side: Side, body: dict[str, Any]) -> str | None:
        delete = self.model.delete
        assert delete is not None
        path, query = delete.path, []
        found = {snake(k): v for k, v in body.items() if isinstance(v, str)}
        for param in delete.parameters:
            name = snake(param["name"])
            if param["in"] == "path":
                value = found.get(name) or (found.get("id") if name == "id" else None)
                if value is None:
                    return None
                path = path.replace("{" + param["name"] + "}", value)
            elif param["in"] == "query" and param.get("required"):
                if name not in found:
                    return None
                query.append(f"{param['name']}={found[name]}")
        return side.base_url + path + ("?" + "&".join(query) if query else "")


def judge(vendor: str, outcome: Outcome, allowances: list[allowlist.Allowance]) -> Iterator[
        tuple[Signature, Difference, allowlist.Allowance | None]]:
    """Each signature of the sequence with the entry that explains it, if any. After an explained difference
    that leaves the two sides holding different objects -- a create one side made and the other refused --
    later steps are not judged: they differ because the state does, not through a behaviour of their own."""
    key = f"{vendor}/diff"
    diverged_after: int | None = None
    for signature, difference in outcome.signatures().items():
        if diverged_after is not None and difference.exchange > diverged_after:
            continue
        match = explanation(key, outcome, signature, difference, allowances)
        if match is not None and diverges(outcome, difference):
            diverged_after = difference.exchange
        yield signature, difference, match


def explanation(key: str, outcome: Outcome, signature: Signature, difference: Difference,
                allowances: list[allowlist.Allowance]) -> allowlist.Allowance | None:
    step = outcome.steps[difference.exchange]
    query = "&".join(f"{name}={value}" for name, value in step.query)
    body = json.dumps(step.body) if step.body is not None else step.body_text or ""
    status_a = outcome.answers_a[difference.exchange].status
    return next((a for a in allowances if a.explains_generated(key, signature.operation, signature.variation,
                                                              difference, query, body, status_a)), None)


def diverges(outcome: Outcome, difference: Difference) -> bool:
    """Whether a status difference at a create leaves an object on one side only."""
    if difference.path != "status" or outcome.steps[difference.exchange].method != "POST":
        return False
    made = [(answers[difference.exchange].status or 0) // 100 == 2 for answers in (outcome.answers_a,
                                                                                   outcome.answers_b)]
    return made[0] != made[1]


def reproduces(runner: Runner, steps: list[Step], signature: Signature) -> bool:
    return signature in runner.run(steps).signatures()


def dropped(steps: list[Step], index: int) -> list[Step]:
    """`steps` without step `index`; references to later steps shift, references to it become unknown."""

    def shift(text: str) -> str:
        def one(found: re.Match[str]) -> str:
            ref = int(found.group(1))
            return "{{ref:" + str(ref - 1 if ref > index else 999 if ref == index else ref) + ":"
        return REF.sub(one, text)

    def walk(value: Any) -> Any:
        if isinstance(value, str):
            return shift(value)
        if isinstance(value, list):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return value

    out = []
    for position, step in enumerate(steps):
        if position == index:
            continue
        out.append(replace(step, path=shift(step.path), query=tuple((k, shift(v)) for k, v in step.query),
                           body=walk(step.body), alias_of=shift(step.alias_of) if step.alias_of else None))
    return out


def candidates(steps: list[Step]) -> Iterator[list[Step]]:
    for index in reversed(range(len(steps))):
        yield dropped(steps, index)
    for index, step in enumerate(steps):
        for position in reversed(range(len(step.query))):
            yield [*steps[:index], step.without_query(position), *steps[index + 1:]]
        if isinstance(step.body, dict):
            for name in list(step.body):
                smaller = {k: v for k, v in step.body.items() if k != name}
                yield [*steps[:index], replace(step, body=smaller), *steps[index + 1:]]


def shrink(runner: Runner, steps: list[Step], signature: Signature, budget: int = 40) -> list[Step]:
    """A smaller sequence that still shows `signature` (greedy, at most `budget` tries)."""
    current = steps
    improved = True
    while improved and budget > 0:
        improved = False
        for candidate in candidates(current):
            if budget <= 0:
                break
            budget -= 1
            if reproduces(runner, candidate, signature):
                current, improved = candidate, True
                break
    return current


def fuzz(runner: Runner, campaign: Campaign, allowances: list[allowlist.Allowance], *, sequences: int,
         seed: int, max_steps: int = 6, shrink_budget: int = 40, max_shrinks: int = 25) -> Campaign:
    """Run `sequences` generated sequences; every new signature is recorded, unexplained ones shrunk."""
    shrinks = 0

    @hypothesis_seed(seed)
    @settings(max_examples=sequences, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(st.data())
    def one(data: st.DataObject) -> None:
        nonlocal shrinks
        steps = runner.model.draw_sequence(data.draw, max_steps)
        outcome = runner.run(steps)
        campaign.sequences += 1
        campaign.a_unavailable += outcome.a_unavailable
        for signature, difference, allowance in judge(runner.vendor, outcome, allowances):
            key = (signature, allowance is not None)
            known = campaign.findings.get(key)
            if known is not None:
                known.count += 1
                continue
            minimal = steps
            if allowance is None and shrinks < max_shrinks:
                shrinks += 1
                minimal = shrink(runner, steps, signature, shrink_budget)
            campaign.findings[key] = Finding(signature, difference, minimal, 1, allowance)

    one()
    campaign.requests = runner.requests + sum(s.requests for s in runner.sweepers.values())
    return campaign
