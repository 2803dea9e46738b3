"""Live diff: one scenario per vendor, run against server A, then replayed against server B.

The scenario is built from the vendor's spec: a valid create (from `fixtures.factories`), every operation
without credentials, every operation with a body given `{}`, every body-less operation called validly, a
lookup of an unknown id, and the stateful create → get → list → delete → get → delete sequence. A's answers
become a recording (in A's terms, with roles for A's keys and seeded ids), and that recording is replayed
against B with the same engine as `connmock replay` -- so a diff is exactly "B compared with A".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import httpx

from connmock.fidelity import substitution
from connmock.fidelity.recordings import Exchange, RecordedRequest, RecordedResponse, Recording, Role
from connmock.fidelity.replay import ReplayReport, replay, send
from fixtures import load_seed
from fixtures.factories import PayloadFactory, create_operation, seeded_table
from speclib import Spec, load_spec
from speclib.loader import Operation
from speclib.profile import key_header, vendor_profile

__all__ = ["diff"]

REF = re.compile(r"\{ref:([A-Za-z0-9_]+)\}")


@dataclass(slots=True)
class Step:
    """A request of the scenario; `{ref:<field>}` in its path is the created object's field, read from A."""

    label: str
    method: str
    path: str
    auth: bool = True
    body: Any = None
    creates: bool = False  # its answer is the object later `{ref:…}`s read


@dataclass(slots=True)
class Scenario:
    vendor: str
    steps: list[Step] = field(default_factory=list)
    roles: dict[str, Role] = field(default_factory=dict)  # A's values


def normalized(name: str) -> str:
    return name.replace("_", "").lower()


def auth_header(spec: Spec, key: str) -> dict[str, str]:
    header, prefix = key_header(spec)
    return {header: prefix + key}


def seeded_roles(vendor: str, tenants: list[dict[str, Any]]) -> dict[str, Role]:
    """Roles for A's credentials and seeded objects (so B's own are substituted)."""
    roles: dict[str, Role] = {}
    for index, entry in enumerate(tenants[:2]):
        secret = substitution.secret_of(entry)
        if secret:
            roles[secret] = Role("secret_key", index)
    first = tenants[0] if tenants else {}
    binds = vendor_profile(vendor).binds
    if binds is not None and binds.role is not None and binds.seed is not None:
        for item in first.get(binds.role.listed, []):
            roles[str(item[binds.seed.id])] = Role(binds.role.name, 0, {f: item[f] for f in binds.role.match})
    return roles


def local_to_target(vendor: str, tenants: list[dict[str, Any]]) -> dict[str, str]:
    """The local seed's ids (what the payload factory binds) -> A's, by the variant they serve (a connector
    or auth-mode name)."""
    seed = load_seed()
    binds = vendor_profile(vendor).binds
    roles: dict[str, Role] = {}
    if binds is not None and binds.role is not None and binds.seed is not None:
        for variant, ident in binds.seed.pairs(seed.records(binds.seed.records), seed.tenants[0].id):
            roles[ident] = Role(binds.role.name, 0, {binds.seed.variant: variant})
    return substitution.resolve(roles, tenants, {})


def fill_path(op: Operation, create: Operation, create_params: dict[str, str], body: dict[str, Any]) -> str:
    """`op`'s path and required query, from the create call and `{ref:…}` to the created object."""
    path = op.path
    for param in op.parameters:
        name = param["name"]
        if param["in"] == "path":
            if name in create_params:
                value = quote(create_params[name], safe="")
            elif name in body and isinstance(body[name], str):
                value = quote(body[name], safe="")
            else:
                value = "{ref:" + ("connection_id" if normalized(name) == "connectionid" else "id") + "}"
            path = path.replace("{" + name + "}", value)
    query = {p["name"]: str(body.get(p["name"], p.get("schema", {}).get("default", "x")))
             for p in op.parameters if p["in"] == "query" and p.get("required")}
    return path + ("?" + urlencode(query) if query else "")


def build(vendor: str, tenants: list[dict[str, Any]], seed: int = 0) -> Scenario:
    spec = load_spec(vendor)
    records = load_seed()
    factory = PayloadFactory(vendor, seed, spec)
    binds = vendor_profile(vendor).binds
    variants: list[str | None] = list((binds.variants if binds else ()) or factory.variants()) or [None]
    table = seeded_table(vendor, records.tenants[0], records)
    variants = [v for v in variants if v in table] if table else variants
    mapping = local_to_target(vendor, tenants)
    calls = [factory.create(records.tenants[0], records, variants[i % len(variants)]) for i in range(2)]
    for call in calls:
        call.body = substitution.substitute(call.body, mapping)
        call.path_params = substitution.substitute(call.path_params, mapping)
    create = spec.operation(create_operation(vendor))
    noun = re.sub(r"^(create|connect)", "", create.operation_id)
    ops = sorted(spec.operations.values(), key=lambda o: o.operation_id)

    def path(op: Operation, index: int = 0) -> str:
        return fill_path(op, create, calls[index].path_params, calls[index].body)

    steps = [Step(f"{create.operation_id} valid ({calls[0].variant})", create.method, path(create), True,
                  calls[0].body, creates=True)]
    for op in ops:
        steps.append(Step(f"{op.operation_id} without credentials", op.method, path(op), False,
                          {} if op.body_schema() else None))
    for op in sorted(ops, key=lambda o: (o.method == "DELETE", o.operation_id)):  # read before deleting
        if op.body_schema():
            steps.append(Step(f"{op.operation_id} with an empty body", op.method, path(op), True, {}))
        else:
            steps.append(Step(f"{op.operation_id} valid", op.method, path(op)))
    by_id = spec.operations
    get, listing, delete = (by_id.get(f"get{noun}"), by_id.get(f"list{noun}s"), by_id.get(f"delete{noun}"))
    if get is not None:
        unknown = REF.sub("does-not-exist", path(get))
        steps.append(Step(f"{get.operation_id} unknown id", "GET", unknown))
    steps.append(Step(f"{create.operation_id} valid ({calls[1].variant})", create.method, path(create, 1), True,
                      calls[1].body, creates=True))
    sequence = ((get, "after create"), (listing, "after create"), (delete, ""), (get, "after delete"),
                (delete, "again"))
    for step_op, label in sequence:
        if step_op is not None:
            steps.append(Step(f"{step_op.operation_id} {label}".strip(), step_op.method, path(step_op, 1)))
    used = json.dumps([(s.path, s.body) for s in steps])
    roles = {value: role for value, role in seeded_roles(vendor, tenants).items()
             if role.kind == "secret_key" or value in used}
    return Scenario(vendor, steps, roles)


def fill_refs(path: str, created: dict[str, Any]) -> str:
    """`{ref:<field>}` -> that field of the created object (its `id` when it has no such field)."""

    def value(found: re.Match[str]) -> str:
        return quote(str(created.get(found.group(1), created.get("id", "missing"))), safe="")

    return REF.sub(value, path)


def record(scenario: Scenario, base_url: str, tenants: list[dict[str, Any]], client: httpx.Client) -> Recording:
    """Run the scenario against A: the recording of A's answers, in A's terms."""
    spec = load_spec(scenario.vendor)
    key = substitution.secret_of(tenants[0]) if tenants else None
    created: dict[str, Any] = {}
    exchanges = []
    for step in scenario.steps:
        path = fill_refs(step.path, created)
        headers = auth_header(spec, key) if step.auth and key else {}
        if step.body is not None:
            headers["Content-Type"] = "application/json"
        request = RecordedRequest(step.method, path, headers, step.body)
        answer = send(client, base_url, request)
        if step.creates and isinstance(answer.body, dict):
            created = answer.body
        exchanges.append(Exchange(step.label, request, RecordedResponse(answer.status, answer.headers,
                                                                        answer.body)))
    source = {"server": base_url, "scenario": f"connmock diff --vendor {scenario.vendor}"}
    return Recording(scenario.vendor, "diff", exchanges, dict(scenario.roles), source)


def diff(vendor: str, base_a: str, base_b: str, *, tenants_a: list[dict[str, Any]] | None = None,
         tenants_b: list[dict[str, Any]] | None = None, values_b: dict[str, str] | None = None,
         seed: int = 0, client: httpx.Client | None = None) -> tuple[Recording, ReplayReport]:
    """A's recording of the scenario, and the report of B replaying it."""
    http = client or httpx.Client(timeout=30)
    try:
        if tenants_a is None:
            tenants_a = substitution.fetch_tenants(http, base_a, vendor) or []
        recording = record(build(vendor, tenants_a, seed), base_a, tenants_a, http)
        values = {substitution.origin(base_a): substitution.origin(base_b), **(values_b or {})}
        return recording, replay(recording, base_b, client=http, tenants=tenants_b, values=values, vendor=vendor)
    finally:
        if client is None:
            http.close()


def dumps(recording: Recording) -> str:
    from connmock.fidelity.recordings import to_data

    return json.dumps(to_data(recording), indent=1, ensure_ascii=False)
